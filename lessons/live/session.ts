/**
 * One page scope: a Web Worker started from the worker source the page loaded (a blob: URL, which
 * also works from file://), a first-in first-out queue of runs, the per-cell time limit, and Stop.
 * Terminating the worker is the only way to stop a cell that never yields; the scope goes with it,
 * and the next run starts a fresh worker.
 */
import type { RunOutput, RunResult } from "./liveApi";
import type { FromWorker, LiveOutput, ToWorker } from "./protocol";
import type { DedalusJsonRequest } from "../../lib/cli/dedalusJson";
import { dedalusJsonError } from "../../lib/cli/jsonSchema";

/** A cell's default time limit: a lesson's longest cell takes a few seconds in Node; a runaway one is stopped after this. */
export const DEFAULT_TIME_LIMIT_MS = 30_000;

/** What a run reports while it goes. */
export interface RunListener {
  output?(index: number, output: LiveOutput): void;
  progress?(line: string): void;
}

interface Pending {
  readonly id: number;
  readonly message: ToWorker;
  readonly listener: RunListener;
  readonly timeLimitMs: number | undefined;
  readonly outputs: LiveOutput[];
  resolve(value: FromWorker): void;
}

/** The page side of the worker protocol. */
export class Session {
  private worker: Worker | undefined;
  private started: Promise<void> | undefined;
  private queue: Pending[] = [];
  private current: Pending | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private nextId = 1;
  /** Per-cell limit in milliseconds (the page may change it). */
  timeLimitMs = DEFAULT_TIME_LIMIT_MS;

  constructor(
    private readonly source: string,
    private readonly renderSvg: (spec: object) => Promise<string>,
  ) {}

  /** Starts a worker if there is none; resolves when it has loaded the library. */
  start(): Promise<void> {
    if (this.started) return this.started;
    const url = URL.createObjectURL(new Blob([this.source], { type: "text/javascript" }));
    const worker = new Worker(url);
    this.worker = worker;
    this.started = new Promise((resolve, reject) => {
      worker.onerror = (e) => reject(new Error(`the worker failed to start: ${e.message}`));
      worker.onmessage = (e: MessageEvent<FromWorker>) => {
        if (e.data.type === "ready") {
          URL.revokeObjectURL(url);
          worker.onmessage = (m: MessageEvent<FromWorker>) => this.receive(m.data);
          resolve();
        }
      };
    });
    return this.started;
  }

  /** True while a worker (and so a scope) exists. */
  get alive(): boolean {
    return this.worker !== undefined;
  }

  /** Runs one cell after those queued; resolves with the contract's result. */
  async run(cell: number, source: string, listener: RunListener = {}): Promise<RunResult> {
    await this.start();
    const id = this.nextId++;
    const done = await this.enqueue({ type: "run", id, cell, source }, listener, this.timeLimitMs);
    return toResult(done.message, done.outputs);
  }

  /** Answers a playground request (no time limit: the search has its own; Stop ends it). */
  async dedalus(request: DedalusJsonRequest, listener: RunListener = {}, report = false): Promise<{ json: object; report?: object }> {
    await this.start();
    const id = this.nextId++;
    const done = await this.enqueue({ type: "dedalus", id, request, report }, listener, undefined);
    const m = done.message;
    if (m.type === "dedalus-done") return m.report ? { json: m.json, report: m.report } : { json: m.json };
    return { json: dedalusJsonError(m.type === "done" ? (m.error ?? "stopped") : "stopped") };
  }

  /** Ends the worker: every pending run resolves with `error` ("stopped" for Stop). */
  stop(error = "stopped"): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.worker?.terminate();
    this.worker = undefined;
    this.started = undefined;
    const pending = [...(this.current ? [this.current] : []), ...this.queue];
    this.current = undefined;
    this.queue = [];
    for (const p of pending) p.resolve({ type: "done", id: p.id, ok: false, ms: 0, error });
  }

  private enqueue(
    message: ToWorker,
    listener: RunListener,
    timeLimitMs: number | undefined,
  ): Promise<{ message: FromWorker; outputs: LiveOutput[] }> {
    return new Promise((resolve) => {
      const outputs: LiveOutput[] = [];
      const p: Pending = { id: message.id, message, listener, timeLimitMs, outputs, resolve: (m) => resolve({ message: m, outputs }) };
      this.queue.push(p);
      this.pump();
    });
  }

  private pump(): void {
    if (this.current || this.queue.length === 0 || !this.worker) return;
    const p = this.queue.shift()!;
    this.current = p;
    if (p.timeLimitMs !== undefined) {
      const limit = p.timeLimitMs;
      const cell = p.message.type === "run" ? p.message.cell : -1;
      this.timer = setTimeout(() => {
        const current = this.current;
        this.current = undefined;
        current?.resolve({
          type: "done",
          id: p.id,
          ok: false,
          ms: limit,
          error: `cell ${cell}: stopped after the time limit of ${limit / 1000} s (the page's scope was reset)`,
        });
        this.stop("stopped");
      }, limit);
    }
    this.worker.postMessage(p.message);
  }

  private receive(m: FromWorker): void {
    if (m.type === "svg-request") {
      this.renderSvg(m.spec).then(
        (svg) => this.worker?.postMessage({ type: "svg", id: m.id, svg } satisfies ToWorker),
        (e: unknown) =>
          this.worker?.postMessage({ type: "svg", id: m.id, error: e instanceof Error ? e.message : String(e) } satisfies ToWorker),
      );
      return;
    }
    const p = this.current;
    if (!p || m.type === "ready" || m.id !== p.id) return;
    if (m.type === "output") {
      p.outputs[m.index] = m.output;
      p.listener.output?.(m.index, m.output);
    } else if (m.type === "progress") {
      p.listener.progress?.(m.line);
    } else {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.current = undefined;
      p.resolve(m);
      this.pump();
    }
  }
}

function toResult(m: FromWorker, outputs: readonly LiveOutput[]): RunResult {
  const outs: RunOutput[] = outputs.filter((o) => o !== undefined).map((o) => ({ mime: o.mime, text: o.text }));
  if (m.type !== "done") return { ok: false, ms: 0, outputs: outs, error: "stopped" };
  return m.error !== undefined ? { ok: m.ok, ms: m.ms, outputs: outs, error: m.error } : { ok: m.ok, ms: m.ms, outputs: outs };
}
