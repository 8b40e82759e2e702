import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NotebookPool, defaultJobs, executeNotebook } from "../kernel/headless/execute";
import { courseNotebooks } from "../kernel/headless/courseFiles";
import { makeNotebook, serializeNotebook } from "../kernel/headless/notebookFormat";
import { runCourse, type RunCourseOptions } from "../kernel/headless/runNotebooks";
import { AMBIENT_TYPES_ENV } from "../kernel/headless/converterFolder";
import { PROJECT_ROOT } from "../kernel/jupyterPaths";
import { buildSite } from "../lessons/buildSite";
import { measure, printTable, type BenchSuite } from "./harness";

function dirSize(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const s = dirSize(p);
      bytes += s.bytes;
      files += s.files;
    } else {
      bytes += fs.statSync(p).size;
      files += 1;
    }
  }
  return { bytes, files };
}

/**
 * CPU seconds (user + system) of this process's exited children, from /proc (Linux; NaN elsewhere).
 * On a machine shared with other work, wall time measures the load as much as the runner; the CPU
 * the notebook processes burnt does not.
 */
function childCpuSeconds(): number {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 16 and 17 of stat(5) (cutime, cstime), counted from the state field (3).
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Runs with the runner as it was before warm workers: every `@types` package's globals in each fresh process. */
async function asBefore<T>(fn: () => Promise<T>): Promise<T> {
  process.env[AMBIENT_TYPES_ENV] = "all";
  try {
    return await fn();
  } finally {
    delete process.env[AMBIENT_TYPES_ENV];
  }
}

/** One `--force` course run: wall and children's CPU seconds. */
async function courseRun(
  outDir: string,
  options: Omit<RunCourseOptions, "outDir" | "force" | "log">,
): Promise<{ wall: number; cpu: number; executed: number }> {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  const r = await runCourse({ ...options, outDir, force: true, log: () => undefined });
  const wall = (performance.now() - t0) / 1000;
  if (r.failed) throw new Error(r.failed.message);
  // Let the last killed worker be reaped before its CPU is counted.
  await new Promise((res) => setTimeout(res, 200));
  return { wall, cpu: childCpuSeconds() - cpu0, executed: r.executed.length };
}

/**
 * The course pipeline, every figure against a baseline measured in the same run:
 * - the fixed cost of one notebook: a fresh process as before (every `@types` package), a fresh process
 *   now (what a grader pays per submission) and one more notebook on a warm worker, against a bare
 *   `node` start;
 * - the whole course with `--force`: one fresh process per notebook one after another (the runner
 *   before warm workers) against warm workers on every core, in wall and in CPU seconds;
 * - a cached rebuild (notebooks + site; target under 5 s) and the size of site/.
 */
export const run: BenchSuite = async ({ quick }) => {
  const scratch = path.join(PROJECT_ROOT, "build", "bench-course");
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  console.log(
    `\n${os.cpus().length} cores, --jobs ${defaultJobs()}; load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  const trivial = path.join(scratch, "trivial.ipynb");
  fs.writeFileSync(
    trivial,
    serializeNotebook(
      makeNotebook([{ type: "code", source: 'import * as maze from "maze";\nconsole.log(new maze.Random(1).int(1, 6));' }]),
    ),
  );
  const reps = quick ? 1 : 6;
  const bare = await measure("node -e ''", () => execFileSync(process.execPath, ["-e", ""]), { minRuns: reps, minMs: 0 });
  // Alternated run by run, so a change in the machine's load hits both alike.
  const beforeMs: number[] = [];
  const freshMs: number[] = [];
  const beforeCpu: number[] = [];
  const freshCpu: number[] = [];
  const timed = async (fn: () => Promise<unknown>, ms: number[], cpu: number[]): Promise<void> => {
    const c0 = childCpuSeconds();
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
    // The killed process must be reaped before its CPU counts.
    await new Promise((res) => setTimeout(res, 300));
    cpu.push(childCpuSeconds() - c0);
  };
  // --quick (the CI smoke run) leaves out the fresh processes (the runner before warm workers, and a
  // grader's, which the grading bench's plain execution measures): its ratios are against bare node.
  for (let i = 0; i < (quick ? 0 : reps); i++) {
    await timed(() => asBefore(() => executeNotebook(trivial)), beforeMs, beforeCpu);
    await timed(() => executeNotebook(trivial), freshMs, freshCpu);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const before = quick ? null : { label: "fresh process, as before (all @types)", medianMs: median(beforeMs) };
  const fresh = quick ? null : { label: "fresh process (a grader's submission)", medianMs: median(freshMs) };
  // --quick runs the course on this worker too: one tslab start fewer (its CPU then is not counted: the worker lives on).
  const pool = new NotebookPool({ jobs: 1 });
  let warm;
  try {
    await pool.run(trivial);
    warm = await measure("one more notebook on a warm worker", () => pool.run(trivial), { minRuns: reps * 2, minMs: 0 });
    if (!quick) await pool.close();
    const vsBefore = (ms: number): number | string => (before ? ms / before.medianMs : "-");
    printTable(
      "Headless runner: cost of one one-cell notebook",
      ["what", "median ms", "ratio vs bare node", "ratio vs before"],
      [
        [bare.label, bare.medianMs, 1, "-"],
        ...(before ? [[before.label, before.medianMs, before.medianMs / bare.medianMs, 1]] : []),
        ...(fresh ? [[fresh.label, fresh.medianMs, fresh.medianMs / bare.medianMs, vsBefore(fresh.medianMs)]] : []),
        [warm.label, warm.medianMs, warm.medianMs / bare.medianMs, vsBefore(warm.medianMs)],
      ],
    );
    if (before)
      console.log(
        `\nCPU of one fresh process: ${median(beforeCpu).toFixed(2)} s before, ${median(freshCpu).toFixed(2)} s now (${(median(freshCpu) / median(beforeCpu)).toFixed(2)}x)`,
      );
    console.log(
      `one more notebook inside a warm run: ${(warm.medianMs / 1000).toFixed(2)} s (target <= 1 s: ${warm.medianMs <= 1000 ? "met" : "MISSED"})`,
    );
    await courseFigures(quick, scratch, quick ? pool : undefined);
  } finally {
    // closing twice is harmless: a closed pool has no workers left
    await pool.close();
  }
};

/** The tables after the runner's fixed cost: the course with --force and the course build (on `pool` when given). */
async function courseFigures(quick: boolean, scratch: string, pool: NotebookPool | undefined): Promise<void> {
  // --quick runs the first lesson only, to keep the smoke run short.
  const files = quick ? courseNotebooks().slice(0, 1) : courseNotebooks();
  const executed = path.join(scratch, "executed");
  const old = quick ? null : await asBefore(() => courseRun(path.join(scratch, "executed-before"), { files, fresh: true, jobs: 1 }));
  const now = await courseRun(executed, { files, ...(pool ? { pool } : {}) });
  const load = os.loadavg()[0] ?? 0;
  printTable(
    `Course with --force (${files.length} notebook${files.length === 1 ? "" : "s"}${quick ? "; --quick: the runner before warm workers is not run" : ""})`,
    ["runner", "wall s", "CPU s", "wall ratio vs before", "CPU ratio vs before"],
    [
      ...(old ? [["fresh process per notebook, one at a time (before)", old.wall, old.cpu, 1, 1]] : []),
      [
        pool ? "the warm worker above (--quick; its CPU is not counted)" : `warm workers, --jobs ${defaultJobs()} (now)`,
        now.wall,
        now.cpu,
        old ? now.wall / old.wall : "-",
        old ? now.cpu / old.cpu : "-",
      ],
    ],
  );
  if (old)
    console.log(
      `\nspeed-up ${(old.wall / now.wall).toFixed(2)}x in wall time, ${(old.cpu / now.cpu).toFixed(2)}x in CPU; load average ${load.toFixed(1)} on ${os.cpus().length} cores at the end (other work on the machine inflates wall times)`,
    );

  const site = path.join(scratch, "site");
  let t0 = performance.now();
  await buildSite({ executedDir: executed, outDir: site, ...(quick ? { notebooks: files } : {}) });
  const siteMs = performance.now() - t0;
  t0 = performance.now();
  const cached = await runCourse({ files, outDir: executed, log: () => undefined, ...(pool ? { pool } : {}) });
  await buildSite({ executedDir: executed, outDir: site, ...(quick ? { notebooks: files } : {}) });
  const cachedMs = performance.now() - t0;
  const size = dirSize(site);
  printTable(
    "Course build (notebooks + site)",
    ["build", "notebooks run", "seconds", "ratio vs --force"],
    [
      ["--force", now.executed, now.wall + siteMs / 1000, 1],
      ["cached", cached.executed.length, cachedMs / 1000, cachedMs / 1000 / (now.wall + siteMs / 1000)],
    ],
  );
  console.log(
    `\nsite/: ${(size.bytes / 1e6).toFixed(1)} MB in ${size.files} files; cached rebuild target < 5 s: ${cachedMs < 5000 ? "met" : "MISSED"}`,
  );
}
