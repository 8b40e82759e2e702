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
 *   <tmp>/maze-grading-<hash>/node_modules/maze/     package.json, dist/lib, dist/course, dist/kernel (no grading/), protocols/
 *   <tmp>/maze-grading-<hash>/node_modules/<dep>/    tslab, fast-check, vega, … and what they depend on
 *
 * Built once per content hash and shared read-only by every submission (a student process may read
 * only this folder and its own work folder). Each build of maze has its own hash, so the copies of
 * older builds are pruned by {@link pruneLibraryCopies} once no grader can be using them; a grader
 * marks a copy in use with a lease file next to it, `<tmp>/maze-grading-<hash>.lease-<pid>`.
 */

/** The packages the student process loads; their dependencies are followed from their package.json. */
const ROOT_PACKAGES = ["tslab", "fast-check", "vega", "vega-lite", "logic-solver", "@types/node"] as const;

/** Compiled folders of the project the notebook surface needs (`maze` is `dist/kernel/notebook.js`). */
export const DIST_PARTS = ["lib", "course", "kernel"] as const;
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
    const json = JSON.parse(fs.readFileSync(manifest, "utf8")) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
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
 * The copy is leased (see {@link pruneLibraryCopies}) before it is looked for, and the copies of
 * other builds nobody is using are pruned once it is there.
 */
export function gradingLibrary(tmpRoot = os.tmpdir()): string {
  const files = projectFiles();
  const packages = packageClosure();
  const h = crypto.createHash("sha256");
  for (const f of files) h.update(f).update(fs.readFileSync(path.join(PROJECT_ROOT, f)));
  h.update(packages.join("\n"));
  const lock = path.join(PROJECT_ROOT, "package-lock.json");
  if (fs.existsSync(lock)) h.update(fs.readFileSync(lock));
  // The copy's manifest is derived from it (entries, exports).
  h.update(fs.readFileSync(path.join(PROJECT_ROOT, "package.json")));
  const hash = h.digest("hex").slice(0, 16);
  const root = path.join(tmpRoot, `maze-grading-${hash}`);
  // Leased first: a pruner that saw no lease and is about to move this copy away re-checks the
  // leases after moving it, and puts it back.
  leaseLibraryCopy(root);
  if (!fs.existsSync(path.join(root, "node_modules", "maze", "package.json"))) buildCopy(root, files, packages);
  pruneLibraryCopies(tmpRoot, hash);
  return root;
}

/** Builds the copy under a temporary name and renames it into place, so no grader sees it half made. */
function buildCopy(root: string, files: readonly string[], packages: readonly string[]): void {
  const building = `${root}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  const maze = path.join(building, "node_modules", "maze");
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(maze, f)), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_ROOT, f), path.join(maze, f));
  }
  const own = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
    name: string;
    version: string;
    main: string;
    types: string;
    exports: unknown;
    typesVersions: unknown;
  };
  // exports and typesVersions: the grader's own cell imports "maze/internals" (Node and tslab's Node10 resolution).
  const manifest = {
    name: own.name,
    version: own.version,
    main: own.main,
    types: own.types,
    exports: own.exports,
    typesVersions: own.typesVersions,
    private: true,
  };
  fs.writeFileSync(path.join(maze, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
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
}

/**
 * How long a library copy, a lease or a leftover of a build or a prune is kept after its last sign
 * of use when the process behind it cannot be seen (another PID namespace sharing the temp folder).
 */
export const STALE_AFTER_MS = 60 * 60 * 1000;
/** How often a grader refreshes its leases' mtimes: well within {@link STALE_AFTER_MS}. */
const LEASE_REFRESH_MS = 5 * 60 * 1000;

const COPY = /^maze-grading-([0-9a-f]{16})$/;
const LEASE = /^maze-grading-([0-9a-f]{16})\.lease-(\d+)$/;
/** A copy being built (`gradingLibrary`) or being removed (`pruneLibraryCopies`), by process `pid`. */
const LEFTOVER = /^maze-grading-([0-9a-f]{16})\.(\d+)\.[0-9a-f]{8}\.(tmp|prune)$/;

/** The leases this process holds: refreshed while it runs, removed when it exits. */
const held = new Set<string>();
let refresher: NodeJS.Timeout | undefined;

function releaseLeases(): void {
  for (const lease of held) fs.rmSync(lease, { force: true });
  held.clear();
}

/**
 * Marks the library copy at `root` as used by this process until it exits: writes (or touches)
 * `<root>.lease-<pid>` and keeps its mtime fresh. A process killed outright leaves its lease, which
 * stops protecting the copy once its process is gone and its mtime is {@link STALE_AFTER_MS} old.
 */
export function leaseLibraryCopy(root: string): void {
  const lease = `${root}.lease-${process.pid}`;
  fs.mkdirSync(path.dirname(lease), { recursive: true });
  fs.writeFileSync(lease, `${process.pid}\n`);
  if (held.size === 0) process.once("exit", releaseLeases);
  held.add(lease);
  if (refresher === undefined) {
    refresher = setInterval(() => {
      const now = new Date();
      for (const l of held) {
        try {
          fs.utimesSync(l, now, now);
        } catch {
          // removed under us (a tidy-up by hand): gradingLibrary writes it again on the next use
        }
      }
    }, LEASE_REFRESH_MS);
    refresher.unref();
  }
}

/** Whether process `pid` runs on this machine, in this PID namespace (EPERM: it runs, as someone else). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The mtime of `p` in ms, or undefined when it is gone. */
function mtimeMs(p: string): number | undefined {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Removes a file or folder, quietly: pruning is a tidy-up and never fails a grading. */
function remove(p: string): void {
  try {
    fs.rmSync(p, { recursive: true, force: true });
  } catch {
    // busy or vanished: the next prune tries again
  }
}

/**
 * Removes the library copies under `tmpRoot` (the folder {@link gradingLibrary} builds in) that no
 * grader can be using, keeping the copy of hash `keep`. A copy is in use while any lease on it
 * belongs to a running process or was refreshed within `staleAfterMs`, or while its own mtime
 * (every submission makes and removes its work folder inside it, also under graders older than
 * leases) is that recent. An unused copy is first renamed away in one step, so a grader never
 * sees a half-deleted copy under its real name; the leases are then read again and, if a grader
 * leased it meanwhile, the copy is renamed back. Also removed: dead leases, and builds and prunes
 * whose process is gone and that are `staleAfterMs` old. Returns the names it removed.
 */
export function pruneLibraryCopies(tmpRoot: string, keep: string, staleAfterMs = STALE_AFTER_MS): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(tmpRoot);
  } catch {
    return [];
  }
  const fresh = (p: string): boolean => {
    const t = mtimeMs(p);
    return t !== undefined && Date.now() - t < staleAfterMs;
  };
  const leaseLive = (name: string, pid: number): boolean => running(pid) || fresh(path.join(tmpRoot, name));
  const leased = (hash: string): boolean =>
    fs.readdirSync(tmpRoot).some((n) => {
      const m = LEASE.exec(n);
      return m !== null && m[1] === hash && leaseLive(n, Number(m[2]));
    });
  const removed: string[] = [];
  for (const name of names) {
    const lease = LEASE.exec(name);
    if (lease !== null) {
      if (!leaseLive(name, Number(lease[2]))) {
        remove(path.join(tmpRoot, name));
        removed.push(name);
      }
      continue;
    }
    const leftover = LEFTOVER.exec(name);
    if (leftover !== null) {
      if (!running(Number(leftover[2])) && !fresh(path.join(tmpRoot, name))) {
        remove(path.join(tmpRoot, name));
        removed.push(name);
      }
      continue;
    }
    const copy = COPY.exec(name);
    const hash = copy?.[1];
    if (hash === undefined || hash === keep) continue;
    const root = path.join(tmpRoot, name);
    try {
      if (leased(hash) || fresh(root)) continue;
      const doomed = `${root}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.prune`;
      fs.renameSync(root, doomed);
      if (leased(hash)) {
        try {
          fs.renameSync(doomed, root);
          continue;
        } catch {
          // the grader that leased it has already built it again: ours is a spare
        }
      }
      remove(doomed);
      removed.push(name);
    } catch {
      // renamed or removed by another pruner first
    }
  }
  return removed;
}

/** The worker that executes a notebook, inside the library copy. */
export function sandboxWorker(libraryRoot: string): string {
  return path.join(libraryRoot, "node_modules", "maze", "dist", "kernel", "headless", "worker.js");
}
