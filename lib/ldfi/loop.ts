import { enumerateHypotheses } from "./encode";
import { faultCount, faultKey, type FaultSet } from "./faults";
import type { FaultTarget, Observation } from "./observation";
import type { SearchOptions, SearchResult } from "./result";
import { SatLimitError } from "./sat";
import { SearchSession } from "./session";

/**
 * Lineage-driven fault injection (DESIGN.md section 6, Molly's verification loop):
 *
 * 1. run failure-free; its `post` at EOT (FFpost) is what faults must not lose;
 * 2. for each FFpost tuple separately, take its lineage down to cross-node messages and let the
 *    solver enumerate the minimal fault sets that break every derivation (smallest first);
 * 3. run the hypotheses smallest first; a run that loses an FFpost tuple while keeping its `pre`
 *    is a counterexample;
 * 4. a run that survives had other derivations: its lineage, with its own faults as the seed that
 *    every further hypothesis extends, yields new hypotheses; sets already explored are skipped;
 * 5. when no hypothesis is left, the program is certified for the bounds.
 *
 * Deterministic: the queue is ordered by fault count, then by the order hypotheses were found,
 * and the solver's enumeration is ordered the same way.
 */
export function ldfiSearch(target: FaultTarget, options: SearchOptions): SearchResult {
  const s = new SearchSession(target, options, "ldfi");
  if (s.failureFreePost.size === 0) return s.finish({ verdict: "certified" });

  const explored = new Set<string>([faultKey(s.failureFree.faults)]);
  const queued = new Set<string>();
  const queue: { faults: FaultSet; size: number; seq: number }[] = [];
  let seq = 0;
  // True when an enumeration was cut short by the hypothesis cap: an empty queue then proves nothing.
  let incomplete = false;

  const expand = (obs: Observation): void => {
    const goals = [...s.failureFreePost].filter((t) => obs.post.has(t)).sort();
    if (goals.length === 0) return;
    const graph = obs.lineage(goals);
    // More hypotheses than the runs left (plus those that may turn out explored) cannot be used.
    const cap = s.maxRuns - s.executions + explored.size + queued.size + 1;
    const r = enumerateHypotheses(graph, graph.roots, {
      bounds: options.bounds,
      firstSend: obs.firstSend,
      seed: obs.faults,
      maxHypotheses: cap,
      shouldStop: () => s.timedOut(),
    });
    s.maxClauses = Math.max(s.maxClauses, r.clauses);
    if (r.truncated) incomplete = true;
    for (const h of r.hypotheses) {
      const key = faultKey(h);
      if (explored.has(key) || queued.has(key)) continue;
      queued.add(key);
      const item = { faults: h, size: faultCount(h), seq: seq++ };
      let i = queue.length;
      while (i > 0 && (queue[i - 1] as { size: number }).size > item.size) i--;
      queue.splice(i, 0, item);
    }
  };

  try {
    expand(s.failureFree);
    while (queue.length > 0) {
      const limit = s.exhausted();
      if (limit) return s.finish({ verdict: "inconclusive", limit });
      const next = queue.shift() as { faults: FaultSet };
      const key = faultKey(next.faults);
      queued.delete(key);
      explored.add(key);
      const { observation, missing } = s.execute(next.faults);
      if (missing.length > 0) return s.finish({ verdict: "counterexample", faults: next.faults, missing });
      expand(observation);
    }
  } catch (e) {
    if (e instanceof SatLimitError) return s.finish({ verdict: "inconclusive", limit: "sat-clauses" });
    throw e;
  }
  if (s.timedOut()) return s.finish({ verdict: "inconclusive", limit: "timeout" });
  if (incomplete) return s.finish({ verdict: "inconclusive", limit: "max-runs" });
  return s.finish({ verdict: "certified" });
}
