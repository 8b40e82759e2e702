/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  // course/ holds no tests; it is a root so jest watches and maps the lesson code the tests import.
  roots: ["<rootDir>/test", "<rootDir>/course"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }] },
  modulePathIgnorePatterns: ["<rootDir>/dist/", "<rootDir>/build/", "<rootDir>/site/"],
  testTimeout: 120000,
  setupFilesAfterEnv: ["<rootDir>/test/setupFastCheck.ts", "<rootDir>/test/setupTempDirs.ts"],
  // Executes the course's notebooks once, in parallel and through the content-hash cache, before the
  // suites that read build/notebooks/ start.
  globalSetup: "<rootDir>/test/globalSetup.ts",
  // Gives the run a fresh temp folder (in globalSetup) and fails the run naming whatever a test
  // left in it.
  globalTeardown: "<rootDir>/test/globalTeardown.ts",
  reporters: ["default", "<rootDir>/test/summaryReporter.js"],
};
