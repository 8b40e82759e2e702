import { defaultHeapCeiling, heapUsedBytes } from "../dedalus/limits";
import { checkBounds, formatFaults, NO_FAULTS, type FaultSet } from "./faults";
import { violations, type FaultTarget, type Observation } from "./observation";
import {
  DEFAULT_MAX_RUNS,
  DEFAULT_TIMEOUT_MS,
  SearchLimitError,
  type ExecutionBudget,
  type SearchLimit,
  type SearchOptions,
  type SearchResult,
  type SearchRun,
  type Strategy,
} from "./result";
import { SatLimitError } from "./sat";

/**
 * Observations kept for a report: each holds a whole run (every tuple at every time), so only the
 * first runs and the counterexample are kept; a report draws no more than that anyway.
 */
export const MAX_KEPT_OBSERVATIONS = 40;

/** How a search ends: the three verdicts of DESIGN.md section 6. */
export type SearchEnd =
  | { verdict: "certified" }
  | { verdict: "counterexample"; faults: FaultSet; missing: string[] }
  | { verdict: "inconclusive"; limit: SearchLimit };

/**
 * The bookkeeping every strategy shares: the failure-free run, execution counting against the
 * run, time and memory limits, judging each run, progress lines, and assembling the result.
 * A strategy runs inside {@link SearchSession.run}, which turns every named limit — raised between
 * runs, inside a run (the target's {@link SearchLimitError}) or by the solver — into an inconclusive
 * result naming it.
 */
export class SearchSession {
  readonly started = performance.now();
  readonly maxRuns: number;
  readonly deadline: number;
  readonly maxHeapBytes: number;
  readonly runs: SearchRun[] = [];
  readonly warnings: string[] = [];
  private ff: Observation | null = null;
  failureFreePost: ReadonlySet<string> = new Set();
  maxClauses = 0;

  constructor(
    readonly target: FaultTarget,
    readonly options: SearchOptions,
    readonly strategy: Strategy,
  ) {
    checkBounds(options.bounds);
    this.maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
    if (!(this.maxRuns >= 1)) throw new RangeError(`maxRuns must be at least 1, got ${this.maxRuns}`);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
    this.deadline = this.started + timeoutMs;
    this.maxHeapBytes = options.maxHeapBytes ?? defaultHeapCeiling();
    if (!(this.maxHeapBytes > 0)) throw new RangeError(`maxHeapBytes must be a positive number, got ${this.maxHeapBytes}`);
  }

  /** The failure-free run (available inside {@link run}). */
  get failureFree(): Observation {
    if (this.ff === null) throw new Error("internal: the failure-free run has not been made yet");
    return this.ff;
  }

  /**
   * Makes the failure-free run, then the strategy's search; a named limit hit anywhere in either ends
   * the search as inconclusive with that limit.
   */
  run(search: () => SearchEnd): SearchResult {
    try {
      this.runFailureFree();
      return this.finish(search());
    } catch (e) {
      if (e instanceof SearchLimitError) return this.finish({ verdict: "inconclusive", limit: e.limit });
      if (e instanceof SatLimitError) return this.finish({ verdict: "inconclusive", limit: "sat-clauses" });
      throw e;
    }
  }

  private runFailureFree(): void {
    const t0 = performance.now();
    const ff = this.target.execute(NO_FAULTS, this.budget());
    this.ff = ff;
    this.failureFreePost = ff.post;
    // pre tuples are keyed as the post tuple with the same columns (observation.ts); print them as pre
    const preOutside = [...ff.pre].filter((t) => !ff.post.has(t)).map((t) => t.replace(/^post\(/, "pre("));
    if (preOutside.length > 0) {
      this.warnings.push(
        `the failure-free run's pre is not within its post (${preOutside.slice(0, 3).join(", ")}${preOutside.length > 3 ? ", ..." : ""}); ` +
          "it is not judged: the search only asks whether faults lose post tuples that the failure-free run had",
      );
    }
    this.record(NO_FAULTS, ff, "failure-free", [], performance.now() - t0);
  }

  /** The bounds handed to each execution: the search's deadline, the run limits, the heap ceiling. */
  budget(): ExecutionBudget {
    const r = this.options.runLimits ?? {};
    return {
      deadline: this.deadline,
      maxHeapBytes: this.maxHeapBytes,
      ...(r.maxTuples !== undefined ? { maxTuples: r.maxTuples } : {}),
      ...(r.wallMs !== undefined ? { wallMs: r.wallMs } : {}),
    };
  }

  /** Executions so far, the failure-free one included (a run stopped by a limit is not counted). */
  get executions(): number {
    return this.runs.length;
  }

  /** The limit that forbids another execution now, if any. */
  exhausted(): SearchLimit | null {
    if (this.executions >= this.maxRuns) return "max-runs";
    if (performance.now() > this.deadline) return "timeout";
    if (heapUsedBytes() > this.maxHeapBytes) return "memory";
    return null;
  }

  /** Whether the wall-clock budget is spent. */
  timedOut(): boolean {
    return performance.now() > this.deadline;
  }

  /** Runs one hypothesis, judges it against the failure-free post, records and reports it. */
  execute(faults: FaultSet): { observation: Observation; missing: string[] } {
    const t0 = performance.now();
    const observation = this.target.execute(faults, this.budget());
    const missing = violations(this.failureFreePost, observation);
    this.record(faults, observation, missing.length > 0 ? "violation" : "ok", missing, performance.now() - t0);
    return { observation, missing };
  }

  /**
   * Records a run a worker thread made for this search (lib/ldfi/pool.ts), judged there against
   * the same failure-free `post`: it counts and reports exactly as {@link execute} would have.
   * A search that keeps observations runs without workers, so none is kept here.
   */
  recordElsewhere(faults: FaultSet, missing: string[], wallMs: number): void {
    this.record(faults, null, missing.length > 0 ? "violation" : "ok", missing, wallMs);
  }

  /** The bounds of each execution as a worker thread needs them (the deadline as a wall-clock epoch: threads have their own `performance.now()` origins). */
  get workerBudget(): { deadlineEpoch: number; maxHeapBytes: number; runLimits: { maxTuples?: number; wallMs?: number } } {
    const r = this.options.runLimits ?? {};
    return {
      deadlineEpoch: performance.timeOrigin + this.deadline,
      maxHeapBytes: this.maxHeapBytes,
      runLimits: {
        ...(r.maxTuples !== undefined ? { maxTuples: r.maxTuples } : {}),
        ...(r.wallMs !== undefined ? { wallMs: r.wallMs } : {}),
      },
    };
  }

  private record(
    faults: FaultSet,
    observation: Observation | null,
    outcome: SearchRun["outcome"],
    missing: string[],
    wallMs: number,
  ): void {
    const index = this.runs.length;
    const keep =
      observation !== null && this.options.keepObservations === true && (index < MAX_KEPT_OBSERVATIONS || outcome === "violation");
    this.runs.push({ index, faults, outcome, missing, wallMs, ...(keep && observation !== null ? { observation } : {}) });
    const verdict =
      outcome === "violation"
        ? `VIOLATION (missing ${missing.join(", ")})`
        : outcome === "ok"
          ? "ok"
          : `failure-free, post has ${observation?.post.size ?? 0}`;
    this.options.progress?.(`run ${index}: ${formatFaults(faults)} -> ${verdict}`);
  }

  /** Assembles the result. */
  finish(end: SearchEnd): SearchResult {
    return {
      strategy: this.strategy,
      bounds: this.options.bounds,
      verdict: end.verdict,
      executions: this.executions,
      wallMs: Math.round((performance.now() - this.started) * 1000) / 1000,
      counterexample: end.verdict === "counterexample" ? { faults: end.faults, missing: end.missing } : null,
      limit: end.verdict === "inconclusive" ? end.limit : null,
      failureFreePost: [...this.failureFreePost].sort(),
      runs: this.runs,
      warnings: this.warnings,
      maxClauses: this.maxClauses,
    };
  }
}
