import * as fs from "node:fs";
import * as path from "node:path";
import { runCourse } from "../../kernel/headless/runNotebooks";
import { PROJECT_ROOT } from "../../kernel/jupyterPaths";

const LOCK = path.join(PROJECT_ROOT, "build", ".test-course.lock");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Executes the course notebooks (cached in build/notebooks/) for a test file, one test process at
 * a time. test/globalSetup.ts normally executed them already and this finds them cached; when it
 * did not (a notebook failed there, or jest runs without it), the site's test files, which jest runs
 * in parallel, would otherwise each re-run the course at once — the second now waits and finds the
 * first one's work cached. A lock left by a dead process is taken over.
 */
export async function executeCourseOnce(): Promise<void> {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, "pid"), String(process.pid));
      break;
    } catch {
      const holder = Number(fs.readFileSync(path.join(LOCK, "pid"), { encoding: "utf8", flag: "a+" }) || "0");
      if (holder > 0 && !alive(holder)) fs.rmSync(LOCK, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    const run = await runCourse({ log: () => undefined });
    if (run.failed) throw new Error(`course notebook failed: ${run.failed.message}`);
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}
