/**
 * No runtime import cycles (dpdm over every entry point: the library, the kernel, the site, the
 * slides, the bench, the browser runtime). One edge is allowed, named here with its reason, so a
 * new cycle fails the suite while this one stays deliberate.
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

/**
 * Allowed: the handler loader hands a protocol module the running library as `require("maze")`,
 * through a `require` inside the function that loads the module — never while either file is
 * being loaded, so the cycle cannot see a half-initialised module.
 */
const ALLOWED = new Set(["lib/index.ts -> lib/ldfi/handlers/load.ts"]);

test("no import cycles beyond the one deliberate lazy edge", () => {
  // dpdm ships as ESM, which jest's CommonJS runtime cannot load: run its CLI and read its JSON.
  const out = path.join(tempDir("cycles"), "deps.json");
  execFileSync(process.execPath, [path.join(ROOT, "node_modules", "dpdm", "lib", "bin", "dpdm.js"), "--no-warning", "--no-tree", "--no-circular", "--transform", "--output", out, ...ENTRIES], { cwd: ROOT, stdio: "pipe" });
  const cycles = (JSON.parse(fs.readFileSync(out, "utf8")) as { circulars: string[][] }).circulars.map((c) => c.join(" -> "));
  expect(cycles.filter((c) => !ALLOWED.has(c))).toEqual([]);
  // The allowed edge still exists (if it goes, so should this entry).
  expect(cycles.filter((c) => ALLOWED.has(c))).toEqual([...ALLOWED]);
}, 60_000);
