import type { NodeId } from "../../sim/config";
import { messageKey } from "../../dedalus/messageKey";
import type { FaultSet } from "../faults";
import type { SupportGraph, SupportNode } from "../lineage";
import type { FaultTarget, Observation, ObservedMessage } from "../observation";
import type { ExecutionBudget } from "../result";
import { requireAlive } from "../dedalusTarget";
import { HandlerGuard } from "./guard";
import type { SimProtocol } from "./protocol";
import { runTicks, type TickRun } from "./ticks";

/** An observation of a handler run that keeps the run (trace, states) for reports and the completion phase. */
export interface HandlerObservation<State = unknown> extends Observation {
  readonly run: TickRun<State>;
  /** Whether `pre` or `post` read `run.crashed` in this run. */
  readonly crashSensitive: boolean;
}

/** Options of {@link handlerTarget}. */
export interface HandlerTargetOptions {
  readonly eot: number;
  /** Seed of `ctx.random` (the same in every execution). */
  readonly seed?: number;
  /** The call guard; a module loaded with `loadSimProtocol` brings one that also covers its own realm. */
  readonly guard?: HandlerGuard;
}

/** A protocol as a search target: {@link FaultTarget} whose executions are tick runs. */
export interface HandlerTarget<State = unknown> extends FaultTarget {
  readonly protocol: SimProtocol<unknown, State>;
  readonly eot: number;
  execute(faults: FaultSet, budget?: ExecutionBudget): HandlerObservation<State>;
}

/**
 * A protocol written as handlers as a {@link FaultTarget} for lib/ldfi's search. Lineage comes from
 * the trace: the support of a `post` key is the causal past (happens-before) of the state `post`
 * read — the nodes whose `run.state` it called (every node when it read the trace) — at EOT, down
 * to the cross-node messages delivered in it. Handlers are opaque, so the support is one
 * conjunction: any of those messages may matter, none is known to be redundant. When `post` reads
 * `run.crashed`, every goal also requires that no node crashes (as for a Dedalus `post` reading
 * `crash`). Lineage only orders the search; see handlerSearch for why it cannot certify alone.
 */
export function handlerTarget<Msg, State>(protocol: SimProtocol<Msg, State>, options: HandlerTargetOptions): HandlerTarget<State> {
  const guard = options.guard ?? new HandlerGuard();
  const execute = (faults: FaultSet, budget?: ExecutionBudget): HandlerObservation<State> => {
    const run = runTicks(protocol, {
      eot: options.eot,
      faults,
      guard,
      ...(budget ? { budget } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
    return observeTickRun(run);
  };
  return { protocol: protocol, eot: options.eot, nodes: protocol.nodes, execute };
}

/** The messages of a tick run in the shape the report and the search read. */
export function observedMessages(run: TickRun<unknown>): ObservedMessage[] {
  return run.messages
    .filter((m) => m.from !== m.to)
    .map((m) => ({
      from: m.from,
      to: m.to,
      sendTime: m.sendTime,
      rel: messageLabel(m.message),
      args: [],
      lost: m.fate === "delivered" ? null : m.fate,
    }));
}

/** A message's label in charts: its `kind` or `type` field when it has one. */
export function messageLabel(message: unknown): string {
  if (typeof message === "object" && message !== null) {
    const o = message as Record<string, unknown>;
    for (const f of ["kind", "type", "tag"]) if (typeof o[f] === "string") return o[f];
  }
  return typeof message === "string" ? message : "msg";
}

/** The search's view of a finished tick run: keys, first sends, messages and the causal lineage. */
export function observeTickRun<State>(run: TickRun<State>): HandlerObservation<State> {
  const messages = observedMessages(run);
  const firstSend = new Map<string, number>();
  for (const m of messages) firstSend.set(m.from, Math.min(m.sendTime, firstSend.get(m.from) ?? Infinity));
  const post = new Set(run.post);
  let graph: SupportGraph | undefined;
  return {
    run,
    faults: run.faults,
    post,
    pre: new Set(run.pre),
    firstSend,
    messages,
    crashSensitive: run.preReads.crashed || run.postReads.crashed,
    lineage(goals: readonly string[]): SupportGraph {
      for (const g of goals) if (!post.has(g)) throw new RangeError(`lineage: ${g} is not in this run's post at EOT`);
      graph ??= causalSupport(run);
      const root = graph.roots[0] as number;
      return { nodes: graph.nodes, roots: goals.map(() => root) };
    },
  };
}

/**
 * The support of the state `post` read, as a one-root graph: the conjunction of the cross-node
 * messages delivered in the causal past of the last event of each node read (every node when the
 * trace was read); with "no node crashes" conjoined when `post` read `run.crashed`.
 */
export function causalSupport(run: TickRun<unknown>): SupportGraph {
  const readAll = run.postReads.trace;
  const owners: NodeId[] = readAll ? [...run.nodes] : run.nodes.filter((n) => run.postReads.states.has(n));
  const trace = run.trace;
  const last = owners.map((n) => {
    const evs = trace.atNode(n);
    return evs[evs.length - 1];
  });
  const nodes: SupportNode[] = [];
  const edges = new Map<string, number>();
  for (const e of trace.events) {
    if (e.kind !== "deliver" || e.from === e.node) continue;
    const inPast = last.some((l) => l !== undefined && (l.seq === e.seq || trace.happenedBefore(e, l)));
    if (!inPast) continue;
    const key = messageKey(e.from, e.node, e.sentAt);
    if (!edges.has(key)) edges.set(key, nodes.push({ kind: "edge", edge: { from: e.from, to: e.node, sendTime: e.sentAt } }) - 1);
  }
  const root = edges.size === 0 ? nodes.push({ kind: "true" }) - 1 : nodes.push({ kind: "and", of: [...edges.values()] }) - 1;
  const graph: SupportGraph = { nodes, roots: [root] };
  return run.postReads.crashed ? requireAlive(graph, run.nodes) : graph;
}
