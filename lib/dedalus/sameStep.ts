/**
 * Which relations feed which within one timestep: the graph of deductive (same-step) rules, from
 * every body atom's relation to the head's. Provenance reads it to tell a possible derivation cycle
 * from a premise that cannot depend on the tuple; the blocking analysis to find recursive relations.
 */
import type { ProgramPlan } from "./plan";
import { relationPaths } from "./ruleGraph";

/** The same-step reachability of one program. */
export interface SameStepGraph {
  /** `feeds[q][p]` = 1 when q can feed p through a chain of same-step rules, or q = p. */
  readonly feeds: readonly Uint8Array[];
  /** `recursive[r]`: r reaches itself through at least one same-step rule. */
  readonly recursive: readonly boolean[];
}

const cache = new WeakMap<ProgramPlan, SameStepGraph>();

/** The same-step graph of a planned program, computed once per plan. */
export function sameStepGraph(plan: ProgramPlan): SameStepGraph {
  const hit = cache.get(plan);
  if (hit) return hit;
  const n = plan.relations.length;
  const paths = relationPaths(plan, (r) => r.headTime === "same");
  const feeds = Array.from({ length: n }, (_, q) => {
    const row = new Uint8Array(n);
    for (let p = 0; p < n; p++) if (p === q || paths[p]![q] !== 0) row[p] = 1;
    return row;
  });
  // r is recursive when a chain of its own same-step rules leads back to it
  const recursive = Array.from({ length: n }, (_, r) => paths[r]![r] !== 0);
  const graph = { feeds, recursive };
  cache.set(plan, graph);
  return graph;
}
