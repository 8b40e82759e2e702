import { fork, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { CellFailure, WorkerMessage, WorkerRequest } from "./worker";
import { readNotebook, type Notebook } from "./notebookFormat";
import { converterFolder } from "./converterFolder";
import { PROJECT_ROOT } from "../jupyterPaths";

/** Limits of one headless notebook execution. */
export interface ExecuteOptions {
  /** A cell running longer is killed and reported (default 120 s: a lesson cell should take seconds). */
  readonly cellTimeoutMs?: number;
  /** Keep executing after a failing cell (graders); the first failure is still reported. */
  readonly continueOnError?: boolean;
  /** Extra environment for the notebook process. */
  readonly env?: NodeJS.ProcessEnv;
  /** Called as each code cell starts, e.g. for progress output. */
  readonly onCell?: (index: number) => void;
}

/** Default per-cell time limit, generous because a cold vega import alone costs a few hundred ms. */
export const DEFAULT_CELL_TIMEOUT_MS = 120_000;

/** A failing cell: 1-based cell number, line/column inside the cell where known, and the message. */
export interface CellFailureReport {
  readonly cell: number;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/** The result of executing a notebook: the notebook with outputs, and the first failure if any. */
export interface ExecutionResult {
  readonly notebook: Notebook;
  readonly failure?: CellFailureReport;
  /** Every failing cell (more than one only with `continueOnError`). */
  readonly failures: readonly CellFailureReport[];
  /** The 1-based cell killed for exceeding the time limit, if any. */
  readonly timedOutCell?: number;
  readonly ms: number;
}

// Always the compiled worker, also when this module runs from source under ts-jest: the child is a
// plain Node process and must not need a TypeScript loader.
const WORKER = path.join(PROJECT_ROOT, "dist", "kernel", "headless", "worker.js");

function prepare(file: string): Notebook {
  const notebook = readNotebook(file);
  if (!fs.existsSync(WORKER)) throw new Error(`${WORKER} is missing: run \`npm run compile\` first`);
  (require(path.join(PROJECT_ROOT, "kernel", "linkSelf.js")) as { ensureSelfLink(): boolean }).ensureSelfLink();
  for (const c of notebook.cells)
    if (c.cell_type === "code") {
      c.outputs = [];
      c.execution_count = null;
    }
  return notebook;
}

/**
 * Follows one notebook's execution in a worker process: fills in the notebook's outputs from the
 * worker's messages, enforces the per-cell time limit, and settles when the worker says `finished`,
 * fails, or dies. `reusable` says whether the worker is still fit for another notebook (it is not
 * once it was killed, died or reported a fatal error).
 */
function follow(
  child: ChildProcess,
  notebook: Notebook,
  options: ExecuteOptions,
  stderr: () => string,
): Promise<{ result: ExecutionResult; reusable: boolean }> {
  const timeoutMs = options.cellTimeoutMs ?? DEFAULT_CELL_TIMEOUT_MS;
  const t0 = performance.now();
  return new Promise((resolve) => {
    let running: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const failures: CellFailureReport[] = [];
    let timedOutCell: number | undefined;
    let settled = false;
    let executed = 0;
    const finish = (reusable: boolean): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (!reusable) child.kill("SIGKILL");
      const [failure] = failures;
      resolve({
        result: {
          notebook,
          ...(failure ? { failure } : {}),
          failures,
          ...(timedOutCell !== undefined ? { timedOutCell } : {}),
          ms: performance.now() - t0,
        },
        reusable,
      });
    };
    const onMessage = (msg: WorkerMessage): void => {
      if (msg.type === "cell-start") {
        running = msg.index;
        options.onCell?.(msg.index);
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          timedOutCell = msg.index + 1;
          failures.push({ cell: msg.index + 1, message: `cell timed out after ${timeoutMs / 1000} s (killed)` });
          finish(false);
        }, timeoutMs);
      } else if (msg.type === "cell-done") {
        running = undefined;
        if (timer) clearTimeout(timer);
        const cell = notebook.cells[msg.index];
        if (cell) {
          executed += 1;
          cell.outputs = msg.outputs;
          cell.execution_count = executed;
        }
        if (msg.failure) failures.push(locate(msg.index, msg.failure));
      } else if (msg.type === "finished") {
        finish(true);
      } else {
        failures.push({ cell: (running ?? -1) + 1, message: msg.message });
        finish(false);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      const tail = stderr().trim().split("\n").slice(-3).join(" | ");
      failures.push({
        cell: (running ?? -1) + 1,
        message: `the notebook process ended unexpectedly (${signal ?? `exit ${code}`})${tail ? `: ${tail}` : ""}`,
      });
      finish(false);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

function forkWorker(args: readonly string[], env: NodeJS.ProcessEnv | undefined): { child: ChildProcess; stderr: () => string } {
  const child = fork(WORKER, [...args], { stdio: ["ignore", "pipe", "pipe", "ipc"], execArgv: [], env: { ...process.env, ...env } });
  let stderr = "";
  // Only the tail explains a crash; a chatty notebook must not grow this without bound.
  child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4096)));
  child.stdout?.on("data", () => undefined);
  return { child, stderr: () => stderr };
}

/**
 * Executes a notebook headless in a fresh child process and returns it with outputs. Stops at the
 * first failing cell (its outputs kept) and reports it by 1-based cell number and line; a cell that
 * exceeds the time limit is killed and reported the same way, never hung on. The process serves
 * this one notebook only, which is what a grader needs between two submissions; to run many
 * notebooks fast, use a {@link NotebookPool}.
 */
export async function executeNotebook(file: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
  const notebook = prepare(file);
  const { child, stderr } = forkWorker([path.resolve(file), ...(options.continueOnError ? ["--continue"] : [])], options.env);
  const { result } = await follow(child, notebook, options, stderr);
  child.kill("SIGKILL");
  return result;
}

/** Options of a {@link NotebookPool}. */
export interface NotebookPoolOptions {
  /** At most this many worker processes run notebooks at once (default: one per core). */
  readonly jobs?: number;
}

interface PoolWorker {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  /** The converter folder whose notebooks this worker runs (see converterFolder.ts). */
  readonly folder: string;
  busy: boolean;
}

/** Memory one warm worker may come to hold (measured: 220–320 MB over the course's notebooks). */
const WORKER_MEMORY_BYTES = 512 * 1024 * 1024;

/**
 * The default parallelism of a course run: one worker per core Node may use
 * (`os.availableParallelism()`), but no more workers than the machine's memory holds.
 */
export function defaultJobs(): number {
  return Math.max(1, Math.min(os.availableParallelism(), Math.floor(os.totalmem() / WORKER_MEMORY_BYTES)));
}

/**
 * Warm worker processes that execute notebooks in parallel. Each worker keeps one tslab converter
 * (TypeScript's program with the standard library's and maze's declarations parsed) across the
 * notebooks it runs and loads the library once; every notebook still gets a fresh executor, so no
 * top-level name leaks from one notebook to the next. Lessons only: a grader must not share a
 * process between two submissions and uses {@link executeNotebook}. A worker whose notebook timed
 * out or crashed is killed and replaced by a fresh one. Call {@link NotebookPool.close} when done.
 */
export class NotebookPool {
  readonly jobs: number;
  private readonly workers: PoolWorker[] = [];
  private readonly waiting: { folder: string; take: (w: PoolWorker) => void }[] = [];
  private closed = false;
  /** Worker processes started so far (each pays tslab's start-up once). */
  started = 0;

  constructor(options: NotebookPoolOptions = {}) {
    this.jobs = Math.max(1, Math.floor(options.jobs ?? defaultJobs()));
  }

  /** Executes a notebook on an idle worker (starting one if fewer than `jobs` run), as {@link executeNotebook} does. */
  async run(file: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    if (this.closed) throw new Error("the notebook pool is closed");
    const notebook = prepare(file);
    const worker = await this.acquire(converterFolder(file, notebook.cells));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
    const request: WorkerRequest = { type: "run", file: path.resolve(file), continueOnError: options.continueOnError ?? false, env };
    const done = follow(worker.child, notebook, options, worker.stderr);
    worker.child.send(request);
    const { result, reusable } = await done;
    if (reusable && !this.closed) this.release(worker);
    else this.retire(worker);
    return result;
  }

  /** Stops every worker; resolves once they have all exited. */
  close(): Promise<void> {
    this.closed = true;
    const exits = this.workers.map((w) =>
      w.child.exitCode !== null || w.child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((r) => w.child.once("exit", () => r())),
    );
    for (const w of [...this.workers]) this.retire(w);
    return Promise.all(exits).then(() => undefined);
  }

  private spawn(folder: string): PoolWorker {
    const { child, stderr } = forkWorker(["--serve", folder], undefined);
    const w: PoolWorker = { child, stderr, folder, busy: true };
    this.started += 1;
    child.on("exit", () => this.remove(w));
    this.workers.push(w);
    return w;
  }

  private acquire(folder: string): Promise<PoolWorker> {
    const idle = this.workers.filter((w) => !w.busy && w.child.exitCode === null && w.child.signalCode === null);
    const same = idle.find((w) => w.folder === folder);
    if (same) {
      same.busy = true;
      return Promise.resolve(same);
    }
    if (this.workers.length < this.jobs) return Promise.resolve(this.spawn(folder));
    // All slots taken: an idle worker of another folder makes room for one of this folder.
    const other = idle[0];
    if (other) {
      this.retire(other, false);
      return Promise.resolve(this.spawn(folder));
    }
    return new Promise((take) => this.waiting.push({ folder, take }));
  }

  private release(w: PoolWorker): void {
    const i = this.waiting.findIndex((x) => x.folder === w.folder);
    if (i >= 0) {
      const [next] = this.waiting.splice(i, 1);
      next?.take(w);
      return;
    }
    w.busy = false;
    if (this.waiting.length > 0) this.retire(w);
  }

  /** Kills a worker; its slot goes to a waiting notebook unless `handOver` is false. */
  private retire(w: PoolWorker, handOver = true): void {
    w.child.kill("SIGKILL");
    this.remove(w, handOver);
  }

  private remove(w: PoolWorker, handOver = true): void {
    const i = this.workers.indexOf(w);
    if (i < 0) return;
    this.workers.splice(i, 1);
    // A waiting notebook gets a fresh worker of its folder in the freed slot.
    const next = this.closed || !handOver ? undefined : this.waiting.shift();
    if (next) next.take(this.spawn(next.folder));
  }
}

function locate(index: number, f: CellFailure): CellFailureReport {
  const out: { cell: number; line?: number; column?: number; message: string } = { cell: index + 1, message: f.message };
  if (f.line !== undefined) out.line = f.line;
  if (f.column !== undefined) out.column = f.column;
  return out;
}

/** Formats a failure as `notebook:cell N:line L: message`. */
export function formatFailure(file: string, f: CellFailureReport): string {
  return `${file}:cell ${f.cell}${f.line !== undefined ? `:line ${f.line}` : ""}: ${f.message}`;
}
