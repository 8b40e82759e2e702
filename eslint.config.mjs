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
    },
  },
  {
    // Benchmarks print their figures.
    files: ["bench/**"],
    rules: { "no-console": "off" },
  },
);
