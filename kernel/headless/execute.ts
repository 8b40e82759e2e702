import { fork } from "node:child_process";
import * as path from "node:path";
import type { CellFailure, WorkerMessage } from "./worker";
import { readNotebook, type Notebook } from "./notebookFormat";
import * as fs from "node:fs";
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

/**
 * Executes a notebook headless in a child process and returns it with outputs. Stops at the first
 * failing cell (its outputs kept) and reports it by 1-based cell number and line; a cell that
 * exceeds the time limit is killed and reported the same way, never hung on.
 */
export function executeNotebook(file: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
  const notebook = readNotebook(file);
  const timeoutMs = options.cellTimeoutMs ?? DEFAULT_CELL_TIMEOUT_MS;
  const t0 = performance.now();
  if (!fs.existsSync(WORKER)) throw new Error(`${WORKER} is missing: run \`npm run compile\` first`);
  (require(path.join(PROJECT_ROOT, "kernel", "linkSelf.js")) as { ensureSelfLink(): boolean }).ensureSelfLink();
  for (const c of notebook.cells) if (c.cell_type === "code") { c.outputs = []; c.execution_count = null; }
  return new Promise((resolve) => {
    const args = [path.resolve(file), ...(options.continueOnError ? ["--continue"] : [])];
    const child = fork(WORKER, args, { stdio: ["ignore", "pipe", "pipe", "ipc"], execArgv: [], env: { ...process.env, ...options.env } });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout?.on("data", () => undefined);
    let running: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const failures: CellFailureReport[] = [];
    let timedOutCell: number | undefined;
    let settled = false;
    let executed = 0;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      child.kill("SIGKILL");
      const [failure] = failures;
      resolve({
        notebook,
        ...(failure ? { failure } : {}),
        failures,
        ...(timedOutCell !== undefined ? { timedOutCell } : {}),
        ms: performance.now() - t0,
      });
    };
    child.on("message", (msg: WorkerMessage) => {
      if (msg.type === "cell-start") {
        running = msg.index;
        options.onCell?.(msg.index);
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          timedOutCell = msg.index + 1;
          failures.push({ cell: msg.index + 1, message: `cell timed out after ${timeoutMs / 1000} s (killed)` });
          finish();
        }, timeoutMs);
      } else if (msg.type === "cell-done") {
        running = undefined;
        const cell = notebook.cells[msg.index];
        if (cell) {
          executed += 1;
          cell.outputs = msg.outputs;
          cell.execution_count = executed;
        }
        if (msg.failure) failures.push(locate(msg.index, msg.failure));
      } else if (msg.type === "finished") {
        finish();
      } else {
        failures.push({ cell: (running ?? -1) + 1, message: msg.message });
        finish();
      }
    });
    child.on("exit", (code, signal) => {
      if (settled) return;
      const tail = stderr.trim().split("\n").slice(-3).join(" | ");
      failures.push({ cell: (running ?? -1) + 1, message: `the notebook process ended unexpectedly (${signal ?? `exit ${code}`})${tail ? `: ${tail}` : ""}` });
      finish();
    });
  });
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
