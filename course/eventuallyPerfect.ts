import type { Latency } from "../lib/sim/latency";
import type { NodeContext, NodeHandlers } from "../lib/sim/node";
import { runSimulation } from "../lib/sim/simulator";
import type { Trace } from "../lib/sim/trace";
import type { StateInterval } from "../lib/viz/stateTimeline";

/**
 * What the detector does when a late reply proves a suspicion wrong: `"fixed"` only trusts the
 * server again; `"adaptive"` also multiplies its timeout, so the same mistake gets rarer — the
 * eventually perfect detector (◇P) of Chandra and Toueg in a partially synchronous network.
 */
export type TimeoutPolicy = "fixed" | "adaptive";

/**
 * The default network of {@link runPingDetector}: slow, but bounded — every message takes 15 to 60 ms
 * one way, a bound the detector is never told. Partial synchrony in one line: a bound exists, nobody
 * knows it.
 */
export const SLOW_BOUNDED_LINK: Latency = { kind: "uniform", min: 15, max: 60 };

/** Options of {@link runPingDetector}. */
export interface PingDetectorOptions {
  readonly policy: TimeoutPolicy;
  /** The timeout the detector starts with (ms). Default 20, as in `slowOrDeadDemo`. */
  readonly timeout?: number;
  /** `"adaptive"`: the timeout is multiplied by this each time a late reply proves a suspicion wrong. Default 2. */
  readonly raiseBy?: number;
  /** The client pings every `period` ms. Default 25. */
  readonly period?: number;
  /** One-way latency of pings and pongs. Default {@link SLOW_BOUNDED_LINK}. */
  readonly latency?: Latency;
  /** When the server crashes (ms), if at all. */
  readonly crashAt?: number;
  /** Length of the run (ms). Default 1500. */
  readonly duration?: number;
  readonly seed?: number;
}

/** A finished run of {@link runPingDetector}, scored against the truth. */
export interface PingDetectorRun {
  readonly trace: Trace;
  readonly policy: TimeoutPolicy;
  readonly crashAt: number | undefined;
  readonly duration: number;
  /** Suspicions that a reply arriving later proved wrong (the server had answered). */
  readonly wrongSuspicions: number;
  /** Total time (ms) the detector suspected the server while it was alive. */
  readonly wrongSuspectMs: number;
  /** When the last wrong suspicion was revoked by a late reply; `undefined` if there was none. */
  readonly lastMistakeAt: number | undefined;
  /** The timeout in force at the end of the run (ms). */
  readonly finalTimeout: number;
  /** Every change of the timeout, in order, starting with the initial one at time 0. */
  readonly timeouts: readonly { readonly time: number; readonly timeout: number }[];
  /** The verdict when the run ended. */
  readonly finalVerdict: "trusted" | "suspected";
  /** ms from the crash to the suspicion that was never revoked; `undefined` without a crash or if the run ended trusting the dead server. */
  readonly detectionDelay: number | undefined;
}

type PingMessage = { readonly ping: number } | { readonly pong: number };

/**
 * A ping failure detector that listens to late replies: `client` pings `server` every `period` ms
 * and suspects it when a ping has gone unanswered for longer than the current timeout. Any reply,
 * however late, proves the server was alive when it answered, so a suspected server is trusted
 * again — and under the `"adaptive"` policy the timeout is raised, because the suspicion was a
 * mistake. On a network with a bound it does not know, the adaptive detector stops making mistakes
 * once its timeout passes the slowest round trip, and suspects a crashed server for good: it
 * eventually tells slow from dead. The client records `ctx.observe("verdict", "trusted" | "suspected")`
 * on every change and `ctx.observe("timeout", ms)` on every raise.
 */
export function runPingDetector(options: PingDetectorOptions): PingDetectorRun {
  const period = options.period ?? 25;
  const duration = options.duration ?? 1500;
  const raiseBy = options.raiseBy ?? 2;
  let timeout = options.timeout ?? 20;
  if (!(timeout > 0 && Number.isFinite(timeout)))
    throw new RangeError(`runPingDetector: timeout must be a positive number of ms, got ${timeout}`);
  if (!(period > 0 && Number.isFinite(period)))
    throw new RangeError(`runPingDetector: period must be a positive number of ms, got ${period}`);
  if (!(raiseBy >= 1 && Number.isFinite(raiseBy))) throw new RangeError(`runPingDetector: raiseBy must be a number >= 1, got ${raiseBy}`);
  const timeouts: { time: number; timeout: number }[] = [{ time: 0, timeout }];
  const sentAt: number[] = [];
  let answeredUpTo = -1; // the highest ping answered so far: the server was alive when it replied
  let suspected = false;
  let wrongSuspicions = 0;
  let lastMistakeAt: number | undefined;
  const check = (ctx: NodeContext<PingMessage>, n: number): void => {
    if (answeredUpTo >= n || suspected) return;
    const waited = ctx.now - (sentAt[n] as number);
    // The timeout may have been raised since this ping left: wait out the rest of the new one.
    if (waited < timeout) {
      ctx.setTimer(timeout - waited, `check:${n}`);
      return;
    }
    suspected = true;
    ctx.observe("verdict", "suspected");
  };
  const client: NodeHandlers<PingMessage> = {
    onStart: (ctx) => {
      ctx.observe("verdict", "trusted");
      ctx.setTimer(0, "ping");
    },
    onTimer: (ctx, tag) => {
      if (tag === "ping") {
        const n = sentAt.length;
        sentAt.push(ctx.now);
        ctx.send("server", { ping: n });
        ctx.setTimer(timeout, `check:${n}`);
        ctx.setTimer(period, "ping");
      } else if (tag.startsWith("check:")) check(ctx, Number(tag.slice(6)));
    },
    onMessage: (ctx, m) => {
      if (!("pong" in m)) return;
      answeredUpTo = Math.max(answeredUpTo, m.pong);
      if (!suspected) return;
      suspected = false;
      wrongSuspicions++;
      lastMistakeAt = ctx.now;
      ctx.observe("verdict", "trusted");
      if (options.policy === "adaptive") {
        timeout *= raiseBy;
        timeouts.push({ time: ctx.now, timeout });
        ctx.observe("timeout", timeout);
      }
      // Pings still unanswered are judged against the timeout in force from now on.
      for (let n = answeredUpTo + 1; n < sentAt.length; n++) check(ctx, n);
    },
  };
  const server: NodeHandlers<PingMessage> = {
    onMessage: (ctx, m, from) => {
      if ("ping" in m) ctx.send(from, { pong: m.ping });
    },
  };
  const trace = runSimulation<PingMessage>({
    seed: options.seed ?? 1,
    nodes: { client, server },
    network: { latency: options.latency ?? SLOW_BOUNDED_LINK },
    crashes: options.crashAt === undefined ? [] : [{ node: "server", at: options.crashAt }],
    limits: { maxTime: duration },
  });
  const verdicts = trace.notes("verdict");
  const last = verdicts.at(-1);
  const finalVerdict = last?.value === "suspected" ? "suspected" : "trusted";
  const detectionDelay =
    options.crashAt === undefined || finalVerdict !== "suspected" || last === undefined
      ? undefined
      : Math.max(0, last.time - options.crashAt);
  const alive = Math.min(options.crashAt ?? duration, duration);
  const wrongSuspectMs = verdicts.reduce(
    (ms, v, i) => (v.value === "suspected" ? ms + Math.max(0, Math.min(verdicts[i + 1]?.time ?? duration, alive) - v.time) : ms),
    0,
  );
  return {
    trace,
    policy: options.policy,
    crashAt: options.crashAt,
    duration,
    wrongSuspicions,
    wrongSuspectMs,
    lastMistakeAt,
    finalTimeout: timeout,
    timeouts,
    finalVerdict,
    detectionDelay,
  };
}

/**
 * Timeline rows for several detectors watching the same server: the truth (alive, then crashed)
 * from the first run, then one row of verdicts per labelled run, for `stateTimelineSpec`.
 */
export function pingDetectorTimeline(runs: readonly { readonly label: string; readonly run: PingDetectorRun }[]): StateInterval[] {
  const first = runs[0]?.run;
  if (first === undefined) return [];
  const end = first.duration;
  const crash = Math.min(first.crashAt ?? end, end);
  const rows: StateInterval[] = [{ node: "server (truth)", state: "alive", from: 0, to: crash }];
  if (crash < end) rows.push({ node: "server (truth)", state: "crashed", from: crash, to: end });
  for (const { label, run } of runs) {
    const verdicts = run.trace.notes("verdict");
    verdicts.forEach((v, i) => {
      const to = verdicts[i + 1]?.time ?? run.duration;
      if (to > v.time) rows.push({ node: label, state: String(v.value), from: v.time, to });
    });
  }
  return rows;
}
