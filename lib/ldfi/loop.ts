import { enumerateHypotheses } from "./encode";
import { faultCount, faultKey, type FaultSet } from "./faults";
import type { FaultTarget, Observation } from "./observation";
import { DEFAULT_ORDER, type SearchOptions, type SearchResult } from "./result";
import { SearchSession, type SearchEnd } from "./session";

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
 * 5. a run that kept every goal and whose lineage no fault within the bounds can break further
 *    discharges every superset of its faults: those are dropped from the queue unrun;
 * 6. when no hypothesis is left, the program is certified for the bounds.
 *
 * Deterministic: the queue is ordered by fault count, then by lateness of the faults, then by the
 * order hypotheses were found (see {@link before}); the solver's enumeration is deterministic too.
 */
export function ldfiSearch(target: FaultTarget, options: SearchOptions): SearchResult {
  const s = new SearchSession(target, options, "ldfi");
  return s.run(() => ldfiLoop(s, options));
}

function ldfiLoop(s: SearchSession, options: SearchOptions): SearchEnd {
  const order = options.order ?? DEFAULT_ORDER;
  const subsumption = options.subsumption ?? true;
  if (s.failureFreePost.size === 0) return { verdict: "certified" };

  const explored = new Set<string>([faultKey(s.failureFree.faults)]);
  const queued = new Set<string>();
  let queue: QueueItem[] = [];
  let seq = 0;
  // True when an enumeration was cut short by the hypothesis cap: an empty queue then proves nothing.
  let incomplete = false;

  const enumerate = (obs: Observation, goals: readonly string[], negativeSupport: boolean) => {
    const graph = obs.lineage(goals, { negativeSupport });
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
    // Certification rests on the full lineage's hypotheses; the positive tier only orders the queue.
    if (r.truncated && negativeSupport) incomplete = true;
    if (subsumption && negativeSupport && !r.truncated && !r.seedBreaks && r.hypotheses.length === 0 && goals.length === s.failureFreePost.size) untouchable.push(faultAtoms(obs.faults));
    return r.hypotheses;
  };
  // Runs that kept every goal and whose lineage no further fault within the bounds can break: every
  // superset of their faults keeps every goal too, so no counterexample lies above them (README:
  // subsumption) and a queued superset is dropped unrun.
  const untouchable: Set<string>[] = [];
  const subsumed = (f: FaultSet): boolean => {
    if (untouchable.length === 0) return false;
    const atoms = faultAtoms(f);
    return untouchable.some((u) => u.size <= atoms.size && [...u].every((a) => atoms.has(a)));
  };

  const expand = (obs: Observation): void => {
    const goals = [...s.failureFreePost].filter((t) => obs.post.has(t)).sort();
    if (goals.length === 0) return;
    // Tier 0: what breaks the positive lineage (the derivations themselves); tier 1: what only breaks
    // negative support. Both are run; "positive-first" runs tier 0 first (see README: queue order).
    const tiers = order === "positive-first" ? [enumerate(obs, goals, false), enumerate(obs, goals, true)] : [enumerate(obs, goals, true)];
    const fresh: QueueItem[] = [];
    tiers.forEach((hypotheses, tier) => {
      for (const h of hypotheses) {
        const key = faultKey(h);
        if (explored.has(key) || queued.has(key)) continue;
        queued.add(key);
        fresh.push({ faults: h, tier, size: faultCount(h), lateness: lateness(h), seq: seq++ });
      }
    });
    if (order === "depth-first") {
      // this run's extensions go first (smallest first among them): follow the lineage that just survived
      // concat, not unshift(...fresh): with a large --max-runs a run can yield more hypotheses than a call takes arguments
      queue = fresh.concat(queue);
      return;
    }
    for (const item of fresh) {
      let i = queue.length;
      while (i > 0 && before(item, queue[i - 1] as QueueItem)) i--;
      queue.splice(i, 0, item);
    }
  };

  expand(s.failureFree);
  while (queue.length > 0) {
    const limit = s.exhausted();
    if (limit) return { verdict: "inconclusive", limit };
    const next = queue.shift() as { faults: FaultSet };
    const key = faultKey(next.faults);
    queued.delete(key);
    explored.add(key);
    if (subsumed(next.faults)) continue;
    const { observation, missing } = s.execute(next.faults);
    if (missing.length > 0) return { verdict: "counterexample", faults: next.faults, missing };
    expand(observation);
  }
  if (s.timedOut()) return { verdict: "inconclusive", limit: "timeout" };
  if (incomplete) return { verdict: "inconclusive", limit: "max-runs" };
  return { verdict: "certified" };
}

interface QueueItem {
  readonly faults: FaultSet;
  /** 0: breaks the positive lineage; 1: breaks only negative support (always 0 unless "positive-first"). */
  readonly tier: number;
  readonly size: number;
  readonly lateness: number;
  readonly seq: number;
}

/** The faults of a set, one key each, for subset tests. */
function faultAtoms(f: FaultSet): Set<string> {
  return new Set([...f.omissions.map((o) => `o ${o.from} ${o.to} ${o.time}`), ...f.crashes.map((c) => `c ${c.node} ${c.time}`)]);
}

/** Sum of the fault times: later faults leave the protocol less time to recover, and early ones often prevent `pre` as well. */
function lateness(f: FaultSet): number {
  return f.omissions.reduce((a, o) => a + o.time, 0) + f.crashes.reduce((a, c) => a + c.time, 0);
}

/**
 * Queue order: fewer faults (plus tier) first; then the positive tier; among equals, later faults
 * first, then discovery order. The lateness tie-break was measured when negative support was still
 * Molly's causes and the order smallest-first: it cut the corpus's Figure-12 executions from 109 to
 * 102. Today's counts (38 over the seven rows with positive-first, lib/ldfi/README.md) are pinned
 * per row in protocols/expected.json.
 */
function before(a: QueueItem, b: QueueItem): boolean {
  if (a.size + a.tier !== b.size + b.tier) return a.size + a.tier < b.size + b.tier;
  if (a.tier !== b.tier) return a.tier < b.tier;
  if (a.size !== b.size) return a.size < b.size;
  return a.lateness > b.lateness;
}
