import { finishEnumeration } from "./encode";
import { expansionOf, tierNegativeSupport, type ExpansionContext, type RunExpansion } from "./expansion";
import { faultCount, faultKey, joinFaults, withinBounds, withoutDeadOmissions, type FaultSet } from "./faults";
import { violations, type FaultTarget } from "./observation";
import { idleCoreProbe, PoolSearch, type TargetRecipe } from "./pool";
import {
  DEFAULT_ORDER,
  DEFAULT_POOL_AFTER_MS,
  DEFAULT_RUN_WALL_MS,
  type HypothesisOrder,
  type SearchOptions,
  type SearchResult,
} from "./result";
import { SearchSession, type SearchEnd } from "./session";
import { Survivors, type Survivor } from "./survivors";

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
 * 5. a run that was no violation discharges every hypothesis that extends its faults without
 *    breaking its lineage or an excused goal's absence (containing none of the minimal sets that
 *    do): it is not run, and its joins with those minimal sets are queued instead;
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
  const context = { bounds: options.bounds, order, failureFreePost: s.failureFreePost };

  const explored = new Set<string>([faultKey(s.failureFree.faults)]);
  const queued = new Map<string, QueueItem>();
  let queue: QueueItem[] = [];
  let seq = 0;
  // True when an enumeration was cut short by the hypothesis cap: an empty queue then proves nothing.
  let incomplete = false;
  // More hypotheses than the runs left (plus those that may turn out explored) cannot be used.
  const hypothesisCap = (): number => s.maxRuns - s.executions + explored.size + queued.size + 1;

  // Runs that were no violation, with the minimal fault sets that break a kept goal's full lineage
  // or an excused goal's absence (complete: not cut short). A hypothesis that extends such a run's
  // faults without containing any of them keeps that run's derivations and absences, hence is no
  // violation either: it is not run, and what lies above it is reached through that run's
  // breakers instead (README: subsumption).
  const survivors = new Survivors(options.bounds, s.target.crashTimeBlind === true);
  const subsumed = (item: QueueItem): boolean => survivors.dischargerOf(item.key, item.faults) !== null;

  /** Puts new hypotheses in the queue in the search's order. */
  const enqueue = (fresh: QueueItem[]): void => {
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
  // Where a crashed node's state is never read, an omission to it from its crash on is no fault
  // that matters: hypotheses are kept without them, so no outcome is run twice under two names.
  const canonical = s.target.crashedStateUnread === true ? withoutDeadOmissions : (f: FaultSet): FaultSet => f;
  const item = (found: FaultSet, tier: number): QueueItem | null => {
    const faults = canonical(found);
    const key = faultKey(faults);
    if (explored.has(key)) return null;
    const there = queued.get(key);
    // Found again by a tier that ranks it earlier (an excused goal's absence queued it late): it
    // moves up, or the order would depend on which expansion happened to find it first.
    if (there && there.tier <= tier) return null;
    if (there) {
      const at = queue.indexOf(there);
      if (at < 0) return null; // found twice by one expansion: its first finding stands
      queue.splice(at, 1);
    }
    const it: QueueItem = { faults, key, tier, size: faultCount(faults), lateness: lateness(faults), seq: there ? there.seq : seq++ };
    queued.set(key, it);
    return it;
  };

  /** Queues the hypotheses of one run's expansion, found under at least the current cap. */
  const expand = (faults: FaultSet, expansion: RunExpansion): void => {
    if (expansion.tiers.length === 0) return;
    const cap = hypothesisCap();
    // Tier 0: what breaks the positive lineage (the derivations themselves); tier 1: what only breaks
    // negative support. Both are run; "positive-first" runs tier 0 first (see README: queue order).
    const fresh: QueueItem[] = [];
    // The certifying tiers' hypotheses together: what breaks a kept goal's full lineage or brings an
    // excused goal's `pre` back. A counterexample above this run contains one of them (README: step 6).
    const breakers: FaultSet[] = [];
    let complete = true;
    expansion.tiers.forEach((found, tier) => {
      const r = finishEnumeration(found, cap);
      // The excused goals' absences are certification's too: a truncated one leaves the search incomplete.
      const negativeSupport = tier === expansion.absenceTier || tierNegativeSupport(order, tier);
      s.maxClauses = Math.max(s.maxClauses, r.clauses);
      // Certification rests on the full lineage's hypotheses; the positive tier only orders the queue.
      if (r.truncated && negativeSupport) incomplete = true;
      if (negativeSupport) {
        if (r.truncated || r.seedBreaks) complete = false;
        breakers.push(...r.hypotheses);
      }
      const weight = tier === expansion.absenceTier ? ABSENCE_WEIGHT : tier;
      for (const h of r.hypotheses) {
        const it = item(h, weight);
        if (it) fresh.push(it);
      }
    });
    // Every goal is either kept (its full lineage is a tier) or excused (its absence is): without
    // an absence tier (a target that cannot say why a `pre` stays absent) an excused goal is unjudged.
    const covered = expansion.goals === s.failureFreePost.size || expansion.absenceTier >= 0;
    if (subsumption && complete && covered) survivors.add(faults, breakers, expansion.effect);
    enqueue(fresh);
  };
  /**
   * A discharged hypothesis is not run; a counterexample above it still contains its discharger's
   * faults and breaks that run's lineage, so it contains the hypothesis joined with one of the
   * discharger's breakers: those joins are queued in its place (within the bounds).
   */
  const expandThrough = (faults: FaultSet, by: Survivor): void => {
    const fresh: QueueItem[] = [];
    for (const extra of survivors.joinsThrough(faults, by)) {
      const joined = joinFaults(faults, extra);
      const it = joined && withinBounds(joined, options.bounds) ? item(joined, DISCHARGED_TIER) : null;
      if (it) fresh.push(it);
    }
    enqueue(fresh);
  };
  /** Runs one hypothesis here, on this thread. */
  const runHere = (faults: FaultSet): { missing: string[]; expansion: RunExpansion | null } => {
    const { observation, missing } = s.execute(faults);
    return { missing, expansion: missing.length > 0 ? null : expansionOf(observation, context, hypothesisCap(), () => s.timedOut()) };
  };

  const pool = new Speculation(s, options, order, context);
  try {
    expand(
      s.failureFree.faults,
      expansionOf(s.failureFree, context, hypothesisCap(), () => s.timedOut()),
    );
    while (queue.length > 0) {
      const limit = s.exhausted();
      if (limit) return { verdict: "inconclusive", limit };
      const next = queue.shift() as QueueItem;
      queued.delete(next.key);
      explored.add(next.key);
      const by = survivors.dischargerOf(next.key, next.faults);
      survivors.forget(next.key);
      if (by) {
        pool.discard(next.key);
        expandThrough(next.faults, by);
        continue;
      }
      // Worker threads run the hypotheses queued behind this one while this thread runs it (or
      // waits for a worker that already is); results are committed here, in queue order only.
      pool.speculate(queue, subsumed, hypothesisCap);
      const remote = pool.take(next, queue, subsumed, hypothesisCap);
      const { missing, expansion } = remote ?? runHere(next.faults);
      if (missing.length > 0) return { verdict: "counterexample", faults: next.faults, missing };
      if (expansion) expand(next.faults, expansion);
    }
  } finally {
    pool.end();
  }
  if (s.timedOut()) return { verdict: "inconclusive", limit: "timeout" };
  if (incomplete) return { verdict: "inconclusive", limit: "max-runs" };
  return { verdict: "certified" };
}

/**
 * Speculative execution on the worker pool (`jobs` above 1; lib/ldfi/README.md, "Worker pool"): the
 * hypotheses at the front of the queue are sent to worker threads before the loop reaches them.
 * The loop still takes them one by one in its own order and commits a worker's result only when it
 * reaches that hypothesis, so the verdict, the counterexample and `executions` are those of the
 * sequential search; a result the loop never reaches (subsumed, or past the decision) is dropped
 * uncounted. The pool starts only after the search has run `poolAfterMs` on its own, so a small
 * search never pays for starting threads, and the loop keeps running hypotheses itself meanwhile.
 */
/** A hypothesis run ahead of the loop, by a worker or by this thread; `ok: false`: the loop runs it again. */
type SpeculativeResult =
  | { readonly ok: true; readonly wallMs: number; readonly missing: string[]; readonly expansion: RunExpansion | null }
  | { readonly ok: false };

class Speculation {
  private search: PoolSearch | null = null;
  private workers: number;
  private startAfter: number;
  private readonly startOnBusyMachine: boolean;
  /** Whether a core was idle since the last ask (see idleCoreProbe). */
  private readonly idleCore: () => boolean;
  /** Results this thread computed ahead of the loop. */
  private readonly local = new Map<string, SpeculativeResult>();

  constructor(
    private readonly s: SearchSession,
    options: SearchOptions,
    private readonly order: HypothesisOrder,
    private readonly context: ExpansionContext,
  ) {
    const jobs = options.jobs ?? 1;
    if (!(Number.isInteger(jobs) && jobs >= 1)) throw new RangeError(`jobs must be a positive integer, got ${jobs}`);
    // Observations kept for a report stay on this thread, so such a search runs sequentially.
    this.workers = s.target.recipe && options.keepObservations !== true ? jobs - 1 : 0;
    this.startAfter = s.started + (options.poolAfterMs ?? DEFAULT_POOL_AFTER_MS);
    this.startOnBusyMachine = options.poolOnBusyMachine === true;
    this.idleCore = this.workers > 0 && !this.startOnBusyMachine ? idleCoreProbe() : () => true;
  }

  /** Sends the first queued hypotheses that are not yet sent (nor subsumed) to free worker slots. */
  speculate(queue: readonly QueueItem[], subsumed: (item: QueueItem) => boolean, cap: () => number): void {
    if (this.workers === 0) return;
    if (!this.search) {
      if (queue.length === 0 || performance.now() < this.startAfter) return;
      // On a machine whose cores are all busy a worker cannot help (see idleCoreProbe); asked
      // again a second later, so the pool still starts if the load falls.
      if (!this.idleCore()) {
        this.startAfter = performance.now() + 1000;
        return;
      }
      const recipe = this.s.target.recipe as TargetRecipe;
      const runWall = this.s.options.runLimits?.wallMs ?? DEFAULT_RUN_WALL_MS;
      this.search = PoolSearch.start(
        { recipe, failureFreePost: [...this.s.failureFreePost], bounds: this.s.options.bounds, order: this.order, ...this.s.workerBudget },
        this.workers,
        runWall + 30_000,
      );
      if (!this.search) {
        this.workers = 0; // no worker threads here (a browser): sequential
        return;
      }
    }
    let slots = this.search.slots();
    // A worker enumerates under twice the cap of the moment (the cap may grow before the loop
    // commits its result; if it outgrew that, the loop runs the hypothesis again itself).
    const workerCap = 2 * cap() + 64;
    for (let i = 0; i < queue.length && slots > 0; i++) {
      const item = queue[i] as QueueItem;
      if (this.search.has(item.key) || this.local.has(item.key) || subsumed(item)) continue;
      this.search.submit(item.key, item.faults, workerCap);
      slots -= 1;
    }
  }

  /**
   * The result of the hypothesis the loop just reached, recorded as this search's run: a worker's,
   * usable under the loop's current cap; undefined when the loop should run it itself. While a
   * worker is still running it, this thread runs the next hypotheses nobody has taken yet (kept
   * like a worker's result, recorded only when the loop reaches them) instead of idling.
   */
  take(
    next: QueueItem,
    queue: readonly QueueItem[],
    subsumed: (item: QueueItem) => boolean,
    cap: () => number,
  ): { missing: string[]; expansion: RunExpansion | null } | undefined {
    const search = this.search;
    if (!search) return undefined;
    let r: SpeculativeResult | undefined;
    for (;;) {
      r = this.local.get(next.key);
      if (r) {
        this.local.delete(next.key);
        break;
      }
      if (!search.has(next.key)) return undefined;
      if (search.arrived(next.key)) {
        r = search.take(next.key);
        break;
      }
      const spare = queue.find((item) => !search.has(item.key) && !this.local.has(item.key) && !subsumed(item));
      if (!spare) {
        r = search.take(next.key);
        break;
      }
      this.runAhead(spare, cap);
      this.speculate(queue, subsumed, cap);
    }
    if (!r || !r.ok) return undefined;
    const c = cap();
    if (r.expansion && r.expansion.tiers.some((t) => t.found.length >= t.cap && c > t.cap)) return undefined;
    this.s.recordElsewhere(next.faults, r.missing, r.wallMs);
    return { missing: r.missing, expansion: r.expansion };
  }

  /** Runs a queued hypothesis ahead of the loop on this thread; a limit or error leaves it to the loop. */
  private runAhead(item: QueueItem, cap: () => number): void {
    try {
      const t0 = performance.now();
      const obs = this.s.target.execute(item.faults, this.s.budget());
      const missing = violations(this.s.failureFreePost, obs);
      const wallMs = performance.now() - t0;
      const expansion = missing.length > 0 ? null : expansionOf(obs, this.context, 2 * cap() + 64, () => this.s.timedOut());
      this.local.set(item.key, { ok: true, wallMs, missing, expansion });
    } catch {
      this.local.set(item.key, { ok: false });
    }
  }

  discard(key: string): void {
    this.search?.discard(key);
    this.local.delete(key);
  }

  end(): void {
    this.search?.end();
    this.search = null;
    this.local.clear();
  }
}

/**
 * The queue weight of what could bring an excused goal's `pre` back (expansion.ts): added to the
 * size like a tier, so these come after the hypotheses of up to this many more faults.
 */
const ABSENCE_WEIGHT = 8;

/** The tier of the joins queued in a discharged hypothesis's place: their breakers come from a full lineage. */
const DISCHARGED_TIER = 1;

interface QueueItem {
  readonly faults: FaultSet;
  readonly key: string;
  /** 0: breaks the positive lineage; 1: breaks only negative support (always 0 unless "positive-first"). */
  readonly tier: number;
  readonly size: number;
  readonly lateness: number;
  readonly seq: number;
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
