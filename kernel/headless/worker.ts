import * as path from "node:path";
import * as util from "node:util";
import type { Cell, Output } from "./notebookFormat";
import { readNotebook } from "./notebookFormat";

/**
 * The child process that executes one notebook with tslab's own converter and executor, in-process:
 * no Jupyter, no Python, no ZeroMQ. It talks to its parent (execute.ts) over the IPC channel only, so
 * a cell that loops forever is killed by the parent without losing what was already reported.
 */

/** Messages from worker to parent. */
export type WorkerMessage =
  | { type: "cell-start"; index: number }
  | { type: "cell-done"; index: number; outputs: Output[]; failure?: CellFailure }
  | { type: "finished" }
  | { type: "fatal"; message: string };

/** Why a cell failed, located by cell line where it can be. */
export interface CellFailure {
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

interface TslabConverterSet {
  node: unknown;
  browser: unknown;
  close(): void;
}
interface TslabExecutor {
  execute(src: string): Promise<boolean>;
  close(): void;
}
type Sink = (d: { data: Record<string, unknown>; metadata: Record<string, unknown> }, update: boolean) => void;

/**
 * Sends a message and resolves once it has left the process: a large message (a cell that printed
 * a megabyte) is written in pieces, and disconnecting before the last piece drops it — the parent
 * then saw the process end "unexpectedly" after a perfectly good notebook.
 */
function send(msg: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

/**
 * Bytes one cell may print (stdout and stderr together, UTF-8): a lesson cell prints a few lines, and
 * charts are display outputs that do not count. Past it the rest is dropped with a note saying so,
 * so a runaway loop of prints cannot grow the notebook (and the IPC message that carries it)
 * without bound.
 */
export const MAX_CELL_PRINT_BYTES = 1_000_000;

/** What one cell has printed so far, and whether its output was already cut. */
interface PrintBudget {
  cell: number;
  printed: number;
  cut: boolean;
}

/** Appends text to the last output when it is the same stream, as Jupyter front ends show it; stops at the cell's budget. */
function appendStream(outputs: Output[], name: "stdout" | "stderr", text: string, budget?: PrintBudget): void {
  if (budget) {
    if (budget.cut) return;
    const bytes = Buffer.byteLength(text);
    const room = MAX_CELL_PRINT_BYTES - budget.printed;
    if (bytes > room) {
      budget.cut = true;
      appendStream(outputs, name, Buffer.from(text).subarray(0, room).toString("utf8"));
      appendStream(outputs, "stderr", `\n[maze] cell ${budget.cell} printed more than ${MAX_CELL_PRINT_BYTES} bytes; the rest was dropped\n`);
      return;
    }
    budget.printed += bytes;
  }
  const last = outputs.at(-1);
  if (last && last.output_type === "stream" && last.name === name) last.text += text;
  else outputs.push({ output_type: "stream", name, text });
}

/** The charts a cell started and has not finished displaying (kernel/display.ts registers them). */
function pendingDisplays(): Set<Promise<void>> | undefined {
  return (globalThis as Record<symbol, Set<Promise<void>> | undefined>)[Symbol.for("maze.pendingDisplays")];
}

/** A runtime error's line inside the cell: tslab runs a cell as `evalmachine.<anonymous>`. */
function locateRuntimeError(err: Error, source: string, compiledLines: string[] | undefined): { line?: number; column?: number } {
  const m = /evalmachine\.<anonymous>:(\d+):(\d+)/.exec(err.stack ?? "");
  if (!m) return {};
  const jsLine = Number(m[1]);
  // The compiled JavaScript drops type-only lines, so map the failing JS line back to the cell by
  // its text: the first source line containing the statement's leading code.
  const js = compiledLines?.[jsLine - 1]?.trim();
  if (js) {
    const key = js.replace(/^(const|let|var|return|await) /, "").split(/[(;]/)[0]?.trim() ?? "";
    const lines = source.split("\n");
    const idx = key.length > 2 ? lines.findIndex((l) => l.includes(key)) : -1;
    if (idx >= 0) return { line: idx + 1 };
  }
  return {};
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error("usage: worker NOTEBOOK [--continue]");
  // Graders keep going past a failing cell so later work is still graded; lessons stop at the first.
  const continueOnError = process.argv.includes("--continue");
  const nb = readNotebook(file);
  process.chdir(path.dirname(path.resolve(file)));

  const { createConverter } = require("tslab/dist/converter") as { createConverter(o: { isJS: boolean; isBrowser: boolean }): { close(): void } };
  const { createExecutor } = require("tslab/dist/executor") as {
    createExecutor(root: string, convs: TslabConverterSet, console: { log(...a: unknown[]): void; error(...a: unknown[]): void }): TslabExecutor;
  };
  const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: Sink | null };

  let outputs: Output[] = [];
  let budget: PrintBudget = { cell: 0, printed: 0, cut: false };
  let failure: CellFailure | undefined;
  let current: Cell | undefined;
  const node = createConverter({ isJS: false, isBrowser: false }) as { close(): void; convert(prev: string, src: string): { output?: string } };
  // Keep the JavaScript tslab compiled the cell to, to map a runtime error's line back to the cell.
  let compiledLines: string[] | undefined;
  const convert = node.convert.bind(node);
  node.convert = (prev, src) => {
    const r = convert(prev, src);
    compiledLines = r.output?.split("\n");
    return r;
  };
  const convs: TslabConverterSet = { node, browser: node, close: () => node.close() };

  // Capture what the cell's code prints, as Jupyter would show it.
  const realOut = process.stdout.write.bind(process.stdout);
  const realErr = process.stderr.write.bind(process.stderr);
  const capture = (name: "stdout" | "stderr") =>
    ((chunk: string | Uint8Array): boolean => {
      appendStream(outputs, name, typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"), budget);
      return true;
    }) as typeof process.stdout.write;

  const executor = createExecutor(process.cwd(), convs, {
    log: (...args: unknown[]) => {
      // tslab logs the value of a cell's last expression through here.
      outputs.push({ output_type: "execute_result", data: { "text/plain": args.map((a) => (typeof a === "string" ? a : util.inspect(a))).join(" ") }, metadata: {}, execution_count: null });
    },
    error: (...args: unknown[]) => {
      const [first] = args;
      if (first instanceof Error) {
        const where = locateRuntimeError(first, current?.source ?? "", compiledLines);
        failure ??= { ...where, message: `${first.name}: ${first.message}` };
        outputs.push({ output_type: "error", ename: first.name, evalue: first.message, traceback: (first.stack ?? String(first)).split("\n") });
      } else {
        // Compile diagnostics: "%s%d:%d - %s" with a zero-based line made one-based by tslab.
        const text = util.format(...(args as [unknown, ...unknown[]]));
        const m = /^(?:\S+ )?(\d+):(\d+) - ([\s\S]*)$/.exec(text);
        if (m) failure ??= { line: Number(m[1]), column: Number(m[2]), message: m[3] ?? text };
        else failure ??= { message: text };
        appendStream(outputs, "stderr", text + "\n");
      }
    },
  });
  jupyter.lastWriteDisplayData = (d) => {
    outputs.push({ output_type: "display_data", data: d.data, metadata: d.metadata ?? {} });
  };
  process.on("unhandledRejection", (reason) => {
    const err = reason instanceof Error ? reason : new Error(String(reason));
    failure ??= { message: `unhandled rejection: ${err.message}` };
    outputs.push({ output_type: "error", ename: err.name, evalue: err.message, traceback: (err.stack ?? "").split("\n") });
  });

  let count = 0;
  for (const [index, cell] of nb.cells.entries()) {
    if (cell.cell_type !== "code" || cell.source.trim() === "") continue;
    current = cell;
    outputs = [];
    budget = { cell: index + 1, printed: 0, cut: false };
    failure = undefined;
    send({ type: "cell-start", index });
    process.stdout.write = capture("stdout");
    process.stderr.write = capture("stderr");
    let ok: boolean;
    try {
      ok = await executor.execute(cell.source);
      // Let promise callbacks the cell started (display of charts, timers of 0 ms) settle, and wait
      // for the charts it showed without `await` (maze.show renders asynchronously): they belong here.
      await new Promise((r) => setImmediate(r));
      for (let pending = pendingDisplays(); pending && pending.size > 0; ) await Promise.allSettled([...pending]);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.stdout.write = realOut;
      process.stderr.write = realErr;
    }
    count += 1;
    for (const o of outputs) if (o.output_type === "execute_result") o.execution_count = count;
    if (!ok && !failure) failure = { message: "the cell failed (see its output)" };
    await send(failure ? { type: "cell-done", index, outputs, failure } : { type: "cell-done", index, outputs });
    if (failure && !continueOnError) break;
  }
  executor.close();
  await send({ type: "finished" });
}

main().then(
  () => process.disconnect?.(),
  async (e: unknown) => {
    await send({ type: "fatal", message: e instanceof Error ? e.message : String(e) });
    process.disconnect?.();
  },
);
