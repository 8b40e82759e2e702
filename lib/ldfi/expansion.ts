import { enumerateFound, type FoundHypotheses } from "./encode";
import type { FaultBounds } from "./faults";
import type { Observation } from "./observation";
import type { HypothesisOrder } from "./result";

/**
 * What the LDFI loop learns from one run that kept its `pre`-judged goals: how many goals it kept,
 * and per tier the hypotheses its lineage yields. It is a pure function of the run (and the
 * search's fixed context), which is what lets the worker pool compute it away from the loop and the
 * loop commit it later exactly as if it had computed it itself.
 */
export interface RunExpansion {
  /** FFpost tuples the run kept (its goals). */
  readonly goals: number;
  /** One enumeration per tier (see {@link tierNegativeSupport}); empty when no goal was kept. */
  readonly tiers: readonly FoundHypotheses[];
}

/** The fixed context of a search's expansions. */
export interface ExpansionContext {
  readonly bounds: FaultBounds;
  readonly order: HypothesisOrder;
  readonly failureFreePost: ReadonlySet<string>;
}

/** Tier 0 of "positive-first" breaks the positive lineage; every other tier the full one. */
export function tierNegativeSupport(order: HypothesisOrder, tier: number): boolean {
  return order !== "positive-first" || tier === 1;
}

/** The goals of a run: the FFpost tuples it kept, sorted. */
export function keptGoals(failureFreePost: ReadonlySet<string>, obs: Observation): string[] {
  return [...failureFreePost].filter((t) => obs.post.has(t)).sort();
}

/**
 * The expansion of one run: its lineage per tier, enumerated with the run's faults as the seed,
 * under at most `cap` hypotheses per tier (the loop's own cap, or a larger one the loop cuts down).
 */
export function expansionOf(obs: Observation, ctx: ExpansionContext, cap: number, shouldStop?: () => boolean): RunExpansion {
  const goals = keptGoals(ctx.failureFreePost, obs);
  if (goals.length === 0) return { goals: 0, tiers: [] };
  const tiers = ctx.order === "positive-first" ? [0, 1] : [0];
  return {
    goals: goals.length,
    tiers: tiers.map((tier) => {
      const graph = obs.lineage(goals, { negativeSupport: tierNegativeSupport(ctx.order, tier) });
      return enumerateFound(graph, graph.roots, {
        bounds: ctx.bounds,
        firstSend: obs.firstSend,
        seed: obs.faults,
        maxHypotheses: cap,
        ...(shouldStop ? { shouldStop } : {}),
      });
    }),
  };
}
