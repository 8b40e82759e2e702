import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { intOption, type CommandSpec, type OptionValues } from "../../lib/cli/command";
import { EXIT } from "../../lib/cli/exitCodes";
import { SCHEMA_VERSION } from "../../lib/cli/jsonSchema";
import { LABS } from "../../lib/labs/registry";
import { writeFileAtomic } from "../headless/notebookFormat";
import { writeBundle } from "./bundle";
import {
  DEFAULT_GRADE_TIMEOUT_MS,
  formatReport,
  gradeNotebook,
  gradescopeResults,
  MAX_GRADE_TIMEOUT_S,
  type GradeReport,
} from "./gradeNotebook";
import { gradingLibrary } from "./libraryCopy";

/** `maze grade`: lives in kernel/ because it executes notebooks; bin/maze.js registers it. */
export const spec: CommandSpec = {
  help: [
    "usage: maze grade NOTEBOOK [--out results.json] [--timeout SECONDS]",
    "       maze grade NOTEBOOK... --jobs N [--csv FILE] [--out-dir DIR] [--timeout SECONDS]",
    "       maze grade bundle LAB --out FILE.zip",
    "",
    "Executes a lab notebook headless in a sandbox, runs the lab's graded tests against what it",
    "defines, prints a table and writes a Gradescope-compatible results.json (score, tests[name,",
    "score, max_score, output]). A cell or test running longer than --timeout (default 30, at most",
    `${MAX_GRADE_TIMEOUT_S}) is stopped and reported.`,
    "",
    "With several notebooks (or --jobs, --csv, --out-dir) it grades them in parallel (--jobs, default",
    "the number of cores), prints one progress line per submission, writes a CSV with the header",
    "submission,lab,score,max_score,<test names in lab order> and, with --out-dir, DIR/<name>/results.json.",
    "",
    "`maze grade bundle LAB --out FILE.zip` writes a Gradescope autograder for lab LAB (setup.sh,",
    "run_autograder and the files grading needs, never the instructor solutions).",
  ].join("\n"),
  options: {
    out: { type: "string" },
    timeout: { type: "string" },
    jobs: { type: "string" },
    csv: { type: "string" },
    "out-dir": { type: "string" },
  },
};

/** One CSV field, quoted when it must be. */
function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The submission's name in the CSV and in --out-dir: the notebook's file name without `.ipynb`. */
export function submissionName(file: string): string {
  return path.basename(file).replace(/\.ipynb$/i, "");
}

/**
 * The batch CSV: `submission,lab,score,max_score,<test names in lab order>`, one row per
 * submission. With submissions of several labs, the test columns are each lab's tests in turn
 * (registry order) and a row leaves the other labs' columns empty.
 */
export function batchCsv(rows: readonly { name: string; report?: GradeReport }[]): string {
  const labs = Object.keys(LABS).filter((id) => rows.some((r) => r.report?.lab === id));
  const columns = labs.flatMap((id) => (LABS[id]?.tests ?? []).map((t) => ({ lab: id, test: t.name })));
  const lines = [["submission", "lab", "score", "max_score", ...columns.map((c) => c.test)].map(csvField).join(",")];
  for (const r of rows) {
    const cells: (string | number)[] = [r.name, r.report?.lab ?? "", r.report?.score ?? 0, r.report?.max_score ?? 0];
    for (const c of columns) cells.push(r.report?.lab === c.lab ? (r.report.tests.find((t) => t.name === c.test)?.score ?? 0) : "");
    lines.push(cells.map(csvField).join(","));
  }
  return lines.join("\n") + "\n";
}

async function batch(
  files: readonly string[],
  jobs: number,
  timeoutS: number,
  csv: string | undefined,
  outDir: string | undefined,
): Promise<number> {
  const names = files.map(submissionName);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) {
    process.stderr.write(`maze grade: two submissions are named '${dup}' (the CSV and --out-dir name submissions by file name)\n`);
    return EXIT.error;
  }
  const library = gradingLibrary();
  const rows: { name: string; report?: GradeReport; error?: string }[] = files.map((f) => ({ name: submissionName(f) }));
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= files.length) return;
      const file = files[i] as string;
      const t0 = performance.now();
      const row = rows[i] as { name: string; report?: GradeReport; error?: string };
      try {
        row.report = await gradeNotebook(file, { cellTimeoutMs: timeoutS * 1000, libraryRoot: library });
      } catch (e) {
        row.error = e instanceof Error ? e.message : String(e);
      }
      done += 1;
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      const what = row.report ? `${row.report.lab} ${row.report.score}/${row.report.max_score}` : `not graded: ${row.error}`;
      process.stdout.write(`[${done}/${files.length}] ${path.basename(file)} ${what} ${secs}s\n`);
      if (outDir) {
        const out = path.join(outDir, row.name, "results.json");
        const results = row.report
          ? gradescopeResults(row.report)
          : { score: 0, output: `not graded: ${row.error}`, tests: [], extra_data: { schemaVersion: SCHEMA_VERSION } };
        writeFileAtomic(out, JSON.stringify(results, null, 2) + "\n");
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, () => worker()));
  if (csv) writeFileAtomic(csv, batchCsv(rows));
  const failed = rows.filter((r) => r.error !== undefined).length;
  process.stdout.write(
    `graded ${rows.length - failed} of ${rows.length} submissions${csv ? `; wrote ${csv}` : ""}${outDir ? `; results in ${outDir}` : ""}\n`,
  );
  return failed > 0 ? EXIT.failed : EXIT.ok;
}

export async function execute(values: OptionValues, positionals: string[]): Promise<number> {
  const timeout = intOption(values, "timeout", DEFAULT_GRADE_TIMEOUT_MS / 1000, 1);
  if (typeof timeout !== "number") {
    process.stderr.write(`maze grade: ${timeout.error}\n`);
    return EXIT.error;
  }
  if (timeout > MAX_GRADE_TIMEOUT_S) {
    process.stderr.write(`maze grade: --timeout must be at most ${MAX_GRADE_TIMEOUT_S} seconds, got ${timeout}\n`);
    return EXIT.error;
  }
  if (positionals[0] === "bundle") {
    const lab = positionals[1];
    const out = values["out"];
    if (positionals.length !== 2 || typeof lab !== "string" || typeof out !== "string") {
      process.stderr.write(`maze grade bundle: expected a lab and --out FILE.zip\n${spec.help}\n`);
      return EXIT.error;
    }
    if (!LABS[lab]) {
      process.stderr.write(`maze grade bundle: unknown lab '${lab}' (known: ${Object.keys(LABS).join(", ")})\n`);
      return EXIT.error;
    }
    const written = writeBundle(lab, out);
    process.stdout.write(
      `wrote ${out} (${written.files} files, ${(written.bytes / 1024).toFixed(0)} KB): upload it as the autograder of ${lab}\n`,
    );
    return EXIT.ok;
  }
  if (positionals.length === 0) {
    process.stderr.write(`maze grade: expected a notebook\n${spec.help}\n`);
    return EXIT.error;
  }
  const isBatch = positionals.length > 1 || values["jobs"] !== undefined || values["csv"] !== undefined || values["out-dir"] !== undefined;
  if (isBatch) {
    if (values["out"] !== undefined) {
      process.stderr.write("maze grade: --out names one results.json; with several notebooks use --out-dir DIR\n");
      return EXIT.error;
    }
    const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
    const jobs = intOption(values, "jobs", cores, 1);
    if (typeof jobs !== "number") {
      process.stderr.write(`maze grade: ${jobs.error}\n`);
      return EXIT.error;
    }
    const missing = positionals.find((f) => !fs.existsSync(f));
    if (missing !== undefined) {
      process.stderr.write(`maze grade: ${missing}: no such file\n`);
      return EXIT.error;
    }
    return batch(
      positionals,
      jobs,
      timeout,
      typeof values["csv"] === "string" ? values["csv"] : undefined,
      typeof values["out-dir"] === "string" ? values["out-dir"] : undefined,
    );
  }
  const file = positionals[0] as string;
  const out = typeof values["out"] === "string" ? values["out"] : path.join(path.dirname(file), "results.json");
  try {
    const report = await gradeNotebook(file, { cellTimeoutMs: timeout * 1000, log: (l) => process.stderr.write(l + "\n") });
    process.stdout.write(formatReport(report) + "\n");
    // Every process the grading started is gone by now: nothing can rewrite the file after this.
    writeFileAtomic(out, JSON.stringify(gradescopeResults(report), null, 2) + "\n");
    process.stdout.write(`\nwrote ${out}\n`);
    return EXIT.ok;
  } catch (e) {
    process.stderr.write(`maze grade: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.error;
  }
}
