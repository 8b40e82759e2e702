#!/usr/bin/env node
// Thin launcher: the CLI runs from compiled JavaScript (dist/), not ts-node, because every CLI call
// and every grader run pays start-up time (about 60 ms compiled against over 1 s through ts-node).
"use strict";
const path = require("path");
const fs = require("fs");
const entry = path.join(__dirname, "..", "dist", "lib", "cli", "main.js");
if (!fs.existsSync(entry)) {
  process.stderr.write("maze: the library is not compiled yet; run `npm run compile` (npm install does it too)\n");
  // EXIT.error of lib/cli/exitCodes.ts, which is not compiled either
  process.exit(2);
}
const { EXIT } = require(path.join(__dirname, "..", "dist", "lib", "cli", "exitCodes.js"));
const extra = {
  grade: {
    summary: "execute a lab notebook and grade it (Gradescope results.json)",
    load: () => require(path.join(__dirname, "..", "dist", "kernel", "grading", "command.js")),
  },
};
require(entry)
  .main(process.argv.slice(2), extra)
  .then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`maze: internal error: ${err && err.stack ? err.stack : err}\n`);
      process.exit(EXIT.error);
    },
  );
