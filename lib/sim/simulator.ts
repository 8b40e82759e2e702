import { Random } from "../random/random";
import {
  DEFAULT_LINK,
  DEFAULT_MAX_EVENTS,
  REORDER_HOLD_FACTOR,
  validateSimConfig,
  type LinkBehaviour,
  type NodeId,
  type SimConfig,
} from "./config";
import { SimHandlerError } from "./errors";
import { EventQueue } from "./eventQueue";
import { sampleLatency, type Latency } from "./latency";
import type { NodeContext, NodeHandlers } from "./node";
import { Trace, type DropReason, type SendEvent, type StopReason, type TraceEvent } from "./trace";

/** Things waiting in the event queue. Only the simulator sees these; the trace records outcomes. */
type Scheduled<M> =
  | { readonly type: "start"; readonly node: number }
  | {
      readonly type: "deliver";
      readonly from: number;
      readonly to: number;
      readonly msgId: number;
      readonly sendSeq: number;
      readonly sentAt: number;
      readonly copy: number;
      readonly message: M;
      readonly lamport: number;
      readonly vc: readonly number[];
    }
  | { readonly type: "timer"; readonly node: number; readonly timerId: number; readonly tag: string; readonly incarnation: number }
  | { readonly type: "crash"; readonly node: number }
  | { readonly type: "recover"; readonly node: number }
  | { readonly type: "partition"; readonly index: number }
  | { readonly type: "heal"; readonly index: number };

interface ResolvedLink {
  readonly latency: Latency;
  readonly loss: number;
  readonly duplicate: number;
  readonly reorder: number;
  /** Latest FIFO arrival time on this link, so non-reordered messages never overtake. */
  fifoTail: number;
}

interface NodeRuntime<M> {
  readonly name: NodeId;
  readonly index: number;
  readonly handlers: NodeHandlers<M>;
  readonly ctx: NodeContext<M>;
  alive: boolean;
  /** Bumped on crash so timers set before it never fire. */
  incarnation: number;
  lamport: number;
  vc: number[];
  readonly pendingTimers: Set<number>;
}

/**
 * Runs `config` to completion (or to its bounds) and returns the trace. Deterministic: the same
 * config and handlers give an identical trace. Throws {@link SimConfigError} for a bad config and
 * {@link SimHandlerError} when a handler throws.
 */
export function runSimulation<M>(config: SimConfig<M>): Trace {
  validateSimConfig(config);
  return new Simulation(config).run();
}

class Simulation<M> {
  private readonly names: readonly NodeId[];
  private readonly nodes: NodeRuntime<M>[];
  private readonly links: ResolvedLink[];
  private readonly queue = new EventQueue<Scheduled<M>>();
  private readonly events: TraceEvent[] = [];
  private readonly net: Random;
  /** For each partition, the group index of every node (unlisted nodes share group -1). */
  private readonly partitionGroups: Int32Array[];
  private readonly activePartitions = new Set<number>();
  private readonly maxEvents: number;
  private readonly maxTime: number;
  private now = 0;
  private nextMsgId = 0;
  private nextTimerId = 0;

  constructor(private readonly config: SimConfig<M>) {
    this.names = Object.keys(config.nodes);
    const n = this.names.length;
    const index = new Map(this.names.map((name, i) => [name, i]));
    const root = new Random(config.seed);
    // Fork order is fixed (network first, then nodes in order) so streams depend only on the seed.
    this.net = root.fork(0);
    this.nodes = this.names.map((name, i) => this.makeNode(name, i, root.fork(i + 1)));
    this.links = [];
    for (let f = 0; f < n; f++)
      for (let t = 0; t < n; t++) this.links.push(this.resolveLink(this.names[f] as string, this.names[t] as string));
    this.partitionGroups = (config.partitions ?? []).map((p) => {
      const g = new Int32Array(n).fill(-1);
      p.groups.forEach((group, gi) => group.forEach((name) => (g[index.get(name) as number] = gi)));
      return g;
    });
    this.maxEvents = config.limits?.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.maxTime = config.limits?.maxTime ?? Infinity;

    // Environment first, so at equal times a crash or partition precedes what nodes scheduled.
    (config.partitions ?? []).forEach((p, i) => {
      this.queue.push(p.at, { type: "partition", index: i });
      if (p.heal !== undefined) this.queue.push(p.heal, { type: "heal", index: i });
    });
    for (const c of config.crashes ?? []) {
      const node = index.get(c.node) as number;
      this.queue.push(c.at, { type: "crash", node });
      if (c.recover !== undefined) this.queue.push(c.recover, { type: "recover", node });
    }
    for (let i = 0; i < n; i++) this.queue.push(0, { type: "start", node: i });
  }

  run(): Trace {
    let reason: StopReason = "quiescent";
    for (;;) {
      const t = this.queue.peekTime();
      if (t === undefined) break;
      if (t > this.maxTime) {
        reason = "max-time";
        this.now = this.maxTime;
        break;
      }
      if (this.events.length >= this.maxEvents) {
        reason = "max-events";
        break;
      }
      const { time, item } = this.queue.pop() as { time: number; item: Scheduled<M> };
      this.now = time;
      this.process(item);
    }
    let inFlight = 0;
    // Count messages still on the wire: they are neither delivered nor dropped in this trace.
    for (;;) {
      const e = this.queue.pop();
      if (!e) break;
      if (e.item.type === "deliver") inFlight++;
    }
    return new Trace(this.names, this.events, { reason, time: this.now, events: this.events.length, inFlight }, this.config.seed);
  }

  private process(item: Scheduled<M>): void {
    switch (item.type) {
      case "start": {
        const node = this.nodes[item.node] as NodeRuntime<M>;
        if (!node.alive) return; // crashed at time 0 before starting
        this.events.push({ kind: "start", ...this.tick(node) });
        this.call(node, "onStart", () => node.handlers.onStart?.(node.ctx));
        return;
      }
      case "deliver":
        return this.deliver(item);
      case "timer": {
        const node = this.nodes[item.node] as NodeRuntime<M>;
        if (!node.alive || node.incarnation !== item.incarnation || !node.pendingTimers.delete(item.timerId)) return;
        this.events.push({ kind: "timer", ...this.tick(node), tag: item.tag, timerId: item.timerId });
        this.call(node, "onTimer", () => node.handlers.onTimer?.(node.ctx, item.tag));
        return;
      }
      case "crash": {
        const node = this.nodes[item.node] as NodeRuntime<M>;
        if (!node.alive) return;
        node.alive = false;
        node.incarnation++;
        node.pendingTimers.clear();
        this.events.push({ kind: "crash", ...this.tick(node) });
        return;
      }
      case "recover": {
        const node = this.nodes[item.node] as NodeRuntime<M>;
        if (node.alive) return;
        node.alive = true;
        this.events.push({ kind: "recover", ...this.tick(node) });
        const h = node.handlers;
        this.call(node, "onRecover", () => (h.onRecover ? h.onRecover(node.ctx) : h.onStart?.(node.ctx)));
        return;
      }
      case "partition":
        this.activePartitions.add(item.index);
        this.events.push({
          kind: "partition",
          seq: this.events.length,
          time: this.now,
          index: item.index,
          groups: (this.config.partitions ?? [])[item.index]?.groups ?? [],
        });
        return;
      case "heal":
        this.activePartitions.delete(item.index);
        this.events.push({ kind: "heal", seq: this.events.length, time: this.now, index: item.index });
        return;
    }
  }

  private deliver(d: Extract<Scheduled<M>, { type: "deliver" }>): void {
    const node = this.nodes[d.to] as NodeRuntime<M>;
    if (!node.alive) return this.drop(d.from, d.to, d.msgId, d.sendSeq, d.sentAt, this.now, d.copy, "crashed", d.message);
    if (this.cut(d.from, d.to)) return this.drop(d.from, d.to, d.msgId, d.sendSeq, d.sentAt, this.now, d.copy, "partition", d.message);
    node.lamport = Math.max(node.lamport, d.lamport);
    const vc = node.vc;
    for (let i = 0; i < vc.length; i++) if ((d.vc[i] as number) > (vc[i] as number)) vc[i] = d.vc[i] as number;
    const from = this.names[d.from] as NodeId;
    this.events.push({
      kind: "deliver",
      ...this.tick(node),
      from,
      msgId: d.msgId,
      sendSeq: d.sendSeq,
      sentAt: d.sentAt,
      copy: d.copy,
      message: d.message,
    });
    this.call(node, "onMessage", () => node.handlers.onMessage?.(node.ctx, d.message, from));
  }

  private send(node: NodeRuntime<M>, fromIdx: number, to: NodeId, message: M): void {
    const toIdx = this.names.indexOf(to);
    if (toIdx < 0) throw new SimHandlerError(node.name, this.now, "send", `unknown destination node ${JSON.stringify(to)}`);
    const msgId = this.nextMsgId++;
    const ev: SendEvent = { kind: "send", ...this.tick(node), to, msgId, message };
    this.events.push(ev);
    const link = this.links[fromIdx * this.names.length + toIdx] as ResolvedLink;
    const copies = link.duplicate > 0 && this.net.chance(link.duplicate) ? 2 : 1;
    for (let copy = 1; copy <= copies; copy++) {
      let latency = sampleLatency(link.latency, this.net);
      const reordered = link.reorder > 0 && this.net.chance(link.reorder);
      if (reordered) latency += this.net.next() * REORDER_HOLD_FACTOR * latency;
      let arrival = this.now + latency;
      if (!reordered) {
        arrival = Math.max(arrival, link.fifoTail);
        link.fifoTail = arrival;
      }
      if (this.cut(fromIdx, toIdx)) this.drop(fromIdx, toIdx, msgId, ev.seq, this.now, arrival, copy, "partition", message);
      else if (link.loss > 0 && this.net.chance(link.loss))
        this.drop(fromIdx, toIdx, msgId, ev.seq, this.now, arrival, copy, "loss", message);
      else
        this.queue.push(arrival, {
          type: "deliver",
          from: fromIdx,
          to: toIdx,
          msgId,
          sendSeq: ev.seq,
          sentAt: this.now,
          copy,
          message,
          lamport: ev.lamport,
          vc: ev.vc,
        });
    }
  }

  private drop(
    from: number,
    to: number,
    msgId: number,
    sendSeq: number,
    sentAt: number,
    arrival: number,
    copy: number,
    reason: DropReason,
    message: M,
  ): void {
    this.events.push({
      kind: "drop",
      seq: this.events.length,
      time: this.now,
      from: this.names[from] as NodeId,
      to: this.names[to] as NodeId,
      msgId,
      sendSeq,
      sentAt,
      arrival,
      copy,
      reason,
      message,
    });
  }

  /** Is the link between nodes a and b cut by an active partition? */
  private cut(a: number, b: number): boolean {
    for (const p of this.activePartitions) {
      const g = this.partitionGroups[p] as Int32Array;
      if (g[a] !== g[b]) return true;
    }
    return false;
  }

  /** Ticks the node's clocks and returns the stamp of its next event (not yet recorded). */
  private tick(node: NodeRuntime<M>): { seq: number; time: number; node: NodeId; lamport: number; vc: readonly number[] } {
    node.lamport++;
    node.vc[node.index] = (node.vc[node.index] as number) + 1;
    return { seq: this.events.length, time: this.now, node: node.name, lamport: node.lamport, vc: node.vc.slice() };
  }

  private call(node: NodeRuntime<M>, handler: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof SimHandlerError) throw e;
      throw new SimHandlerError(node.name, this.now, handler, e instanceof Error ? e.message : String(e), { cause: e });
    }
  }

  private resolveLink(from: NodeId, to: NodeId): ResolvedLink {
    let l: Required<LinkBehaviour> = { ...DEFAULT_LINK, ...stripUndefined(this.config.network ?? {}) };
    for (const o of this.config.links ?? [])
      if ((o.from === "*" || o.from === from) && (o.to === "*" || o.to === to)) l = { ...l, ...stripUndefined(o) };
    return { latency: l.latency, loss: l.loss, duplicate: l.duplicate, reorder: l.reorder, fifoTail: 0 };
  }

  private makeNode(name: NodeId, index: number, random: Random): NodeRuntime<M> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the context's getters read live simulator state
    const sim = this; // the context's getters read live simulator state
    const peers = this.names.filter((n) => n !== name);
    const rt: NodeRuntime<M> = {
      name,
      index,
      handlers: this.config.nodes[name] as NodeHandlers<M>,
      alive: true,
      incarnation: 0,
      lamport: 0,
      vc: new Array<number>(this.names.length).fill(0),
      pendingTimers: new Set(),
      ctx: {
        self: name,
        get now() {
          return sim.now;
        },
        nodes: this.names,
        peers,
        random,
        send: (to, message) => sim.send(rt, index, to, message),
        broadcast: (message) => {
          for (const p of peers) sim.send(rt, index, p, message);
        },
        setTimer: (delay, tag = "") => {
          if (!(delay >= 0) || !Number.isFinite(delay))
            throw new SimHandlerError(name, sim.now, "setTimer", `timer delay must be a finite number >= 0, got ${delay}`);
          const timerId = sim.nextTimerId++;
          rt.pendingTimers.add(timerId);
          sim.queue.push(sim.now + delay, { type: "timer", node: index, timerId, tag, incarnation: rt.incarnation });
          return timerId;
        },
        cancelTimer: (id) => rt.pendingTimers.delete(id),
        observe: (key, value) => {
          sim.events.push({ kind: "note", ...sim.tick(rt), key, value });
        },
      },
    };
    return rt;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
