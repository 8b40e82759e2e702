import type { FaultSet } from "./faults";
import type { SupportGraph } from "./lineage";
import type { TargetRecipe } from "./pool";
import type { ExecutionBudget } from "./result";

/** One message of a run, as the report draws it (a structural subset of lib/dedalus MessageEvent). */
export interface ObservedMessage {
  readonly from: string;
  readonly to: string;
  readonly sendTime: number;
  readonly rel: string;
  readonly args: readonly (string | number)[];
  readonly lost: null | string;
}

/** Options of {@link Observation.lineage}. */
export interface LineageQueryOptions {
  /** Include negative support through `notin` premises (default true; see lib/dedalus `support`). */
  readonly negativeSupport?: boolean;
}

/** What the search needs to know about one execution under a fault set. */
export interface Observation {
  readonly faults: FaultSet;
  /** `post` tuples at EOT, keyed by their printed form (e.g. `post("b", "hi")`). */
  readonly post: ReadonlySet<string>;
  /** `pre` tuples at EOT, each keyed as the `post` tuple with the same columns (`pre(x)` as `post(x)`), so the verdict can compare them. */
  readonly pre: ReadonlySet<string>;
  /** First cross-node send time of each node in this run. */
  readonly firstSend: ReadonlyMap<string, number>;
  /** Every cross-node message sent, delivered or not. */
  readonly messages: readonly ObservedMessage[];
  /** Lineage of the given `post` tuples (keys from {@link post}) at EOT: `roots[i]` is goals[i]. */
  lineage(goals: readonly string[], options?: LineageQueryOptions): SupportGraph;
  /**
   * For `post` keys this run lost together with their `pre` (excused, not a violation): `roots[i]`
   * is the formula under which the `pre` tuple of keys[i] stays absent. Further faults that break it
   * could bring that `pre` back while its `post` stays lost, so the search tries them (README: the
   * loop, excused goals). A target without it (opaque handlers) leaves those runs as they are.
   */
  absence?(keys: readonly string[]): SupportGraph;
}

/** A system under test: it can be executed under any fault set within its bounds. */
export interface FaultTarget {
  readonly nodes: readonly string[];
  /**
   * True when a run depends on a crash's time only through the messages the crash loses (the
   * program never reads the time column of the crash built-in, and `post` reads no positive
   * `crash`): subsumption may then read a later crash of a survivor's crashed node, up to the first
   * send its own crash lost, as that crash, and judge an earlier one by the survivor's breakers
   * (survivors.ts). Absent: a survivor's crash times are compared exactly.
   */
  readonly crashTimeBlind?: boolean;
  /**
   * True when `pre` and `post` never read the state of a node that crashed (every atom they read
   * is guarded by `notin crash(_, L, _)` on its location, directly or through deductive rules). A
   * crashed node's state then matters only through its sends, which its crash loses: an omission
   * of a message to it that arrives at or after its crash changes no outcome, and the search leaves
   * such omissions out of every hypothesis (lib/ldfi/README.md, "Dead omissions"). Absent: kept.
   */
  readonly crashedStateUnread?: boolean;
  /** How a worker thread rebuilds this target (lib/ldfi/pool.ts); without one the search stays on its own thread. */
  readonly recipe?: TargetRecipe;
  /**
   * Runs once under `faults`. A target that honours `budget` stops a run that passes one of its
   * bounds by throwing a `SearchLimitError` naming it (result.ts); the search then ends inconclusive.
   */
  execute(faults: FaultSet, budget?: ExecutionBudget): Observation;
}

/**
 * The verdict rule of DESIGN.md section 6 (Molly's `isGood`): a run violates the specification iff
 * some tuple of the failure-free `post` is missing from its `post` and present in its `pre` at EOT.
 * Returns the missing tuples that make it a violation (empty when the run is fine).
 */
export function violations(failureFreePost: ReadonlySet<string>, run: Observation): string[] {
  const out: string[] = [];
  for (const t of failureFreePost) if (!run.post.has(t) && run.pre.has(t)) out.push(t);
  return out.sort();
}
