import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../jupyterPaths";

/** Where executed notebooks (with outputs) are written, mirroring notebooks/. */
export const EXECUTED_DIR = path.join(PROJECT_ROOT, "build", "notebooks");

/** The course's notebooks in reading order: notebooks/*.ipynb, then notebooks/labs/*.ipynb. */
export function courseNotebooks(root = path.join(PROJECT_ROOT, "notebooks")): string[] {
  const list = (dir: string): string[] =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith(".ipynb") && !f.startsWith("."))
          .sort()
          .map((f) => path.join(dir, f))
      : [];
  return [...list(root), ...list(path.join(root, "labs"))];
}

/** Every file under `dir` whose name ends with one of `exts`, sorted (none when `dir` is missing). */
export function filesUnder(dir: string, exts: readonly string[]): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p, exts));
    else if (exts.some((e) => entry.name.endsWith(e))) out.push(p);
  }
  return out.sort();
}

let libHashMemo: string | undefined;

/**
 * A hash of everything a notebook's outputs depend on besides the notebook itself: the library, the
 * course's and the kernel's sources and the Dedalus programs notebooks load. Changing any of them re-runs every notebook.
 */
export function libraryHash(): string {
  if (libHashMemo) return libHashMemo;
  const h = crypto.createHash("sha256");
  for (const dir of ["lib", "course", "kernel", "protocols"]) {
    for (const f of filesUnder(path.join(PROJECT_ROOT, dir), [".ts", ".ded", ".json"])) {
      h.update(path.relative(PROJECT_ROOT, f));
      h.update(fs.readFileSync(f));
    }
  }
  libHashMemo = h.digest("hex");
  return libHashMemo;
}

/** The cache key of one notebook: its bytes plus the library hash. */
export function notebookHash(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).update(libraryHash()).digest("hex");
}

/** The executed copy's path for a source notebook. */
export function executedPath(file: string, outDir = EXECUTED_DIR): string {
  const rel = path.relative(path.join(PROJECT_ROOT, "notebooks"), path.resolve(file));
  // A notebook outside notebooks/ (a test fixture, a student's copy) lands flat in outDir.
  return path.join(outDir, rel.startsWith("..") || path.isAbsolute(rel) ? path.basename(file) : rel);
}
