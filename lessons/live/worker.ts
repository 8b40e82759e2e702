/**
 * The live runtime's Web Worker: one per page scope. It runs cells in order in its own global
 * scope (see cellCompiler.ts), turns console output, displays and a cell's value into outputs,
 * locates errors as `cell N:line L: message`, and answers the playground's Dedalus requests with
 * the CLI's JSON objects. A runaway cell is the page's business: it terminates this worker.
 */
import * as maze from "./mazeBrowser";
import * as internals from "../../lib/internals";
import { dedalusJson } from "../../lib/cli/dedalusJson";
import { cellSourceUrl, compileCell, IMPORT_FUNCTION } from "./cellCompiler";
import { format, inspect } from "./inspect";
import { MIME_ORDER, type FromWorker, type LiveOutput, type ToWorker } from "./protocol";
import { setDisplaySink } from "./twins/display";
import { processStreams } from "./twins/process";
import { setSvgRenderer } from "./twins/render";
import { playgroundReport } from "./playgroundReport";
import { transform } from "sucrase";
import type { SearchResult } from "../../lib/ldfi/result";

declare const self: {
  postMessage(m: FromWorker): void;
  addEventListener(t: string, f: (e: { data: ToWorker; reason?: unknown; preventDefault(): void }) => void): void;
};

// Protocol modules (lesson 10's handler twins) load here with sucrase standing in for TypeScript.
internals.setProtocolTranspiler((source, file) => transform(source, { transforms: ["typescript", "imports"], filePath: file }).code);

const post = (m: FromWorker): void => self.postMessage(m);
const scope = globalThis as unknown as Record<string, unknown>;
/** The page scope's names, for `maze.notebookScope()` (labs' self-checks read the student's definitions). */
const declared: Record<string, unknown> = {};
scope["__mazeScope__"] = new Proxy(declared, {
  get: (_t, k) => (typeof k === "string" ? scope[k] : undefined),
  ownKeys: () => Object.keys(declared),
  getOwnPropertyDescriptor: (_t, k) =>
    typeof k === "string" && k in declared ? { enumerable: true, configurable: true, value: scope[k] } : undefined,
});

const MODULES: Record<string, unknown> = { maze, "maze/internals": internals };
scope[IMPORT_FUNCTION] = (name: string): unknown => {
  if (name in MODULES) return MODULES[name];
  throw new Error(`cannot import "${name}" in the browser: cells here can import only "maze" and "maze/internals"`);
};

interface Running {
  readonly id: number;
  readonly cell: number;
  readonly outputs: LiveOutput[];
}
let running: Running | undefined;

function emit(output: LiveOutput, merge: boolean): void {
  const r = running;
  if (!r) return;
  const last = r.outputs[r.outputs.length - 1];
  if (merge && last && last.kind === output.kind) {
    const merged: LiveOutput = { ...last, text: last.text + output.text };
    r.outputs[r.outputs.length - 1] = merged;
    post({ type: "output", id: r.id, index: r.outputs.length - 1, output: merged });
    return;
  }
  r.outputs.push(output);
  post({ type: "output", id: r.id, index: r.outputs.length - 1, output });
}

const stream =
  (kind: "stdout" | "stderr") =>
  (text: string): void =>
    emit({ mime: "text/plain", text, kind }, true);
processStreams.stdout = stream("stdout");
processStreams.stderr = stream("stderr");
const out = stream("stdout");
const err = stream("stderr");
const cons = console as unknown as Record<string, (...a: unknown[]) => void>;
for (const k of ["log", "info", "debug", "trace"]) cons[k] = (...a: unknown[]) => out(format(...a) + "\n");
for (const k of ["error", "warn"]) cons[k] = (...a: unknown[]) => err(format(...a) + "\n");
cons["table"] = (data: unknown) => out(inspect(data) + "\n");

setDisplaySink((bundle) => {
  const mime = MIME_ORDER.find((m) => m in bundle) ?? Object.keys(bundle)[0] ?? "text/plain";
  const v = bundle[mime];
  emit({ mime, text: typeof v === "string" ? v : JSON.stringify(v), kind: "display", bundle }, false);
});

let svgRequests = 0;
const svgWaiting = new Map<number, { resolve(svg: string): void; reject(e: Error): void }>();
setSvgRenderer(
  (spec) =>
    new Promise((resolve, reject) => {
      const id = ++svgRequests;
      svgWaiting.set(id, { resolve, reject });
      post({ type: "svg-request", id, spec });
    }),
);

/** The failing line of the cell, from the first stack frame that names it. */
function lineOf(e: unknown, cell: number): number | undefined {
  const stack = e instanceof Error ? (e.stack ?? "") : "";
  const m = new RegExp(`${cellSourceUrl(cell)}:(\\d+):(\\d+)`).exec(stack);
  return m ? Number(m[1]) : undefined;
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return `uncaught ${inspect(e)}`;
}

/** Lets callbacks the cell started (chart displays, 0 ms timers) settle before it is reported done. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

async function runCell(id: number, cell: number, source: string): Promise<void> {
  running = { id, cell, outputs: [] };
  const t0 = performance.now();
  const located = (line: number | undefined, message: string): string =>
    line !== undefined ? `cell ${cell}:line ${line}: ${message}` : `cell ${cell}: ${message}`;
  const compiled = compileCell(source, cell);
  if (!compiled.ok) {
    post({
      type: "done",
      id,
      ok: false,
      ms: performance.now() - t0,
      error: located(compiled.line, compiled.message),
      ...(compiled.line !== undefined ? { line: compiled.line } : {}),
    });
    running = undefined;
    return;
  }
  for (const n of compiled.names) {
    if (!(n in scope)) scope[n] = undefined;
    declared[n] = true;
  }
  try {
    const value: unknown = await (0, eval)(compiled.code);
    if (value !== undefined && value !== null)
      emit({ mime: "text/plain", text: typeof value === "string" ? value : inspect(value), kind: "result" }, false);
    await settle();
    post({ type: "done", id, ok: true, ms: performance.now() - t0 });
  } catch (e) {
    await settle();
    const line = lineOf(e, cell);
    post({
      type: "done",
      id,
      ok: false,
      ms: performance.now() - t0,
      error: located(line, describe(e)),
      ...(line !== undefined ? { line } : {}),
    });
  } finally {
    running = undefined;
  }
}

// Runs are queued: the page may send several, and each must see the scope its predecessors left.
let queue: Promise<void> = Promise.resolve();

self.addEventListener("message", (e) => {
  const m = e.data;
  if (m.type === "svg") {
    const w = svgWaiting.get(m.id);
    svgWaiting.delete(m.id);
    if (m.svg !== undefined) w?.resolve(m.svg);
    else w?.reject(new Error(m.error ?? "the page could not render the chart"));
    return;
  }
  queue = queue.then(async () => {
    if (m.type === "run") await runCell(m.id, m.cell, m.source);
    else if (m.type === "dedalus") {
      let search: SearchResult | undefined;
      const json = dedalusJson(
        m.request,
        (line) => post({ type: "progress", id: m.id, line }),
        (r) => (search = r),
      );
      const report = m.report ? playgroundReport(m.request, json, search) : undefined;
      post({ type: "dedalus-done", id: m.id, json, ...(report ? { report } : {}) });
    }
  });
});

self.addEventListener("unhandledrejection", (e) => {
  e.preventDefault();
  const r = running;
  if (r) emit({ mime: "text/plain", text: `unhandled rejection: ${describe(e.reason)}\n`, kind: "stderr" }, true);
});

post({ type: "ready" });
