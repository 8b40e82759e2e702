import { messageKey } from "../dedalus/messageKey";
import { enumerateFound, type FoundHypotheses } from "./encode";
import type { FaultBounds, OmissionFault } from "./faults";
import type { SupportGraph } from "./lineage";
import type { Observation } from "./observation";
import type { HypothesisOrder } from "./result";
import type { RunEffect } from "./survivors";

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
  /** The index in {@link tiers} of the excused goals' absences, or -1 (see {@link expansionOf}). */
  readonly absenceTier: number;
  /** What the run's faults lost in it, for subsumption (survivors.ts). */
  readonly effect: RunEffect;
}

/** The fixed context of a search's expansions. */
export interface ExpansionContext {
  readonly bounds: FaultBounds;
  readonly order: HypothesisOrder;
  readonly failureFreePost: ReadonlySet<string>;
}

/** Tier 0 of "positive-first" breaks the positive lineage; every other lineage tier the full one. */
export function tierNegativeSupport(order: HypothesisOrder, tier: number): boolean {
  return order !== "positive-first" || tier === 1;
}

/** The goals of a run: the FFpost tuples it kept, sorted. */
export function keptGoals(failureFreePost: ReadonlySet<string>, obs: Observation): string[] {
  return [...failureFreePost].filter((t) => obs.post.has(t)).sort();
}

/** The FFpost tuples a run lost together with their `pre` (excused: not a violation), sorted. */
export function excusedGoals(failureFreePost: ReadonlySet<string>, obs: Observation): string[] {
  return [...failureFreePost].filter((t) => !obs.post.has(t) && !obs.pre.has(t)).sort();
}

/**
 * The expansion of one run: its lineage per tier, enumerated with the run's faults as the seed,
 * under at most `cap` hypotheses per tier (the loop's own cap, or a larger one the loop cuts down).
 * Where the target can say so, the full lineage also has, for each goal the run lost together with
 * its `pre`, the formula under which that `pre` stays absent: faults that could bring it back while
 * the `post` stays lost are hypotheses too (README: the loop, excused goals).
 */
export function expansionOf(obs: Observation, ctx: ExpansionContext, cap: number, shouldStop?: () => boolean): RunExpansion {
  const goals = keptGoals(ctx.failureFreePost, obs);
  const absence = obs.absence?.bind(obs);
  const excused = absence ? excusedGoals(ctx.failureFreePost, obs) : [];
  if (goals.length === 0 && excused.length === 0) return { goals: 0, tiers: [], absenceTier: -1, effect: runEffect(obs) };
  const tiers = ctx.order === "positive-first" ? [0, 1] : [0];
  // The excused goals' absences are a tier of their own, which the loop queues after the others
  // (ABSENCE_WEIGHT): they matter for certification, while a counterexample is usually found
  // sooner through the goals' own lineage (kafka_isr 6/4/1, measured when the tier came in: 18
  // executions, and 37 when its counterexample kept the late place an absence had queued it at first).
  const absenceTier = excused.length > 0 ? tiers.length : -1;
  if (absenceTier >= 0) tiers.push(absenceTier);
  const graphs = tiers.map((tier): SupportGraph =>
    tier === absenceTier && absence
      ? absence(excused)
      : goals.length > 0
        ? obs.lineage(goals, { negativeSupport: tierNegativeSupport(ctx.order, tier) })
        : { nodes: [], roots: [] },
  );
  return {
    goals: goals.length,
    absenceTier,
    effect: runEffect(obs),
    tiers: graphs.map((graph) =>
      enumerateFound(graph, graph.roots, {
        bounds: ctx.bounds,
        firstSend: obs.firstSend,
        seed: obs.faults,
        maxHypotheses: cap,
        ...(shouldStop ? { shouldStop } : {}),
      }),
    ),
  };
}

/** What `obs`'s faults lost in its run. */
function runEffect(obs: Observation): RunEffect {
  const sent = new Set(obs.messages.map((m) => messageKey(m.from, m.to, m.sendTime)));
  // Every send of a crashed node from its crash time on is lost (whatever loss the run names first).
  const crashLost = obs.faults.crashes.map((c): readonly [string, OmissionFault[]] => [
    c.node,
    obs.messages
      .filter((m) => m.from === c.node && m.sendTime >= c.time)
      .map((m) => ({ from: m.from, to: m.to, time: m.sendTime }))
      .sort((x, y) => x.time - y.time || (x.to < y.to ? -1 : x.to > y.to ? 1 : 0)),
  ]);
  return {
    crashLost: crashLost.filter(([, lost]) => lost.length > 0),
    idle: obs.faults.omissions.filter((o) => !sent.has(messageKey(o.from, o.to, o.time))),
    firstSend: [...obs.firstSend],
  };
}
