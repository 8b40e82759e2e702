import * as fs from "node:fs";

/**
 * The grader's library copies (and their use leases): a cache that kernel/grading/libraryCopy.ts
 * prunes itself, built once per run here because the run's temp folder is fresh.
 */
const GRADER_CACHE = /^maze-grading-[0-9a-f]{16}(\.lease-\d+)?$/;

/**
 * After the last suite: the run's temp folder (test/globalSetup.ts) must hold nothing of maze's
 * but the grader's cache. A `maze*` entry is a test or a code path of ours that did not remove what
 * it made: the run fails naming it. Anything else came from a tool a test drives (a browser, a
 * Jupyter kernel) and is named as a warning. The folder is removed either way, so a failing run
 * leaves nothing either.
 */
export default function globalTeardown(): void {
  const run = process.env["MAZE_TEST_TMPDIR"];
  if (run === undefined || !fs.existsSync(run)) return;
  const entries = fs.readdirSync(run).filter((f) => !GRADER_CACHE.test(f));
  fs.rmSync(run, { recursive: true, force: true });
  const foreign = entries.filter((f) => !f.startsWith("maze"));
  if (foreign.length > 0)
    process.stderr.write(`\nwarning: tools the tests ran left in the temp folder (removed): ${foreign.sort().join(", ")}\n`);
  const left = entries.filter((f) => f.startsWith("maze"));
  if (left.length > 0) {
    throw new Error(
      `the test run left ${left.length} temporary entr${left.length === 1 ? "y" : "ies"} behind (each test must remove what it makes, pass or fail; see test/tempDir.ts): ${left.sort().join(", ")}`,
    );
  }
}
