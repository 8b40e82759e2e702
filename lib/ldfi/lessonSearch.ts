/**
 * LDFI from a notebook or a lab: search a program's fault space with a strategy and replay a fault
 * set (the corpus in `protocols/` is read through lib/protocols/corpus, the runs are drawn by
 * lib/viz/ldfiSpacetime's `faultRunSpacetime`). A thin layer over
 * lib/ldfi (the loop) and lib/dedalus (the runs) with the defaults a lesson wants: the real Dedalus
 * engine, `crashSensitive` set from the program itself (as `maze ldfi` does), and located errors.
 */
import type { Program } from "../dedalus/ast";
import { formatTuple } from "../dedalus/factText";
import { runProgram, type RunResult } from "../dedalus/runtime";
import { dedalusEngine, crashReading } from "./dedalusEngine";
import { dedalusTarget } from "./dedalusTarget";
import { faultSet, formatFaults, type FaultSet } from "./faults";
import type { SearchResult, Strategy } from "./result";
import { searchFaults } from "./search";

/**
 * A lesson's searches run inside a notebook cell: cap them so a mistake (bounds too large) ends
 * as an inconclusive verdict within seconds rather than stalling the notebook.
 */
export const LESSON_MAX_RUNS = 2000;
/** Wall-clock cap of one lesson search, in milliseconds (same reason as {@link LESSON_MAX_RUNS}). */
export const LESSON_TIMEOUT_MS = 20_000;

/** Bounds and strategy of one search, as `maze ldfi` takes them. */
export interface LdfiCheckOptions {
  readonly eot: number;
  readonly eff: number;
  readonly crashes: number;
  /** The nodes; default: the first columns of the program's facts. */
  readonly nodes?: readonly string[];
  readonly strategy?: Strategy;
  /** Seed of the random strategy. */
  readonly seed?: number;
  /** Default {@link LESSON_MAX_RUNS}. */
  readonly maxRuns?: number;
  /** Default {@link LESSON_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Keep the runs' observations (messages, lineage) for drawing. */
  readonly keepObservations?: boolean;
}

/**
 * Searches a program's fault space, exactly as `maze ldfi` does (same engine, same verdict rule,
 * `crashSensitive` when `post` reads the crash built-in). Throws DedalusError for an invalid program.
 */
export function ldfiCheck(program: Program, options: LdfiCheckOptions): SearchResult {
  const nodes = options.nodes ? [...options.nodes] : runProgram(program, { eot: 1 }).nodes;
  const target = dedalusTarget(dedalusEngine, program, { eot: options.eot, nodes, ...crashReading(program) });
  return searchFaults(target, {
    bounds: { eot: options.eot, eff: options.eff, crashes: options.crashes, nodes },
    strategy: options.strategy ?? "ldfi",
    maxRuns: options.maxRuns ?? LESSON_MAX_RUNS,
    timeoutMs: options.timeoutMs ?? LESSON_TIMEOUT_MS,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.keepObservations ? { keepObservations: true } : {}),
  });
}

/** One line per search: what a lesson's summary table shows. */
export interface LdfiSummaryRow {
  readonly program: string;
  readonly bounds: string;
  readonly strategy: string;
  readonly verdict: string;
  readonly executions: number;
  readonly faults: string;
  readonly lost: string;
  readonly ms: number;
}

/** Summarises a search as a table row (bounds as `EOT/EFF/crashes`). */
export function ldfiSummary(name: string, r: SearchResult): LdfiSummaryRow {
  const b = r.bounds;
  return {
    program: name,
    bounds: `${b.eot}/${b.eff}/${b.crashes}`,
    strategy: r.strategy,
    verdict: r.verdict + (r.limit ? ` (${r.limit})` : ""),
    executions: r.executions,
    faults: r.counterexample ? formatFaults(r.counterexample.faults) : "",
    lost: r.counterexample ? r.counterexample.missing.join(", ") : "",
    ms: Math.round(r.wallMs),
  };
}

/** The runs of a search as table rows: index, faults injected, outcome. */
export function ldfiRunRows(r: SearchResult): { run: number; faults: string; outcome: string; lost: string }[] {
  return r.runs.map((run) => ({ run: run.index, faults: formatFaults(run.faults), outcome: run.outcome, lost: run.missing.join(", ") }));
}

/** A fault set written as a lesson writes it: `"omit(a,b,1) crash(c,2)"` or `"no faults"`. */
export function faultsText(f: FaultSet): string {
  return formatFaults(f);
}

/** A fault set from plain lists (omissions `{from, to, time}`, crashes `{node, time}`), canonical. */
export function faults(
  omissions: readonly { from: string; to: string; time: number }[] = [],
  crashes: readonly { node: string; time: number }[] = [],
): FaultSet {
  return faultSet(omissions, crashes);
}

/** Runs the program once under a fault set, with provenance (for `why`, lineage and replay checks). */
export function replayFaults(program: Program, eot: number, f: FaultSet, nodes?: readonly string[]): RunResult {
  return runProgram(program, {
    eot,
    ...(nodes ? { nodes: [...nodes] } : {}),
    failures: { omissions: f.omissions.map((o) => ({ ...o })), crashes: f.crashes.map((c) => ({ ...c })) },
    provenance: true,
  });
}

/**
 * The `post` tuples a run lost compared with the failure-free run while their `pre` held (the
 * verdict rule of DESIGN.md section 6), as printed tuples; empty when the run is fine.
 */
export function lostPost(program: Program, eot: number, f: FaultSet, nodes?: readonly string[]): string[] {
  const key = (args: readonly (string | number)[]): string => formatTuple("post", args);
  const ff = replayFaults(program, eot, faults(), nodes);
  const run = replayFaults(program, eot, f, nodes);
  const post = new Set(run.facts("post", eot).map((x) => key(x.args)));
  const pre = new Set(run.facts("pre", eot).map((x) => key(x.args)));
  return ff
    .facts("post", eot)
    .map((x) => key(x.args))
    .filter((t) => !post.has(t) && pre.has(t))
    .sort();
}
