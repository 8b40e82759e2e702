/**
 * The evaluator's explicit bounds and the typed errors raised when a run hits one.
 */
import type { Span } from "./ast";
import { formatLocation } from "./diagnostics";

/**
 * Default cap on tuples held by one run (all relations, all times). Each tuple costs tens of bytes plus
 * its index entries, so ten million stays well inside Node's default heap while no course program or
 * benchmark (a 2000-node transitive closure is about two million) comes near it.
 */
export const DEFAULT_MAX_TUPLES = 10_000_000;

/** Default wall-clock budget of one run: a runaway program fails in a minute instead of hanging a notebook. */
export const DEFAULT_WALL_MS = 60_000;

/**
 * Largest EOT accepted: each timestep keeps its own copy of every persisted relation, so a very long run
 * is almost always a typo (and would exhaust memory before finishing).
 */
export const MAX_EOT = 100_000;

/** The bound a run hit. `eot` is raised for an EOT that is out of range before the run starts. */
export type LimitName = "max-tuples" | "wall-time" | "eot";

/** Thrown when a run hits one of its explicit bounds; `limit` names it. */
export class DedalusLimitError extends Error {
  constructor(
    readonly limit: LimitName,
    message: string,
  ) {
    super(message);
    this.name = "DedalusLimitError";
  }
}

/** Thrown for an error that only shows while running (integer division by zero), located at the rule. */
export class DedalusRuntimeError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(`${formatLocation(span)}: ${message}`);
    this.name = "DedalusRuntimeError";
  }
}
