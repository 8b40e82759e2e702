// Lint rules for maze. Type-aware (typescript-eslint's recommendedTypeChecked) because the rules that
// catch real defects here — floating promises, implied eval, needless assertions — need the types.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import tsdoc from "eslint-plugin-tsdoc";

export default tseslint.config(
  { ignores: ["dist/**", "build/**", "site/**", "node_modules/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { tsdoc },
    rules: {
      "tsdoc/syntax": "error",
      // The library speaks through return values and the CLI through its streams, never the console;
      // tests may warn that they skip (a missing system package).
      "no-console": ["error", { allow: ["warn"] }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Async methods that implement an async interface (a kernel display, a live runtime's stop) need
      // no await; the rule would have them return Promise.resolve by hand.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // maze is CommonJS and loads heavy or optional modules lazily with require() on purpose: the CLI's
    // subcommands, the HTML report, tslab inside the headless runner, the one lazy edge that breaks the
    // index -> handler-loader cycle. test/cycles.test.ts guards the module graph instead. Tests import
    // statically (the test type-check needs it), so the rule stays on there.
    files: ["lib/**", "kernel/**", "lessons/**", "slides/**", "bench/**"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Tests read parsed JSON (CLI output, executed notebooks) whose shape the assertion itself checks.
    files: ["test/**"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
    },
  },
  {
    // Benchmarks print their figures.
    files: ["bench/**"],
    rules: { "no-console": "off" },
  },
);
