import * as fs from "node:fs";

/**
 * The grader's library copies (and their use leases): a cache that kernel/grading/libraryCopy.ts
 * prunes itself, built once per run here because the run's temp folder is fresh.
 */
const GRADER_CACHE = /^maze-grading-[0-9a-f]{16}(\.lease-\d+)?$/;

/**
 * After the last suite: the run's temp folder (test/globalSetup.ts) must hold nothing but the
 * grader's cache. Anything else is a test or a code path that did not remove what it made: the
 * run fails naming it. The folder is removed either way, so a failing run leaves nothing either.
 */
export default function globalTeardown(): void {
  const run = process.env["MAZE_TEST_TMPDIR"];
  if (run === undefined || !fs.existsSync(run)) return;
  const left = fs.readdirSync(run).filter((f) => !GRADER_CACHE.test(f));
  fs.rmSync(run, { recursive: true, force: true });
  if (left.length > 0) {
    throw new Error(`the test run left ${left.length} temporary entr${left.length === 1 ? "y" : "ies"} behind (each test must remove what it makes, pass or fail; see test/tempDir.ts): ${left.sort().join(", ")}`);
  }
}
