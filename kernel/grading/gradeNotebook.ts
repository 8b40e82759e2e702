import { fork } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { SCHEMA_VERSION } from "../../lib/cli/jsonSchema";
import type { CrdtQuestion } from "../../lib/labs/crdtQuestions";
import { asGraderSession } from "../../lib/labs/lab1Crdt";
import { asLab5GraderSession } from "../../lib/labs/lab5Handlers";
import type { CheckContext, Lab, StudentScope, TestResult } from "../../lib/labs/labContract";
import { LABS } from "../../lib/labs/registry";
import { testResult } from "../../lib/labs/runLab";
import { CRDT_FUNCTIONS } from "../../lib/labs/crdtQuestions";
import type { ServedDefinition } from "../../lib/labs/serveLab";
import { formatFailure } from "../headless/execute";
import { parseNotebook, type Notebook } from "../headless/notebookFormat";
import { PROJECT_ROOT } from "../jupyterPaths";
import type { CheckerMessage, CheckRequest } from "./checker";
import { gradingLibrary } from "./libraryCopy";
import { sandboxedLab5Session } from "./protocolWorker";
import { AskTimeout, DEFAULT_MEMORY_MB, sandboxMechanisms, StudentProcess } from "./sandbox";

/**
 * The grading parent. It owns everything that decides a score: the lab's tests, the reference
 * implementations, the seed of the random inputs (derived from a secret and the submission, never
 * shown to the student process) and the verdicts. The student's notebook runs in a sandboxed
 * process (sandbox.ts) that only answers: it hands over the lab's definitions as data, and for lab 1
 * answers questions about the CRDTs it keeps. Programs (labs 2–4) are evaluated in a clean checker
 * process (checker.ts) that runs no student code.
 */

/** Options of one grading run. */
export interface GradeOptions {
  /** A student cell, or a graded test, running longer is stopped (default 30 s). */
  readonly cellTimeoutMs?: number;
  readonly log?: (line: string) => void;
  /** The grading secret the seed is derived from (default: `MAZE_GRADING_SECRET`, else `grading-secret` in the project, else random per run). */
  readonly secret?: string;
  /** Heap of the student process in MB. */
  readonly memoryMb?: number;
  /** A library copy already built (a batch builds it once). */
  readonly libraryRoot?: string;
}

/** A Gradescope-compatible result (`results.json`), plus what happened in the notebook. */
export interface GradeReport {
  readonly score: number;
  readonly max_score: number;
  readonly output: string;
  readonly tests: TestResult[];
  readonly lab: string;
  readonly attempts: number;
  /** The seed of the random inputs, derived from the grading secret and the submission. */
  readonly seed: number;
  /** Which version of the lab's checks graded it. */
  readonly labVersion: string;
  readonly ms: number;
}

/** Default time limit per cell and per graded test: student code that takes longer is stopped. */
export const DEFAULT_GRADE_TIMEOUT_MS = 30_000;
/** Largest `--timeout` accepted, in seconds (timers above 2^31 ms fire at once in Node). */
export const MAX_GRADE_TIMEOUT_S = 3600;
/** A submission larger than this is not executed. */
const MAX_SUBMISSION_BYTES = 5 * 1024 * 1024;
/**
 * All the graded tests of one submission together may take this many times the per-test limit:
 * a submission whose every function loops costs a few minutes, not one limit per test.
 */
const CHECKS_BUDGET_FACTOR = 4;

function labOf(nb: Notebook, file: string): string {
  const lab = (nb.metadata["maze"] as { lab?: unknown } | undefined)?.lab;
  if (typeof lab !== "string") throw new Error(`${file}: not a lab notebook (its metadata has no maze.lab)`);
  if (!LABS[lab]) throw new Error(`${file}: unknown lab '${lab}' (known: ${Object.keys(LABS).join(", ")})`);
  return lab;
}

/** The hidden cell appended to the student's notebook: from here on the notebook only answers. */
function gradingCell(lab: string): string {
  // tslab keeps a session's top-level names on `__tslab__.exports`; notebookScope reads them.
  // serveLab is the grader's, in maze/internals; notebookScope is a display helper of maze.
  return `import * as mazeGrader from "maze/internals";\nimport * as mazeGraderNotebook from "maze";\nawait mazeGrader.serveLab(${JSON.stringify(lab)}, mazeGraderNotebook.notebookScope());`;
}

let processSecret: string | undefined;
/** The grading secret: given, from the environment, from the bundle's file, or random for this run. */
function gradingSecret(given: string | undefined): string {
  if (given) return given;
  const env = process.env["MAZE_GRADING_SECRET"];
  if (env) return env;
  const file = path.join(PROJECT_ROOT, "grading-secret");
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  processSecret ??= crypto.randomBytes(32).toString("hex");
  return processSecret;
}

/** The seed of a submission's random inputs: the student cannot compute it without the secret. */
export function gradingSeed(secret: string, lab: string, submission: Buffer): number {
  return crypto.createHmac("sha256", secret).update(lab).update("\u0000").update(submission).digest().readUInt32BE(0);
}

/** The version of a lab's checks: the package version and a hash of the compiled checks. */
export function labVersion(lab: string): string {
  const h = crypto.createHash("sha256").update(lab);
  const dir = path.join(PROJECT_ROOT, "dist", "lib", "labs");
  if (fs.existsSync(dir))
    for (const f of fs
      .readdirSync(dir)
      .filter((x) => x.endsWith(".js"))
      .sort())
      h.update(f).update(fs.readFileSync(path.join(dir, f)));
  const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
  return `${pkg.version}+${h.digest("hex").slice(0, 12)}`;
}

/** A test's deadline passed. */
class TestTimeout extends Error {}

/**
 * The time all graded tests of one submission may take together. Only time spent in tests counts
 * (re-executing the notebook after a stopped test does not), so one slow test does not starve the rest.
 */
class TestBudget {
  private spent = 0;
  constructor(private readonly totalMs: number) {}
  /** How long the next test may run. */
  next(perTestMs: number): number {
    return Math.min(perTestMs, this.totalMs - this.spent);
  }
  spend(ms: number): void {
    this.spent += ms;
  }
}

/** The checks' view of what the student process handed over. */
function scopeOf(
  lab: Lab,
  defs: Readonly<Record<string, ServedDefinition>>,
  proc: StudentProcess,
  askTimeout: () => number,
): { scope: StudentScope; problems: string[] } {
  const scope: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const spec of lab.definitions) {
    const d = defs[spec.name];
    if (!d || typeof d !== "object" || d.kind === "missing") continue;
    if (d.kind === "invalid") {
      problems.push(typeof d.message === "string" ? d.message.slice(0, 300) : `\`${spec.name}\` could not be read`);
      continue;
    }
    if (spec.kind === "text" && d.kind === "text" && typeof d.text === "string" && d.text.length <= 64 * 1024) scope[spec.name] = d.text;
    else if (spec.kind === "data" && d.kind === "data" && typeof d.json === "string" && d.json.length <= 64 * 1024) {
      try {
        scope[spec.name] = JSON.parse(d.json) as unknown;
      } catch {
        problems.push(`\`${spec.name}\` came back as malformed JSON`);
      }
    } else if (spec.kind === "crdt" && d.kind === "crdt" && Array.isArray(d.functions)) {
      const needed = CRDT_FUNCTIONS[spec.crdt];
      const present = new Set(d.functions.filter((f): f is string => typeof f === "string"));
      if (needed.every((f) => present.has(f))) {
        scope[spec.name] = asGraderSession({
          kind: spec.crdt,
          name: spec.name,
          ask: (qs: readonly CrdtQuestion[]) => proc.ask(spec.name, qs, askTimeout()) as never,
        });
      } else {
        // Only the names: the lab's own check reports which functions are missing.
        scope[spec.name] = Object.fromEntries([...present].filter((f) => needed.includes(f as never)).map((f) => [f, () => undefined]));
      }
    } else if (spec.kind === "protocol" && d.kind === "protocol") {
      // The protocol stays in the student process; the lab's search asks it to run (protocolWorker.ts).
      scope[spec.name] = asLab5GraderSession(sandboxedLab5Session(proc, spec.name, askTimeout));
    } else problems.push(`\`${spec.name}\` came back in an unexpected form`);
  }
  return { scope, problems };
}

/**
 * Runs the tests of a lab whose definitions are data in the checker process, test by test, each
 * under its deadline; a test that runs past it is stopped and the checker restarted without it.
 */
async function runInChecker(
  lab: Lab,
  scope: StudentScope,
  context: CheckContext,
  timeoutMs: number,
  budget: TestBudget,
  results: Map<string, TestResult>,
  stopped: Map<string, string>,
): Promise<void> {
  const checker = path.join(PROJECT_ROOT, "dist", "kernel", "grading", "checker.js");
  while (lab.tests.some((t) => !results.has(t.name) && !stopped.has(t.name))) {
    if (budget.next(timeoutMs) <= 0) {
      for (const t of lab.tests)
        if (!results.has(t.name) && !stopped.has(t.name)) stopped.set(t.name, "not run: the submission used up its grading time");
      return;
    }
    const child = fork(checker, [], {
      execArgv: ["--max-old-space-size=2048"],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { PATH: process.env["PATH"] ?? "" },
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let current: string | undefined;
    let started = 0;
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const stop = (why: string): void => {
        if (current && !results.has(current)) {
          stopped.set(current, why);
          budget.spend(Date.now() - started);
        }
        if (timer) clearTimeout(timer);
        child.kill("SIGKILL");
        resolve();
      };
      child.on("message", (m: CheckerMessage) => {
        if (m.event === "start") {
          current = m.test;
          started = Date.now();
          if (timer) clearTimeout(timer);
          const allowed = budget.next(timeoutMs);
          timer = setTimeout(
            () =>
              stop(
                allowed < timeoutMs
                  ? "not run: the submission used up its grading time"
                  : `stopped: the test ran longer than ${timeoutMs / 1000} s`,
              ),
            Math.max(1, allowed),
          );
        } else if (m.event === "result") {
          budget.spend(Date.now() - started);
          const t = lab.tests.find((x) => x.name === m.name);
          if (t) results.set(t.name, testResult(t, m.score === t.points ? undefined : m.output.split("\n").slice(1).join("\n")));
        } else stop("");
      });
      child.on("exit", (code, signal) =>
        stop(
          `stopped: evaluating your program ended the checker (${signal ?? `exit ${code}`}${/heap out of memory/.test(stderr) ? ": out of memory" : ""})`,
        ),
      );
      child.send({ lab: lab.id, scope, seed: context.seed, skip: [...results.keys(), ...stopped.keys()] } satisfies CheckRequest);
    });
    await exited;
  }
}

/**
 * Grades a student's lab notebook: executes it in the sandbox, takes its answers and runs the
 * lab's tests here (lab 1) or in the checker (labs 2–4). A student cell that throws is reported and
 * the rest still run; a cell or a test that runs past the time limit is stopped, reported, and the
 * notebook re-run without it — a grade always comes out, and every process it started is gone
 * when it returns.
 */
export async function gradeNotebook(file: string, options: GradeOptions = {}): Promise<GradeReport> {
  const t0 = performance.now();
  const timeoutMs = options.cellTimeoutMs ?? DEFAULT_GRADE_TIMEOUT_MS;
  const log = options.log ?? (() => undefined);
  const bytes = fs.readFileSync(file);
  if (bytes.length > MAX_SUBMISSION_BYTES)
    throw new Error(`${file}: ${bytes.length} bytes; a submission may have at most ${MAX_SUBMISSION_BYTES}`);
  const nb = parseNotebook(file, bytes.toString("utf8"));
  const labId = labOf(nb, file);
  const lab = LABS[labId] as Lab;
  const seed = gradingSeed(gradingSecret(options.secret), labId, bytes);
  const library = options.libraryRoot ?? gradingLibrary();
  const name = path.basename(file);
  const cells = nb.cells.map((c) => ({ ...c, ...(c.cell_type === "code" ? { outputs: [], execution_count: null } : {}) }));
  cells.push({ cell_type: "code", source: gradingCell(labId), metadata: { tags: ["grader"] }, outputs: [], execution_count: null });
  const graderCell = cells.length - 1;
  const codeCells = cells.filter((c) => c.cell_type === "code").length;
  const limits = {
    cellTimeoutMs: timeoutMs,
    notebookTimeoutMs: timeoutMs * (codeCells + 1),
    memoryMb: options.memoryMb ?? DEFAULT_MEMORY_MB,
  };
  const results = new Map<string, TestResult>();
  const stopped = new Map<string, string>();
  const notes: string[] = [];
  const causes: string[] = [];
  let cellsReported = false;
  let attempts = 0;
  const budget = new TestBudget(timeoutMs * CHECKS_BUDGET_FACTOR);
  const context: CheckContext = { seed };
  for (;;) {
    attempts += 1;
    const work = fs.mkdtempSync(path.join(library, "work-"));
    const proc = new StudentProcess({ ...nb, cells }, work, library, limits, graderCell);
    let again = false;
    try {
      log(`attempt ${attempts}: executing ${name}`);
      const outcome = await proc.outcome;
      if (!cellsReported && outcome.kind !== "cell-timeout") {
        cellsReported = true;
        for (const f of proc.failures) {
          notes.push(formatFailure(name, f));
          causes.push(formatFailure(name, f));
        }
        notes.push(...proc.notes);
      }
      if (outcome.kind === "cell-timeout") {
        notes.push(`${name}:cell ${outcome.cell}: stopped after ${timeoutMs / 1000} s (an infinite loop?); graded as if it threw`);
        const cell = cells[outcome.cell - 1];
        if (cell) cell.source = `throw new Error("maze grader: this cell was stopped after ${timeoutMs / 1000} s");`;
        log(`  cell ${outcome.cell} timed out; re-running with it stopped`);
        again = true;
      } else if (outcome.kind === "deadline") {
        notes.push(`the notebook ran past its deadline of ${limits.notebookTimeoutMs / 1000} s and was stopped`);
      } else if (outcome.kind === "ended") {
        notes.push(outcome.message);
      } else {
        let testEnd = 0;
        const { scope, problems } = scopeOf(lab, outcome.definitions, proc, () => Math.max(1, testEnd - Date.now()));
        for (const p of problems.filter((x) => !notes.includes(x))) {
          notes.push(p);
          causes.push(p);
        }
        // Definitions that stay in the student process (a CRDT, a protocol) are asked from here; data goes to the checker.
        if (!lab.definitions.some((d) => d.kind === "crdt" || d.kind === "protocol")) {
          await proc.kill();
          await runInChecker(lab, scope, context, timeoutMs, budget, results, stopped);
        } else {
          for (const t of lab.tests) {
            if (results.has(t.name) || stopped.has(t.name)) continue;
            const allowed = budget.next(timeoutMs);
            if (allowed <= 0) {
              stopped.set(t.name, "not run: the submission used up its grading time");
              continue;
            }
            const started = Date.now();
            testEnd = started + allowed;
            const check = Promise.resolve().then(() => t.check(scope, context));
            check.catch(() => undefined);
            let timer: NodeJS.Timeout | undefined;
            const deadline = new Promise<never>(
              (_, reject) => (timer = setTimeout(() => reject(new TestTimeout()), Math.max(1, testEnd - Date.now()))),
            );
            try {
              results.set(t.name, testResult(t, await Promise.race([check, deadline])));
            } catch (e) {
              if (e instanceof TestTimeout || e instanceof AskTimeout) {
                stopped.set(
                  t.name,
                  allowed < timeoutMs
                    ? "not run: the submission used up its grading time"
                    : `stopped: the test ran longer than ${timeoutMs / 1000} s (an infinite loop in your code?)`,
                );
                log(`  test "${t.name}" timed out; re-running without it`);
                again = true;
                break;
              }
              const message = e instanceof Error ? e.message : String(e);
              if (/the notebook process (ended|has ended)/.test(message)) {
                stopped.set(t.name, `stopped: ${message}`);
                again = true;
                break;
              }
              results.set(t.name, testResult(t, message));
            } finally {
              if (timer) clearTimeout(timer);
              budget.spend(Date.now() - started);
            }
          }
        }
      }
    } finally {
      await proc.kill();
      fs.rmSync(work, { recursive: true, force: true });
    }
    if (!again) break;
    if (attempts > codeCells + lab.tests.length + 1) {
      notes.push("the grader gave up after too many attempts");
      break;
    }
  }
  const cause = causes[0];
  const tests = lab.tests.map((t): TestResult => {
    let r = results.get(t.name);
    if (!r) {
      const why = stopped.get(t.name) ?? "not run: the notebook failed before grading (see the notes)";
      r = { name: t.name, score: 0, max_score: t.points, output: `failed: ${t.description}\n${why}` };
    }
    // A test that failed because a student cell did not compile or threw says so first: the cause
    // comes before its consequence ("`pnCounter` is not defined").
    if (cause && r.score < r.max_score && /is not defined in the notebook|not run: the notebook failed/.test(r.output)) {
      const [head, ...rest] = r.output.split("\n");
      r = { ...r, output: [head, `first fix ${cause} — this test failed because that cell did not run:`, ...rest].join("\n") };
    }
    // Scores are the parent's own, but clamp anyway: nothing outside [0, points] is ever reported.
    return { ...r, score: Math.min(Math.max(0, Number.isFinite(r.score) ? r.score : 0), t.points), max_score: t.points };
  });
  const score = tests.reduce((n, t) => n + t.score, 0);
  const max = tests.reduce((n, t) => n + t.max_score, 0);
  return {
    score,
    max_score: max,
    output: notes.length > 0 ? notes.join("\n") : "all cells ran",
    tests,
    lab: labId,
    attempts,
    seed,
    labVersion: labVersion(labId),
    ms: performance.now() - t0,
  };
}

/**
 * The results.json Gradescope reads (its documented keys only; the seed and versions in
 * `extra_data`, which starts with the `schemaVersion` of maze's JSON, lib/cli/README.md). With `withVisibility`, each test says when students see it: a lab's hidden tests
 * after the due date, the others at once.
 */
export function gradescopeResults(r: GradeReport, withVisibility = false): Record<string, unknown> {
  const hidden = new Set((LABS[r.lab]?.tests ?? []).filter((t) => t.hidden).map((t) => t.name));
  return {
    score: r.score,
    execution_time: Math.round(r.ms / 1000),
    output: r.output,
    tests: r.tests.map((t) => ({
      name: t.name,
      score: t.score,
      max_score: t.max_score,
      output: t.output,
      ...(withVisibility ? { visibility: hidden.has(t.name) ? "after_due_date" : "visible" } : {}),
    })),
    extra_data: {
      schemaVersion: SCHEMA_VERSION,
      lab: r.lab,
      lab_version: r.labVersion,
      seed: r.seed,
      attempts: r.attempts,
      sandbox: sandboxMechanisms(),
    },
  };
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
