import { runReplicas, type AntiEntropyMode } from "../lib/crdt/antiEntropy";
import { orSet } from "../lib/crdt/orSet";
import type { LinkBehaviour } from "../lib/sim/config";
import { demoNodeNames } from "../lib/sim/demos";
import { Random } from "../lib/random/random";

/** Options of {@link antiEntropyCost}. */
export interface AntiEntropyCostOptions {
  /** Numbers of distinct elements to add (one run per size and mode). */
  readonly sizes: readonly number[];
  /** Number of replicas. Default 3. */
  readonly replicas?: number;
  /** The adds are spread over `[0, window)` ms. Default 200. */
  readonly window?: number;
  /** Default 1. */
  readonly seed?: number;
  /** Default: 1–10 ms with 10% loss, so every mode has something to repair. */
  readonly network?: LinkBehaviour;
  /** The anti-entropy modes to compare, in this order. Default {@link ANTI_ENTROPY_MODES}. */
  readonly modes?: readonly AntiEntropyMode[];
}

/** Every anti-entropy mode, simplest first: whole states, own deltas only, forwarded deltas. */
export const ANTI_ENTROPY_MODES: readonly AntiEntropyMode[] = ["state", "delta", "delta-interval"];

/** What one run of anti-entropy cost. */
export interface AntiEntropyCostRow {
  readonly mode: AntiEntropyMode;
  /** Elements added (the size of the final set). */
  readonly updates: number;
  /** JSON bytes sent until the last replica changed: the price of converging. */
  readonly bytesToConverge: number;
  /** JSON bytes sent in the whole run, including gossip after convergence. */
  readonly bytesShipped: number;
  readonly messages: number;
  readonly converged: boolean;
}

/**
 * Replicates a growing OR-Set (distinct adds at random replicas) with whole-state gossip and with
 * acknowledged delta-groups — a replica's own deltas only, or forwarded deltas too — over the same
 * seeded workload and network, and reports the bytes each sent. A state message carries the whole
 * set every time; a delta message carries only what the peer has not acknowledged yet.
 */
export function antiEntropyCost(options: AntiEntropyCostOptions): AntiEntropyCostRow[] {
  const names = demoNodeNames(options.replicas ?? 3);
  const window = options.window ?? 200;
  const seed = options.seed ?? 1;
  const rows: AntiEntropyCostRow[] = [];
  for (const size of options.sizes) {
    const rng = new Random(seed * 1_000_003 + size);
    const ops = Array.from({ length: size }, (_, i) => ({
      at: rng.next() * window,
      replica: rng.pick(names),
      op: { op: "add" as const, element: `item${i}` },
    }));
    for (const mode of options.modes ?? ANTI_ENTROPY_MODES) {
      const run = runReplicas({ crdt: orSet, replicas: names, ops, mode, seed, record: false, network: options.network ?? { loss: 0.1 } });
      rows.push({
        mode,
        updates: size,
        bytesToConverge: run.bytesToConverge,
        bytesShipped: run.bytesShipped,
        messages: run.messagesSent,
        converged: run.converged,
      });
    }
  }
  return rows;
}
