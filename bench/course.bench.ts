import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { executeNotebook } from "../kernel/headless/execute";
import { makeNotebook, serializeNotebook } from "../kernel/headless/notebookFormat";
import { runCourse } from "../kernel/headless/runNotebooks";
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
 * The course pipeline: fixed cost of one headless notebook (against a bare `node` start, the floor),
 * the whole course cold and cached (target: cached rebuild < 5 s), and the size of site/.
 */
export const run: BenchSuite = async ({ quick }) => {
  const scratch = path.join(PROJECT_ROOT, "build", "bench-course");
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  const trivial = path.join(scratch, "trivial.ipynb");
  fs.writeFileSync(trivial, serializeNotebook(makeNotebook([{ type: "code", source: 'import * as maze from "maze";\nconsole.log(new maze.Random(1).int(1, 6));' }])));
  const reps = quick ? 2 : 4;
  const bare = await measure("node -e ''", () => execFileSync(process.execPath, ["-e", ""]), { minRuns: reps, minMs: 0 });
  const nb = await measure("one-cell notebook", () => executeNotebook(trivial), { minRuns: reps, minMs: 0 });
  printTable("Headless runner fixed cost", ["what", "median ms", "ratio vs bare node"], [
    [bare.label, bare.medianMs, 1],
    [nb.label, nb.medianMs, nb.medianMs / bare.medianMs],
  ]);

  const executed = path.join(scratch, "executed");
  const site = path.join(scratch, "site");
  const log = (): void => undefined;
  let t0 = performance.now();
  const cold = await runCourse({ outDir: executed, force: true, log });
  if (cold.failed) throw new Error(cold.failed.message);
  await buildSite({ executedDir: executed, outDir: site });
  const coldMs = performance.now() - t0;
  t0 = performance.now();
  const warm = await runCourse({ outDir: executed, log });
  await buildSite({ executedDir: executed, outDir: site });
  const warmMs = performance.now() - t0;
  const size = dirSize(site);
  printTable("Course build (notebooks + site)", ["build", "notebooks run", "seconds", "ratio vs cold"], [
    ["cold", cold.executed.length, coldMs / 1000, 1],
    ["cached", warm.executed.length, warmMs / 1000, warmMs / coldMs],
  ]);
  console.log(`\nsite/: ${(size.bytes / 1e6).toFixed(1)} MB in ${size.files} files; cached rebuild target < 5 s: ${warmMs < 5000 ? "met" : "MISSED"}`);
};
