import type { NodeId } from "./config";

/** Why the network did not deliver a copy of a message. */
export type DropReason =
  /** The link lost it (the `loss` probability). */
  | "loss"
  /** The link was cut by a partition when it was sent or when it would have arrived. */
  | "partition"
  /** The receiver was down when it arrived. */
  | "crashed";

/** Fields every trace event has. `seq` is the event's index in `Trace.events`. */
export interface EventBase {
  readonly seq: number;
  readonly time: number;
}

/**
 * Events that happen at a node carry its clocks after the event: the Lamport clock and the vector
 * clock (one entry per node, in `Trace.nodes` order). Every such event ticks its node's clock.
 */
export interface ClockedEvent extends EventBase {
  readonly node: NodeId;
  readonly lamport: number;
  readonly vc: readonly number[];
}

/** The node began (time 0). */
export interface StartEvent extends ClockedEvent {
  readonly kind: "start";
}
/** `node` sent message `msgId` to `to`. */
export interface SendEvent extends ClockedEvent {
  readonly kind: "send";
  readonly to: NodeId;
  readonly msgId: number;
  readonly message: unknown;
}
/** `node` received message `msgId` from `from`. `copy` is 2 for the duplicate of a duplicated message. */
export interface DeliverEvent extends ClockedEvent {
  readonly kind: "deliver";
  readonly from: NodeId;
  readonly msgId: number;
  /** `seq` of the matching send event. */
  readonly sendSeq: number;
  readonly sentAt: number;
  readonly copy: number;
  readonly message: unknown;
}
/** A timer set by `node` fired. */
export interface TimerEvent extends ClockedEvent {
  readonly kind: "timer";
  readonly tag: string;
  readonly timerId: number;
}
/** The node crashed. */
export interface CrashEvent extends ClockedEvent {
  readonly kind: "crash";
}
/** The node came back. */
export interface RecoverEvent extends ClockedEvent {
  readonly kind: "recover";
}
/** A handler recorded an observation with `ctx.observe(key, value)`. */
export interface NoteEvent extends ClockedEvent {
  readonly kind: "note";
  readonly key: string;
  readonly value: unknown;
}
/**
 * The network did not deliver a copy of message `msgId`. A network event, not a node's: no clocks.
 * `time` is when the loss was decided; `arrival` is when the copy would have arrived.
 */
export interface DropEvent extends EventBase {
  readonly kind: "drop";
  readonly from: NodeId;
  readonly to: NodeId;
  readonly msgId: number;
  readonly sendSeq: number;
  readonly sentAt: number;
  readonly arrival: number;
  readonly copy: number;
  readonly reason: DropReason;
  readonly message: unknown;
}
/** Partition number `index` (in config order) began. */
export interface PartitionEvent extends EventBase {
  readonly kind: "partition";
  readonly index: number;
  readonly groups: readonly (readonly NodeId[])[];
}
/** Partition number `index` healed. */
export interface HealEvent extends EventBase {
  readonly kind: "heal";
  readonly index: number;
}

/** One entry of a trace. Discriminate on `kind`. */
export type TraceEvent =
  StartEvent | SendEvent | DeliverEvent | TimerEvent | CrashEvent | RecoverEvent | NoteEvent | DropEvent | PartitionEvent | HealEvent;

/** The kinds of trace events. */
export type TraceEventKind = TraceEvent["kind"];

/** Which bound ended a run: none (nothing left to do), the time bound or the event bound. */
export type StopReason = "quiescent" | "max-time" | "max-events";

/** How a run ended. */
export interface StopInfo {
  readonly reason: StopReason;
  /** Simulated time at the end. */
  readonly time: number;
  /** Number of trace events. */
  readonly events: number;
  /** Messages scheduled for delivery but still in flight when the run stopped. */
  readonly inFlight: number;
}

/** The life of one message: its send, its deliveries (0, 1, or 2 when duplicated) and its drops. */
export interface MessageRecord {
  readonly msgId: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly message: unknown;
  readonly send: SendEvent;
  readonly deliveries: readonly DeliverEvent[];
  readonly drops: readonly DropEvent[];
}

/** Counts of what happened in a run. */
export interface TraceSummary {
  readonly sent: number;
  readonly delivered: number;
  readonly duplicatesDelivered: number;
  readonly dropped: Readonly<Record<DropReason, number>>;
  readonly timers: number;
  readonly crashes: number;
  readonly recoveries: number;
  readonly stop: StopInfo;
}

/** Something that names a clocked event: the event itself or its `seq`. */
export type EventRef = ClockedEvent | number;

/**
 * A finished run: every event in order, plus queries. Immutable; JSON-serialisable with `toJSON`.
 */
export class Trace {
  private messageIndex: Map<number, { send: SendEvent; deliveries: DeliverEvent[]; drops: DropEvent[] }> | undefined;

  constructor(
    /** Nodes in vector-clock order. */
    readonly nodes: readonly NodeId[],
    readonly events: readonly TraceEvent[],
    readonly stop: StopInfo,
    readonly seed: number,
  ) {}

  /** The events of one kind, typed. */
  ofKind<K extends TraceEventKind>(kind: K): Extract<TraceEvent, { kind: K }>[] {
    return this.events.filter((e): e is Extract<TraceEvent, { kind: K }> => e.kind === kind);
  }

  /** The clocked events of one node, in order (a node's local history). */
  atNode(node: NodeId): ClockedEvent[] {
    return this.events.filter((e): e is ClockedEvent & TraceEvent => "node" in e && e.node === node);
  }

  /** Every message with its fate, in send order. */
  messages(): MessageRecord[] {
    return [...this.index().values()].map(({ send, deliveries, drops }) => ({
      msgId: send.msgId,
      from: send.node,
      to: send.to,
      message: send.message,
      send,
      deliveries,
      drops,
    }));
  }

  /** Messages sent from `from` to `to` (in that direction), in send order. */
  messagesBetween(from: NodeId, to: NodeId): MessageRecord[] {
    return this.messages().filter((m) => m.from === from && m.to === to);
  }

  /** Drops, optionally only those with one reason. */
  drops(reason?: DropReason): DropEvent[] {
    return this.ofKind("drop").filter((d) => reason === undefined || d.reason === reason);
  }

  /** Delivery latency (ms) of every delivered copy, in delivery order. */
  latencies(): number[] {
    return this.ofKind("deliver").map((d) => d.time - d.sentAt);
  }

  /** Observations recorded with `ctx.observe`, optionally only those with one key. */
  notes(key?: string): NoteEvent[] {
    return this.ofKind("note").filter((n) => key === undefined || n.key === key);
  }

  /** The vector clock of a clocked event as a record `{node: count}`. */
  vectorClock(e: EventRef): Record<NodeId, number> {
    const ev = this.clocked(e);
    return Object.fromEntries(this.nodes.map((n, i) => [n, ev.vc[i] ?? 0]));
  }

  /**
   * Lamport's happened-before: `a -> b` iff a's vector clock is below b's. True when `a` could have
   * influenced `b` (same node earlier, or a chain of messages from a to b).
   */
  happenedBefore(a: EventRef, b: EventRef): boolean {
    const x = this.clocked(a).vc;
    const y = this.clocked(b).vc;
    let strictly = false;
    for (let i = 0; i < x.length; i++) {
      const xi = x[i] as number;
      const yi = y[i] as number;
      if (xi > yi) return false;
      if (xi < yi) strictly = true;
    }
    return strictly;
  }

  /** Neither happened before the other: no chain of messages connects them. */
  concurrent(a: EventRef, b: EventRef): boolean {
    return !this.happenedBefore(a, b) && !this.happenedBefore(b, a) && this.clocked(a).seq !== this.clocked(b).seq;
  }

  /** Counts of sends, deliveries, drops by reason, timers, crashes. */
  summary(): TraceSummary {
    const dropped: Record<DropReason, number> = { loss: 0, partition: 0, crashed: 0 };
    let sent = 0,
      delivered = 0,
      dup = 0,
      timers = 0,
      crashes = 0,
      recoveries = 0;
    for (const e of this.events) {
      switch (e.kind) {
        case "send":
          sent++;
          break;
        case "deliver":
          delivered++;
          if (e.copy > 1) dup++;
          break;
        case "drop":
          dropped[e.reason]++;
          break;
        case "timer":
          timers++;
          break;
        case "crash":
          crashes++;
          break;
        case "recover":
          recoveries++;
          break;
        default:
          break;
      }
    }
    return { sent, delivered, duplicatesDelivered: dup, dropped, timers, crashes, recoveries, stop: this.stop };
  }

  /** A plain JSON form (for golden files, notebooks and determinism checks). */
  toJSON(): { seed: number; nodes: readonly NodeId[]; stop: StopInfo; events: readonly TraceEvent[] } {
    return { seed: this.seed, nodes: this.nodes, stop: this.stop, events: this.events };
  }

  private clocked(e: EventRef): ClockedEvent {
    const ev = typeof e === "number" ? this.events[e] : e;
    if (ev === undefined || !("vc" in ev))
      throw new RangeError(`Trace: event ${typeof e === "number" ? e : e.seq} is not a node event with clocks`);
    return ev;
  }

  private index(): Map<number, { send: SendEvent; deliveries: DeliverEvent[]; drops: DropEvent[] }> {
    if (this.messageIndex) return this.messageIndex;
    const m = new Map<number, { send: SendEvent; deliveries: DeliverEvent[]; drops: DropEvent[] }>();
    for (const e of this.events) {
      if (e.kind === "send") m.set(e.msgId, { send: e, deliveries: [], drops: [] });
      else if (e.kind === "deliver") m.get(e.msgId)?.deliveries.push(e);
      else if (e.kind === "drop") m.get(e.msgId)?.drops.push(e);
    }
    this.messageIndex = m;
    return m;
  }
}
