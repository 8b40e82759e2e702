/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }] },
  modulePathIgnorePatterns: ["<rootDir>/dist/", "<rootDir>/build/", "<rootDir>/site/"],
  testTimeout: 120000,
  setupFilesAfterEnv: ["<rootDir>/test/setupFastCheck.ts"],
  reporters: ["default", "<rootDir>/test/summaryReporter.js"],
};
