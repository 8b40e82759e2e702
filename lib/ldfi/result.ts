import type { FaultBounds, FaultSet } from "./faults";
import type { Observation } from "./observation";

/** How the fault space is searched. */
export type Strategy = "ldfi" | "random" | "exhaustive";

/** The three outcomes of a search (DESIGN.md section 6). */
export type Verdict = "counterexample" | "certified" | "inconclusive";

/**
 * Which bound ended a search early (DESIGN.md section 6): every one of them makes the search
 * inconclusive, never an error. {@link SEARCH_LIMITS} says what each means.
 */
export type SearchLimit = "max-runs" | "timeout" | "sat-clauses" | "max-tuples" | "run-wall-time" | "memory";

/** Every {@link SearchLimit} with the sentence that explains it (lib/ldfi/README.md lists them). */
export const SEARCH_LIMITS: Readonly<Record<SearchLimit, string>> = {
  "max-runs": "the executions (failure-free run included) reached maxRuns (--max-runs), or an enumeration was cut short by it",
  timeout: "the search's wall-clock budget timeoutMs (--timeout) ran out, between runs or inside one",
  "sat-clauses": "a lineage's CNF passed MAX_SAT_CLAUSES, the solver's size bound",
  "max-tuples": "one run held more tuples than runLimits.maxTuples (--max-tuples)",
  "run-wall-time": "one run took longer than runLimits.wallMs, the budget of a single run",
  memory: "the V8 heap passed maxHeapBytes (default: 85% of the heap limit), between runs or inside one",
};

/**
 * Thrown by a fault target (observation.ts) when one of the search's bounds stops an execution;
 * the search catches it and ends inconclusive with {@link limit}.
 */
export class SearchLimitError extends Error {
  constructor(
    readonly limit: SearchLimit,
    message: string,
  ) {
    super(message);
    this.name = "SearchLimitError";
  }
}

/** The bounds of one execution, handed by the search to {@link FaultTarget.execute}. */
export interface ExecutionBudget {
  /** `performance.now()` past which the search's timeout has run out (the run must stop by then: `timeout`). */
  readonly deadline: number;
  /** Tuples one run may hold (`max-tuples`). */
  readonly maxTuples?: number;
  /** Wall-clock budget of one run in milliseconds (`run-wall-time`; the deadline may cut it shorter). */
  readonly wallMs?: number;
  /** V8 heap ceiling in bytes (`memory`). */
  readonly maxHeapBytes?: number;
}

/** Default wall-clock budget of one execution of a search: a runaway run stops in a minute. */
export const DEFAULT_RUN_WALL_MS = 60_000;

/** See {@link SearchOptions.order}. */
export type HypothesisOrder = "positive-first" | "smallest-first" | "depth-first";

/** Chosen by measurement on the corpus (bench/ldfi.bench.ts prints both). */
export const DEFAULT_ORDER: HypothesisOrder = "positive-first";

/**
 * How long a search runs on its own thread before it starts worker threads: starting one costs
 * about 280 ms of a core (loading the library; measured here), more than a small search takes
 * altogether. The loop keeps running hypotheses while the workers start, and they stay up for
 * later searches of the same process.
 */
export const DEFAULT_POOL_AFTER_MS = 500;

/** Default cap on executions (including the failure-free run) so no search is unbounded. */
export const DEFAULT_MAX_RUNS = 10_000;
/** Default wall-clock budget in milliseconds: Molly's paper gave each certification sweep 120 s. */
export const DEFAULT_TIMEOUT_MS = 120_000;

/** Options shared by every strategy. */
export interface SearchOptions {
  readonly bounds: FaultBounds;
  readonly strategy?: Strategy;
  /** Cap on executions, counting the failure-free run. */
  readonly maxRuns?: number;
  readonly timeoutMs?: number;
  /** Bounds of each execution: tuples and wall time (defaults: the target's, and {@link DEFAULT_RUN_WALL_MS}). */
  readonly runLimits?: { readonly maxTuples?: number; readonly wallMs?: number };
  /** V8 heap ceiling in bytes, checked between runs and inside them (default: 85% of V8's heap limit). */
  readonly maxHeapBytes?: number;
  /**
   * LDFI's queue discipline. "positive-first" (default) enumerates hypotheses twice per run — from
   * the positive lineage (tier 0) and from the lineage with negative support (tier 1) — and runs
   * them by fault count plus tier, tier 0 first among equals: faults that break a derivation are
   * tried before faults that only disturb a `notin`. "smallest-first" runs only the tier-1
   * hypotheses by fault count (the first counterexample is a smallest one); "depth-first" runs the
   * extensions of the run that just survived before older hypotheses. All three run every
   * hypothesis before certifying, so verdicts agree; only the executions to a counterexample differ.
   */
  readonly order?: HypothesisOrder;
  /**
   * LDFI does not run a hypothesis that extends a surviving run's faults without breaking that
   * run's lineage, and queues its joins with what does break it instead (default true;
   * lib/ldfi/README.md, the loop, step 6). Sound only when lineage is: the handler search turns it
   * off, because the causal past of opaque handlers is not (its completion phase decides there).
   */
  readonly subsumption?: boolean;
  /**
   * Threads running LDFI hypotheses at once, this one included (default 1: sequential; the CLI's
   * `--jobs` defaults to every core). The result is the sequential search's whatever the number:
   * workers only run ahead of the loop, which commits their runs in its own order (README, "Worker
   * pool"). Only targets with a recipe (Dedalus programs on the real evaluator) use workers, and not
   * when observations are kept for a report.
   */
  readonly jobs?: number;
  /** Wall-clock milliseconds a search runs alone before it starts worker threads (default {@link DEFAULT_POOL_AFTER_MS}). */
  readonly poolAfterMs?: number;
  /**
   * Start workers even when every core is busy (default false: then the search stays on one thread
   * until the machine has half a core idle; see `idleCoreProbe`). Tests set it to
   * exercise the pool on a loaded machine.
   */
  readonly poolOnBusyMachine?: boolean;
  /** Seed of the random strategy. */
  readonly seed?: number;
  /** Called after every execution with a one-line summary (`run 3: omit(a,b,1) -> ok`). */
  readonly progress?: (line: string) => void;
  /** Keep runs' observations for a report (the first runs and the counterexample; see MAX_KEPT_OBSERVATIONS). */
  readonly keepObservations?: boolean;
}

/** One execution of a search. */
export interface SearchRun {
  /** 0 is the failure-free run. */
  readonly index: number;
  readonly faults: FaultSet;
  readonly outcome: "failure-free" | "ok" | "violation";
  /** FFpost tuples this run lost while keeping their `pre` (non-empty iff a violation). */
  readonly missing: readonly string[];
  readonly wallMs: number;
  readonly observation?: Observation;
}

/** The result of a search: the verdict, how it was reached, and every run made. */
export interface SearchResult {
  readonly strategy: Strategy;
  readonly bounds: FaultBounds;
  readonly verdict: Verdict;
  /** Every execution, the failure-free run included. */
  readonly executions: number;
  readonly wallMs: number;
  readonly counterexample: null | { readonly faults: FaultSet; readonly missing: readonly string[] };
  readonly limit: null | SearchLimit;
  /** `post` of the failure-free run at EOT: the outcomes the search tries to break. */
  readonly failureFreePost: readonly string[];
  readonly runs: readonly SearchRun[];
  /** Plain warnings (e.g. the failure-free run's `pre` is not within its `post`). */
  readonly warnings: readonly string[];
  /** Size of the largest CNF handed to the solver (LDFI only). */
  readonly maxClauses: number;
}
