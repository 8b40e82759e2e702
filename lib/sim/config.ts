import { SimConfigError } from "./errors";
import { validateLatency, type Latency } from "./latency";
import type { NodeHandlers } from "./node";

/** A node's name. Node order in a trace is the order of the keys of `SimConfig.nodes`. */
export type NodeId = string;

/** How one directed link treats the messages it carries. Every field is optional; see {@link DEFAULT_LINK}. */
export interface LinkBehaviour {
  /** Time on the wire. */
  readonly latency?: Latency;
  /** Probability in [0, 1] that a copy of a message is lost. */
  readonly loss?: number;
  /** Probability in [0, 1] that a message is delivered twice (each copy has its own latency and fate). */
  readonly duplicate?: number;
  /**
   * Probability in [0, 1] that a message may overtake earlier ones. Messages not chosen are delivered in
   * send order on their link (FIFO); a chosen one is also held back by up to {@link REORDER_HOLD_FACTOR}
   * times its latency, so reordering shows even with a constant latency.
   */
  readonly reorder?: number;
}

/** A per-link override; `"*"` matches any node. Later overrides win over earlier ones. */
export interface LinkOverride extends LinkBehaviour {
  readonly from: NodeId; // or "*"
  readonly to: NodeId; // or "*"
}

/**
 * A network partition from `at` until `heal` (forever when absent). Nodes in different groups cannot
 * exchange messages; nodes not listed in any group form one more group together. A message is lost if
 * its link is cut when it is sent or when it would arrive.
 */
export interface PartitionSpec {
  readonly at: number;
  readonly heal?: number;
  readonly groups: readonly (readonly NodeId[])[];
}

/** A node crashes at `at` (its timers are void, messages to it are dropped) and recovers at `recover`, if given. */
export interface CrashSpec {
  readonly node: NodeId;
  readonly at: number;
  readonly recover?: number;
}

/** Bounds of a run. The run stops at whichever it reaches first and reports which. */
export interface SimLimits {
  /** Stop before processing any event later than this simulated time (ms). Default: no time bound. */
  readonly maxTime?: number;
  /** Stop after this many trace events. Default {@link DEFAULT_MAX_EVENTS}. */
  readonly maxEvents?: number;
}

/** Everything a run needs. Same config (same seed, same handlers) gives the identical trace. */
export interface SimConfig<M = unknown> {
  readonly seed: number;
  /** The nodes, by name, with their handlers. */
  readonly nodes: Readonly<Record<NodeId, NodeHandlers<M>>>;
  /** Behaviour of every link unless overridden. */
  readonly network?: LinkBehaviour;
  readonly links?: readonly LinkOverride[];
  readonly partitions?: readonly PartitionSpec[];
  readonly crashes?: readonly CrashSpec[];
  readonly limits?: SimLimits;
}

/** Link behaviour when nothing is configured: a LAN-ish 1–10 ms, no loss, no duplication, FIFO. */
export const DEFAULT_LINK: Required<LinkBehaviour> = {
  latency: { kind: "uniform", min: 1, max: 10 },
  loss: 0,
  duplicate: 0,
  reorder: 0,
};

/**
 * Default event bound: a notebook trace of this size still charts and inspects comfortably, and a
 * handler that loops forever (a timer re-arming itself) stops in well under a second.
 */
export const DEFAULT_MAX_EVENTS = 100_000;

/** How far a reordered message may be held back, as a multiple of its own latency. */
export const REORDER_HOLD_FACTOR = 3;

function probability(field: string, v: unknown): void {
  if (v === undefined) return;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 1)
    throw new SimConfigError(
      field,
      `must be a probability in [0, 1], got ${typeof v === "number" ? String(v) : (JSON.stringify(v) ?? typeof v)}`,
    );
}

function time(field: string, v: unknown): number {
  if (typeof v !== "number" || Number.isNaN(v) || v < 0) throw new SimConfigError(field, `must be a time >= 0, got ${String(v)}`);
  return v;
}

function validateLink(field: string, l: LinkBehaviour): void {
  if (typeof l !== "object" || l === null) throw new SimConfigError(field, "must be an object");
  if (l.latency !== undefined) validateLatency(`${field}.latency`, l.latency);
  probability(`${field}.loss`, l.loss);
  probability(`${field}.duplicate`, l.duplicate);
  probability(`${field}.reorder`, l.reorder);
}

/**
 * Checks a configuration and throws a {@link SimConfigError} naming the first bad field.
 * Called by the simulator before a run; exported so tools can check a config without running it.
 */
export function validateSimConfig<M>(config: SimConfig<M>): void {
  if (typeof config !== "object" || config === null) throw new SimConfigError("config", "must be an object");
  if (typeof config.seed !== "number" || !Number.isFinite(config.seed))
    throw new SimConfigError("seed", `must be a finite number, got ${String(config.seed)}`);
  if (typeof config.nodes !== "object" || config.nodes === null)
    throw new SimConfigError("nodes", "must be an object mapping node names to handlers");
  const names = Object.keys(config.nodes);
  if (names.length === 0) throw new SimConfigError("nodes", "must name at least one node");
  for (const n of names) {
    if (n === "" || n === "*") throw new SimConfigError(`nodes`, `node name ${JSON.stringify(n)} is reserved`);
    const h = config.nodes[n];
    if (typeof h !== "object" || h === null) throw new SimConfigError(`nodes.${n}`, "must be an object of handlers");
  }
  const known = new Set(names);
  const node: (field: string, n: unknown, wildcard: boolean) => asserts n is string = (field, n, wildcard) => {
    if (typeof n !== "string" || !(known.has(n) || (wildcard && n === "*")))
      throw new SimConfigError(field, `unknown node ${JSON.stringify(n)} (nodes are ${names.join(", ")})`);
  };
  if (config.network !== undefined) validateLink("network", config.network);
  (config.links ?? []).forEach((l, i) => {
    node(`links[${i}].from`, l.from, true);
    node(`links[${i}].to`, l.to, true);
    validateLink(`links[${i}]`, l);
  });
  (config.partitions ?? []).forEach((p, i) => {
    const at = time(`partitions[${i}].at`, p.at);
    if (p.heal !== undefined && time(`partitions[${i}].heal`, p.heal) < at)
      throw new SimConfigError(`partitions[${i}].heal`, `must not be before at (${at}), got ${p.heal}`);
    if (!Array.isArray(p.groups) || p.groups.length === 0)
      throw new SimConfigError(`partitions[${i}].groups`, "must be a non-empty array of node groups");
    const seen = new Set<string>();
    p.groups.forEach((g, j) => {
      if (!Array.isArray(g)) throw new SimConfigError(`partitions[${i}].groups[${j}]`, "must be an array of node names");
      (g as unknown[]).forEach((n, k) => {
        node(`partitions[${i}].groups[${j}][${k}]`, n, false);
        if (seen.has(n)) throw new SimConfigError(`partitions[${i}].groups[${j}][${k}]`, `node ${n} is in two groups`);
        seen.add(n);
      });
    });
  });
  (config.crashes ?? []).forEach((c, i) => {
    node(`crashes[${i}].node`, c.node, false);
    const at = time(`crashes[${i}].at`, c.at);
    if (c.recover !== undefined && time(`crashes[${i}].recover`, c.recover) < at)
      throw new SimConfigError(`crashes[${i}].recover`, `must not be before at (${at}), got ${c.recover}`);
  });
  const limits = config.limits ?? {};
  if (limits.maxTime !== undefined) time("limits.maxTime", limits.maxTime);
  if (limits.maxEvents !== undefined && (!Number.isInteger(limits.maxEvents) || limits.maxEvents < 1))
    throw new SimConfigError("limits.maxEvents", `must be a positive integer, got ${String(limits.maxEvents)}`);
}
