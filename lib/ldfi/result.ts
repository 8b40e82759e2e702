import type { FaultBounds, FaultSet } from "./faults";
import type { Observation } from "./observation";

/** How the fault space is searched. */
export type Strategy = "ldfi" | "random" | "exhaustive";

/** The three outcomes of a search (DESIGN.md section 6). */
export type Verdict = "counterexample" | "certified" | "inconclusive";

/**
 * Which bound ended a search early. `max-runs` and `timeout` are the CLI's limits; `sat-clauses`
 * is the solver's heap bound (see lib/ldfi/sat.ts), reported rather than crashed into.
 */
export type SearchLimit = "max-runs" | "timeout" | "sat-clauses";

/** See {@link SearchOptions.order}. */
export type HypothesisOrder = "positive-first" | "smallest-first" | "depth-first";

/** Chosen by measurement on the corpus (bench/ldfi.bench.ts prints both). */
export const DEFAULT_ORDER: HypothesisOrder = "positive-first";

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
