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

/**
 * Share of V8's heap limit (`heap_size_limit`, set by `--max-old-space-size`) a run may use before it
 * stops with the `memory` limit: stopping at 85% leaves the collector and the caller room to report
 * it, where running into the limit itself kills the whole process with no message.
 */
export const HEAP_CEILING_SHARE = 0.85;

/** V8's heap statistics where node:v8 exists (not in a browser bundle, where the memory bound is off). */
const v8Heap: { used(): number; limit(): number } | null = (() => {
  try {
    // required lazily so a bundle without node builtins still loads; getHeapStatistics costs ~0.2 us
    const v8 = require("node:v8") as typeof import("node:v8");
    return { used: () => v8.getHeapStatistics().used_heap_size, limit: () => v8.getHeapStatistics().heap_size_limit };
  } catch {
    return null;
  }
})();

/** Bytes of V8 heap in use now (0 where unknown). */
export function heapUsedBytes(): number {
  return v8Heap ? v8Heap.used() : 0;
}

/** The default heap ceiling: {@link HEAP_CEILING_SHARE} of V8's heap limit (Infinity where unknown). */
export function defaultHeapCeiling(): number {
  return v8Heap ? Math.floor(v8Heap.limit() * HEAP_CEILING_SHARE) : Infinity;
}

/**
 * The bound a run hit: `max-tuples` (limits.maxTuples), `wall-time` (limits.wallMs), `memory` (the V8
 * heap passed limits.maxHeapBytes). `eot` is raised for an EOT that is out of range before the run starts.
 */
export type LimitName = "max-tuples" | "wall-time" | "memory" | "eot";

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

/**
 * Thrown for an error that only shows while running — integer division by zero, or arithmetic past
 * {@link MAX_EXACT_INTEGER} — located at the expression and naming the rule it is in. `reason` is the
 * message without location and rule.
 */
export class DedalusRuntimeError extends Error {
  constructor(
    readonly reason: string,
    readonly span: Span,
    /** The rule holding the expression (formatRule), once the runtime has found it. */
    readonly rule: string | null = null,
  ) {
    super(`${formatLocation(span)}: ${reason}${rule ? `, in rule ${rule}` : ""}`);
    this.name = "DedalusRuntimeError";
  }
}

/**
 * The largest integer Dedalus arithmetic computes: 2^53 - 1, the largest integer a double holds
 * exactly. The policy (lib/dedalus/README.md): an arithmetic result or a `sum` past it in either
 * direction is a located {@link DedalusRuntimeError} at the first such value, never a silent float;
 * literals past it are already `integer-too-large` diagnostics.
 */
export const MAX_EXACT_INTEGER = Number.MAX_SAFE_INTEGER;

/** The error for `left op right` (exact integers) whose result is past {@link MAX_EXACT_INTEGER}. */
export function integerOverflow(what: string, span: Span): DedalusRuntimeError {
  return new DedalusRuntimeError(
    `integer overflow: ${what} is past 2^53 - 1 = ${MAX_EXACT_INTEGER}, the largest integer computed exactly`,
    span,
  );
}
