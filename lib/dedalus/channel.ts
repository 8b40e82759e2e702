/**
 * The channel layer of a run: decides the fate of every `@async` message sent at a timestep and
 * delivers the survivors. A message is lost when its receiver is not a node of the run, when it
 * would arrive after EOT, when its sender has crashed (a crashed node is muted towards others from
 * its crash time on; it still sends to itself) or when an omission names its (from, to, send time).
 */
import type { Interner } from "./intern";
import { messageKey } from "./messageKey";
import type { ProgramPlan } from "./plan";
import type { ProvenanceLog } from "./provenanceRecording";
import type { FailureSpec, MessageLoss, RunOptions } from "./runtime";
import type { SentMessage } from "./runResult";
import { TupleStore } from "./store";

/** What the channel needs of the run in progress at the timestep it delivers. */
export interface ChannelStep {
  /** The send time. */
  t: number;
  /** The outbox of each relation written by `@async` rules. */
  outbox: TupleStore[];
  /** The stores of t + 1 (null at EOT). */
  next: TupleStore[] | null;
  /** stores[t][rel], created on demand for a delayed delivery. */
  stores: TupleStore[][];
  provenance: ProvenanceLog | null;
  /** Inserts a tuple counting it against the run's bound; its id. */
  insert(store: TupleStore, tuple: Float64Array): number;
  /** The fresh stores of time t (a delayed message may need one before the run gets there). */
  newStores(t: number): TupleStore[];
}

/** The channel of one run: its nodes, faults and delays, and every message sent so far. */
export class Channel {
  /** Every send, delivered or not, in send order (decoded by the run's result). */
  readonly sent: SentMessage[] = [];
  private readonly crashAt = new Map<number, number>();
  private readonly omitted = new Set<string>();

  constructor(
    private readonly plan: ProgramPlan,
    private readonly interner: Interner,
    /** Relations written by `@async` rules (the only ones with an outbox). */
    private readonly asyncHeads: readonly number[],
    /** 1 at the interned id of every node of the run. */
    private readonly isNode: Uint8Array,
    private readonly eot: number,
    failures: FailureSpec,
    private readonly delay: RunOptions["delay"],
  ) {
    for (const c of failures.crashes) {
      const id = interner.intern(c.node);
      this.crashAt.set(id, Math.min(this.crashAt.get(id) ?? Infinity, c.time));
    }
    for (const o of failures.omissions)
      if (o.from !== o.to) this.omitted.add(messageKey(interner.intern(o.from), interner.intern(o.to), o.time));
  }

  /** Decides the fate of every message sent at `step.t` and delivers the survivors (at t + 1 unless delayed). */
  deliver(step: ChannelStep): void {
    const { t, outbox, provenance } = step;
    const { interner, isNode, eot, delay } = this;
    for (const r of this.asyncHeads) {
      const box = outbox[r]!;
      if (box.count === 0) continue;
      const arity = box.arity - 1;
      const tuple = new Float64Array(arity);
      for (let id = 0; id < box.count; id++) {
        const base = id * box.arity;
        const from = box.data[base]!;
        const to = box.data[base + 1]!;
        let lost: MessageLoss = null;
        const d = delay
          ? delay({ from: interner.string(from), to: interner.string(to), sendTime: t, rel: this.plan.relations[box.rel]!.name })
          : 1;
        if (!Number.isInteger(d) || d < 1) throw new RangeError(`options.delay must return an integer >= 1, got ${d}`);
        if (isNode[to] !== 1) lost = "not-a-node";
        else if (t + d > eot) lost = "after-eot";
        else if (from !== to && (this.crashAt.get(from) ?? Infinity) <= t) lost = "crash";
        else if (from !== to && this.omitted.has(messageKey(from, to, t))) lost = "omission";
        this.sent.push({ box, id, sendTime: t, lost });
        if (lost !== null) continue;
        for (let c = 0; c < arity; c++) tuple[c] = box.data[base + 1 + c]!;
        const target = d === 1 ? step.next![box.rel]! : (step.stores[t + d] ??= step.newStores(t + d))[box.rel]!;
        const tid = step.insert(target, tuple);
        if (provenance) {
          for (const d of provenance.of(box, id))
            provenance.add(target, tid, { ...d, kind: "message", message: { from, to, sendTime: t } });
        }
      }
    }
  }
}
