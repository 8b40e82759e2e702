import { runReplicas, type AntiEntropyMode, type ReplicaRun, type ScheduledOp } from "../lib/crdt/antiEntropy";
import type { Crdt, ReplicaId } from "../lib/crdt/lattice";
import { rga, rgaDeleteAt, rgaInsertAt, rgaVisible, type RgaOp, type RgaState } from "../lib/crdt/rga";
import type { LinkBehaviour, PartitionSpec } from "../lib/sim/config";
import { demoNodeNames } from "../lib/sim/demos";
import { Random } from "../lib/random/random";

/** Options of {@link divergeThenConverge}. */
export interface DivergeOptions<S, Op, V> {
  readonly crdt: Crdt<S, Op, V>;
  /** Builds one random operation from the replica's current state (pure given `random`). */
  readonly randomOp: (state: S, random: Random, replica: ReplicaId) => Op;
  /** Number of replicas. Default 3. */
  readonly replicas?: number;
  /** Number of operations, each at a random replica. Default 40. */
  readonly ops?: number;
  /** Operations are spread over `[0, window)` ms. Default 150. */
  readonly window?: number;
  readonly seed?: number;
  /** Default: 1–10 ms, 20% loss, 10% duplication, 30% reordering. */
  readonly network?: LinkBehaviour;
  /** Default: the first replica cut off from the others from 40 to 250 ms. `[]` for none. */
  readonly partitions?: readonly PartitionSpec[];
  /** Default `"delta"`. */
  readonly mode?: AntiEntropyMode;
  /** Default 10 ms. */
  readonly gossipEvery?: number;
}

/** Outcome of {@link divergeThenConverge}. */
export interface DivergeResult<S, V> {
  readonly run: ReplicaRun<S, V>;
  /** The partitions in force (for captions: when did the network heal?). */
  readonly partitions: readonly PartitionSpec[];
  /**
   * Time from the last heal (0 without partitions) to the last state change: how long anti-entropy took
   * to repair the split. `undefined` when the replicas did not converge or a partition never healed.
   */
  readonly repairTime: number | undefined;
}

/** The default fault load: faults of every kind the simulator has, mild enough to converge in a notebook run. */
export const ROUGH_NETWORK: LinkBehaviour = { latency: { kind: "uniform", min: 1, max: 10 }, loss: 0.2, duplicate: 0.1, reorder: 0.3 };

/**
 * Runs replicas of any CRDT through a rough network and a partition that heals. The replicas diverge
 * while updates are in flight and the partition holds, and converge once anti-entropy has delivered
 * everything; `convergenceChart(result.run.trace)` draws it.
 */
export function divergeThenConverge<S, Op, V>(options: DivergeOptions<S, Op, V>): DivergeResult<S, V> {
  const names = demoNodeNames(options.replicas ?? 3);
  const seed = options.seed ?? 1;
  const rng = new Random(seed);
  const window = options.window ?? 150;
  const ops: ScheduledOp<S, Op>[] = Array.from({ length: options.ops ?? 40 }, () => {
    const replica = rng.pick(names);
    const random = rng.fork();
    return { at: rng.next() * window, replica, op: (s: S) => options.randomOp(s, random, replica) };
  });
  const partitions = options.partitions ?? [{ at: 40, heal: 250, groups: [[names[0] as ReplicaId], names.slice(1)] }];
  const run = runReplicas({
    crdt: options.crdt,
    replicas: names,
    ops,
    seed,
    mode: options.mode ?? "delta",
    gossipEvery: options.gossipEvery ?? 10,
    network: options.network ?? ROUGH_NETWORK,
    partitions,
  });
  const healed = partitions.reduce((m, p) => Math.max(m, p.heal ?? Infinity), 0);
  const repairTime = run.converged && Number.isFinite(healed) ? Math.max(0, run.lastChange - healed) : undefined;
  return { run, partitions, repairTime };
}

/**
 * Random typing for the collaborative-text demo: mostly inserts of the replica's own letter (upper
 * case of its name) at a random position, sometimes a delete, so each author's text is visible.
 */
export function randomTyping(state: RgaState, random: Random, replica: ReplicaId): RgaOp {
  const n = rgaVisible(state).length;
  if (n > 0 && random.chance(0.2)) return rgaDeleteAt(state, random.int(0, n - 1));
  return rgaInsertAt(state, random.int(0, n), replica.toUpperCase());
}

/**
 * The collaborative-text demo: {@link divergeThenConverge} on an RGA with {@link randomTyping}, edits
 * in the first 120 ms, and whole-state gossip by default — a state carries every edit its sender has
 * seen, so the replicas on one side of the partition agree with each other before it heals. With
 * `mode: "delta"` a delta is only shipped by the replica that made it, so they wait for the heal;
 * `mode: "delta-interval"` forwards received deltas and agrees behind the partition again.
 */
export function collaborativeText(
  options: Omit<DivergeOptions<RgaState, RgaOp, string>, "crdt" | "randomOp"> = {},
): DivergeResult<RgaState, string> {
  return divergeThenConverge({ crdt: rga, randomOp: randomTyping, mode: "state", window: 120, ...options });
}
