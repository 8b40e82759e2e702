import { Random } from "../../random/random";
import type { NodeId } from "../../sim/config";
import { SimHandlerError } from "../../sim/errors";
import type { NodeContext } from "../../sim/node";
import { Trace, type TraceEvent } from "../../sim/trace";
import { heapUsedBytes } from "../../dedalus/limits";
import { messageKey } from "../../dedalus/messageKey";
import { formatFaults, NO_FAULTS, type FaultSet } from "../faults";
import { SearchLimitError, type ExecutionBudget } from "../result";
import { errorMessage, HandlerGuard } from "./guard";
import { describe, type SimProtocol, type SimProtocolNode, type SimRunView } from "./protocol";

/**
 * A small tick scheduler for protocols written as handlers (DESIGN.md section 13), rather than
 * lib/sim's event queue: Dedalus's order within a timestep is not an order of event times, and a
 * handler twin must see exactly that order to reach its Dedalus twin's verdicts. At tick t, each
 * node in `nodes` order first receives every message sent to it at t − 1 (by sender in `nodes`
 * order, then in send order), then fires its timers due at t; `onStart` runs at tick 1. With every
 * latency exactly one tick, losing a message never moves any other message: the schedule of a run
 * is fixed by the messages that exist, so a fault changes only what it loses and what follows from
 * that. The run is recorded as a lib/sim {@link Trace} (vector clocks, happens-before, spacetime
 * charts), with tick numbers as times.
 */

/**
 * Trace events one run may record when the search gives no `maxTuples` (a protocol whose messages
 * multiply every tick would otherwise fill the heap): far above any twin (under 200 events).
 */
export const DEFAULT_MAX_TICK_EVENTS = 1_000_000;

/** Seed of `ctx.random` when none is given: every execution of a search uses the same streams. */
export const DEFAULT_HANDLER_SEED = 1;

/** Why a message sent in a tick run did or did not arrive. */
export type TickFate =
  /** Received at the next tick. */
  | "delivered"
  /** Lost by an omission fault (recorded in the trace as a drop with reason `loss`). */
  | "omission"
  /** Its sender had crashed: muted (recorded as a drop with reason `crashed`). */
  | "crash"
  /** Sent at EOT: it would arrive after the run (in the trace it stays in flight). */
  | "after-eot";

/** One message of a tick run. */
export interface TickMessage {
  readonly msgId: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly sendTime: number;
  readonly message: unknown;
  readonly fate: TickFate;
}

/** What `pre`/`post` read while computing their keys: the lineage and the completion rule need it. */
export interface KeyReads {
  /** Nodes whose `state` was read. */
  readonly states: ReadonlySet<NodeId>;
  /** Whether `crashed` was read (a crash can then change keys with no message lost). */
  readonly crashed: boolean;
  /** Whether the trace was read (then every node's past counts). */
  readonly trace: boolean;
}

/** One execution of a protocol under a fault set. */
export interface TickRun<State> {
  readonly nodes: readonly NodeId[];
  readonly eot: number;
  readonly faults: FaultSet;
  readonly trace: Trace;
  readonly messages: readonly TickMessage[];
  readonly states: ReadonlyMap<NodeId, State>;
  readonly pre: readonly string[];
  readonly post: readonly string[];
  readonly preReads: KeyReads;
  readonly postReads: KeyReads;
}

/** Options of {@link runTicks}. */
export interface TickRunOptions {
  readonly eot: number;
  readonly faults?: FaultSet;
  /** Seed of the nodes' `ctx.random` streams (default {@link DEFAULT_HANDLER_SEED}). */
  readonly seed?: number;
  /** The call guard (timeouts, refused `Math.random`); one per protocol module. */
  readonly guard?: HandlerGuard;
  /**
   * The search's bounds on this run, checked after every handler call: its deadline (`timeout`),
   * `wallMs` (`run-wall-time`), `maxTuples` as trace events (`max-tuples`; default
   * {@link DEFAULT_MAX_TICK_EVENTS}) and the heap ceiling (`memory`, checked once per tick).
   * Passing one throws {@link SearchLimitError}.
   */
  readonly budget?: ExecutionBudget;
}

interface PendingTimer {
  readonly id: number;
  readonly due: number;
  readonly tag: string;
  cancelled: boolean;
}

interface NodeState<Msg, State> {
  readonly name: NodeId;
  readonly index: number;
  handlers: SimProtocolNode<Msg, State>;
  ctx: NodeContext<Msg>;
  lamport: number;
  readonly vc: number[];
  timers: PendingTimer[];
}

interface InFlight {
  readonly from: number;
  readonly msgId: number;
  readonly sendSeq: number;
  readonly sentAt: number;
  readonly message: unknown;
  readonly lamport: number;
  readonly vc: readonly number[];
}

const HANDLER_NAMES = ["onStart", "onMessage", "onTimer", "inspect"] as const;

/**
 * Executes `protocol` for ticks 1..EOT under `faults`: `omit(from, to, t)` loses what `from` sends
 * to `to` at t, `crash(n, t)` loses everything n sends to other nodes from t on (n keeps receiving,
 * computing and firing timers), messages to oneself are never lost, a message sent at EOT arrives
 * too late. Then reads every node's `inspect()` and evaluates `pre` and `post`. Throws
 * {@link SimHandlerError} naming the node, handler and tick when protocol code breaks the contract.
 */
export function runTicks<Msg, State>(protocol: SimProtocol<Msg, State>, options: TickRunOptions): TickRun<State> {
  const { eot } = options;
  if (!Number.isInteger(eot) || eot < 1) throw new RangeError(`EOT must be a positive integer, got ${eot}`);
  const faults = options.faults ?? NO_FAULTS;
  const guard = options.guard ?? new HandlerGuard();
  const names = protocol.nodes;
  const index = new Map(names.map((n, i) => [n, i]));
  const crashAt = new Map(faults.crashes.map((c) => [c.node, c.time]));
  const omitted = new Set(faults.omissions.map((o) => messageKey(o.from, o.to, o.time)));
  const events: TraceEvent[] = [];
  const messages: TickMessage[] = [];
  const root = new Random(options.seed ?? DEFAULT_HANDLER_SEED);
  let now = 0;
  let nextMsgId = 0;
  let nextTimerId = 0;
  let inbox: InFlight[][] = names.map(() => []);
  let nextInbox: InFlight[][] = names.map(() => []);
  let running = "node";

  const stamp = (node: NodeState<Msg, State>) => {
    node.lamport++;
    node.vc[node.index] = (node.vc[node.index] as number) + 1;
    return { seq: events.length, time: now, node: node.name, lamport: node.lamport, vc: node.vc.slice() };
  };

  const send = (node: NodeState<Msg, State>, to: NodeId, message: Msg): void => {
    const toIdx = index.get(to);
    if (toIdx === undefined)
      throw new SimHandlerError(node.name, now, running, `ctx.send to unknown node ${JSON.stringify(to)} (nodes: ${names.join(", ")})`);
    let copy: unknown;
    try {
      // The network carries data, not references: a sender changing its object later changes nothing.
      copy = structuredClone(message);
    } catch (e) {
      throw new SimHandlerError(node.name, now, running, `ctx.send: the message is not plain data (${errorMessage(e)})`);
    }
    const msgId = nextMsgId++;
    const ev = { kind: "send" as const, ...stamp(node), to, msgId, message: copy };
    events.push(ev);
    const crashedAt = crashAt.get(node.name);
    let fate: TickFate;
    if (now + 1 > eot) fate = "after-eot";
    else if (to === node.name) fate = "delivered";
    else if (crashedAt !== undefined && crashedAt <= now) fate = "crash";
    else if (omitted.has(messageKey(node.name, to, now))) fate = "omission";
    else fate = "delivered";
    messages.push({ msgId, from: node.name, to, sendTime: now, message: copy, fate });
    if (fate === "omission" || fate === "crash") {
      events.push({
        kind: "drop",
        seq: events.length,
        time: now,
        from: node.name,
        to,
        msgId,
        sendSeq: ev.seq,
        sentAt: now,
        arrival: now + 1,
        copy: 1,
        reason: fate === "omission" ? "loss" : "crashed",
        message: copy,
      });
    } else if (fate === "delivered") {
      (nextInbox[toIdx] as InFlight[]).push({
        from: node.index,
        msgId,
        sendSeq: ev.seq,
        sentAt: now,
        message: copy,
        lamport: ev.lamport,
        vc: ev.vc,
      });
    }
  };

  const nodes: NodeState<Msg, State>[] = names.map((name, i) => {
    const random = root.fork(i + 1);
    const peers = names.filter((n) => n !== name);
    const st = { name, index: i, lamport: 0, vc: new Array<number>(names.length).fill(0), timers: [] } as unknown as NodeState<Msg, State>;
    st.ctx = {
      self: name,
      get now() {
        return now;
      },
      nodes: names,
      peers,
      random,
      send: (to, message) => send(st, to, message),
      broadcast: (message) => {
        for (const p of peers) send(st, p, message);
      },
      setTimer: (delay, tag = "") => {
        if (!Number.isInteger(delay) || delay < 1)
          throw new SimHandlerError(name, now, running, `ctx.setTimer: the delay is a whole number of ticks >= 1, got ${String(delay)}`);
        if (typeof tag !== "string")
          throw new SimHandlerError(name, now, running, `ctx.setTimer: the tag must be a string, got ${describe(tag)}`);
        const id = nextTimerId++;
        st.timers.push({ id, due: now + delay, tag, cancelled: false });
        return id;
      },
      cancelTimer: (id) => {
        const t = st.timers.find((x) => x.id === id && !x.cancelled);
        if (t) t.cancelled = true;
        return t !== undefined;
      },
      observe: (key, value) => {
        events.push({ kind: "note", ...stamp(st), key, value });
      },
    };
    return st;
  });

  const budget = options.budget;
  const started = performance.now();
  const maxEvents = budget?.maxTuples ?? DEFAULT_MAX_TICK_EVENTS;
  const stop = (limit: "timeout" | "run-wall-time" | "max-tuples" | "memory", why: string): never => {
    throw new SearchLimitError(limit, `${formatFaults(faults)}: ${why} at tick ${now}`);
  };
  const checkBudget = (): void => {
    if (events.length > maxEvents) stop("max-tuples", `the run recorded more than ${maxEvents} events`);
    if (!budget) return;
    const t = performance.now();
    if (t > budget.deadline) stop("timeout", "the search's time ran out");
    if (budget.wallMs !== undefined && t - started > budget.wallMs) stop("run-wall-time", `the run took longer than ${budget.wallMs} ms`);
  };
  const call = (node: NodeState<Msg, State>, handler: string, fn: () => void): void => {
    running = handler;
    guard.call({ node: node.name, handler, tick: now }, fn);
    checkBudget();
  };

  // Fresh handler objects per execution: all state lives in their closures.
  now = 1;
  for (const st of nodes) {
    const made = guard.call({ node: st.name, handler: "node", tick: 0 }, () => protocol.node(st.name));
    st.handlers = checkHandlers(made, st.name);
  }

  for (now = 1; now <= eot; now++) {
    if (budget?.maxHeapBytes !== undefined && heapUsedBytes() > budget.maxHeapBytes)
      stop("memory", `the heap passed ${budget.maxHeapBytes} bytes`);
    [inbox, nextInbox] = [nextInbox, inbox];
    for (const box of nextInbox) box.length = 0;
    for (const st of nodes) {
      if (now === 1) {
        events.push({ kind: "start", ...stamp(st) });
        call(st, "onStart", () => st.handlers.onStart?.(st.ctx));
      }
      const arrivals = (inbox[st.index] as InFlight[]).slice().sort((a, b) => a.from - b.from || a.msgId - b.msgId);
      for (const m of arrivals) {
        st.lamport = Math.max(st.lamport, m.lamport);
        for (let i = 0; i < st.vc.length; i++) if ((m.vc[i] as number) > (st.vc[i] as number)) st.vc[i] = m.vc[i] as number;
        const from = names[m.from] as NodeId;
        events.push({
          kind: "deliver",
          ...stamp(st),
          from,
          msgId: m.msgId,
          sendSeq: m.sendSeq,
          sentAt: m.sentAt,
          copy: 1,
          message: m.message,
        });
        call(st, "onMessage", () => st.handlers.onMessage?.(st.ctx, m.message as Msg, from));
      }
      const due = st.timers.filter((t) => t.due === now && !t.cancelled).sort((a, b) => a.id - b.id);
      st.timers = st.timers.filter((t) => t.due > now && !t.cancelled);
      for (const t of due) {
        if (t.cancelled) continue; // cancelled by an earlier timer of this tick
        events.push({ kind: "timer", ...stamp(st), tag: t.tag, timerId: t.id });
        call(st, "onTimer", () => st.handlers.onTimer?.(st.ctx, t.tag));
      }
    }
  }
  now = eot;
  const inFlight = messages.filter((m) => m.fate === "after-eot").length;
  const trace = new Trace(
    names,
    events,
    { reason: "max-time", time: eot, events: events.length, inFlight },
    options.seed ?? DEFAULT_HANDLER_SEED,
  );

  const states = new Map<NodeId, State>();
  for (const st of nodes)
    states.set(
      st.name,
      guard.call({ node: st.name, handler: "inspect", tick: eot }, () => st.handlers.inspect()),
    );
  const evaluate = (which: "pre" | "post") => {
    const reads = { states: new Set<NodeId>(), crashed: false, trace: false };
    const view: SimRunView<State> = {
      nodes: names,
      eot,
      faults,
      state(node: NodeId): State {
        if (!states.has(node))
          throw new SimHandlerError(
            String(node),
            eot,
            which,
            `run.state(${JSON.stringify(node)}): no such node (nodes: ${names.join(", ")})`,
          );
        reads.states.add(node);
        return states.get(node) as State;
      },
      crashed(node: NodeId): boolean {
        if (!index.has(node))
          throw new SimHandlerError(
            String(node),
            eot,
            which,
            `run.crashed(${JSON.stringify(node)}): no such node (nodes: ${names.join(", ")})`,
          );
        reads.crashed = true;
        return crashAt.has(node);
      },
      get trace() {
        reads.trace = true;
        return trace;
      },
    };
    const keys = guard.call({ node: "(all)", handler: which, tick: eot }, () => protocol[which](view));
    return { keys: checkKeys(keys, which), reads };
  };
  const pre = evaluate("pre");
  const post = evaluate("post");
  return { nodes: names, eot, faults, trace, messages, states, pre: pre.keys, post: post.keys, preReads: pre.reads, postReads: post.reads };
}

function checkHandlers<Msg, State>(made: unknown, node: NodeId): SimProtocolNode<Msg, State> {
  if (typeof made !== "object" || made === null)
    throw new SimHandlerError(
      node,
      0,
      "node",
      `node(${JSON.stringify(node)}) must return a handler object { onStart, onMessage, onTimer, inspect }, got ${describe(made)}`,
    );
  const h = made as Record<string, unknown>;
  for (const name of HANDLER_NAMES) {
    const v = h[name];
    if (name === "inspect" ? typeof v !== "function" : v !== undefined && typeof v !== "function") {
      throw new SimHandlerError(
        node,
        0,
        "node",
        `the handler object's ${name} must be a function${name === "inspect" ? " (it returns the node's state after EOT)" : " or absent"}, got ${describe(v)}`,
      );
    }
  }
  return made as SimProtocolNode<Msg, State>;
}

function checkKeys(keys: unknown, which: string): string[] {
  if (!Array.isArray(keys))
    throw new SimHandlerError("(all)", 0, which, `${which}(run) must return an array of string keys, got ${describe(keys)}`);
  const out = new Set<string>();
  keys.forEach((k: unknown, i) => {
    if (typeof k !== "string") throw new SimHandlerError("(all)", 0, which, `${which}(run)[${i}] must be a string key, got ${describe(k)}`);
    out.add(k);
  });
  return [...out].sort();
}
