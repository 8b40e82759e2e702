/**
 * The CALM theorem, demonstrated: run one program under many random delivery schedules (each
 * message delayed by a random number of timesteps) and count the distinct outcomes. A monotone
 * program has one; a program that reasons non-monotonically about data still in flight has
 * several. The static side of the argument is calm.ts; this is the experiment that backs it.
 */
import type { Program } from "./ast";
import { runProgram, type Fact, type FailureSpec, type RunLimits, type RunOptions } from "./runtime";
import { formatTuple } from "./factText";
import { Random, type Seed } from "../random/random";

/** Options of {@link outcomeSpread}. */
export interface SpreadOptions {
  /** How many random schedules to run. */
  schedules: number;
  seed: Seed;
  /** EOT of every run; leave room for the slowest message (last send + maxDelay). */
  eot: number;
  /** Each message is delayed by a uniform integer in [1, maxDelay] timesteps. Default 3. */
  maxDelay?: number;
  /** The relations that make up the outcome (default: every relation). */
  relations?: readonly string[];
  /** The timestep observed (default: eot). */
  at?: number;
  nodes?: string[];
  /** Faults applied in every schedule (e.g. a crash, to see which outcomes survive it). */
  failures?: FailureSpec;
  /** Bounds of every run (tuples, wall time, heap), as in `runProgram`. */
  limits?: RunLimits;
}

/** One distinct outcome: the observed facts, how many schedules produced it, and the first that did. */
export interface Outcome {
  /** The observed tuples as `rel(args)`, sorted. */
  facts: string[];
  schedules: number;
  /** Index of the first schedule (0-based) that produced it: rerun with {@link scheduleDelay}. */
  firstSchedule: number;
}

/** The result of {@link outcomeSpread}: distinct outcomes, most frequent first. */
export interface OutcomeSpread {
  distinct: number;
  outcomes: Outcome[];
  schedules: number;
  /** The failure-free Molly schedule (every delay 1) is always run too: its outcome. */
  synchronous: string[];
}

/**
 * Most schedules one call may run: each is a full run, and a demonstration is convincing long
 * before this (and a notebook cell should not take minutes).
 */
export const MAX_SCHEDULES = 10_000;

/** The delay function of schedule `index` under `seed`: reproducible, independent per schedule. */
export function scheduleDelay(seed: Seed, index: number, maxDelay: number): NonNullable<RunOptions["delay"]> {
  const rng = new Random(seed).fork(index);
  return () => rng.int(1, maxDelay);
}

function formatFact(f: Fact): string {
  return formatTuple(f.rel, f.args);
}

function observe(program: Program, options: RunOptions, relations: readonly string[] | undefined, at: number): string[] {
  const result = runProgram(program, options);
  const facts = relations ? relations.flatMap((r) => result.facts(r, at)) : result.facts(undefined, at);
  return facts.map(formatFact).sort();
}

/**
 * Runs `program` under `schedules` random delivery schedules and groups the outcomes (the observed
 * relations at time `at`). Throws a RangeError for a schedule count outside 1..MAX_SCHEDULES or a
 * maxDelay below 1; program errors and run limits surface as the runtime's errors.
 */
export function outcomeSpread(program: Program, options: SpreadOptions): OutcomeSpread {
  const maxDelay = options.maxDelay ?? 3;
  if (!Number.isInteger(options.schedules) || options.schedules < 1 || options.schedules > MAX_SCHEDULES) {
    throw new RangeError(`outcomeSpread: schedules must be an integer in 1..${MAX_SCHEDULES} (MAX_SCHEDULES), got ${options.schedules}`);
  }
  if (!Number.isInteger(maxDelay) || maxDelay < 1) throw new RangeError(`outcomeSpread: maxDelay must be an integer >= 1, got ${maxDelay}`);
  const at = options.at ?? options.eot;
  const base: RunOptions = { eot: options.eot };
  if (options.nodes) base.nodes = options.nodes;
  if (options.failures) base.failures = options.failures;
  if (options.limits) base.limits = options.limits;
  const byKey = new Map<string, Outcome>();
  for (let i = 0; i < options.schedules; i++) {
    const facts = observe(program, { ...base, delay: scheduleDelay(options.seed, i, maxDelay) }, options.relations, at);
    const key = facts.join("\n");
    const o = byKey.get(key);
    if (o) o.schedules++;
    else byKey.set(key, { facts, schedules: 1, firstSchedule: i });
  }
  const outcomes = [...byKey.values()].sort((a, b) => b.schedules - a.schedules || a.firstSchedule - b.firstSchedule);
  return { distinct: outcomes.length, outcomes, schedules: options.schedules, synchronous: observe(program, base, options.relations, at) };
}
