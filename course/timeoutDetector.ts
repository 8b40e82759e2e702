import type { NodeHandlers } from "../lib/sim/node";
import type { Latency } from "../lib/sim/latency";
import { runSimulation } from "../lib/sim/simulator";
import type { Trace } from "../lib/sim/trace";
import type { StateInterval } from "../lib/viz/stateTimeline";
import type { VegaLiteSpec } from "../lib/viz/render";

/** Options of {@link runHeartbeatDetector}. */
export interface HeartbeatDetectorOptions {
  readonly seed?: number;
  /** The monitor suspects the server after this long without a heartbeat (ms). */
  readonly timeout: number;
  /** The server sends a heartbeat every `period` ms. Default 10. */
  readonly period?: number;
  /** One-way latency. Default: 1 ms plus an exponential tail with mean 4 ms (most beats quick, a few late). */
  readonly latency?: Latency;
  /** Probability that a heartbeat is lost. Default 0.01. */
  readonly loss?: number;
  /** When the server crashes (ms), if at all. */
  readonly crashAt?: number;
  /** Length of the run (ms). Default 2000. */
  readonly duration?: number;
}

/** The default latency of the heartbeat experiments: mostly a few ms, with a long tail. */
export const HEARTBEAT_LATENCY: Latency = { kind: "exponential", mean: 4, min: 1 };

/** A finished failure-detector run and how often it was wrong. */
export interface HeartbeatDetectorRun {
  readonly trace: Trace;
  readonly timeout: number;
  readonly crashAt: number | undefined;
  /** Times the monitor began to suspect the server while the server was in fact alive. */
  readonly falseSuspicions: number;
  /** Total time (ms) the monitor suspected a live server. */
  readonly wrongSuspectMs: number;
  /** Time (ms) from the crash until the monitor suspected it for good; `undefined` without a crash or if never. */
  readonly detectionDelay: number | undefined;
  /** Time (ms) from the crash the monitor went on trusting a dead server (same as detectionDelay, or the rest of the run). */
  readonly trustedDeadMs: number;
  readonly duration: number;
}

/**
 * A heartbeat failure detector on the simulator: `server` sends a heartbeat every `period` ms and
 * `monitor` suspects it when `timeout` ms pass without one, trusting it again when one arrives.
 * The monitor records `ctx.observe("verdict", "trusted" | "suspected")` on every change.
 */
export function runHeartbeatDetector(options: HeartbeatDetectorOptions): HeartbeatDetectorRun {
  const period = options.period ?? 10;
  const duration = options.duration ?? 2000;
  const timeout = options.timeout;
  let timer: number | undefined;
  let suspected = false;
  const monitor: NodeHandlers<"beat"> = {
    onStart: (ctx) => {
      ctx.observe("verdict", "trusted");
      timer = ctx.setTimer(timeout, "silence");
    },
    onMessage: (ctx) => {
      if (timer !== undefined) ctx.cancelTimer(timer);
      timer = ctx.setTimer(timeout, "silence");
      if (suspected) {
        suspected = false;
        ctx.observe("verdict", "trusted");
      }
    },
    onTimer: (ctx) => {
      timer = undefined;
      suspected = true;
      ctx.observe("verdict", "suspected");
    },
  };
  const server: NodeHandlers<"beat"> = {
    onStart: (ctx) => ctx.setTimer(0, "beat"),
    onTimer: (ctx) => {
      ctx.send("monitor", "beat");
      ctx.setTimer(period, "beat");
    },
  };
  const trace = runSimulation({
    seed: options.seed ?? 1,
    nodes: { server, monitor },
    network: { latency: options.latency ?? HEARTBEAT_LATENCY, loss: options.loss ?? 0.01 },
    crashes: options.crashAt === undefined ? [] : [{ node: "server", at: options.crashAt }],
    limits: { maxTime: duration },
  });
  return { trace, timeout, crashAt: options.crashAt, duration, ...scoreVerdicts(trace, options.crashAt, duration) };
}

function scoreVerdicts(
  trace: Trace,
  crashAt: number | undefined,
  duration: number,
): Pick<HeartbeatDetectorRun, "falseSuspicions" | "wrongSuspectMs" | "detectionDelay" | "trustedDeadMs"> {
  const alive = crashAt ?? Infinity;
  let falseSuspicions = 0;
  let wrongSuspectMs = 0;
  let trustedDeadMs = 0;
  let lastSuspect: number | undefined;
  const verdicts = trace.notes("verdict");
  verdicts.forEach((v, i) => {
    const end = verdicts[i + 1]?.time ?? duration;
    if (v.value === "suspected") {
      if (v.time < alive) falseSuspicions++;
      wrongSuspectMs += Math.max(0, Math.min(end, alive) - v.time);
      lastSuspect = v.time;
    } else {
      trustedDeadMs += Math.max(0, end - Math.max(v.time, alive));
      lastSuspect = undefined;
    }
  });
  const detectionDelay = crashAt === undefined || lastSuspect === undefined ? undefined : Math.max(0, lastSuspect - crashAt);
  return { falseSuspicions, wrongSuspectMs, detectionDelay, trustedDeadMs };
}

/** One row of {@link sweepTimeouts}: averages over the seeds. */
export interface TimeoutSweepRow {
  readonly timeout: number;
  /** False suspicions of a live server per second of its life. */
  readonly falseSuspicionsPerSecond: number;
  /** Mean time from the crash to the monitor's final suspicion (ms). */
  readonly detectionDelayMs: number;
}

/**
 * Runs the heartbeat detector for each timeout over `seeds` seeds, the server crashing at 80% of
 * the run, and averages how wrong it was each way: suspecting the living, trusting the dead.
 */
export function sweepTimeouts(
  timeouts: readonly number[],
  options: Omit<HeartbeatDetectorOptions, "timeout" | "seed" | "crashAt"> & { readonly seeds?: number } = {},
): TimeoutSweepRow[] {
  const seeds = options.seeds ?? 8;
  const duration = options.duration ?? 2000;
  const crashAt = Math.round(duration * 0.8);
  return timeouts.map((timeout) => {
    let fs = 0;
    let delay = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const run = runHeartbeatDetector({ ...options, timeout, seed, crashAt, duration });
      fs += run.falseSuspicions;
      delay += run.detectionDelay ?? duration - crashAt;
    }
    return { timeout, falseSuspicionsPerSecond: fs / seeds / (crashAt / 1000), detectionDelayMs: delay / seeds };
  });
}

/** The truth (server alive or crashed) and the monitor's verdict over time, as timeline rows. */
export function detectorTimeline(run: HeartbeatDetectorRun): StateInterval[] {
  const crash = run.crashAt ?? run.duration;
  const rows: StateInterval[] = [{ node: "server (truth)", state: "alive", from: 0, to: Math.min(crash, run.duration) }];
  if (crash < run.duration) rows.push({ node: "server (truth)", state: "crashed", from: crash, to: run.duration });
  const verdicts = run.trace.notes("verdict");
  verdicts.forEach((v, i) => {
    const to = verdicts[i + 1]?.time ?? run.duration;
    if (to > v.time) rows.push({ node: "monitor's verdict", state: String(v.value), from: v.time, to });
  });
  return rows;
}

/**
 * The trade-off chart of {@link sweepTimeouts}: two panels over the same timeout axis — false
 * suspicions per second (wrong about the living) and detection delay (wrong about the dead).
 */
export function timeoutTradeoffSpec(rows: readonly TimeoutSweepRow[], title: string): VegaLiteSpec {
  const panel = (field: string, axis: string, color: string): object => ({
    width: 260,
    height: 200,
    mark: { type: "line", point: true, color },
    encoding: {
      x: { field: "timeout", type: "quantitative", title: "timeout (ms)" },
      y: { field, type: "quantitative", title: axis },
    },
  });
  return {
    title,
    data: { values: rows },
    hconcat: [
      panel("falseSuspicionsPerSecond", "false suspicions of a live node per second", "#c0392b"),
      panel("detectionDelayMs", "delay to detect a real crash (ms)", "#2c3e80"),
    ],
  };
}
