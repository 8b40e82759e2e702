import type { CrashSpec, LinkBehaviour, LinkOverride, NodeId, PartitionSpec, SimLimits } from "../sim/config";
import { demoNodeNames } from "../sim/demos";
import type { NodeHandlers } from "../sim/node";
import { runSimulation } from "../sim/simulator";
import type { Trace } from "../sim/trace";
import { CrdtStateError, setOwn, type Crdt, type Json, type ReplicaId } from "./lattice";

/** An operation scheduled at one replica; `op` may be built from the replica's state at that moment. */
export interface ScheduledOp<S, Op> {
  readonly at: number;
  readonly replica: ReplicaId;
  readonly op: Op | ((state: S) => Op);
}

/**
 * How replicas exchange:
 * - `"state"` ships the whole state on every gossip;
 * - `"delta"` ships the join of the deltas *of its own operations* that a peer has not acknowledged
 *   yet (acks, so loss is repaired). Received deltas are merged but never passed on: a simplification
 *   of delta-state anti-entropy that relies on every origin reaching every peer itself;
 * - `"delta-interval"` is Almeida, Shoker and Baquero's delta-interval anti-entropy: a received delta
 *   that inflates the state joins the buffer too, so it is forwarded like a local one and deltas
 *   propagate transitively — a replica that can reach an origin only through others still gets its
 *   updates. A buffered delta is not sent back to the peer it came from.
 */
export type AntiEntropyMode = "state" | "delta" | "delta-interval";

/** Configuration of {@link runReplicas}. */
export interface ReplicaRunConfig<S, Op, V> {
  readonly crdt: Crdt<S, Op, V>;
  /** Replica names, or a count (named a, b, c, ...). */
  readonly replicas: number | readonly ReplicaId[];
  readonly ops: readonly ScheduledOp<S, Op>[];
  /** Default `"delta"`. */
  readonly mode?: AntiEntropyMode;
  /** Each replica gossips to its next peer (round robin) every this many ms. Default 10. */
  readonly gossipEvery?: number;
  /** Replicas stop gossiping after this time, so the run ends. Default: last op + {@link DEFAULT_GOSSIP_TAIL}. */
  readonly until?: number;
  readonly seed?: number;
  readonly network?: LinkBehaviour;
  readonly links?: readonly LinkOverride[];
  readonly partitions?: readonly PartitionSpec[];
  readonly crashes?: readonly CrashSpec[];
  readonly limits?: SimLimits;
  /** Record a `note` event per state change (value and digest) for charts. Default true; off is faster. */
  readonly record?: boolean;
}

/** How long replicas keep gossiping after the last operation, by default: enough rounds to repair loss. */
export const DEFAULT_GOSSIP_TAIL = 500;

/** A message between replicas. `body` is an encoded state or delta-group. */
export type AntiEntropyMessage =
  | { readonly kind: "state"; readonly body: Json }
  | { readonly kind: "delta"; readonly body: Json; readonly upTo: number }
  | { readonly kind: "ack"; readonly upTo: number };

/** What `ctx.observe("replica", ...)` records after each change of a replica's state. */
export interface ReplicaObservation<V> {
  readonly value: V;
  /** Short hash of the canonical state: equal digests, (almost certainly) equal states. */
  readonly digest: string;
}

/** Outcome of {@link runReplicas}. */
export interface ReplicaRun<S, V> {
  readonly trace: Trace;
  readonly states: Readonly<Record<ReplicaId, S>>;
  readonly values: Readonly<Record<ReplicaId, V>>;
  /** All replicas hold equal states at the end. */
  readonly converged: boolean;
  /** Time of the last state change at any replica (when the run converged, if it did). */
  readonly lastChange: number;
  /** JSON bytes of every message sent (lost ones included). */
  readonly bytesShipped: number;
  /** JSON bytes of the messages sent up to `lastChange`: the cost of converging. */
  readonly bytesToConverge: number;
  readonly messagesSent: number;
  /** Received states rejected as corrupted (never merged). */
  readonly rejected: number;
}

/** 32-bit FNV-1a of a string, hex: a cheap digest for "are these states equal" charts. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * Runs replicas of any CRDT on the simulator: each applies its scheduled operations and gossips to
 * its peers round robin, by whole states or by acknowledged delta-groups. Every state change is
 * recorded as a `note` event with key `"replica"` (value and digest) for convergence charts.
 */
export function runReplicas<S, Op, V>(config: ReplicaRunConfig<S, Op, V>): ReplicaRun<S, V> {
  const { crdt } = config;
  const names: ReplicaId[] = typeof config.replicas === "number" ? demoNodeNames(config.replicas) : [...config.replicas];
  const mode = config.mode ?? "delta";
  const gossipEvery = config.gossipEvery ?? 10;
  const lastOp = config.ops.reduce((m, o) => Math.max(m, o.at), 0);
  const until = config.until ?? lastOp + DEFAULT_GOSSIP_TAIL;
  const states = new Map<ReplicaId, S>(names.map((n) => [n, crdt.bottom()]));
  let rejected = 0,
    lastChange = 0;
  const record = config.record ?? true;

  const nodes: Record<NodeId, NodeHandlers<AntiEntropyMessage>> = {};
  for (const name of names) {
    const myOps = config.ops.filter((o) => o.replica === name);
    const peers = names.filter((n) => n !== name);
    // Delta-group buffer: deltas[k] has sequence number base + k and came from origins[k] (undefined:
    // this replica's own operation); acked[p] = first seq p has not acknowledged.
    let deltas: S[] = [];
    let origins: (ReplicaId | undefined)[] = [];
    let base = 0;
    const acked = new Map<ReplicaId, number>(peers.map((p) => [p, 0]));
    let turn = 0;
    const send = (
      ctx: Parameters<NonNullable<NodeHandlers<AntiEntropyMessage>["onStart"]>>[0],
      to: NodeId,
      m: AntiEntropyMessage,
    ): void => {
      ctx.send(to, m);
    };
    const changed = (ctx: { now: number; observe(k: string, v: unknown): void }, s: S): void => {
      states.set(name, s);
      lastChange = Math.max(lastChange, ctx.now);
      if (record)
        ctx.observe("replica", { value: crdt.value(s), digest: fnv1a(JSON.stringify(crdt.encode(s))) } satisfies ReplicaObservation<V>);
    };
    const collectGarbage = (): void => {
      let low = Infinity;
      for (const a of acked.values()) if (a < low) low = a;
      if (low > base) {
        deltas = deltas.slice(low - base);
        origins = origins.slice(low - base);
        base = low;
      }
    };
    // setOwn: a replica may be called "__proto__", which `nodes[name] = ...` would turn into a prototype
    setOwn(nodes, name, {
      onStart: (ctx) => {
        myOps.forEach((o, i) => ctx.setTimer(o.at, `op:${i}`));
        if (peers.length > 0) ctx.setTimer(ctx.random.next() * gossipEvery, "gossip");
        turn = ctx.random.int(0, Math.max(0, peers.length - 1));
      },
      onTimer: (ctx, tag) => {
        const s = states.get(name) as S;
        if (tag.startsWith("op:")) {
          const o = myOps[Number(tag.slice(3))] as ScheduledOp<S, Op>;
          const op = typeof o.op === "function" ? (o.op as (state: S) => Op)(s) : o.op;
          const d = crdt.delta(s, op, name);
          deltas.push(d);
          origins.push(undefined);
          changed(ctx, crdt.joinInto(s, d));
          return;
        }
        if (ctx.now > until) return;
        ctx.setTimer(gossipEvery, "gossip");
        const peer = peers[turn++ % peers.length] as ReplicaId;
        if (mode === "state") return send(ctx, peer, { kind: "state", body: crdt.encode(s) });
        const from = acked.get(peer) as number;
        const upTo = base + deltas.length;
        if (from >= upTo) return;
        let group = crdt.bottom();
        let news = false;
        for (let k = from - base; k < deltas.length; k++) {
          if (origins[k] === peer) continue; // the peer sent us this one: it has it already
          group = crdt.joinInto(group, deltas[k] as S);
          news = true;
        }
        if (!news) {
          acked.set(peer, upTo);
          collectGarbage();
          return;
        }
        send(ctx, peer, { kind: "delta", body: crdt.encode(group), upTo });
      },
      onMessage: (ctx, m, from) => {
        if (m.kind === "ack") {
          if (m.upTo > (acked.get(from) ?? 0)) acked.set(from, m.upTo);
          collectGarbage();
          return;
        }
        let incoming: S;
        try {
          incoming = crdt.decode(m.body);
        } catch (e) {
          if (!(e instanceof CrdtStateError)) throw e;
          rejected++;
          ctx.observe("rejected", e.message);
          return;
        }
        const s = states.get(name) as S;
        const inflates = !crdt.leq(incoming, s);
        if (inflates) changed(ctx, crdt.joinInto(s, incoming));
        // "delta" never relays (each origin keeps its own deltas until every peer acknowledges them);
        // "delta-interval" buffers what was new here, so it travels on to peers the origin cannot reach.
        if (inflates && m.kind === "delta" && mode === "delta-interval") {
          deltas.push(incoming);
          origins.push(from);
        }
        if (m.kind === "delta") send(ctx, from, { kind: "ack", upTo: m.upTo });
      },
    });
  }
  const trace = runSimulation<AntiEntropyMessage>({
    seed: config.seed ?? 1,
    nodes,
    ...(config.network ? { network: config.network } : {}),
    ...(config.links ? { links: config.links } : {}),
    ...(config.partitions ? { partitions: config.partitions } : {}),
    ...(config.crashes ? { crashes: config.crashes } : {}),
    ...(config.limits ? { limits: config.limits } : {}),
  });
  const final = names.map((n) => JSON.stringify(crdt.encode(states.get(n) as S)));
  // Message sizes are measured from the trace on demand: most callers (tests) never ask.
  const bytesSentBy = (t: number): number =>
    trace.ofKind("send").reduce((sum, e) => (e.time <= t ? sum + JSON.stringify(e.message).length : sum), 0);
  return {
    trace,
    states: Object.fromEntries(states),
    values: Object.fromEntries(names.map((n) => [n, crdt.value(states.get(n) as S)])),
    converged: final.every((f) => f === final[0]),
    lastChange,
    get bytesShipped() {
      return bytesSentBy(Infinity);
    },
    get bytesToConverge() {
      return bytesSentBy(lastChange);
    },
    messagesSent: trace.ofKind("send").length,
    rejected,
  };
}
