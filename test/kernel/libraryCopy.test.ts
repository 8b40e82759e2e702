/** The grader's library copies: one per build of maze, leased while in use, the unused ones pruned. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { gradingLibrary, pruneLibraryCopies, STALE_AFTER_MS } from "../../kernel/grading/libraryCopy";
import { tempDir } from "../tempDir";

/** The pid of a process that has exited (so no lease of it is held by a running process). */
const deadPid = (): number => {
  const pid = spawnSync(process.execPath, ["-e", ""]).pid;
  if (pid === undefined) throw new Error("could not start node");
  return pid;
};

/** Sets the mtime of `p` to `ageMs` ago. */
const age = (p: string, ageMs: number): void => {
  const t = new Date(Date.now() - ageMs);
  fs.utimesSync(p, t, t);
};

/** A stand-in copy (or leftover) named `name` under `root`, last used `ageMs` ago. */
function fakeCopy(root: string, name: string, ageMs: number): string {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, "node_modules", "maze"), { recursive: true });
  fs.writeFileSync(path.join(dir, "node_modules", "maze", "package.json"), "{}\n");
  age(dir, ageMs);
  return dir;
}

function fakeLease(root: string, hash: string, pid: number, ageMs: number): string {
  const lease = path.join(root, `maze-grading-${hash}.lease-${pid}`);
  fs.writeFileSync(lease, `${pid}\n`);
  age(lease, ageMs);
  return lease;
}

const OLD = 2 * STALE_AFTER_MS;
const hash = (c: string): string => c.repeat(16);

test("prunes the copies nobody uses and keeps the one asked for, the leased ones and the recently used ones", () => {
  const root = tempDir("prune");
  const dead = deadPid();
  fakeCopy(root, `maze-grading-${hash("a")}`, OLD); // the copy of this build: kept however old
  fakeCopy(root, `maze-grading-${hash("b")}`, OLD); // no lease, unused for long: pruned
  fakeCopy(root, `maze-grading-${hash("c")}`, OLD); // leased by a running grader (this process): kept
  fakeLease(root, hash("c"), process.pid, OLD);
  fakeCopy(root, `maze-grading-${hash("d")}`, OLD); // lease of a grader that was killed, long ago: pruned with it
  fakeLease(root, hash("d"), dead, OLD);
  fakeCopy(root, `maze-grading-${hash("e")}`, OLD); // a lease refreshed lately by a process we cannot see: kept
  fakeLease(root, hash("e"), dead, 1000);
  fakeCopy(root, `maze-grading-${hash("f")}`, 1000); // used a second ago (a grader without leases): kept
  fs.writeFileSync(path.join(root, "maze-other"), "not ours\n");
  age(path.join(root, "maze-other"), OLD);

  const removed = pruneLibraryCopies(root, hash("a"));

  expect(removed.sort()).toEqual([`maze-grading-${hash("b")}`, `maze-grading-${hash("d")}`, `maze-grading-${hash("d")}.lease-${dead}`]);
  expect(fs.readdirSync(root).sort()).toEqual(
    [
      "maze-other",
      ...["a", "c", "e", "f"].map((c) => `maze-grading-${hash(c)}`),
      `maze-grading-${hash("c")}.lease-${process.pid}`,
      `maze-grading-${hash("e")}.lease-${dead}`,
    ].sort(),
  );
  // nothing renamed away is left behind
  expect(fs.readdirSync(root).filter((n) => n.endsWith(".prune"))).toEqual([]);
});

test("a half-built copy is removed once its builder is gone and it is old, never while it may still be building", () => {
  const root = tempDir("prune-half");
  const dead = deadPid();
  const orphan = `maze-grading-${hash("b")}.${dead}.0badc0de.tmp`;
  const building = `maze-grading-${hash("b")}.${process.pid}.00c0ffee.tmp`;
  const justStarted = `maze-grading-${hash("c")}.${dead}.12345678.tmp`;
  const halfPruned = `maze-grading-${hash("d")}.${dead}.87654321.prune`;
  fakeCopy(root, orphan, OLD);
  fakeCopy(root, building, OLD);
  fakeCopy(root, justStarted, 1000);
  fakeCopy(root, halfPruned, OLD);
  expect(pruneLibraryCopies(root, hash("a")).sort()).toEqual([halfPruned, orphan].sort());
  expect(fs.readdirSync(root).sort()).toEqual([building, justStarted].sort());
});

test("gradingLibrary leases the copy it returns, never uses a half-built one, and prunes an unused old build", () => {
  const first = tempDir("library");
  const built = gradingLibrary(first);
  const name = path.basename(built);
  const h = /^maze-grading-([0-9a-f]{16})$/.exec(name)?.[1] ?? "";
  expect(h).toMatch(/^[0-9a-f]{16}$/);
  expect(fs.existsSync(`${built}.lease-${process.pid}`)).toBe(true);
  // built once: the second call returns the same copy
  expect(gradingLibrary(first)).toBe(built);

  const root = tempDir("library-prune");
  const dead = deadPid();
  const half = `${name}.${dead}.deadbeef.tmp`; // a builder of this very build that was killed
  fs.mkdirSync(path.join(root, half, "node_modules"), { recursive: true });
  age(path.join(root, half), OLD);
  fakeCopy(root, `maze-grading-${hash("0")}`, OLD);
  const lib = gradingLibrary(root);
  expect(lib).toBe(path.join(root, name));
  expect(fs.existsSync(path.join(lib, "node_modules", "maze", "dist", "kernel", "headless", "worker.js"))).toBe(true);
  expect(fs.readdirSync(root).sort()).toEqual([name, `${name}.lease-${process.pid}`].sort());
}, 60_000);
