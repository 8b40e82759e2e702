import type { Random } from "../random/random";
import type { NodeId } from "./config";

/**
 * What a handler may do. The contract: handlers are deterministic functions of their own state, the
 * message and `ctx` — no I/O, no `Math.random`, no wall clock — so a run is a function of its seed.
 * Use `ctx.random` for any randomness a protocol needs.
 */
export interface NodeContext<M> {
  /** This node's name. */
  readonly self: NodeId;
  /** Current simulated time (ms). */
  readonly now: number;
  /** Every node, in trace order. */
  readonly nodes: readonly NodeId[];
  /** Every node except this one. */
  readonly peers: readonly NodeId[];
  /** This node's private seeded random stream. */
  readonly random: Random;
  /** Sends `message` to `to` over the (possibly lossy, slow, partitioned) network. */
  send(to: NodeId, message: M): void;
  /** Sends `message` to every peer. */
  broadcast(message: M): void;
  /** Fires `onTimer(ctx, tag)` after `delay` ms unless the node crashes first. Returns a timer id. */
  setTimer(delay: number, tag?: string): number;
  /** Cancels a timer; returns whether it was still pending. */
  cancelTimer(id: number): boolean;
  /** Records an observation (e.g. the replica's current value) as a `note` event for charts and checks. */
  observe(key: string, value: unknown): void;
}

/**
 * A node: its handlers close over its state. State kept in the closure survives a crash (think of it
 * as disk); a protocol that models amnesia resets it in `onRecover`.
 */
export interface NodeHandlers<M> {
  /** Called once at time 0. */
  onStart?(ctx: NodeContext<M>): void;
  onMessage?(ctx: NodeContext<M>, message: M, from: NodeId): void;
  onTimer?(ctx: NodeContext<M>, tag: string): void;
  /** Called when the node comes back after a crash; defaults to `onStart`. */
  onRecover?(ctx: NodeContext<M>): void;
}
