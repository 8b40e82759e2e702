import { demoNodeNames } from "../lib/sim/demos";
import type { NodeId } from "../lib/sim/config";
import type { NodeContext, NodeHandlers } from "../lib/sim/node";
import { runSimulation } from "../lib/sim/simulator";
import type { StopReason } from "../lib/sim/trace";
import type { VegaLiteSpec } from "../lib/viz/render";

/** How replicas agree on an update. */
export type UpdateMode =
  /** Every update is a two-phase round through one leader that holds a global lock and needs every replica's vote: serializable. */
  | "coordinated"
  /**
   * The same rounds through the same leader, but an update commits once a majority of the replicas
   * (the leader included) has voted, as a replicated log with a stable leader does (Paxos, Raft):
   * serializable, and it survives any minority being cut off — as long as the leader is not.
   */
  | "majority"
  /** Every node applies updates locally at once and gossips its state in the background. */
  | "coordination-free";

/** Options of {@link runCoordinationCost}. */
export interface CoordinationCostOptions {
  readonly mode: UpdateMode;
  /** Number of replicas, each with one client issuing updates back to back. Default 4. */
  readonly nodes?: number;
  /** Mean one-way latency (ms); each message takes uniformly between half and 1.5 times this. Default 5. */
  readonly latencyMs?: number;
  /** Local work to apply one update (ms). Default 1. */
  readonly serviceMs?: number;
  /** Coordination-free replicas send their state to every peer this often (ms). Default 20. */
  readonly gossipPeriodMs?: number;
  /** Simulated run length (ms). Default 1000. */
  readonly durationMs?: number;
  readonly seed?: number;
  /** Cut the last `isolated` replicas (default 1; never the leader, the first replica) off from the rest from `at` to `heal` (ms). */
  readonly partition?: { readonly at: number; readonly heal: number; readonly isolated?: number };
}

/** What one run measured. */
export interface CoordinationCostResult {
  readonly mode: UpdateMode;
  readonly nodes: number;
  readonly latencyMs: number;
  /** Updates completed by all clients together, per simulated second. */
  readonly throughput: number;
  /** Mean time from a client issuing an update to it being done (ms). */
  readonly meanLatencyMs: number;
  /** Messages sent per completed update. */
  readonly messagesPerUpdate: number;
  readonly completed: number;
  /** Simulated time of every completion, in order (for throughput-over-time charts). */
  readonly completionTimes: readonly number[];
  /** Every completion with the replica whose client it served, in order. */
  readonly completions: readonly { readonly time: number; readonly node: NodeId }[];
  /** The replicas the partition cut off from the rest (empty without a partition). */
  readonly isolated: readonly NodeId[];
  /** Which bound ended the run (always `max-time` unless the run stalls). */
  readonly stop: StopReason;
}

type CostMessage =
  | { readonly type: "req"; readonly id: number }
  | { readonly type: "prepare" | "vote" | "commit"; readonly txn: number }
  | { readonly type: "done"; readonly id: number }
  | { readonly type: "state"; readonly counts: readonly number[] };

/**
 * Measures the price of coordination on the simulator: every replica's client issues updates back
 * to back for `durationMs`; in `coordinated` mode each update waits for a two-phase round (prepare to
 * all, all votes, commit) run by a single leader one transaction at a time, in `coordination-free`
 * mode it is applied locally and spread later by gossip.
 */
export function runCoordinationCost(options: CoordinationCostOptions): CoordinationCostResult {
  const n = options.nodes ?? 4;
  const latencyMs = options.latencyMs ?? 5;
  const serviceMs = options.serviceMs ?? 1;
  const durationMs = options.durationMs ?? 1000;
  const names = demoNodeNames(n);
  const latencies: number[] = [];
  const completions: { time: number; node: NodeId }[] = [];
  const record = (ctx: NodeContext<CostMessage>, issuedAt: number): void => {
    latencies.push(ctx.now - issuedAt);
    completions.push({ time: ctx.now, node: ctx.self });
  };
  const nodes =
    options.mode === "coordination-free"
      ? coordinationFreeNodes(names, serviceMs, options.gossipPeriodMs ?? 20, record)
      : coordinatedNodes(names, serviceMs, latencyMs, options.mode === "majority" ? Math.floor(n / 2) + 1 : n, record);
  const p = options.partition;
  const cutCount = p?.isolated ?? 1;
  if (p !== undefined && !(Number.isInteger(cutCount) && cutCount >= 1 && cutCount < n)) {
    throw new RangeError(
      `runCoordinationCost: partition.isolated must be a whole number from 1 to ${n - 1} (the leader, ${names[0]}, stays on the other side), got ${cutCount}`,
    );
  }
  const isolated = p === undefined ? [] : names.slice(names.length - cutCount);
  const trace = runSimulation({
    seed: options.seed ?? 1,
    nodes,
    network: { latency: { kind: "uniform", min: latencyMs / 2, max: (latencyMs * 3) / 2 } },
    ...(p === undefined ? {} : { partitions: [{ at: p.at, heal: p.heal, groups: [isolated] }] }),
    limits: { maxTime: durationMs },
  });
  const completed = latencies.length;
  return {
    mode: options.mode,
    nodes: n,
    latencyMs,
    throughput: completed / (durationMs / 1000),
    meanLatencyMs: completed === 0 ? Infinity : latencies.reduce((s, x) => s + x, 0) / completed,
    messagesPerUpdate: completed === 0 ? Infinity : trace.summary().sent / completed,
    completed,
    completionTimes: completions.map((c) => c.time),
    completions,
    isolated,
    stop: trace.stop.reason,
  };
}

/** Retransmission waits, as multiples of the mean one-way latency: long enough not to fire in a healthy round. */
const LEADER_RETRY_FACTOR = 6;
/**
 * A client waits behind every other client's transaction, so its patience grows with the number of
 * replicas: this many times n × (latency + service) before it assumes its request was lost.
 */
const CLIENT_RETRY_FACTOR = 8;

/**
 * The leader-based rounds of `coordinated` and `majority` mode. An update commits once `quorum`
 * replicas, the leader included, have voted for it (`names.length` for all-votes 2PC).
 */
function coordinatedNodes(
  names: readonly NodeId[],
  serviceMs: number,
  latencyMs: number,
  quorum: number,
  record: (ctx: NodeContext<CostMessage>, issuedAt: number) => void,
): Record<NodeId, NodeHandlers<CostMessage>> {
  const leader = names[0] as NodeId;
  const votesNeeded = quorum - 1; // the leader's own vote is implicit
  const queue: { from: NodeId; id: number }[] = [];
  let current: { from: NodeId; id: number; voted: Set<NodeId>; committed: boolean } | undefined;
  let txn = 0;
  // Highest request id done per client, so a retransmitted request is answered, not run twice.
  const lastDone = new Map<NodeId, number>();
  const clientRetryMs = CLIENT_RETRY_FACTOR * names.length * (latencyMs + serviceMs);
  const client = new Map<NodeId, { id: number; issuedAt: number }>();
  const issue = (ctx: NodeContext<CostMessage>): void => {
    const id = (client.get(ctx.self)?.id ?? 0) + 1;
    client.set(ctx.self, { id, issuedAt: ctx.now });
    if (ctx.self === leader) enqueue(ctx, ctx.self, id);
    else {
      ctx.send(leader, { type: "req", id });
      ctx.setTimer(clientRetryMs, `client:${id}`);
    }
  };
  const finishClient = (ctx: NodeContext<CostMessage>, id: number): void => {
    const c = client.get(ctx.self);
    if (c === undefined || c.id !== id) return; // a duplicate answer
    record(ctx, c.issuedAt);
    issue(ctx);
  };
  const enqueue = (ctx: NodeContext<CostMessage>, from: NodeId, id: number): void => {
    if ((lastDone.get(from) ?? 0) >= id) return reply(ctx, from, id);
    if ((current?.from === from && current.id === id) || queue.some((q) => q.from === from && q.id === id)) return;
    queue.push({ from, id });
    if (current === undefined) startNext(ctx);
  };
  const reply = (ctx: NodeContext<CostMessage>, to: NodeId, id: number): void => {
    if (to === leader) finishClient(ctx, id);
    else ctx.send(to, { type: "done", id });
  };
  const startNext = (ctx: NodeContext<CostMessage>): void => {
    // One transaction at a time: the leader holds the global lock until the current one is applied.
    if (current !== undefined) return;
    const next = queue.shift();
    if (next === undefined) return;
    current = { ...next, voted: new Set(), committed: false };
    txn++;
    if (votesNeeded <= 0) ctx.setTimer(serviceMs, "applied");
    else {
      ctx.broadcast({ type: "prepare", txn });
      ctx.setTimer(LEADER_RETRY_FACTOR * latencyMs, `retry:${txn}`);
    }
  };
  const leaderTimer = (ctx: NodeContext<CostMessage>, tag: string): void => {
    if (tag === "applied" && current !== undefined) {
      const done = current;
      current = undefined;
      lastDone.set(done.from, done.id);
      reply(ctx, done.from, done.id);
      startNext(ctx);
    } else if (tag === `retry:${txn}` && current !== undefined && !current.committed) {
      const voted = current.voted;
      for (const p of ctx.peers) if (!voted.has(p)) ctx.send(p, { type: "prepare", txn });
      ctx.setTimer(LEADER_RETRY_FACTOR * latencyMs, tag);
    }
  };
  const handlers: Record<NodeId, NodeHandlers<CostMessage>> = {};
  for (const name of names) {
    handlers[name] = {
      onStart: issue,
      onMessage: (ctx, m, from) => {
        if (m.type === "req") enqueue(ctx, from, m.id);
        else if (m.type === "prepare") ctx.send(from, { type: "vote", txn: m.txn });
        else if (m.type === "vote" && current !== undefined && m.txn === txn && !current.committed) {
          current.voted.add(from);
          if (current.voted.size >= votesNeeded) {
            current.committed = true;
            ctx.broadcast({ type: "commit", txn });
            ctx.setTimer(serviceMs, "applied");
          }
        } else if (m.type === "done") finishClient(ctx, m.id);
      },
      onTimer: (ctx, tag) => {
        if (ctx.self === leader) return leaderTimer(ctx, tag);
        // A client whose request or answer was lost asks again.
        const c = client.get(ctx.self);
        if (c !== undefined && tag === `client:${c.id}`) {
          ctx.send(leader, { type: "req", id: c.id });
          ctx.setTimer(clientRetryMs, tag);
        }
      },
    };
  }
  return handlers;
}

function coordinationFreeNodes(
  names: readonly NodeId[],
  serviceMs: number,
  gossipMs: number,
  record: (ctx: NodeContext<CostMessage>, issuedAt: number) => void,
): Record<NodeId, NodeHandlers<CostMessage>> {
  const handlers: Record<NodeId, NodeHandlers<CostMessage>> = {};
  names.forEach((name, i) => {
    // A grow-only counter per replica: each node's own entry, merged by max.
    const counts = new Array<number>(names.length).fill(0);
    handlers[name] = {
      onStart: (ctx) => {
        ctx.setTimer(serviceMs, "apply");
        ctx.setTimer(gossipMs, "gossip");
      },
      onTimer: (ctx, tag) => {
        if (tag === "apply") {
          counts[i] = (counts[i] as number) + 1;
          record(ctx, ctx.now - serviceMs);
          ctx.setTimer(serviceMs, "apply");
        } else {
          ctx.broadcast({ type: "state", counts: counts.slice() });
          ctx.setTimer(gossipMs, "gossip");
        }
      },
      onMessage: (_ctx, m) => {
        if (m.type === "state") m.counts.forEach((c, j) => (counts[j] = Math.max(counts[j] as number, c)));
      },
    };
  });
  return handlers;
}

/**
 * Runs both modes over a grid: every node count with `latencyMs`, and every latency with `nodes`.
 * Rows carry a `sweep` field ("nodes" or "latency") saying which axis varied.
 */
export function coordinationCostSweep(grid: {
  readonly nodeCounts: readonly number[];
  readonly latencies: readonly number[];
  readonly nodes?: number;
  readonly latencyMs?: number;
  readonly durationMs?: number;
  readonly seed?: number;
}): (CoordinationCostResult & { readonly sweep: "nodes" | "latency" })[] {
  const modes: UpdateMode[] = ["coordinated", "coordination-free"];
  const base = { durationMs: grid.durationMs ?? 1000, seed: grid.seed ?? 1 };
  const rows: (CoordinationCostResult & { sweep: "nodes" | "latency" })[] = [];
  for (const mode of modes) {
    for (const nodes of grid.nodeCounts)
      rows.push({ ...runCoordinationCost({ ...base, mode, nodes, latencyMs: grid.latencyMs ?? 5 }), sweep: "nodes" });
    for (const latencyMs of grid.latencies)
      rows.push({ ...runCoordinationCost({ ...base, mode, nodes: grid.nodes ?? 4, latencyMs }), sweep: "latency" });
  }
  return rows;
}

/** One bucket of {@link throughputOverTime}: updates per second completed in `[time, time + bucket)`. */
export interface ThroughputPoint {
  readonly mode: UpdateMode;
  readonly time: number;
  readonly throughput: number;
  /** With `bySide`: which side of the partition the serving replicas were on: "a's side (a, b, c)" or "cut off (d)". */
  readonly side?: string;
}

/**
 * Completions per `bucketMs` window of one run, as updates per second, for {@link throughputOverTimeSpec}.
 * With `bySide`, one series for the replicas that stayed connected and one for those the partition
 * cut off, so a chart shows which side kept serving.
 */
export function throughputOverTime(
  result: CoordinationCostResult,
  bucketMs: number,
  durationMs: number,
  options: { readonly bySide?: boolean } = {},
): ThroughputPoint[] {
  const count = Math.ceil(durationMs / bucketMs);
  const series = (times: readonly number[], side?: string): ThroughputPoint[] => {
    const buckets = new Array<number>(count).fill(0);
    for (const t of times) {
      const i = Math.min(buckets.length - 1, Math.floor(t / bucketMs));
      buckets[i] = (buckets[i] as number) + 1;
    }
    return buckets.map((c, i) => ({
      mode: result.mode,
      time: i * bucketMs,
      throughput: (c * 1000) / bucketMs,
      ...(side === undefined ? {} : { side }),
    }));
  };
  if (options.bySide !== true || result.isolated.length === 0) return series(result.completionTimes);
  const { cut, kept, cutOff } = sides(result);
  return [
    ...series(
      result.completions.filter((c) => !cut.has(c.node)).map((c) => c.time),
      kept,
    ),
    ...series(
      result.completions.filter((c) => cut.has(c.node)).map((c) => c.time),
      cutOff,
    ),
  ];
}

/** The two sides of a run's partition and their labels; the first replica (the leader) is never cut off. */
function sides(result: CoordinationCostResult): { cut: ReadonlySet<NodeId>; kept: string; cutOff: string } {
  const cut = new Set(result.isolated);
  const connected = demoNodeNames(result.nodes).filter((n) => !cut.has(n));
  return { cut, kept: `${connected[0] ?? "a"}'s side (${connected.join(", ")})`, cutOff: `cut off (${result.isolated.join(", ")})` };
}

/** One row of {@link partitionPhases}: one side of the partition in one run. */
export interface PartitionPhaseRow {
  readonly mode: UpdateMode;
  /** "a's side (a, b, c)" or "cut off (d)". */
  readonly side: string;
  /** Updates per second served by this side's replicas before the partition, during it, and after it healed. */
  readonly before: number;
  readonly during: number;
  readonly after: number;
}

/**
 * Throughput of each side of the partition before, during and after it, from one run with a
 * `partition`: the numbers behind "which side kept serving". Each phase's rate is its completions
 * divided by its length; the run's partition and length are read from `result` and `durationMs`.
 */
export function partitionPhases(
  result: CoordinationCostResult,
  partition: { readonly at: number; readonly heal: number },
  durationMs: number,
): PartitionPhaseRow[] {
  if (result.isolated.length === 0)
    throw new RangeError("partitionPhases needs a run with a partition (runCoordinationCost({ partition }))");
  if (!(partition.at < partition.heal && partition.heal < durationMs))
    throw new RangeError(
      `partitionPhases: expected 0 <= at < heal < durationMs, got at ${partition.at}, heal ${partition.heal}, durationMs ${durationMs}`,
    );
  const { cut, kept, cutOff } = sides(result);
  const rate = (isCut: boolean, from: number, to: number): number =>
    (result.completions.filter((c) => cut.has(c.node) === isCut && c.time >= from && c.time < to).length * 1000) / (to - from);
  return [false, true].map((isCut) => ({
    mode: result.mode,
    side: isCut ? cutOff : kept,
    before: rate(isCut, 0, partition.at),
    during: rate(isCut, partition.at, partition.heal),
    after: rate(isCut, partition.heal, durationMs),
  }));
}

/** How each mode is named in charts: "coordinated" alone does not say how many votes it waits for. */
export const UPDATE_MODE_LABELS: Readonly<Record<UpdateMode, string>> = {
  coordinated: "coordinated, every replica must vote (2PC)",
  majority: "coordinated, a majority must vote (quorum)",
  "coordination-free": "coordination-free",
};

/**
 * Throughput over time of several runs: one panel per mode, each with its own linear y axis (the
 * modes differ by orders of magnitude), and the partition window shaded in all. Rows made with
 * `bySide` draw one line per side of the partition.
 */
export function throughputOverTimeSpec(
  rows: readonly ThroughputPoint[],
  partition: { readonly at: number; readonly heal: number },
  title: string,
): VegaLiteSpec {
  const modes = [...new Set(rows.map((r) => r.mode))];
  const sides = [...new Set(rows.flatMap((r) => (r.side === undefined ? [] : [r.side])))];
  const panel = (mode: UpdateMode): object => ({
    title: { text: UPDATE_MODE_LABELS[mode], fontSize: 12, color: MODE_COLORS[mode] },
    width: 460,
    height: 90,
    layer: [
      {
        data: { values: [partition] },
        mark: { type: "rect", color: "#f4d03f", opacity: 0.35 },
        encoding: { x: { field: "at", type: "quantitative" }, x2: { field: "heal" } },
      },
      {
        data: { values: rows.filter((r) => r.mode === mode) },
        mark: { type: "line", interpolate: "step-after", ...(sides.length === 0 ? { color: MODE_COLORS[mode] } : {}) },
        encoding: {
          x: { field: "time", type: "quantitative", title: "simulated time (ms); shaded: the partition" },
          y: { field: "throughput", type: "quantitative", title: "updates / s", scale: { zero: true } },
          ...(sides.length === 0
            ? {}
            : {
                color: {
                  field: "side",
                  type: "nominal",
                  title: "updates served by replicas",
                  scale: { domain: sides, range: SIDE_COLORS.slice(0, sides.length) },
                  legend: { labelLimit: 300, titleLimit: 300 },
                },
              }),
        },
      },
    ],
  });
  return { title, vconcat: modes.map(panel) };
}

/** One colour per mode, the same in every chart of the lesson. */
const MODE_COLORS: Readonly<Record<UpdateMode, string>> = { coordinated: "#c0392b", majority: "#8e44ad", "coordination-free": "#27865f" };
/** Connected replicas dark, cut-off replicas orange, in every panel. */
const SIDE_COLORS = ["#34495e", "#e67e22"];

/**
 * A line chart of one measure of {@link coordinationCostSweep} rows against one axis, one line per
 * mode, on a log scale (the two modes differ by orders of magnitude).
 */
export function coordinationCostSpec(
  rows: readonly CoordinationCostResult[],
  x: "nodes" | "latencyMs",
  y: "throughput" | "meanLatencyMs",
  title: string,
): VegaLiteSpec {
  const xTitle = x === "nodes" ? "number of replicas" : "mean one-way network latency (ms)";
  const yTitle = y === "throughput" ? "updates completed per second (log)" : "mean update latency seen by a client (ms, log)";
  const modes = (["coordinated", "majority", "coordination-free"] as const).filter((m) => rows.some((r) => r.mode === m));
  return {
    title,
    width: 420,
    height: 240,
    data: { values: rows },
    mark: { type: "line", point: true },
    encoding: {
      // Replica counts double from point to point, so a log-2 axis spaces them evenly.
      x:
        x === "nodes"
          ? {
              field: x,
              type: "quantitative",
              title: xTitle,
              scale: { type: "log", base: 2 },
              axis: { values: [...new Set(rows.map((r) => r.nodes))] },
            }
          : { field: x, type: "quantitative", title: xTitle },
      y: { field: y, type: "quantitative", title: yTitle, scale: { type: "log" } },
      color: { field: "mode", type: "nominal", title: "updates", scale: { domain: modes, range: modes.map((m) => MODE_COLORS[m]) } },
      tooltip: [{ field: "mode" }, { field: x }, { field: y, format: ".1f" }],
    },
  };
}
