/**
 * No runtime import cycles (dpdm over every entry point: the library, the kernel, the site, the
 * slides, the bench, the browser runtime). The handler loader hands a protocol module the running
 * library as `require("maze")` (lib/ldfi/handlers/load.ts requires lib/index.ts lazily); that is no
 * cycle, because the public library does not export the loader (it is in maze/internals), and the
 * test keeps it that way.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { tempDir } from "./tempDir";

const ROOT = path.join(__dirname, "..");
const ENTRIES = [
  "lib/index.ts",
  "lib/internals.ts",
  "course/index.ts",
  "lib/cli/main.ts",
  "kernel/notebook.ts",
  "kernel/grading/command.ts",
  "kernel/headless/runNotebooks.ts",
  "lessons/buildSite.ts",
  "lessons/serve.ts",
  "lessons/live/worker.ts",
  "lessons/live/runtime.ts",
  "slides/buildSlides.ts",
  "bench/main.ts",
];

test("no import cycles", () => {
  // dpdm ships as ESM, which jest's CommonJS runtime cannot load: run its CLI and read its JSON.
  const out = path.join(tempDir("cycles"), "deps.json");
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, "node_modules", "dpdm", "lib", "bin", "dpdm.js"),
      "--no-warning",
      "--no-tree",
      "--no-circular",
      "--transform",
      "--output",
      out,
      ...ENTRIES,
    ],
    { cwd: ROOT, stdio: "pipe" },
  );
  const cycles = (JSON.parse(fs.readFileSync(out, "utf8")) as { circulars: string[][] }).circulars.map((c) => c.join(" -> "));
  expect(cycles).toEqual([]);
}, 60_000);
