import * as path from "node:path";
import * as util from "node:util";
import { EXIT } from "../../lib/cli/exitCodes";
import type { Cell, Output } from "./notebookFormat";
import { readNotebook } from "./notebookFormat";
import { AMBIENT_TYPES_ENV, converterFolder } from "./converterFolder";

/**
 * The child process that executes notebooks with tslab's own converter and executor, in-process:
 * no Jupyter, no Python, no ZeroMQ. It talks to its parent (execute.ts) over the IPC channel only, so
 * a cell that loops forever is killed by the parent without losing what was already reported.
 *
 * Two modes:
 * - `worker NOTEBOOK [--continue]` executes one notebook and exits (a fresh process: what graders
 *   use, so one submission never sees another's process);
 * - `worker --serve FOLDER` stays up and executes every notebook its parent sends
 *   ({@link WorkerRequest}) whose {@link converterFolder} is FOLDER, one at a time, each with a fresh
 *   tslab executor (fresh top-level names) but the same tslab converter: the converter's TypeScript
 *   program, with the standard library's and maze's declarations already parsed and bound, is what
 *   costs seconds to build, and a warm one type-checks a cell in tens of milliseconds.
 */

/** Messages from worker to parent. */
export type WorkerMessage =
  | { type: "cell-start"; index: number }
  | { type: "cell-done"; index: number; outputs: Output[]; failure?: CellFailure }
  | { type: "finished" }
  | { type: "fatal"; message: string };

/** A request to a `--serve` worker: execute one notebook, then answer `finished` (or `fatal`). */
export interface WorkerRequest {
  readonly type: "run";
  readonly file: string;
  /** Keep executing after a failing cell; the first failure is still reported. */
  readonly continueOnError: boolean;
  /** Environment variables set while this notebook runs (and restored after it). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Why a cell failed, located by cell line where it can be. */
export interface CellFailure {
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

interface NodeConverter {
  close(): void;
  convert(prev: string, src: string): { output?: string };
}
interface TslabConverterSet {
  node: NodeConverter;
  browser: NodeConverter;
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
      appendStream(
        outputs,
        "stderr",
        `\n[maze] cell ${budget.cell} printed more than ${MAX_CELL_PRINT_BYTES} bytes; the rest was dropped\n`,
      );
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
    const key =
      js
        .replace(/^(const|let|var|return|await) /, "")
        .split(/[(;]/)[0]
        ?.trim() ?? "";
    const lines = source.split("\n");
    const idx = key.length > 2 ? lines.findIndex((l) => l.includes(key)) : -1;
    if (idx >= 0) return { line: idx + 1 };
  }
  return {};
}

/**
 * Limits the declarations TypeScript loads on its own to Node's. Without a `types` option (tslab
 * sets none) TypeScript includes every package under `node_modules/@types` as global declarations:
 * in this project that is jest's, which pull in babel's and more, about a third of the converter's
 * start-up; no notebook should see jest's globals anyway. A package a cell imports is still
 * resolved through `@types` by name, so only ambient globals from other `@types` packages are lost
 * ({@link AMBIENT_TYPES_ENV} brings them back).
 */
function onlyNodeAmbientTypes(ts: { sys: { getDirectories(p: string): string[] } }): void {
  const getDirectories = ts.sys.getDirectories.bind(ts.sys);
  ts.sys.getDirectories = (p: string): string[] => {
    const dirs = getDirectories(p);
    return path.basename(p) === "@types" && path.basename(path.dirname(p)) === "node_modules" ? dirs.filter((d) => d === "node") : dirs;
  };
}

/** What TypeScript's `sys.watchFile` / `sys.watchDirectory` give back. */
interface TsWatchers {
  sys: { watchFile?: (...args: never[]) => { close(): void }; watchDirectory?: (...args: never[]) => { close(): void } };
}

/**
 * tslab compiles through TypeScript's watch program, which puts an `fs.watch` on every folder and
 * file it reads: 162 inotify watches in one notebook process, measured. A headless run never needs
 * them to fire (tslab's own in-memory sources are watched through its own `sys`, not these), and
 * they are what failed under load: a watcher that fails (its folder removed, the machine's inotify
 * watches or instances used up by other processes; this machine allows 128 instances per user)
 * emits "error" and takes the process down mid-notebook, seen in CI as "ended unexpectedly ... at
 * FSWatcher.emit", in the site build and in grading. So the worker opens none. The one thing lost:
 * a module file a cell rewrites after an earlier cell imported it is not re-read.
 */
function watchNothing(ts: TsWatchers): void {
  const none = (): { close(): void } => ({ close: () => undefined });
  ts.sys.watchFile = none;
  ts.sys.watchDirectory = none;
}

let tslabLoaded = false;
function loadTslab(): void {
  if (tslabLoaded) return;
  tslabLoaded = true;
  // The TypeScript tslab itself loads (resolved from tslab's folder): patching another copy would do nothing.
  const tslabDir = path.dirname(require.resolve("tslab/package.json"));
  const ts = require(require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] })) as TsWatchers & {
    sys: { getDirectories(p: string): string[] };
  };
  watchNothing(ts);
  if (process.env[AMBIENT_TYPES_ENV] !== "all") onlyNodeAmbientTypes(ts);
}

/** Creates a tslab converter for sources that live in `dir` (tslab takes its folder from the cwd). */
function createConverter(dir: string): NodeConverter {
  loadTslab();
  const { createConverter: create } = require("tslab/dist/converter") as {
    createConverter: (o: { isJS: boolean; isBrowser: boolean }) => NodeConverter;
  };
  const before = process.cwd();
  process.chdir(dir);
  try {
    return create({ isJS: false, isBrowser: false });
  } finally {
    process.chdir(before);
  }
}

/** Executes one notebook, streaming cell-start/cell-done to the parent; returns when it is done. */
async function runNotebook(file: string, continueOnError: boolean, converter: NodeConverter): Promise<void> {
  const nb = readNotebook(file);
  const dir = path.dirname(path.resolve(file));
  process.chdir(dir);

  const { createExecutor } = require("tslab/dist/executor") as {
    createExecutor: (
      root: string,
      convs: TslabConverterSet,
      console: { log(...a: unknown[]): void; error(...a: unknown[]): void },
    ) => TslabExecutor;
  };
  const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: Sink | null };

  let outputs: Output[] = [];
  let budget: PrintBudget = { cell: 0, printed: 0, cut: false };
  let failure: CellFailure | undefined;
  let current: Cell | undefined;
  // Keep the JavaScript tslab compiled the cell to, to map a runtime error's line back to the cell.
  let compiledLines: string[] | undefined;
  const node: NodeConverter = {
    close: () => converter.close(),
    convert: (prev, src) => {
      const r = converter.convert(prev, src);
      compiledLines = r.output?.split("\n");
      return r;
    },
  };
  // The executor closes its converters when it closes; the converter outlives this notebook.
  const convs: TslabConverterSet = { node, browser: node, close: () => undefined };

  // Capture what the cell's code prints, as Jupyter would show it.
  const realOut = process.stdout.write.bind(process.stdout);
  const realErr = process.stderr.write.bind(process.stderr);
  const capture = (name: "stdout" | "stderr") =>
    ((chunk: string | Uint8Array): boolean => {
      appendStream(outputs, name, typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"), budget);
      return true;
    }) as typeof process.stdout.write;

  const executor = createExecutor(dir, convs, {
    log: (...args: unknown[]) => {
      // tslab logs the value of a cell's last expression through here.
      outputs.push({
        output_type: "execute_result",
        data: { "text/plain": args.map((a) => (typeof a === "string" ? a : util.inspect(a))).join(" ") },
        metadata: {},
        execution_count: null,
      });
    },
    error: (...args: unknown[]) => {
      const [first] = args;
      if (first instanceof Error) {
        const where = locateRuntimeError(first, current?.source ?? "", compiledLines);
        failure ??= { ...where, message: `${first.name}: ${first.message}` };
        outputs.push({
          output_type: "error",
          ename: first.name,
          evalue: first.message,
          traceback: (first.stack ?? String(first)).split("\n"),
        });
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
  const onRejection = (reason: unknown): void => {
    const err = reason instanceof Error ? reason : new Error(String(reason));
    failure ??= { message: `unhandled rejection: ${err.message}` };
    outputs.push({ output_type: "error", ename: err.name, evalue: err.message, traceback: (err.stack ?? "").split("\n") });
  };
  process.on("unhandledRejection", onRejection);

  try {
    let count = 0;
    for (const [index, cell] of nb.cells.entries()) {
      if (cell.cell_type !== "code" || cell.source.trim() === "") continue;
      current = cell;
      outputs = [];
      budget = { cell: index + 1, printed: 0, cut: false };
      failure = undefined;
      void send({ type: "cell-start", index });
      process.stdout.write = capture("stdout");
      process.stderr.write = capture("stderr");
      let ok: boolean;
      try {
        ok = await executor.execute(cell.source);
        // Let promise callbacks the cell started (display of charts, timers of 0 ms) settle, and wait
        // for the charts it showed without `await` (maze.show renders asynchronously): they belong here.
        await new Promise((r) => setImmediate(r));
        for (let pending = pendingDisplays(); pending && pending.size > 0;) await Promise.allSettled([...pending]);
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
  } finally {
    process.off("unhandledRejection", onRejection);
    jupyter.lastWriteDisplayData = null;
    executor.close();
  }
}

/** One notebook in a fresh process: the converter is made for it and closed after it. */
async function runOnce(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error("usage: worker NOTEBOOK [--continue] | worker --serve FOLDER");
  // Graders keep going past a failing cell so later work is still graded; lessons stop at the first.
  const continueOnError = process.argv.includes("--continue");
  const converter = createConverter(path.dirname(path.resolve(file)));
  try {
    await runNotebook(file, continueOnError, converter);
  } finally {
    converter.close();
  }
  await send({ type: "finished" });
}

/** Serves notebooks of one converter folder one at a time, all on the same converter. */
function serve(folder: string): void {
  let converter: NodeConverter | undefined;
  let queue = Promise.resolve();
  process.on("message", (msg: WorkerRequest) => {
    if (msg?.type !== "run") return;
    queue = queue.then(async () => {
      const saved = new Map<string, string | undefined>();
      try {
        const wanted = converterFolder(msg.file, readNotebook(msg.file).cells);
        if (wanted !== folder) throw new Error(`this worker type-checks notebooks of ${folder}, not of ${wanted}`);
        for (const [k, v] of Object.entries(msg.env ?? {})) {
          saved.set(k, process.env[k]);
          process.env[k] = v;
        }
        converter ??= createConverter(folder);
        await runNotebook(msg.file, msg.continueOnError, converter);
        await send({ type: "finished" });
      } catch (e) {
        await send({ type: "fatal", message: e instanceof Error ? e.message : String(e) });
      } finally {
        for (const [k, v] of saved) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
    });
  });
  // A promise a notebook left behind may reject after it finished: nothing to report it to.
  process.on("unhandledRejection", () => undefined);
  // The parent going away ends the worker (its converter's file watchers would keep it alive).
  process.on("disconnect", () => process.exit(EXIT.ok));
}

if (require.main !== module) {
  // imported for its types or constants: nothing to run
} else if (process.argv[2] === "--serve") serve(path.resolve(process.argv[3] ?? "."));
else
  runOnce().then(
    () => process.disconnect?.(),
    async (e: unknown) => {
      await send({ type: "fatal", message: e instanceof Error ? e.message : String(e) });
      process.disconnect?.();
    },
  );
