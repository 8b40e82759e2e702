import { checkBounds, formatFaults, NO_FAULTS, type FaultSet } from "./faults";
import { violations, type FaultTarget, type Observation } from "./observation";
import { DEFAULT_MAX_RUNS, DEFAULT_TIMEOUT_MS, type SearchLimit, type SearchOptions, type SearchResult, type SearchRun, type Strategy } from "./result";

/**
 * Observations kept for a report: each holds a whole run (every tuple at every time), so only the
 * first runs and the counterexample are kept; a report draws no more than that anyway.
 */
export const MAX_KEPT_OBSERVATIONS = 40;

/**
 * The bookkeeping every strategy shares: the failure-free run, execution counting against the
 * run and time limits, judging each run, progress lines, and assembling the result.
 */
export class SearchSession {
  readonly started = performance.now();
  readonly maxRuns: number;
  readonly deadline: number;
  readonly runs: SearchRun[] = [];
  readonly warnings: string[] = [];
  readonly failureFree: Observation;
  readonly failureFreePost: ReadonlySet<string>;
  maxClauses = 0;

  constructor(
    readonly target: FaultTarget,
    readonly options: SearchOptions,
    readonly strategy: Strategy,
  ) {
    checkBounds(options.bounds);
    this.maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
    if (!(this.maxRuns >= 1)) throw new RangeError(`maxRuns must be at least 1, got ${this.maxRuns}`);
    this.deadline = this.started + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const t0 = performance.now();
    this.failureFree = target.execute(NO_FAULTS);
    this.failureFreePost = this.failureFree.post;
    // pre tuples are keyed as the post tuple with the same columns (observation.ts); print them as pre
    const preOutside = [...this.failureFree.pre].filter((t) => !this.failureFree.post.has(t)).map((t) => t.replace(/^post\(/, "pre("));
    if (preOutside.length > 0) {
      this.warnings.push(
        `the failure-free run's pre is not within its post (${preOutside.slice(0, 3).join(", ")}${preOutside.length > 3 ? ", ..." : ""}); ` +
          "it is not judged: the search only asks whether faults lose post tuples that the failure-free run had",
      );
    }
    this.record(NO_FAULTS, this.failureFree, "failure-free", [], performance.now() - t0);
  }

  /** Executions so far, the failure-free one included. */
  get executions(): number {
    return this.runs.length;
  }

  /** The limit that forbids another execution now, if any. */
  exhausted(): SearchLimit | null {
    if (this.executions >= this.maxRuns) return "max-runs";
    if (performance.now() > this.deadline) return "timeout";
    return null;
  }

  /** Whether the wall-clock budget is spent. */
  timedOut(): boolean {
    return performance.now() > this.deadline;
  }

  /** Runs one hypothesis, judges it against the failure-free post, records and reports it. */
  execute(faults: FaultSet): { observation: Observation; missing: string[] } {
    const t0 = performance.now();
    const observation = this.target.execute(faults);
    const missing = violations(this.failureFreePost, observation);
    this.record(faults, observation, missing.length > 0 ? "violation" : "ok", missing, performance.now() - t0);
    return { observation, missing };
  }

  private record(faults: FaultSet, observation: Observation, outcome: SearchRun["outcome"], missing: string[], wallMs: number): void {
    const index = this.runs.length;
    const keep = this.options.keepObservations === true && (index < MAX_KEPT_OBSERVATIONS || outcome === "violation");
    this.runs.push({ index, faults, outcome, missing, wallMs, ...(keep ? { observation } : {}) });
    const verdict = outcome === "violation" ? `VIOLATION (missing ${missing.join(", ")})` : outcome === "ok" ? "ok" : `failure-free, post has ${observation.post.size}`;
    this.options.progress?.(`run ${index}: ${formatFaults(faults)} -> ${verdict}`);
  }

  /** Assembles the result. */
  finish(end: { verdict: "certified" } | { verdict: "counterexample"; faults: FaultSet; missing: string[] } | { verdict: "inconclusive"; limit: SearchLimit }): SearchResult {
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
