import { runReplicas, type ScheduledOp } from "../lib/crdt/antiEntropy";
import { gCounter, type GCounterOp, type GCounterState } from "../lib/crdt/gCounter";
import type { ReplicaId } from "../lib/crdt/lattice";
import { lwwRegister, type LWWRegisterOp, type LWWRegisterState } from "../lib/crdt/lwwRegister";
import type { LinkBehaviour, PartitionSpec } from "../lib/sim/config";
import { demoNodeNames } from "../lib/sim/demos";
import { Random } from "../lib/random/random";

/** The two ways of replicating a counter that lesson 3 compares. */
export type CounterDesign = "G-Counter" | "LWW counter";

/** Options of {@link countIncrements}. */
export interface CountingOptions {
  /** Number of replicas (named a, b, c, ...). Default 3. */
  readonly replicas?: number;
  /** Increments to perform, each at a random replica. Default 30. */
  readonly increments?: number;
  /** The increments are spread uniformly over `[0, window)` ms: a shorter window means more concurrency. Default 300. */
  readonly window?: number;
  /** Seeds both the workload and the network. Default 1. */
  readonly seed?: number;
  /** Default: 1–10 ms, no faults. */
  readonly network?: LinkBehaviour;
  readonly partitions?: readonly PartitionSpec[];
}

/** What one design did with one workload. */
export interface CountingResult {
  readonly design: CounterDesign;
  /** Increments performed (the right answer). */
  readonly increments: number;
  /** The value every replica shows at the end (replica `a`'s, when they disagree). */
  readonly final: number;
  /** `increments - final`: increments silently overwritten. */
  readonly lost: number;
  /** All replicas ended in the same state. */
  readonly converged: boolean;
}

/** Default size of the workload: enough increments to see losses, small enough for a notebook cell. */
const DEFAULT_INCREMENTS = 30;

/**
 * Runs the same increments, at the same replicas and times, over the same network, twice: once on a
 * G-Counter (one entry per replica, merged by max per entry) and once on a "naive" counter — a
 * last-writer-wins register that each replica updates by read-add-one-write. Both converge; only one
 * counts. Concurrent read-modify-writes of the register overwrite each other, and the merge keeps one.
 */
export function countIncrements(options: CountingOptions = {}): [CountingResult, CountingResult] {
  const names = demoNodeNames(options.replicas ?? 3);
  const n = options.increments ?? DEFAULT_INCREMENTS;
  const window = options.window ?? 300;
  const seed = options.seed ?? 1;
  const rng = new Random(seed);
  const schedule = Array.from({ length: n }, () => ({ at: rng.next() * window, replica: rng.pick(names) }));
  const common = {
    replicas: names,
    seed,
    record: false,
    ...(options.network ? { network: options.network } : {}),
    ...(options.partitions ? { partitions: options.partitions } : {}),
  };
  const g = runReplicas<GCounterState, GCounterOp, number>({
    ...common,
    crdt: gCounter,
    ops: schedule.map((s): ScheduledOp<GCounterState, GCounterOp> => ({ ...s, op: { op: "inc" } })),
  });
  const naive = runReplicas<LWWRegisterState, LWWRegisterOp, unknown>({
    ...common,
    crdt: lwwRegister,
    ops: schedule.map((s): ScheduledOp<LWWRegisterState, LWWRegisterOp> => ({ ...s, op: readAddOneWrite })),
  });
  const first = names[0] as ReplicaId;
  const result = (design: CounterDesign, final: number, converged: boolean): CountingResult => ({
    design,
    increments: n,
    final,
    lost: n - final,
    converged,
  });
  return [
    result("G-Counter", g.values[first] as number, g.converged),
    result("LWW counter", numberIn(naive.values[first]), naive.converged),
  ];
}

/** The naive increment: read the register's number, write it back plus one. */
function readAddOneWrite(s: LWWRegisterState): LWWRegisterOp {
  return { op: "set", value: numberIn(s.value) + 1 };
}

function numberIn(v: unknown): number {
  return typeof v === "number" ? v : 0;
}

/** One row of {@link lostIncrementsSweep}: the mean over seeds for one window and design. */
export interface LostIncrementsRow {
  readonly design: CounterDesign;
  /** Increments per 100 ms: how concurrent the workload is. */
  readonly rate: number;
  readonly window: number;
  /** Mean fraction of increments lost over the seeds, in [0, 1]. */
  readonly lostFraction: number;
}

/**
 * Sweeps the concurrency of the workload: for each window, runs {@link countIncrements} with `seeds`
 * seeds (1..seeds) and reports the mean fraction lost by each design.
 */
export function lostIncrementsSweep(
  windows: readonly number[],
  seeds = 5,
  options: Omit<CountingOptions, "window" | "seed"> = {},
): LostIncrementsRow[] {
  const rows: LostIncrementsRow[] = [];
  const n = options.increments ?? DEFAULT_INCREMENTS;
  for (const window of windows) {
    const lost = { "G-Counter": 0, "LWW counter": 0 };
    for (let seed = 1; seed <= seeds; seed++) {
      for (const r of countIncrements({ ...options, window, seed })) lost[r.design] += r.lost / r.increments;
    }
    for (const design of ["G-Counter", "LWW counter"] as const) {
      rows.push({ design, window, rate: (100 * n) / window, lostFraction: lost[design] / seeds });
    }
  }
  return rows;
}
