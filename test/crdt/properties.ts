import fc from "fast-check";
import { Random } from "../../lib/random/random";
import type { AnyCrdtEntry } from "../../lib/crdt/workloads";

/** CI runs at least 1,000 cases per property; locally fewer. `SEED=n` replays one fast-check run. */
export const NUM_RUNS = process.env["CI"] ? 1000 : 200;

/**
 * fast-check parameters shared by every property here. Locally each run draws new cases (and prints
 * the seed when one fails); CI uses one fixed seed so a red build means a regression, not a new draw.
 * `SEED=n` replays a failure.
 */
const CI_SEED = 20261125;
export const propertyParams: fc.Parameters<unknown> = {
  numRuns: NUM_RUNS,
  ...(process.env["SEED"] ? { seed: Number(process.env["SEED"]) } : process.env["CI"] ? { seed: CI_SEED } : {}),
};

/** Replica names used by generated histories. */
export const REPLICAS = ["a", "b", "c"];

/** One step of a generated history: an operation at a replica, or a merge from another replica. */
export interface Step {
  readonly replica: number;
  readonly merge: boolean;
  readonly from: number;
  readonly seed: number;
}

export const arbStep: fc.Arbitrary<Step> = fc.record({
  replica: fc.integer({ min: 0, max: REPLICAS.length - 1 }),
  merge: fc.boolean(),
  from: fc.integer({ min: 0, max: REPLICAS.length - 1 }),
  seed: fc.integer(),
});

/** Histories are short: the laws are local, and short cases keep 1,000 runs per property cheap. */
export const arbHistory = fc.array(arbStep, { maxLength: 10 });

/**
 * Runs a history over three replicas and returns their states. Only reachable states are generated
 * (ids and dots are consistent across replicas), which is the domain the laws are claimed on.
 */
export function runHistory(entry: AnyCrdtEntry, history: readonly Step[]): unknown[] {
  const { crdt } = entry;
  const states: unknown[] = REPLICAS.map(() => crdt.bottom());
  for (const step of history) {
    const r = REPLICAS[step.replica] as string;
    if (step.merge) states[step.replica] = crdt.join(states[step.replica], states[step.from]);
    else states[step.replica] = crdt.apply(states[step.replica], entry.randomOp(states[step.replica], new Random(step.seed), r), r);
  }
  return states;
}
