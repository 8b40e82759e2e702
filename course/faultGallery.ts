import type { CrashSpec, LinkBehaviour, PartitionSpec } from "../lib/sim/config";
import type { NodeHandlers } from "../lib/sim/node";
import { runSimulation } from "../lib/sim/simulator";
import type { Trace } from "../lib/sim/trace";

/** What can go wrong between two nodes, as simulator settings. */
export interface FaultSetting {
  readonly network?: LinkBehaviour;
  readonly partitions?: readonly PartitionSpec[];
  readonly crashes?: readonly CrashSpec[];
}

/** A named fault with a sentence saying what it does. */
export interface FaultScenario extends FaultSetting {
  readonly name: string;
  readonly description: string;
}

/** The base link of the gallery: a constant 6 ms, so any departure from it is the fault's doing. */
export const GALLERY_LATENCY = 6;

/**
 * One scenario per kind of trouble, each alone on an otherwise perfect link. Times fit the default
 * {@link runSequence}: `a` sends m1..m6 every 5 ms from time 0.
 */
export const FAULT_SCENARIOS: readonly FaultScenario[] = [
  { name: "none", description: "a perfect link: constant latency, nothing lost", network: { latency: GALLERY_LATENCY } },
  {
    name: "delay",
    description: "a long-tailed latency: some messages are very late",
    network: { latency: { kind: "exponential", mean: 12, min: 1 } },
  },
  {
    name: "reordering",
    description: "messages may overtake each other",
    network: { latency: { kind: "uniform", min: 2, max: 10 }, reorder: 0.5 },
  },
  { name: "duplication", description: "some messages arrive twice", network: { latency: GALLERY_LATENCY, duplicate: 0.4 } },
  { name: "loss", description: "some messages never arrive", network: { latency: GALLERY_LATENCY, loss: 0.3 } },
  {
    name: "partition",
    description: "the link is cut from 8 ms to 22 ms",
    network: { latency: GALLERY_LATENCY },
    partitions: [{ at: 8, heal: 22, groups: [["a"], ["b"]] }],
  },
  {
    name: "crash",
    description: "b crashes at 12 ms and recovers at 24 ms",
    network: { latency: GALLERY_LATENCY },
    crashes: [{ node: "b", at: 12, recover: 24 }],
  },
];

/** Options of {@link runSequence}. */
export interface SequenceOptions extends FaultSetting {
  readonly seed?: number;
  /** Messages a sends. Default 6. */
  readonly count?: number;
  /** Gap between sends (ms). Default 5. */
  readonly gap?: number;
}

/**
 * The simplest protocol there is: `a` sends "m1", "m2", ... to `b`, one every `gap` ms; `b` answers
 * each copy it receives with "ack1", "ack2", ... and records `ctx.observe("got", n)`. Whatever `b`
 * sees out of order, twice or never is the network's doing.
 */
export function runSequence(options: SequenceOptions = {}): Trace {
  const count = options.count ?? 6;
  const gap = options.gap ?? 5;
  let next = 1;
  const a: NodeHandlers<string> = {
    onStart: (ctx) => ctx.setTimer(0, "send"),
    onTimer: (ctx) => {
      ctx.send("b", `m${next++}`);
      if (next <= count) ctx.setTimer(gap, "send");
    },
  };
  const b: NodeHandlers<string> = {
    onRecover: () => undefined,
    onMessage: (ctx, m, from) => {
      const n = Number(m.slice(1));
      ctx.observe("got", n);
      ctx.send(from, `ack${n}`);
    },
  };
  return runSimulation({
    seed: options.seed ?? 1,
    nodes: { a, b },
    network: options.network ?? { latency: GALLERY_LATENCY },
    ...(options.partitions ? { partitions: options.partitions } : {}),
    ...(options.crashes ? { crashes: options.crashes } : {}),
  });
}

/** The numbers `b` received, in the order it received them. */
export function receivedOrder(trace: Trace): number[] {
  return trace.notes("got").map((n) => n.value as number);
}

/** One row of the gallery table. */
export interface FaultGalleryRow {
  readonly fault: string;
  readonly what: string;
  /** What b received, in order. */
  readonly received: string;
  readonly missing: string;
  /** The longest time any m took from a to b (ms). */
  readonly slowestMs: number;
  /** What a got back: acks in order. */
  readonly acked: string;
}

/** Runs every scenario with one seed and summarises what `b` and `a` saw. */
export function faultGallery(seed = 1, scenarios: readonly FaultScenario[] = FAULT_SCENARIOS, count = 6): FaultGalleryRow[] {
  return scenarios.map((s) => {
    const trace = runSequence({ ...s, seed, count });
    const got = receivedOrder(trace);
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !got.includes(n));
    const acked = trace
      .ofKind("deliver")
      .filter((d) => d.node === "a")
      .map((d) => String(d.message).slice(3));
    const toB = trace.ofKind("deliver").filter((d) => d.node === "b");
    const slowestMs = Math.max(0, ...toB.map((d) => d.time - d.sentAt));
    return {
      fault: s.name,
      what: s.description,
      received: got.join(" "),
      missing: missing.join(" ") || "-",
      slowestMs,
      acked: acked.join(" "),
    };
  });
}
