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
  /** Called as each code cell starts, e.g. for progress output. */
  readonly onCell?: (index: number) => void;
}

/** Default per-cell time limit, generous because a cold vega import alone costs a few hundred ms. */
export const DEFAULT_CELL_TIMEOUT_MS = 120_000;

/** The result of executing a notebook: the notebook with outputs, and the first failure if any. */
export interface ExecutionResult {
  readonly notebook: Notebook;
  readonly failure?: { readonly cell: number; readonly line?: number; readonly column?: number; readonly message: string };
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
  for (const c of notebook.cells) if (c.cell_type === "code") { c.outputs = []; c.execution_count = null; }
  return new Promise((resolve) => {
    const child = fork(WORKER, [path.resolve(file)], { stdio: ["ignore", "pipe", "pipe", "ipc"], execArgv: [] });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout?.on("data", () => undefined);
    let running: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    let failure: ExecutionResult["failure"];
    let settled = false;
    let executed = 0;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      child.kill("SIGKILL");
      const result: ExecutionResult = failure ? { notebook, failure, ms: performance.now() - t0 } : { notebook, ms: performance.now() - t0 };
      resolve(result);
    };
    child.on("message", (msg: WorkerMessage) => {
      if (msg.type === "cell-start") {
        running = msg.index;
        options.onCell?.(msg.index);
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          failure = { cell: msg.index + 1, message: `cell timed out after ${timeoutMs / 1000} s (killed)` };
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
        if (msg.failure) failure = locate(msg.index, msg.failure);
      } else if (msg.type === "finished") {
        finish();
      } else {
        failure = { cell: (running ?? -1) + 1, message: msg.message };
        finish();
      }
    });
    child.on("exit", (code, signal) => {
      if (settled) return;
      const tail = stderr.trim().split("\n").slice(-3).join(" | ");
      failure ??= { cell: (running ?? -1) + 1, message: `the notebook process ended unexpectedly (${signal ?? `exit ${code}`})${tail ? `: ${tail}` : ""}` };
      finish();
    });
  });
}

function locate(index: number, f: CellFailure): NonNullable<ExecutionResult["failure"]> {
  const out: { cell: number; line?: number; column?: number; message: string } = { cell: index + 1, message: f.message };
  if (f.line !== undefined) out.line = f.line;
  if (f.column !== undefined) out.column = f.column;
  return out;
}

/** Formats a failure as `notebook:cell N:line L: message`. */
export function formatFailure(file: string, f: NonNullable<ExecutionResult["failure"]>): string {
  return `${file}:cell ${f.cell}${f.line !== undefined ? `:line ${f.line}` : ""}: ${f.message}`;
}
