import type { Program } from "../dedalus/ast";
import type { RunExpansion } from "./expansion";
import type { FaultBounds, FaultSet } from "./faults";
import { nodeBuiltin } from "./nodeBuiltins";
import type { HypothesisOrder } from "./result";

/**
 * How a worker thread rebuilds a search's target: plain data (structured-cloneable), because a
 * target object itself cannot cross threads. Only Dedalus programs on the real evaluator have one
 * (`dedalusProgramTarget`); a target without a recipe is always searched sequentially.
 */
export interface TargetRecipe {
  readonly kind: "dedalus";
  readonly program: Program;
  readonly eot: number;
  readonly nodes?: readonly string[];
  readonly crashSensitive: boolean;
  /** The blocking analysis's join budget (`dedalusProgramTarget`'s option), when not the default. */
  readonly joinBudget?: number;
}

/** The fixed part of one search a worker needs, sent once per worker per search. */
export interface PoolSearchContext {
  readonly recipe: TargetRecipe;
  readonly failureFreePost: readonly string[];
  readonly bounds: FaultBounds;
  readonly order: HypothesisOrder;
  /** The search's deadline as a wall-clock epoch (`performance.timeOrigin + deadline`): each thread has its own `performance.now()` origin. */
  readonly deadlineEpoch: number;
  readonly maxHeapBytes: number;
  readonly runLimits: { readonly maxTuples?: number; readonly wallMs?: number };
}

/** Main thread → worker. */
export type PoolRequest =
  | { readonly type: "search"; readonly ctx: number; readonly search: PoolSearchContext }
  | { readonly type: "job"; readonly ctx: number; readonly key: string; readonly faults: FaultSet; readonly cap: number }
  | { readonly type: "end"; readonly ctx: number };

/** Worker → main thread: one per job (`ok: false` when the run or its lineage threw; the loop then redoes it itself). */
export type PoolReply =
  | { readonly type: "ready" }
  | {
      readonly type: "result";
      readonly ctx: number;
      readonly key: string;
      readonly ok: true;
      readonly wallMs: number;
      readonly missing: string[];
      readonly expansion: RunExpansion | null;
    }
  | { readonly type: "result"; readonly ctx: number; readonly key: string; readonly ok: false; readonly error: string };

/** A finished job as the loop reads it. */
export type PoolResult = Extract<PoolReply, { type: "result" }>;

type WorkerThreads = typeof import("node:worker_threads");

/** node:worker_threads, looked up at run time so the browser build of the library (lessons/live) bundles the loop unchanged; undefined there. */
function workerThreads(): WorkerThreads | undefined {
  return nodeBuiltin<WorkerThreads>("node:worker_threads");
}

/**
 * Every core (`os.availableParallelism()`): the default of `maze ldfi --jobs`. Looked up at run
 * time like the worker threads, so the browser build (one thread) answers 1.
 */
export function defaultJobs(): number {
  const os = nodeBuiltin<typeof import("node:os")>("node:os");
  return os ? os.availableParallelism() : 1;
}

/** CPU time of the whole machine in clock ticks: `idle` (idle and iowait) of `total`. */
export interface CpuTimes {
  readonly idle: number;
  readonly total: number;
}

/** The machine's CPU time so far, from the text of Linux's /proc/stat (its first, `cpu `, line), or null. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split("\n", 1)[0] ?? "";
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  if (!line.startsWith("cpu ") || ticks.length < 4 || ticks.some((t) => !Number.isFinite(t))) return null;
  // user nice system idle iowait irq softirq steal ...: idle and iowait are time no task wanted the CPU
  return { idle: (ticks[3] ?? 0) + (ticks[4] ?? 0), total: ticks.slice(0, 8).reduce((x, y) => x + y, 0) };
}

/** Whether at least half a core of `cores` was idle between two readings. */
export function spareCoreBetween(before: CpuTimes, after: CpuTimes, cores: number): boolean {
  const total = after.total - before.total;
  return total > 0 && ((after.idle - before.idle) / total) * cores >= 0.5;
}

function cpuTimes(fs: typeof import("node:fs")): CpuTimes | null {
  try {
    return parseProcStat(fs.readFileSync("/proc/stat", "utf8"));
  } catch {
    return null;
  }
}

/**
 * A probe of whether the machine has a core to spare, asked again and again while a search runs:
 * each answer is the idle CPU of the whole machine since the previous one (the first since the
 * probe was made), at least half a core. Linux shares the CPU between sessions (autogroup
 * scheduling), so while other sessions keep every core busy a second thread of this process only
 * splits this process's share, and a cold worker's slower first runs make the search slower than
 * one thread (measured here at load 10–17: ack_broadcast 8/6/1 took 2.3–4.2x longer with a worker).
 * It used to read the 1-minute load average, which lags by a minute and counts this search's own
 * threads, V8's helper threads and the searches just before it: on an idle 2-core machine, back to
 * back `--jobs 2` runs saw load 2.8–3.2 and never started a worker. Where /proc/stat is missing the
 * load average is still the answer (below the cores minus a half; unknown, 0 on Windows: yes).
 */
export function idleCoreProbe(): () => boolean {
  const os = nodeBuiltin<typeof import("node:os")>("node:os");
  const fs = nodeBuiltin<typeof import("node:fs")>("node:fs");
  if (!os || !fs) return () => false;
  const cores = os.availableParallelism();
  let last = cpuTimes(fs);
  return () => {
    const now = cpuTimes(fs);
    if (!now || !last) {
      const [load = 0] = os.loadavg();
      return load < cores - 0.5;
    }
    const spare = spareCoreBetween(last, now, cores);
    last = now;
    return spare;
  };
}

/**
 * The worker script: the compiled poolWorker.js beside this file, or — when this file runs as
 * TypeScript (jest through ts-jest) — the compiled copy in dist/, which `npm test` builds first.
 */
function workerScript(): string | null {
  const path = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:path") as
    typeof import("node:path") | undefined;
  const fs = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:fs") as
    typeof import("node:fs") | undefined;
  if (!path || !fs || typeof __dirname !== "string") return null;
  const beside = path.join(__dirname, "poolWorker.js");
  if (fs.existsSync(beside)) return beside;
  const compiled = path.join(__dirname, "..", "..", "dist", "lib", "ldfi", "poolWorker.js");
  return fs.existsSync(compiled) ? compiled : null;
}

interface PoolWorker {
  readonly worker: import("node:worker_threads").Worker;
  readonly port: import("node:worker_threads").MessagePort;
  ready: boolean;
  dead: boolean;
  /** Jobs sent and not yet answered (of any search). */
  outstanding: number;
  /** Searches this worker has been told about. */
  readonly knows: Set<number>;
  /** performance.now() of its last reply, to give up on a worker that stopped answering. */
  lastReply: number;
}

/**
 * Worker threads that run LDFI hypotheses (execution, judging, lineage, enumeration) for the loop.
 * One pool per process, shared by every search in it and grown on demand; its workers do not keep
 * the process alive. The loop stays synchronous: it waits for a reply with `Atomics.wait` on a
 * counter the workers bump after each reply, and reads replies with `receiveMessageOnPort`.
 */
class WorkerPool {
  private readonly workers: PoolWorker[] = [];
  /** Replies posted by every worker (each bumps it after posting), against {@link received}, those read. */
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private received = 0;
  /** Replies read but not yet claimed, per search. */
  private readonly inbox = new Map<number, Map<string, PoolResult>>();
  /** Searches that ended: their late replies are dropped as they arrive. */
  private readonly ended = new Set<number>();

  constructor(
    private readonly wt: WorkerThreads,
    private readonly script: string,
  ) {}

  /** Starts workers until there are `n` live ones (they become usable once they report ready). */
  grow(n: number): void {
    const live = this.workers.filter((w) => !w.dead).length;
    for (let i = live; i < n; i++) {
      const { port1, port2 } = new this.wt.MessageChannel();
      const worker = new this.wt.Worker(this.script, { workerData: { port: port2, signal: this.signal }, transferList: [port2] });
      worker.unref();
      port1.unref();
      const w: PoolWorker = {
        worker,
        port: port1,
        ready: false,
        dead: false,
        outstanding: 0,
        knows: new Set(),
        lastReply: performance.now(),
      };
      worker.on("error", () => (w.dead = true));
      worker.on("exit", () => (w.dead = true));
      this.workers.push(w);
    }
  }

  /** Live workers that reported ready. */
  usable(): PoolWorker[] {
    this.drain();
    return this.workers.filter((w) => w.ready && !w.dead);
  }

  /** Sends one job to `w`, telling it about the search first if needed. */
  send(w: PoolWorker, ctx: number, search: PoolSearchContext, key: string, faults: FaultSet, cap: number): void {
    if (!w.knows.has(ctx)) {
      w.knows.add(ctx);
      w.worker.postMessage({ type: "search", ctx, search } satisfies PoolRequest);
    }
    w.outstanding += 1;
    w.worker.postMessage({ type: "job", ctx, key, faults, cap } satisfies PoolRequest);
  }

  /** Reads every reply waiting on the workers' ports into the inbox. */
  drain(): void {
    for (const w of this.workers) {
      for (;;) {
        const got = this.wt.receiveMessageOnPort(w.port);
        if (got === undefined) break;
        const reply = got.message as PoolReply;
        this.received += 1;
        w.lastReply = performance.now();
        if (reply.type === "ready") {
          w.ready = true;
          continue;
        }
        w.outstanding -= 1;
        answered += 1;
        if (this.ended.has(reply.ctx)) continue;
        let box = this.inbox.get(reply.ctx);
        if (!box) this.inbox.set(reply.ctx, (box = new Map<string, PoolResult>()));
        box.set(reply.key, reply);
      }
    }
  }

  /** Removes and returns the reply for (ctx, key) if it has arrived. */
  claim(ctx: number, key: string): PoolResult | undefined {
    const box = this.inbox.get(ctx);
    const r = box?.get(key);
    if (r) box?.delete(key);
    return r;
  }

  /**
   * Blocks until the reply for (ctx, key) from worker `w` arrives, or returns undefined when `w`
   * died or has not answered anything for `patienceMs` (the caller then runs the job itself).
   */
  wait(ctx: number, key: string, w: PoolWorker, patienceMs: number): PoolResult | undefined {
    for (;;) {
      const posted = Atomics.load(this.signal, 0);
      this.drain();
      const r = this.claim(ctx, key);
      if (r) return r;
      if (w.dead || performance.now() - w.lastReply > patienceMs) {
        w.dead = true;
        void w.worker.terminate();
        return undefined;
      }
      // A reply counted but not yet readable is on its way through the port: look again at once
      // (sleeping until the next bump would cost a whole timeout).
      if (posted > this.received) Atomics.wait(this.signal, 0, posted + 1, 0.05);
      else Atomics.wait(this.signal, 0, posted, 100);
    }
  }

  /** Forgets a search: its workers drop its target, and replies still to come for it are discarded. */
  end(ctx: number): void {
    for (const w of this.workers) {
      if (w.knows.delete(ctx) && !w.dead) w.worker.postMessage({ type: "end", ctx } satisfies PoolRequest);
    }
    this.ended.add(ctx);
    this.inbox.delete(ctx);
  }

  /** Terminates every worker. */
  async close(): Promise<void> {
    const ws = this.workers.splice(0);
    await Promise.all(ws.map((w) => w.worker.terminate()));
  }
}

let shared: WorkerPool | null = null;
/** Jobs the workers of this process have answered (see {@link ldfiPoolAnswers}). */
let answered = 0;

/** How many jobs worker threads have answered in this process: tests check that the pool was really used. */
export function ldfiPoolAnswers(): number {
  return answered;
}
let nextCtx = 1;

/** The process's pool, or null where worker threads (or the compiled worker script) are unavailable. */
function sharedPool(): WorkerPool | null {
  if (shared) return shared;
  const wt = workerThreads();
  const script = workerScript();
  if (!wt || !script) return null;
  shared = new WorkerPool(wt, script);
  return shared;
}

/**
 * Terminates the worker threads of the LDFI pool (they never keep a process alive, but a test
 * runner that checks for open handles wants them gone).
 */
export async function closeLdfiPool(): Promise<void> {
  const p = shared;
  shared = null;
  await p?.close();
}

/**
 * One search's use of the pool: speculative jobs by fault-set key, each sent to the worker with the
 * fewest outstanding jobs, and their results claimed in the loop's own order.
 */
export class PoolSearch {
  private readonly ctx = nextCtx++;
  /** Jobs in flight: key → the worker running it. */
  private readonly inFlight = new Map<string, PoolWorker>();
  /** Replies claimed off the inbox but not yet asked for. */
  private readonly done = new Map<string, PoolResult>();

  private constructor(
    private readonly pool: WorkerPool,
    private readonly search: PoolSearchContext,
    workers: number,
    /** How long a worker may stay silent before its job is redone by the loop (the run's own budget plus a margin). */
    private readonly patienceMs: number,
  ) {
    pool.grow(workers);
  }

  /** Starts (or reuses) `workers` worker threads for a search; null where threads are unavailable. */
  static start(search: PoolSearchContext, workers: number, patienceMs: number): PoolSearch | null {
    const pool = sharedPool();
    return pool ? new PoolSearch(pool, search, workers, patienceMs) : null;
  }

  /** Whether the job for `key` was sent (and not yet claimed). */
  has(key: string): boolean {
    return this.inFlight.has(key) || this.done.has(key);
  }

  /** Free job slots: each usable worker holds up to two jobs, so it never idles between replies. */
  slots(): number {
    const usable = this.pool.usable();
    this.collect();
    return usable.reduce((n, w) => n + Math.max(0, 2 - w.outstanding), 0);
  }

  /** Sends one job to the least busy usable worker (no-op when none has a slot). */
  submit(key: string, faults: FaultSet, cap: number): void {
    const usable = this.pool.usable().filter((w) => w.outstanding < 2);
    if (usable.length === 0) return;
    const w = usable.reduce((a, b) => (b.outstanding < a.outstanding ? b : a));
    this.pool.send(w, this.ctx, this.search, key, faults, cap);
    this.inFlight.set(key, w);
  }

  /** Moves this search's arrived replies from the pool's inbox into {@link done}. */
  private collect(): void {
    for (const [key] of this.inFlight) {
      const r = this.pool.claim(this.ctx, key);
      if (r) {
        this.inFlight.delete(key);
        this.done.set(key, r);
      }
    }
  }

  /** Whether the reply for `key` has arrived (it was sent and not yet taken). */
  arrived(key: string): boolean {
    this.pool.drain();
    this.collect();
    return this.done.has(key);
  }

  /**
   * The result of the job for `key`: at once if it arrived, after waiting if it is in flight;
   * undefined when it was never sent (or its worker stopped answering): the loop then runs it itself.
   */
  take(key: string): PoolResult | undefined {
    this.pool.drain();
    this.collect();
    const d = this.done.get(key);
    if (d) {
      this.done.delete(key);
      return d;
    }
    const w = this.inFlight.get(key);
    if (!w) return undefined;
    this.inFlight.delete(key);
    return this.pool.wait(this.ctx, key, w, this.patienceMs);
  }

  /** Forgets a job whose result the loop will not need (its fault set was dropped unrun). */
  discard(key: string): void {
    this.done.delete(key);
  }

  /** Ends the search: outstanding jobs finish in the workers and are dropped. */
  end(): void {
    this.done.clear();
    this.inFlight.clear();
    this.pool.end(this.ctx);
  }
}
