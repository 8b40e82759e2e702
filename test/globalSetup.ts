import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Config } from "@jest/types";
import { runCourse } from "../kernel/headless/runNotebooks";
import { PROJECT_ROOT } from "../kernel/jupyterPaths";

/** Test files that read the course's executed notebooks from build/notebooks/. */
const COURSE_READERS = ["site.test.ts", "live.test.ts"].map((f) => path.join(PROJECT_ROOT, "test", "site", f));

/**
 * Points `os.tmpdir()` of this run (this process, the jest workers it spawns next and every
 * process they start) at a fresh folder, so test/globalTeardown.ts can tell exactly what the run
 * left behind: other processes on the machine, and other jest runs, write elsewhere.
 */
function isolateTmpdir(): void {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), "maze-test-run-"));
  process.env["MAZE_TEST_TMPDIR"] = run;
  process.env["TMPDIR"] = run;
}

/**
 * Before any suite starts: executes the course notebooks whose content hash changed, on every core
 * (warm workers, the same cache and build/notebooks/ as `npm run notebooks`), so the suites that
 * read executed notebooks find them there instead of running them one by one inside a jest worker.
 * Skipped when the selected tests include none of those readers (`jest test/sim` stays quick). A
 * failing notebook fails no suite here: the reader's own cached run reports it, located.
 */
export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  isolateTmpdir();
  const patterns = globalConfig.testPathPatterns;
  if (patterns.isSet()) {
    const matches = patterns.toExecutor({ rootDir: globalConfig.rootDir });
    if (!COURSE_READERS.some((f) => matches.isMatch(f))) return;
  }
  const t0 = performance.now();
  const run = await runCourse({ log: () => undefined });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const outcome = run.failed ? `; stopped at ${run.failed.file} (reported by the suites that read it)` : "";
  process.stderr.write(`\ncourse notebooks: ${run.executed.length} executed, ${run.cached.length} cached in ${secs} s${outcome}\n`);
}
