import { demoNodeNames } from "../sim/demos";
import type { NodeId } from "../sim/config";
import type { NodeContext, NodeHandlers } from "../sim/node";
import { runSimulation } from "../sim/simulator";
import type { StopReason } from "../sim/trace";
import type { VegaLiteSpec } from "../viz/render";

/** How replicas agree on an update. */
export type UpdateMode =
  /** Every update is a two-phase round through one leader that holds a global lock: serializable. */
  | "coordinated"
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
  /** Cut the last `isolated` replicas (default 1) off from the rest from `at` to `heal` (ms). */
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
  const completions: number[] = [];
  const record = (ctx: NodeContext<CostMessage>, issuedAt: number): void => {
    latencies.push(ctx.now - issuedAt);
    completions.push(ctx.now);
  };
  const nodes = options.mode === "coordinated" ? coordinatedNodes(names, serviceMs, latencyMs, record) : coordinationFreeNodes(names, serviceMs, options.gossipPeriodMs ?? 20, record);
  const p = options.partition;
  const isolated = p === undefined ? [] : names.slice(names.length - (p.isolated ?? 1));
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
    completionTimes: completions,
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

function coordinatedNodes(names: readonly NodeId[], serviceMs: number, latencyMs: number, record: (ctx: NodeContext<CostMessage>, issuedAt: number) => void): Record<NodeId, NodeHandlers<CostMessage>> {
  const leader = names[0] as NodeId;
  const queue: { from: NodeId; id: number }[] = [];
  let current: { from: NodeId; id: number; voted: Set<NodeId> } | undefined;
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
    current = { ...next, voted: new Set() };
    txn++;
    if (ctx.peers.length === 0) ctx.setTimer(serviceMs, "applied");
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
    } else if (tag === `retry:${txn}` && current !== undefined && current.voted.size < ctx.peers.length) {
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
        else if (m.type === "vote" && current !== undefined && m.txn === txn && !current.voted.has(from)) {
          current.voted.add(from);
          if (current.voted.size === ctx.peers.length) {
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

function coordinationFreeNodes(names: readonly NodeId[], serviceMs: number, gossipMs: number, record: (ctx: NodeContext<CostMessage>, issuedAt: number) => void): Record<NodeId, NodeHandlers<CostMessage>> {
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
export function coordinationCostSweep(grid: { readonly nodeCounts: readonly number[]; readonly latencies: readonly number[]; readonly nodes?: number; readonly latencyMs?: number; readonly durationMs?: number; readonly seed?: number }): (CoordinationCostResult & { readonly sweep: "nodes" | "latency" })[] {
  const modes: UpdateMode[] = ["coordinated", "coordination-free"];
  const base = { durationMs: grid.durationMs ?? 1000, seed: grid.seed ?? 1 };
  const rows: (CoordinationCostResult & { sweep: "nodes" | "latency" })[] = [];
  for (const mode of modes) {
    for (const nodes of grid.nodeCounts) rows.push({ ...runCoordinationCost({ ...base, mode, nodes, latencyMs: grid.latencyMs ?? 5 }), sweep: "nodes" });
    for (const latencyMs of grid.latencies) rows.push({ ...runCoordinationCost({ ...base, mode, nodes: grid.nodes ?? 4, latencyMs }), sweep: "latency" });
  }
  return rows;
}

/** Completions per `bucketMs` window of one run, as updates per second, for {@link throughputOverTimeSpec}. */
export function throughputOverTime(result: CoordinationCostResult, bucketMs: number, durationMs: number): { mode: UpdateMode; time: number; throughput: number }[] {
  const buckets = new Array<number>(Math.ceil(durationMs / bucketMs)).fill(0);
  for (const t of result.completionTimes) {
    const i = Math.min(buckets.length - 1, Math.floor(t / bucketMs));
    buckets[i] = (buckets[i] as number) + 1;
  }
  return buckets.map((c, i) => ({ mode: result.mode, time: i * bucketMs, throughput: (c * 1000) / bucketMs }));
}

/**
 * Throughput over time of several runs: one panel per mode, each with its own linear y axis (the
 * modes differ by orders of magnitude), and the partition window shaded in both.
 */
export function throughputOverTimeSpec(rows: readonly { mode: UpdateMode; time: number; throughput: number }[], partition: { readonly at: number; readonly heal: number }, title: string): VegaLiteSpec {
  const modes = [...new Set(rows.map((r) => r.mode))];
  const panel = (mode: UpdateMode): object => ({
    title: { text: mode, fontSize: 12, color: MODE_COLORS[mode] },
    width: 460,
    height: 90,
    layer: [
      { data: { values: [partition] }, mark: { type: "rect", color: "#f4d03f", opacity: 0.35 }, encoding: { x: { field: "at", type: "quantitative" }, x2: { field: "heal" } } },
      {
        data: { values: rows.filter((r) => r.mode === mode) },
        mark: { type: "line", interpolate: "step-after", color: MODE_COLORS[mode] },
        encoding: {
          x: { field: "time", type: "quantitative", title: "simulated time (ms); shaded: one replica cut off" },
          y: { field: "throughput", type: "quantitative", title: "updates / s", scale: { zero: true } },
        },
      },
    ],
  });
  return { title, vconcat: modes.map(panel) };
}

/** One colour per mode, the same in every chart of the lesson. */
const MODE_COLORS: Readonly<Record<UpdateMode, string>> = { coordinated: "#c0392b", "coordination-free": "#27865f" };

/**
 * A line chart of one measure of {@link coordinationCostSweep} rows against one axis, one line per
 * mode, on a log scale (the two modes differ by orders of magnitude).
 */
export function coordinationCostSpec(rows: readonly CoordinationCostResult[], x: "nodes" | "latencyMs", y: "throughput" | "meanLatencyMs", title: string): VegaLiteSpec {
  const xTitle = x === "nodes" ? "number of replicas" : "mean one-way network latency (ms)";
  const yTitle = y === "throughput" ? "updates completed per second (log)" : "mean update latency seen by a client (ms, log)";
  return {
    title,
    width: 420,
    height: 240,
    data: { values: rows },
    mark: { type: "line", point: true },
    encoding: {
      // Replica counts double from point to point, so a log-2 axis spaces them evenly.
      x: x === "nodes" ? { field: x, type: "quantitative", title: xTitle, scale: { type: "log", base: 2 }, axis: { values: [...new Set(rows.map((r) => r.nodes))] } } : { field: x, type: "quantitative", title: xTitle },
      y: { field: y, type: "quantitative", title: yTitle, scale: { type: "log" } },
      color: { field: "mode", type: "nominal", title: "updates", scale: { domain: ["coordinated", "coordination-free"], range: ["#c0392b", "#27865f"] } },
      tooltip: [{ field: "mode" }, { field: x }, { field: y, format: ".1f" }],
    },
  };
}
