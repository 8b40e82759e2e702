import { formatFaults, type FaultSet } from "./faults";
import { formatTuple } from "../dedalus/factText";
import { checkJoinBudget } from "../dedalus/negativeSupport";
import { DEFAULT_RUN_WALL_MS, SearchLimitError, type ExecutionBudget } from "./result";
import type { SupportGraph, SupportNode } from "./lineage";
import type { FaultTarget, LineageQueryOptions, Observation, ObservedMessage } from "./observation";

/** A tuple at a time, as lib/dedalus reports facts. */
export interface DedalusFact {
  readonly rel: string;
  readonly time: number;
  readonly args: readonly (string | number)[];
}

/** The part of lib/dedalus `RunResult` the search reads, structurally, so lib/ldfi can be tested on stand-ins. */
export interface DedalusRunView {
  readonly eot: number;
  readonly nodes: readonly string[];
  facts(rel?: string, time?: number): readonly DedalusFact[];
  readonly messages: readonly ObservedMessage[];
}

/** How the engine's lineage reads `notin` premises, fixed for a whole search (lib/dedalus `SupportOptions`). */
export interface AnalysisOptions {
  /** Join steps of the blocking analysis per rule and premise (lib/dedalus `SupportOptions.joinBudget`). */
  readonly joinBudget?: number;
}

/** The two lib/dedalus entry points the search drives, injected so lib/ldfi stays testable alone. */
export interface DedalusEngine<P, R extends DedalusRunView> {
  runProgram(
    program: P,
    options: {
      eot: number;
      nodes?: string[];
      failures?: { omissions: { from: string; to: string; time: number }[]; crashes: { node: string; time: number }[] };
      provenance?: boolean;
      limits?: { maxTuples?: number; wallMs?: number; maxHeapBytes?: number };
    },
  ): R;
  support(result: R, goals: DedalusFact[], options?: LineageQueryOptions & AnalysisOptions): SupportGraph;
  /** The formulas under which tuples absent from `result` stay absent (lib/dedalus `absenceSupport`). */
  absenceSupport?(result: R, absent: DedalusFact[], options?: AnalysisOptions): SupportGraph;
  /** The evaluator bound an error from `runProgram` reports hitting, or null when it is not a bound. */
  limitHit?(error: unknown): "max-tuples" | "wall-time" | "memory" | null;
}

export { formatTuple };

/** An observation of a Dedalus run that also keeps the run itself (for reports and replay checks). */
export interface DedalusObservation<R extends DedalusRunView> extends Observation {
  readonly run: R;
}

/** How a Dedalus program is searched: its bounds in time and nodes, and what the search may assume of it. */
export interface DedalusTargetOptions {
  eot: number;
  nodes?: readonly string[];
  /**
   * `post` depends on a positive `crash` atom (see `postReadsCrash`): a crash can then change a
   * post tuple without breaking any message edge, so each goal's lineage also requires that no
   * node crashes (an over-approximation: it only adds hypotheses, which are checked by running them).
   */
  crashSensitive?: boolean;
  /** Runs depend on a crash's time only through the messages it loses (see `crashReading`; FaultTarget.crashTimeBlind). */
  crashTimeBlind?: boolean;
  /** `pre` and `post` never read a crashed node's state (see `crashReading`; FaultTarget.crashedStateUnread). */
  crashedStateUnread?: boolean;
  /** The blocking analysis's join budget for every lineage of the search (see {@link AnalysisOptions}). */
  joinBudget?: number;
}

/**
 * A Dedalus program as a {@link FaultTarget}: each execution is one `runProgram` with the fault set
 * as its failure spec and provenance on; `post`/`pre` are read at EOT and lineage comes from
 * `support`. The run's own nodes (explicit `--nodes` or the program's default) are the nodes.
 */
export function dedalusTarget<P, R extends DedalusRunView>(
  engine: DedalusEngine<P, R>,
  program: P,
  options: DedalusTargetOptions,
): FaultTarget & { execute(faults: FaultSet, budget?: ExecutionBudget): DedalusObservation<R> } {
  const nodes = options.nodes ? [...options.nodes] : undefined;
  // The columns of every post tuple seen in a run (the failure-free run's first), so that a later
  // run that lost one can be asked about the pre tuple with the same columns.
  const postColumns = new Map<string, readonly (string | number)[]>();
  // checked here too, so a bad budget fails when the target is made, not in the search's first lineage
  if (options.joinBudget !== undefined) checkJoinBudget(options.joinBudget);
  const analysis: AnalysisOptions = options.joinBudget !== undefined ? { joinBudget: options.joinBudget } : {};
  const execute = (faults: FaultSet, budget?: ExecutionBudget): DedalusObservation<R> => {
    // The run's wall budget is the search's time left when that is shorter: then running out is the
    // search's `timeout`, and otherwise this one run's `run-wall-time`.
    const runWall = budget?.wallMs ?? DEFAULT_RUN_WALL_MS;
    const left = budget ? Math.max(1, Math.ceil(budget.deadline - performance.now())) : Infinity;
    const cutByDeadline = left < runWall;
    const limits = budget
      ? {
          wallMs: Math.min(runWall, left),
          ...(budget.maxTuples !== undefined ? { maxTuples: budget.maxTuples } : {}),
          ...(budget.maxHeapBytes !== undefined ? { maxHeapBytes: budget.maxHeapBytes } : {}),
        }
      : undefined;
    let run: R;
    try {
      run = engine.runProgram(program, {
        eot: options.eot,
        ...(nodes ? { nodes } : {}),
        failures: { omissions: faults.omissions.map((o) => ({ ...o })), crashes: faults.crashes.map((c) => ({ ...c })) },
        provenance: true,
        ...(limits ? { limits } : {}),
      });
    } catch (e) {
      const hit = engine.limitHit?.(e) ?? null;
      if (hit === null) throw e;
      const limit = hit === "wall-time" ? (cutByDeadline ? "timeout" : "run-wall-time") : hit;
      throw new SearchLimitError(limit, `${formatFaults(faults)}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return observe(engine, run, faults, options.crashSensitive === true, postColumns, analysis);
  };
  let resolvedNodes: readonly string[] | undefined = nodes;
  return {
    get nodes(): readonly string[] {
      resolvedNodes ??= engine.runProgram(program, { eot: 1, provenance: false }).nodes;
      return resolvedNodes;
    },
    execute,
    ...(options.crashTimeBlind === true ? { crashTimeBlind: true } : {}),
    ...(options.crashedStateUnread === true ? { crashedStateUnread: true } : {}),
  };
}

function observe<P, R extends DedalusRunView>(
  engine: DedalusEngine<P, R>,
  run: R,
  faults: FaultSet,
  crashSensitive: boolean,
  postColumns: Map<string, readonly (string | number)[]>,
  analysis: AnalysisOptions,
): DedalusObservation<R> {
  const absenceSupport = engine.absenceSupport?.bind(engine);
  const postFacts = new Map<string, DedalusFact>();
  for (const f of run.facts("post", run.eot)) {
    const key = formatTuple(f.rel, f.args);
    postFacts.set(key, f);
    if (!postColumns.has(key)) postColumns.set(key, f.args);
  }
  const pre = new Set(run.facts("pre", run.eot).map((f) => formatTuple("post", f.args)));
  const nodeSet = new Set(run.nodes);
  const messages = run.messages.filter((m) => m.from !== m.to && nodeSet.has(m.to));
  const firstSend = new Map<string, number>();
  for (const m of messages) firstSend.set(m.from, Math.min(m.sendTime, firstSend.get(m.from) ?? Infinity));
  return {
    run,
    faults,
    post: new Set(postFacts.keys()),
    // pre tuples are keyed as the post tuple with the same columns: the verdict compares them
    pre,
    firstSend,
    messages,
    lineage(goals: readonly string[], lineageOptions?: LineageQueryOptions): SupportGraph {
      const facts = goals.map((g) => {
        const f = postFacts.get(g);
        if (!f) throw new RangeError(`lineage: ${g} is not in this run's post at EOT`);
        return { rel: f.rel, time: f.time, args: [...f.args] };
      });
      const graph = engine.support(run, facts, { ...lineageOptions, ...analysis });
      // A node this run crashed stays crashed in every hypothesis above it (one crash per node,
      // at this time or earlier): requiring it alive would have the seed break every goal.
      return crashSensitive
        ? requireAlive(
            graph,
            run.nodes.filter((n) => !faults.crashes.some((c) => c.node === n)),
          )
        : graph;
    },
    ...(absenceSupport
      ? {
          absence: (keys: readonly string[]): SupportGraph => {
            const absent = keys.map((k) => {
              const args = postColumns.get(k);
              if (!args || pre.has(k)) throw new RangeError(`absence: ${k}'s pre is not absent from this run`);
              return { rel: "pre", time: run.eot, args: [...args] };
            });
            return absenceSupport(run, absent, analysis);
          },
        }
      : {}),
  };
}

/** Conjoins "no node crashes" to every root of a support graph. */
export function requireAlive(graph: SupportGraph, nodes: readonly string[]): SupportGraph {
  const out: SupportNode[] = [...graph.nodes];
  const alive = nodes.map((node) => out.push({ kind: "alive", node }) - 1);
  const roots = graph.roots.map((r) => out.push({ kind: "and", of: [r, ...alive] }) - 1);
  return { nodes: out, roots };
}
