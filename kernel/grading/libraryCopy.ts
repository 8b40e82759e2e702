import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../jupyterPaths";

/**
 * The copy of maze a student's notebook runs against. It lives outside the project, because Node's
 * permission model checks the path it is given and then follows symbolic links: the project's own
 * `node_modules/maze -> ..` link (or any link into the project) would let a path that looks allowed
 * reach `notebooks/instructor/`. The copy holds no link at all — the compiled library, the
 * headless worker, the Dedalus programs the labs load, and the packages they need (hard links
 * where the file system allows, else copies) — and no solutions, tests or grader.
 *
 *   <tmp>/maze-grading-<hash>/node_modules/maze/     package.json, dist/lib, dist/kernel (no grading/), protocols/
 *   <tmp>/maze-grading-<hash>/node_modules/<dep>/    tslab, fast-check, vega, … and what they depend on
 *
 * Built once per content hash and shared read-only by every submission (a student process may read
 * only this folder and its own work folder).
 */

/** The packages the student process loads; their dependencies are followed from their package.json. */
const ROOT_PACKAGES = ["tslab", "fast-check", "vega", "vega-lite", "logic-solver", "@types/node"] as const;

/** Compiled folders of the project the notebook surface needs (`maze` is `dist/kernel/notebook.js`). */
const DIST_PARTS = ["lib", "kernel"] as const;
/** Never copied: the grader itself. */
const EXCLUDED = new Set([path.join("dist", "kernel", "grading")]);

/** Every regular file under `dir`, as paths relative to it (none when `dir` is missing). */
export function walk(dir: string, rel = ""): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...walk(path.join(dir, e.name), r));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/** The project files copied into `node_modules/maze`, relative to the project root. */
function projectFiles(): string[] {
  const files: string[] = [];
  for (const part of DIST_PARTS) {
    for (const f of walk(path.join(PROJECT_ROOT, "dist", part))) {
      const rel = path.join("dist", part, f);
      if ([...EXCLUDED].some((x) => rel === x || rel.startsWith(x + path.sep))) continue;
      files.push(rel);
    }
  }
  for (const f of walk(path.join(PROJECT_ROOT, "protocols"))) if (f.endsWith(".ded")) files.push(path.join("protocols", f));
  return files.sort();
}

/** The dependency closure of {@link ROOT_PACKAGES} in the project's node_modules. */
function packageClosure(): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    const manifest = path.join(PROJECT_ROOT, "node_modules", name, "package.json");
    if (!fs.existsSync(manifest)) return; // an optional or peer dependency that is not installed
    seen.add(name);
    const json = JSON.parse(fs.readFileSync(manifest, "utf8")) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const d of Object.keys({ ...json.dependencies, ...json.optionalDependencies, ...json.peerDependencies })) visit(d);
  };
  for (const p of ROOT_PACKAGES) visit(p);
  return [...seen].sort();
}

/** Hard-links a file (same content, no copy), or copies it across file systems. */
function linkOrCopy(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
  }
}

/**
 * Builds the library copy if it is not there yet and returns its root (the folder holding
 * `node_modules`). Project files are copied, never linked: recompiling rewrites `dist/` in place,
 * which would change a hard-linked copy under a running grader.
 */
export function gradingLibrary(tmpRoot = os.tmpdir()): string {
  const files = projectFiles();
  const packages = packageClosure();
  const h = crypto.createHash("sha256");
  for (const f of files) h.update(f).update(fs.readFileSync(path.join(PROJECT_ROOT, f)));
  h.update(packages.join("\n"));
  const lock = path.join(PROJECT_ROOT, "package-lock.json");
  if (fs.existsSync(lock)) h.update(fs.readFileSync(lock));
  const root = path.join(tmpRoot, `maze-grading-${h.digest("hex").slice(0, 16)}`);
  if (fs.existsSync(path.join(root, "node_modules", "maze", "package.json"))) return root;
  const building = `${root}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  const maze = path.join(building, "node_modules", "maze");
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(maze, f)), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_ROOT, f), path.join(maze, f));
  }
  const own = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { name: string; version: string; main: string; types: string };
  fs.writeFileSync(path.join(maze, "package.json"), JSON.stringify({ name: own.name, version: own.version, main: own.main, types: own.types, private: true }, null, 2) + "\n");
  for (const p of packages) {
    const from = path.join(PROJECT_ROOT, "node_modules", p);
    for (const f of walk(from)) linkOrCopy(path.join(from, f), path.join(building, "node_modules", p, f));
  }
  try {
    fs.renameSync(building, root);
  } catch {
    // another grader built the same copy first: use theirs
    fs.rmSync(building, { recursive: true, force: true });
  }
  return root;
}

/** The worker that executes a notebook, inside the library copy. */
export function sandboxWorker(libraryRoot: string): string {
  return path.join(libraryRoot, "node_modules", "maze", "dist", "kernel", "headless", "worker.js");
}
