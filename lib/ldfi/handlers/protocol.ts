import type { NodeId } from "../../sim/config";
import type { NodeHandlers } from "../../sim/node";
import type { Trace } from "../../sim/trace";
import type { FaultSet } from "../faults";

/**
 * A node of a protocol written as handlers: the simulator's {@link NodeHandlers} (`onStart` at
 * tick 1, `onMessage`, `onTimer`; `onRecover` is never called, crashed nodes keep running) plus
 * `inspect`, which returns the node's state after EOT for `pre`/`post`. Handlers are deterministic:
 * no I/O, no `Math.random` (use `ctx.random`), no wall clock; each call is synchronous.
 */
export interface SimProtocolNode<Msg, State> extends Omit<NodeHandlers<Msg>, "onRecover"> {
  /** The node's state, read once after EOT; `run.state(node)` in `pre`/`post` is this value. */
  inspect(): State;
}

/**
 * One finished execution as `pre` and `post` see it. Reading `crashed` makes the protocol
 * crash-sensitive (a crash can then change the keys without losing any message; the search
 * accounts for it).
 */
export interface SimRunView<State> {
  /** The protocol's nodes, in `nodes` order. */
  readonly nodes: readonly NodeId[];
  /** The last tick (EOT). */
  readonly eot: number;
  /** `inspect()` of the node after EOT. */
  state(node: NodeId): State;
  /** Whether the node crashes in this run (Molly's `crash` relation: known at every time). */
  crashed(node: NodeId): boolean;
  /** Every start, send, delivery, drop and timer of the run, with happens-before (lib/sim). */
  readonly trace: Trace;
  /** The faults injected into this run. */
  readonly faults: FaultSet;
}

/** What a protocol module's author writes: the argument of {@link defineSimProtocol}. */
export interface SimProtocolSpec<Msg, State> {
  /** The nodes, in the order each tick visits them. At least one, distinct, non-empty names. */
  readonly nodes: readonly NodeId[];
  /** A fresh handler object for `self`, called once per node per execution (state lives in its closure). */
  node(self: NodeId): SimProtocolNode<Msg, State>;
  /** Keys of the precondition at EOT: a lost `post` key is a violation only while its key is here. */
  pre(run: SimRunView<State>): readonly string[];
  /** Keys of the invariant at EOT: what faults must not lose (compared with the failure-free run). */
  post(run: SimRunView<State>): readonly string[];
}

/** Marks objects built by {@link defineSimProtocol} (a registered symbol, so copies of maze agree). */
export const SIM_PROTOCOL_BRAND: unique symbol = Symbol.for("maze.simProtocol") as never;

/** A checked protocol, as {@link defineSimProtocol} returns it and the handler search consumes it. */
export interface SimProtocol<Msg = unknown, State = unknown> extends SimProtocolSpec<Msg, State> {
  readonly [SIM_PROTOCOL_BRAND]: true;
}

/** A protocol module that breaks the contract (no default export, nodes not strings, ...); `field` says where. */
export class SimProtocolError extends Error {
  override readonly name = "SimProtocolError";
  constructor(
    /** The offending field of the spec, e.g. `nodes[1]` or `post`. */
    readonly field: string,
    readonly problem: string,
  ) {
    super(`protocol: ${field}: ${problem}`);
  }
}

/**
 * Defines a protocol for `maze ldfi protocol.ts` (DESIGN.md section 13): nodes, a handler factory
 * per node, and `pre`/`post` as string keys. Checks the shape now, so a mistake is reported where it
 * is made rather than in the middle of a search.
 *
 * @example
 * ```ts
 * import { defineSimProtocol } from "maze";
 * type Msg = { kind: "data"; payload: string };
 * export default defineSimProtocol<Msg, { log: string[] }>({
 *   nodes: ["a", "b", "c"],
 *   node(self) {
 *     const log = new Set<string>();
 *     return {
 *       onStart(ctx) { if (self === "a") { log.add("hi"); for (const p of ctx.peers) ctx.send(p, { kind: "data", payload: "hi" }); } },
 *       onMessage(ctx, msg) { log.add(msg.payload); },
 *       inspect: () => ({ log: [...log] }),
 *     };
 *   },
 *   pre: (run) => run.nodes.filter((n) => n !== "a" && !run.crashed(n)).flatMap((n) => run.state(n).log.map((p) => `${n}:${p}`)),
 *   post: (run) => run.nodes.flatMap((n) => run.state(n).log.map((p) => `${n}:${p}`)).filter((k) => run.nodes.every((m) => run.state(m).log.includes(k.split(":")[1] as string))),
 * });
 * ```
 */
export function defineSimProtocol<Msg, State = unknown>(spec: SimProtocolSpec<Msg, State>): SimProtocol<Msg, State> {
  checkSpec(spec);
  return Object.freeze({
    nodes: Object.freeze([...spec.nodes]),
    node: (self: NodeId) => spec.node(self),
    pre: (run: SimRunView<State>) => spec.pre(run),
    post: (run: SimRunView<State>) => spec.post(run),
    [SIM_PROTOCOL_BRAND]: true as const,
  });
}

/** Whether a value was built by {@link defineSimProtocol} (in this or another copy of maze). */
export function isSimProtocol(value: unknown): value is SimProtocol {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[SIM_PROTOCOL_BRAND] === true;
}

function checkSpec(spec: unknown): void {
  if (typeof spec !== "object" || spec === null)
    throw new SimProtocolError("(spec)", `defineSimProtocol expects an object { nodes, node, pre, post }, got ${describe(spec)}`);
  const s = spec as Record<string, unknown>;
  const nodes = s["nodes"];
  if (!Array.isArray(nodes) || nodes.length === 0)
    throw new SimProtocolError("nodes", `expected a non-empty array of node names, got ${describe(nodes)}`);
  const seen = new Set<string>();
  nodes.forEach((n: unknown, i) => {
    if (typeof n !== "string" || n.length === 0)
      throw new SimProtocolError(`nodes[${i}]`, `expected a non-empty string, got ${describe(n)}`);
    if (!/^[A-Za-z0-9_.-]+$/.test(n))
      throw new SimProtocolError(
        `nodes[${i}]`,
        `node names use letters, digits, '_', '.' and '-' (they appear in fault sets such as omit(a,b,1)), got ${JSON.stringify(n)}`,
      );
    if (seen.has(n)) throw new SimProtocolError(`nodes[${i}]`, `duplicate node ${JSON.stringify(n)}`);
    seen.add(n);
  });
  for (const f of ["node", "pre", "post"] as const) {
    if (typeof s[f] !== "function") throw new SimProtocolError(f, `expected a function, got ${describe(s[f])}`);
  }
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v)}`;
  if (typeof v === "object") return "an object";
  if (typeof v === "function") return "a function";
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return `${typeof v} ${String(v)}`;
  return typeof v === "symbol" ? v.toString() : "undefined";
}
