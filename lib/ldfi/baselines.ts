import { Random } from "../random/random";
import { faultSet, type CrashFault, type FaultBounds, type FaultSet, type OmissionFault } from "./faults";
import type { FaultTarget } from "./observation";
import type { SearchOptions, SearchResult } from "./result";
import { SearchSession } from "./session";

/**
 * Probability that random injection loses one possible message (one sender, receiver and send
 * time before EFF): 1/(2·EFF), the rate of Molly's random strategy (`nextInt % eff == 1` over
 * signed 32-bit integers), so the comparison with the paper's random column is like for like.
 */
export const RANDOM_OMISSION_RATE = (eff: number): number => 1 / (2 * eff);

/** Seed of the random strategy when none is given. */
export const DEFAULT_RANDOM_SEED = 1;

/**
 * Random fault injection (Molly's baseline, DESIGN.md section 6): each run picks 0..crashes
 * distinct nodes to crash at a time in 1..EOT, and loses each possible omission (sender != receiver,
 * time in 1..EFF-1) independently with probability {@link RANDOM_OMISSION_RATE}, until a run violates the
 * specification or a limit is reached. Random search can find counterexamples but never certify:
 * without one it ends inconclusive at its run limit.
 */
export function randomSearch(target: FaultTarget, options: SearchOptions): SearchResult {
  const s = new SearchSession(target, options, "random");
  return s.run(() => {
    if (s.failureFreePost.size === 0) return { verdict: "certified" };
    const rng = new Random(options.seed ?? DEFAULT_RANDOM_SEED);
    for (;;) {
      const limit = s.exhausted();
      if (limit) return { verdict: "inconclusive", limit };
      const faults = randomFaults(rng, options.bounds);
      const { missing } = s.execute(faults);
      if (missing.length > 0) return { verdict: "counterexample", faults, missing };
    }
  });
}

/** One random fault set within the bounds. */
export function randomFaults(rng: Random, b: FaultBounds): FaultSet {
  const nodes = [...b.nodes];
  const crashCount = rng.int(0, Math.min(b.crashes, nodes.length));
  const crashes: CrashFault[] = [];
  for (let i = 0; i < crashCount; i++) {
    const k = rng.int(i, nodes.length - 1);
    [nodes[i], nodes[k]] = [nodes[k] as string, nodes[i] as string];
    crashes.push({ node: nodes[i] as string, time: rng.int(1, b.eot) });
  }
  const omissions: OmissionFault[] = [];
  if (b.eff > 1) {
    const p = RANDOM_OMISSION_RATE(b.eff);
    for (const from of b.nodes)
      for (const to of b.nodes) for (let t = 1; t < b.eff; t++) if (from !== to && rng.chance(p)) omissions.push({ from, to, time: t });
  }
  return faultSet(omissions, crashes);
}

/**
 * Exhaustive search, the oracle for LDFI on small programs: every fault set within the bounds,
 * smallest first (all omission subsets of sender ≠ receiver, time before EFF; up to `crashes` nodes
 * crashing at any time in 1..EOT-1 — a crash at EOT loses nothing that arrives in time), stopping
 * at the first violation. Sets where a crash already loses an omitted message are skipped as
 * duplicates of the smaller set.
 */
export function exhaustiveSearch(target: FaultTarget, options: SearchOptions): SearchResult {
  const s = new SearchSession(target, options, "exhaustive");
  return s.run(() => {
    if (s.failureFreePost.size === 0) return { verdict: "certified" };
    for (const faults of allFaultSets(options.bounds)) {
      if (faults.omissions.length === 0 && faults.crashes.length === 0) continue;
      const limit = s.exhausted();
      if (limit) return { verdict: "inconclusive", limit };
      const { missing } = s.execute(faults);
      if (missing.length > 0) return { verdict: "counterexample", faults, missing };
    }
    return { verdict: "certified" };
  });
}

/** Every canonical fault set within the bounds, by increasing fault count. */
export function* allFaultSets(b: FaultBounds): Generator<FaultSet> {
  const omissions: OmissionFault[] = [];
  for (let t = 1; t < b.eff; t++)
    for (const from of b.nodes) for (const to of b.nodes) if (from !== to) omissions.push({ from, to, time: t });
  const crashOptions: CrashFault[] = [];
  for (const node of b.nodes) for (let t = 1; t <= b.eot - 1; t++) crashOptions.push({ node, time: t });
  const maxSize = omissions.length + b.crashes;
  for (let size = 0; size <= maxSize; size++) {
    for (let c = 0; c <= Math.min(b.crashes, size); c++) {
      for (const crashes of combinations(crashOptions, c)) {
        if (new Set(crashes.map((x) => x.node)).size !== crashes.length) continue;
        const crashAt = new Map(crashes.map((x) => [x.node, x.time]));
        const usable = omissions.filter((o) => !((crashAt.get(o.from) ?? Infinity) <= o.time));
        for (const os of combinations(usable, size - c)) yield faultSet(os, crashes);
      }
    }
  }
}

function* combinations<T>(items: readonly T[], k: number, start = 0): Generator<T[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = start; i <= items.length - k; i++) {
    for (const rest of combinations(items, k - 1, i + 1)) yield [items[i] as T, ...rest];
  }
}
