/**
 * The check the negative-support soundness properties share: run a program failure-free with
 * provenance and again under faults, then, at each join budget, every goal whose support formula
 * holds under the broken messages must be there in the faulty run.
 */
import fc from "fast-check";
import type { Program } from "../../lib/dedalus/ast";
import { edgeKey, holds, support } from "../../lib/dedalus/provenance";
import { runProgram, type Crash, type Fact, type Omission } from "../../lib/dedalus/runtime";

/** The messages `omissions` and `crash` lose among `nodes` before `eot`. */
export function brokenEdges(omissions: readonly Omission[], crash: Crash | null, eot: number, nodes: readonly string[]): Set<string> {
  const broken = new Set(omissions.filter((o) => o.from !== o.to).map((o) => edgeKey({ from: o.from, to: o.to, sendTime: o.time })));
  if (crash)
    for (const n of nodes)
      for (let t = crash.time; t < eot; t++) if (n !== crash.node) broken.add(edgeKey({ from: crash.node, to: n, sendTime: t }));
  return broken;
}

/**
 * Checks every goal `pick` selects, at every step from 2 to `eot`, at each of `budgets` (undefined:
 * the default join budget). Returns how many goals were compared and how many the faults broke.
 */
export function expectSoundUnderFaults(
  program: Program,
  faults: { omissions: readonly Omission[]; crash: Crash | null },
  opts: { eot: number; nodes: readonly string[]; budgets: readonly (number | undefined)[]; pick: (f: Fact) => boolean; text: string },
): { compared: number; broke: number } {
  const { eot, nodes } = opts;
  const base = runProgram(program, { eot, provenance: true, nodes: [...nodes] });
  const goals: Fact[] = [];
  for (let t = 2; t <= eot; t++) goals.push(...base.facts(undefined, t).filter(opts.pick));
  const crashes = faults.crash ? [faults.crash] : [];
  const faulty = runProgram(program, { eot, nodes: [...nodes], failures: { omissions: [...faults.omissions], crashes } });
  const broken = brokenEdges(faults.omissions, faults.crash, eot, nodes);
  let broke = 0;
  for (const joinBudget of opts.budgets) {
    const g = support(base, goals, joinBudget === undefined ? {} : { joinBudget });
    goals.forEach((goal, i) => {
      const there = faulty.has(goal.rel, goal.args, goal.time);
      if (joinBudget === undefined && !there) broke++;
      if (holds(g, g.roots[i]!, broken))
        expect({ goal, joinBudget, there, program: opts.text }).toEqual({ goal, joinBudget, there: true, program: opts.text });
    });
  }
  return { compared: goals.length, broke };
}

/**
 * Runs `check` on `runs` cases of `arb` (SUPPORT_RUNS scales them, SUPPORT_SEED overrides `seed`)
 * and returns its counts summed, for the property's "it was not vacuous" assertions.
 */
export function propertyTotals<T, K extends string>(
  arb: fc.Arbitrary<T>,
  check: (c: T) => Record<K, number>,
  { runs, seed }: { runs: number; seed: number },
): Record<K, number> {
  const totals = {} as Record<K, number>;
  fc.assert(
    fc.property(arb, (c) => {
      for (const [k, v] of Object.entries(check(c)) as [K, number][]) totals[k] = (totals[k] ?? 0) + v;
    }),
    { numRuns: Math.round(runs * (Number(process.env["SUPPORT_RUNS"] ?? 400) / 400)), seed: Number(process.env["SUPPORT_SEED"] ?? seed) },
  );
  return totals;
}
