/**
 * Which relations feed which within one timestep: the graph of deductive (same-step) rules, from
 * every body atom's relation to the head's. Provenance reads it to tell a possible derivation cycle
 * from a premise that cannot depend on the tuple; the blocking analysis to find recursive relations.
 */
import type { ProgramPlan } from "./plan";

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
  const feeds = Array.from({ length: n }, (_, q) => {
    const row = new Uint8Array(n);
    row[q] = 1;
    return row;
  });
  const edges: [number, number][] = [];
  for (const r of plan.rules) if (r.headTime === "same") for (const a of [...r.positives, ...r.negatives]) edges.push([a.rel, r.headRel]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [from, to] of edges) {
      for (let q = 0; q < n; q++) {
        if (feeds[q]![from] && !feeds[q]![to]) {
          feeds[q]![to] = 1;
          changed = true;
        }
      }
    }
  }
  // r is recursive when one of its own same-step edges leads back to it
  const recursive = Array.from({ length: n }, () => false);
  for (const [from, to] of edges) if (feeds[to]![from]) recursive[from] = true;
  const graph = { feeds, recursive };
  cache.set(plan, graph);
  return graph;
}
