import type { LinkBehaviour, NodeId, PartitionSpec, CrashSpec, SimConfig, SimLimits } from "./config";
import type { NodeHandlers } from "./node";
import { runSimulation } from "./simulator";
import type { Trace } from "./trace";

/**
 * The notebook entry point: `simulate({ nodes: { a: {...}, b: {...} }, network: { loss: 0.1 } })`.
 * Like {@link runSimulation} with a default seed of 1.
 */
export function simulate<M>(config: Omit<SimConfig<M>, "seed"> & { readonly seed?: number }): Trace {
  return runSimulation({ ...config, seed: config.seed ?? 1 });
}

/** Options of {@link gossipDemo}. */
export interface GossipDemoOptions {
  /** Number of nodes, named a, b, c, ... Default 5. */
  readonly nodes?: number;
  /** Rounds each informed node keeps gossiping. Default 4. */
  readonly rounds?: number;
  /** Time between rounds (ms). Default 10. */
  readonly period?: number;
  readonly network?: LinkBehaviour;
  readonly partitions?: readonly PartitionSpec[];
  readonly crashes?: readonly CrashSpec[];
  readonly limits?: SimLimits;
}

/** Node names a, b, c, ... for demos (after z: n26, n27, ...). */
export function demoNodeNames(n: number): NodeId[] {
  return Array.from({ length: n }, (_, i) => (i < 26 ? String.fromCharCode(97 + i) : `n${i}`));
}

/**
 * Rumour spreading: node `a` knows a rumour; every informed node, each round, tells one random peer.
 * Each node records `ctx.observe("informed", true)` when it first hears it. Default network: 1–10 ms,
 * 20% loss, some reordering — enough to see asynchrony in a spacetime diagram.
 */
export function gossipDemo(seed = 1, options: GossipDemoOptions = {}): Trace {
  const names = demoNodeNames(options.nodes ?? 5);
  const rounds = options.rounds ?? 4;
  const period = options.period ?? 10;
  const nodes: Record<NodeId, NodeHandlers<"rumour">> = {};
  for (const name of names) {
    let informed = name === names[0];
    let left = rounds;
    nodes[name] = {
      onStart: (ctx) => {
        if (informed) {
          ctx.observe("informed", true);
          ctx.setTimer(0, "round");
        }
      },
      onMessage: (ctx) => {
        if (informed) return;
        informed = true;
        ctx.observe("informed", true);
        ctx.setTimer(period, "round");
      },
      onTimer: (ctx) => {
        if (left-- <= 0) return;
        ctx.send(ctx.random.pick(ctx.peers), "rumour");
        ctx.setTimer(period, "round");
      },
    };
  }
  return runSimulation({
    seed,
    nodes,
    network: options.network ?? { latency: { kind: "uniform", min: 1, max: 10 }, loss: 0.2, reorder: 0.3 },
    ...(options.partitions ? { partitions: options.partitions } : {}),
    ...(options.crashes ? { crashes: options.crashes } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
}

/**
 * "Slow or dead?": `client` pings `server` every 25 ms and records `ctx.observe("suspect", true)` when
 * the reply to its latest ping is later than `timeout`, and `ctx.observe("suspect", false)` when that
 * reply arrives. With `crashAt` the server crashes; with a slow link it does not — and the first
 * silence past the timeout looks the same. A reply to an older ping, which comes after the client
 * has moved on to a newer one, is thrown away and recorded as `ctx.observe("ignored reply", n)`: this
 * client never learns from late replies (`runPingDetector` in course/ does).
 * Default: exponential latency with mean 8 ms, timeout 20 ms.
 */
export function slowOrDeadDemo(
  seed = 1,
  options: { readonly crashAt?: number; readonly timeout?: number; readonly pings?: number; readonly meanLatency?: number } = {},
): Trace {
  const timeout = options.timeout ?? 20;
  const pings = options.pings ?? 8;
  const period = 25;
  let sent = 0;
  let awaiting: number | undefined;
  const client: NodeHandlers<{ ping: number } | { pong: number }> = {
    onStart: (ctx) => {
      ctx.setTimer(0, "ping");
    },
    onTimer: (ctx, tag) => {
      if (tag === "ping" && sent < pings) {
        awaiting = sent;
        ctx.send("server", { ping: sent++ });
        ctx.setTimer(timeout, `timeout:${awaiting}`);
        ctx.setTimer(period, "ping");
      } else if (tag.startsWith("timeout:") && awaiting === Number(tag.slice(8))) {
        ctx.observe("suspect", true);
      }
    },
    onMessage: (ctx, m) => {
      if (!("pong" in m)) return;
      if (m.pong === awaiting) {
        awaiting = undefined;
        ctx.observe("suspect", false);
      } else ctx.observe("ignored reply", m.pong);
    },
  };
  const server: NodeHandlers<{ ping: number } | { pong: number }> = {
    onMessage: (ctx, m, from) => {
      if ("ping" in m) ctx.send(from, { pong: m.ping });
    },
  };
  return runSimulation({
    seed,
    nodes: { client, server },
    network: { latency: { kind: "exponential", mean: options.meanLatency ?? 8, min: 1 } },
    crashes: options.crashAt === undefined ? [] : [{ node: "server", at: options.crashAt }],
  });
}
