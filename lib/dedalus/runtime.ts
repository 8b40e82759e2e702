/**
 * The Dedalus runtime: one execution of a program up to EOT under a failure spec (DESIGN.md sections 5-6).
 *
 * Per timestep t = 1..EOT:
 *   1. the state at t starts from the facts `@t`, the tuples derived by `@next` rules at t-1, the messages
 *      delivered at t (sent at t-1), and the built-in `crash` relation;
 *   2. each stratum (strongly connected component of the same-timestep dependencies, in order) runs to a
 *      semi-naive fixpoint (plan.ts explains the variants, store.ts the delta marks);
 *   3. `@next` rules read the final state at t and write the state at t+1; `@async` rules write the
 *      outbox, and the channel layer decides each message's fate: delivered at t+1, or lost because the
 *      receiver is not a node, the send is at EOT (too late), the sender has crashed (muted towards
 *      others from its crash time on; it still computes and sends to itself) or an omission drops it.
 * A rule fires only where its site (first column of its first body atom) is a node of the run.
 *
 * This file holds the run's contract (options, facts, messages, the result) and the two entry points;
 * engine.ts runs the steps, channel.ts is the channel layer, runResult.ts decodes the result, and
 * provenanceRecording.ts is what a run with `provenance: true` keeps.
 */
import type { Program } from "./ast";
import { checkProgram, type ProgramInfo } from "./check";
import { DedalusError, hasErrors } from "./diagnostics";
import { Engine } from "./engine";
import { Interner } from "./intern";
import { planProgram, type ProgramPlan } from "./plan";

export { DedalusRun, compareArgs } from "./runResult";
export type { RawDerivation, RawNegPremise, RawPremise } from "./provenanceRecording";

/** `omit(from, to, time)`: every message from `from` to `to` sent at `time` is lost (never to self). */
export interface Omission {
  from: string;
  to: string;
  time: number;
}

/** `crash(node, time)`: from send time `time` on, `node` sends nothing to other nodes. */
export interface Crash {
  node: string;
  time: number;
}

/** The faults injected into one run. */
export interface FailureSpec {
  omissions: Omission[];
  crashes: Crash[];
}

/** Explicit bounds of one run; each ends it with a {@link DedalusLimitError} naming it. */
export interface RunLimits {
  /** Tuples held by the run, all relations and times (default {@link DEFAULT_MAX_TUPLES}). */
  maxTuples?: number;
  /** Wall-clock budget in milliseconds (default {@link DEFAULT_WALL_MS}). */
  wallMs?: number;
  /** V8 heap in use, in bytes, past which the run stops with `memory` (default: {@link defaultHeapCeiling}). */
  maxHeapBytes?: number;
}

/** Options of one run. */
export interface RunOptions {
  /** Last timestep: rules fire at 1..eot. */
  eot: number;
  /** The run's nodes; default: the distinct first-column constants of the facts, in order of appearance. */
  nodes?: string[];
  failures?: FailureSpec;
  limits?: RunLimits;
  /** Record every derivation (for `why` and `support`); off by default so plain runs stay fast. */
  provenance?: boolean;
  /**
   * Delivery delay of each message, in timesteps (an integer ≥ 1; arrival at sendTime + delay, lost as
   * "after-eot" past EOT). Default: 1 for every message, Molly's semantics. A hook for exploring delivery
   * schedules (the CALM demonstration in outcomes.ts); called once per message, in send order.
   */
  delay?: (message: { from: string; to: string; sendTime: number; rel: string }) => number;
}

/** A constant value. */
export type Value = string | number;

/** A tuple of a relation at a time. */
export interface Fact {
  rel: string;
  time: number;
  args: Value[];
}

/** Why a message was not delivered (null: delivered at sendTime + 1). */
export type MessageLoss = null | "omission" | "crash" | "not-a-node" | "after-eot";

/** One `@async` send. */
export interface MessageEvent {
  from: string;
  to: string;
  sendTime: number;
  rel: string;
  args: Value[];
  lost: MessageLoss;
}

/** The outcome of one run. */
export interface RunResult {
  eot: number;
  nodes: string[];
  /** Every tuple at times 1..eot (sorted by relation, time, arguments), optionally filtered. */
  facts(rel?: string, time?: number): Fact[];
  has(rel: string, args: Value[], time: number): boolean;
  /** Every `@async` send, delivered or not, in send order. */
  readonly messages: MessageEvent[];
  stats: { tuples: number; wallMs: number };
}

/** A program compiled for running: checked, planned, joins built. Reused by every run of the program. */
export interface CompiledProgram {
  program: Program;
  info: ProgramInfo;
  plan: ProgramPlan;
  interner: Interner;
  defaultNodes: string[];
  /** @internal */
  engine: Engine;
}

const compiled = new WeakMap<Program, CompiledProgram>();

/** Checks and plans a program once (cached per Program object). Throws {@link DedalusError} on errors. */
export function compileProgram(program: Program): CompiledProgram {
  const hit = compiled.get(program);
  if (hit) return hit;
  const { diagnostics, info } = checkProgram(program);
  if (hasErrors(diagnostics))
    throw new DedalusError(
      diagnostics.filter((d) => d.severity === "error"),
      program.sources,
    );
  const interner = new Interner();
  const plan = planProgram(program, info, interner);
  const defaultNodes: string[] = [];
  const seen = new Set<string>();
  for (const f of program.facts) {
    const loc = f.args[0];
    if (typeof loc === "string" && !seen.has(loc)) {
      seen.add(loc);
      defaultNodes.push(loc);
    }
  }
  const c: CompiledProgram = { program, info, plan, interner, defaultNodes, engine: null as unknown as Engine };
  c.engine = new Engine(c);
  compiled.set(program, c);
  return c;
}

/** Runs a program once. Throws DedalusError for an invalid program and DedalusLimitError naming a bound it hit. */
export function runProgram(program: Program, options: RunOptions): RunResult {
  return compileProgram(program).engine.run(options);
}
