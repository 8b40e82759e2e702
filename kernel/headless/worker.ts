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

function send(msg: WorkerMessage): void {
  process.send?.(msg);
}

/** Appends text to the last output when it is the same stream, as Jupyter front ends show it. */
function appendStream(outputs: Output[], name: "stdout" | "stderr", text: string): void {
  const last = outputs.at(-1);
  if (last && last.output_type === "stream" && last.name === name) last.text += text;
  else outputs.push({ output_type: "stream", name, text });
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
      appendStream(outputs, name, typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
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
    failure = undefined;
    send({ type: "cell-start", index });
    process.stdout.write = capture("stdout");
    process.stderr.write = capture("stderr");
    let ok: boolean;
    try {
      ok = await executor.execute(cell.source);
      // Let promise callbacks the cell started (display of charts, timers of 0 ms) settle.
      await new Promise((r) => setImmediate(r));
    } finally {
      process.stdout.write = realOut;
      process.stderr.write = realErr;
    }
    count += 1;
    for (const o of outputs) if (o.output_type === "execute_result") o.execution_count = count;
    if (!ok && !failure) failure = { message: "the cell failed (see its output)" };
    send(failure ? { type: "cell-done", index, outputs, failure } : { type: "cell-done", index, outputs });
    if (failure && !continueOnError) break;
  }
  executor.close();
  send({ type: "finished" });
}

main().then(
  () => process.disconnect?.(),
  (e: unknown) => {
    send({ type: "fatal", message: e instanceof Error ? e.message : String(e) });
    process.disconnect?.();
  },
);
