import * as fs from "node:fs";
import * as path from "node:path";
import { GRADE_ENV, type GradeEvent } from "../../lib/labs/runLab";
import { LABS } from "../../lib/labs/registry";
import type { TestResult } from "../../lib/labs/lab";
import { executeNotebook, formatFailure, type CellFailureReport } from "../headless/execute";
import { readNotebook, serializeNotebook, writeFileAtomic, type Notebook } from "../headless/notebookFormat";
import { PROJECT_ROOT } from "../jupyterPaths";

/** Options of one grading run. */
export interface GradeOptions {
  /** A student cell or a graded test running longer is stopped (default 30 s). */
  readonly cellTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

/** A Gradescope-compatible result (`results.json`), plus what happened in the notebook. */
export interface GradeReport {
  readonly score: number;
  readonly max_score: number;
  readonly output: string;
  readonly tests: TestResult[];
  readonly lab: string;
  readonly attempts: number;
}

/** Default time limit per cell and per graded test: student code that takes longer is stopped. */
export const DEFAULT_GRADE_TIMEOUT_MS = 30_000;

function labOf(nb: Notebook, file: string): string {
  const lab = (nb.metadata["maze"] as { lab?: unknown } | undefined)?.lab;
  if (typeof lab !== "string") throw new Error(`${file}: not a lab notebook (its metadata has no maze.lab)`);
  if (!LABS[lab]) throw new Error(`${file}: unknown lab '${lab}' (known: ${Object.keys(LABS).join(", ")})`);
  return lab;
}

/** The hidden cell appended to the student's notebook: it grades what the cells above defined. */
function gradingCell(lab: string): string {
  // tslab keeps a session's top-level names on `__tslab__.exports`; the lab looks them up there.
  return `import * as mazeGraderInternal from "maze";\nawait mazeGraderInternal.gradeLab(${JSON.stringify(lab)}, mazeGraderInternal.notebookScope());`;
}

/**
 * Executes a student's lab notebook headless and grades it. A student cell that throws is reported
 * and the rest still run; a cell or a test that runs past the time limit is stopped, reported, and the
 * notebook re-run without it — a grade always comes out, never a hang.
 */
export async function gradeNotebook(file: string, options: GradeOptions = {}): Promise<GradeReport> {
  const timeoutMs = options.cellTimeoutMs ?? DEFAULT_GRADE_TIMEOUT_MS;
  const log = options.log ?? (() => undefined);
  const nb = readNotebook(file);
  const labId = labOf(nb, file);
  const lab = LABS[labId]!;
  // Inside the project, so the notebook's `import ... from "maze"` resolves as it does for lessons.
  const work = fs.mkdtempSync(path.join(PROJECT_ROOT, "build", "grading-"));
  const events = path.join(work, "events.jsonl");
  const stopped = new Map<string, string>();
  const notes: string[] = [];
  const studentCellNotes: string[] = [];
  const cells = nb.cells.map((c) => ({ ...c }));
  cells.push({ cell_type: "code", source: gradingCell(labId), metadata: { tags: ["grader"] }, outputs: [], execution_count: null });
  const graderCell = cells.length;
  let results: TestResult[] = [];
  let attempts = 0;
  try {
    for (;;) {
      attempts += 1;
      const copy = path.join(work, path.basename(file));
      writeFileAtomic(copy, serializeNotebook({ ...nb, cells }));
      fs.rmSync(events, { force: true });
      log(`attempt ${attempts}: executing ${path.basename(file)}`);
      const run = await executeNotebook(copy, {
        cellTimeoutMs: timeoutMs,
        continueOnError: true,
        env: { [GRADE_ENV.out]: events, [GRADE_ENV.skip]: [...stopped.keys()].join("\n") },
      });
      const log_ = fs.existsSync(events) ? fs.readFileSync(events, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as GradeEvent) : [];
      results = log_.filter((e): e is Extract<GradeEvent, { event: "result" }> => e.event === "result").map(({ event: _e, ...r }) => r);
      const studentFailures = run.failures.filter((f: CellFailureReport) => f.cell !== graderCell && f.cell !== run.timedOutCell);
      if (run.timedOutCell === undefined) {
        for (const f of studentFailures) {
          notes.push(formatFailure(path.basename(file), f));
          studentCellNotes.push(formatFailure(path.basename(file), f));
        }
        const graderFailure = run.failures.find((f) => f.cell === graderCell);
        if (graderFailure) notes.push(`the grader could not run: ${graderFailure.message}`);
        break;
      }
      if (run.timedOutCell === graderCell) {
        const started = log_.filter((e) => e.event === "start").map((e) => (e as { test: string }).test);
        const hung = started.find((t) => !results.some((r) => r.name === t));
        if (!hung) {
          notes.push(`the grader was stopped after ${timeoutMs / 1000} s`);
          break;
        }
        stopped.set(hung, `stopped: the test ran longer than ${timeoutMs / 1000} s (an infinite loop in your code?)`);
        log(`  test "${hung}" timed out; re-running without it`);
      } else {
        const cellNo = run.timedOutCell;
        notes.push(`${path.basename(file)}:cell ${cellNo}: stopped after ${timeoutMs / 1000} s (an infinite loop?); graded as if it threw`);
        const cell = cells[cellNo - 1];
        if (cell) cell.source = `throw new Error("maze grader: this cell was stopped after ${timeoutMs / 1000} s");`;
        log(`  cell ${cellNo} timed out; re-running with it stopped`);
      }
      if (attempts > nb.cells.length + lab.tests.length + 1) {
        notes.push("the grader gave up after too many attempts");
        break;
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  // A test that failed because a student cell did not compile or threw says so first: the cause
  // comes before its consequence ("`pnCounter` is not defined").
  const cause = studentCellNotes[0];
  const tests = lab.tests.map((t): TestResult => {
    const r = results.find((x) => x.name === t.name);
    if (r && cause && r.score < r.max_score && /is not defined in the notebook/.test(r.output)) {
      const [head, ...rest] = r.output.split("\n");
      return { ...r, output: [head, `first fix ${cause} — this test failed because that cell did not run:`, ...rest].join("\n") };
    }
    if (r) return r;
    const why = stopped.get(t.name) ?? "not run: the notebook failed before grading (see the notes)";
    return { name: t.name, score: 0, max_score: t.points, output: `failed: ${t.description}\n${why}` };
  });
  const score = tests.reduce((n, t) => n + t.score, 0);
  const max = tests.reduce((n, t) => n + t.max_score, 0);
  return { score, max_score: max, output: notes.length > 0 ? notes.join("\n") : "all cells ran", tests, lab: labId, attempts };
}

/** Formats a report as a plain-text table for the terminal. */
export function formatReport(r: GradeReport): string {
  const w = Math.max(...r.tests.map((t) => t.name.length), 4);
  const lines = [`${r.lab}: ${r.score} / ${r.max_score}`];
  // What went wrong in the notebook itself (a type error, a cell that threw) comes first: the
  // failed tests below are often only its consequence.
  if (r.output !== "all cells ran") lines.push("", "notebook:", ...r.output.split("\n").map((l) => `  ${l}`));
  lines.push("", `${"test".padEnd(w)}  points`, `${"-".repeat(w)}  ------`);
  for (const t of r.tests) lines.push(`${t.name.padEnd(w)}  ${String(t.score).padStart(3)} / ${t.max_score}`);
  const failed = r.tests.filter((t) => t.score < t.max_score);
  if (failed.length > 0) lines.push("", ...failed.map((t) => `✗ ${t.name}\n  ${t.output.split("\n").slice(1).join("\n  ")}`));
  return lines.join("\n");
}
