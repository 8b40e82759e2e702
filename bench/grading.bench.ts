import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { gradeNotebook } from "../kernel/grading/gradeNotebook";
import { executeNotebook } from "../kernel/headless/execute";
import { PROJECT_ROOT } from "../kernel/jupyterPaths";
import { printTable, type BenchSuite } from "./harness";

/**
 * Grading throughput (issue 11): submissions graded per minute by `maze grade NOTEBOOK... --jobs N`
 * (the real batch command, sandbox included) for labs 1, 2 and 5, and the sandbox's cost per
 * submission as a ratio against the baseline measured in the same run: executing the same notebook
 * headless in a plain process, without the sandbox, the trust boundary or the checks.
 */
const execFileAsync = promisify(execFile);
const LABS = ["lab1-crdt", "lab2-broadcast", "lab5-handlers"] as const;

function submissions(lab: string, n: number): { dir: string; files: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `maze-bench-grade-${lab}-`));
  const source = path.join(PROJECT_ROOT, "notebooks", "instructor", `${lab}.ipynb`);
  const files = Array.from({ length: n }, (_, i) => {
    const f = path.join(dir, `student${i + 1}.ipynb`);
    fs.copyFileSync(source, f);
    return f;
  });
  return { dir, files };
}

async function batchSeconds(files: readonly string[], jobs: number, outDir: string): Promise<number> {
  const t0 = performance.now();
  await execFileAsync(
    process.execPath,
    [path.join(PROJECT_ROOT, "bin", "maze.js"), "grade", ...files, "--jobs", String(jobs), "--out-dir", outDir],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return (performance.now() - t0) / 1000;
}

/** The score of a batch's results.json against the most it could be: the reference solution must get it all. */
function checkFullScore(lab: string, resultsJson: string): void {
  const r = JSON.parse(fs.readFileSync(resultsJson, "utf8")) as { score: number; tests: { max_score: number }[] };
  const max = r.tests.reduce((n, t) => n + t.max_score, 0);
  if (r.score !== max || max === 0) throw new Error(`bench: the reference ${lab} scored ${r.score}/${max}`);
}

/**
 * `--quick` (the CI smoke run): lab 2 only (the cheaper to grade), one submission graded once by
 * the batch command with `--jobs 1`, against one plain execution: the ratio is then the batch
 * command's (CLI start included) rather than the in-process grading's.
 */
export const run: BenchSuite = async ({ quick }) => {
  const n = quick ? 1 : 6;
  const throughput: (string | number)[][] = [];
  const overhead: (string | number)[][] = [];
  for (const lab of quick ? (["lab2-broadcast"] as const) : LABS) {
    const { dir, files } = submissions(lab, n);
    try {
      const perMinute = (s: number): string => (files.length / (s / 60)).toFixed(1);
      const s1 = await batchSeconds(files, 1, path.join(dir, "out1"));
      for (const f of files) checkFullScore(lab, path.join(dir, "out1", path.basename(f, ".ipynb"), "results.json"));
      const s2 = quick ? null : await batchSeconds(files, 2, path.join(dir, "out2"));
      throughput.push([
        lab,
        files.length,
        perMinute(s1),
        s2 === null ? "-" : perMinute(s2),
        s2 === null ? "-" : `${(s1 / s2).toFixed(2)}x`,
      ]);
      // One submission, alternated: the plain headless execution first, then the sandboxed grading.
      const plain: number[] = [];
      const graded: number[] = [];
      for (let i = 0; i < (quick ? 1 : 3); i++) {
        let t0 = performance.now();
        await executeNotebook(files[0]!);
        plain.push(performance.now() - t0);
        if (quick) {
          graded.push(s1 * 1000);
          continue;
        }
        t0 = performance.now();
        const report = await gradeNotebook(files[0]!);
        graded.push(performance.now() - t0);
        if (report.score !== report.max_score) throw new Error(`bench: the reference ${lab} scored ${report.score}/${report.max_score}`);
      }
      const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      overhead.push([
        lab,
        `${(median(plain) / 1000).toFixed(1)} s`,
        `${(median(graded) / 1000).toFixed(1)} s`,
        `${(median(graded) / median(plain)).toFixed(2)}x`,
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  printTable(
    `maze grade --jobs N: submissions per minute (${n} copies of the reference solution each)`,
    ["lab", "submissions", "--jobs 1 /min", "--jobs 2 /min", "jobs 2 speed-up"],
    throughput,
  );
  printTable(
    `One submission: sandboxed grading${quick ? " (the batch command, --quick)" : ""} against plain headless execution of the same notebook`,
    ["lab", "plain execution", "sandboxed grading", "ratio"],
    overhead,
  );
  console.log(
    `\n(load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")})`,
  );
};
