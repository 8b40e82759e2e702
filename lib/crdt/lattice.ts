/** A replica's name. Dots and counters are keyed by it. */
export type ReplicaId = string;

/** JSON values: what CRDT states encode to, and what registers and maps hold. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A join-semilattice: a set with a least element and a least upper bound. The laws (checked for every
 * type by one property-test helper): `join` is associative, commutative and idempotent, `bottom` is its
 * identity, and `leq(a, b)` holds exactly when `join(a, b)` equals `b`.
 */
export interface Lattice<S> {
  /** The least element: a replica that has seen nothing. */
  bottom(): S;
  /** Least upper bound. Pure: returns a new state, never mutates its arguments. */
  join(a: S, b: S): S;
  /** The lattice order: `a` is included in `b`. */
  leq(a: S, b: S): boolean;
}

/**
 * A state-based CRDT with delta mutators: a lattice of states, operations that only inflate the
 * state, and for each operation a *delta* — a small state that, joined into the original, gives the
 * same result as applying the operation (`join(s, delta(s, op, r))` equals `apply(s, op, r)`).
 * Shipping deltas instead of whole states is delta-state anti-entropy.
 *
 * Generating an operation is pure (the caller builds `op`, possibly reading the state, as in
 * `rgaInsertAt`); applying it is a separate call. Corrupted states are rejected with a
 * {@link CrdtStateError}, never merged.
 */
export interface Crdt<S, Op, V> extends Lattice<S> {
  /** Short type name, e.g. `"or-set"`, used in errors and charts. */
  readonly name: string;
  /** The delta mutator: a small state describing the effect of `op` at `replica`. Pure. */
  delta(state: S, op: Op, replica: ReplicaId): S;
  /** The full-state mutator, the reference meaning of `op`. Pure. */
  apply(state: S, op: Op, replica: ReplicaId): S;
  /** Like `apply` but may reuse `state`'s storage: for replicas that own their state. Returns the result. */
  applyInPlace(state: S, op: Op, replica: ReplicaId): S;
  /** Like `join` but may reuse `into`'s storage (never `from`'s). Validates `from` first. Returns the result. */
  joinInto(into: S, from: S): S;
  /** What a user sees: the number, the set, the text. */
  value(state: S): V;
  /** Equal as lattice elements (compares canonical encodings). */
  equals(a: S, b: S): boolean;
  /** A deep copy. */
  clone(state: S): S;
  /** Canonical JSON (sorted keys and elements): equal states encode to equal JSON. The wire format. */
  encode(state: S): Json;
  /** Parses and validates JSON from the wire; throws {@link CrdtStateError} on anything malformed. */
  decode(json: unknown): S;
  /** Returns the first broken invariant of an in-memory state, or `undefined` when it is well formed. */
  check(state: S): CrdtStateError | undefined;
}

/**
 * A state that breaks an invariant of its type: a negative count, a dot missing from the causal context,
 * two different elements under one sequence id. `invariant` names the rule, `path` where it broke.
 */
export class CrdtStateError extends Error {
  override readonly name = "CrdtStateError";
  constructor(
    readonly crdt: string,
    /** Short name of the broken invariant, e.g. `dots-in-context`. */
    readonly invariant: string,
    /** Where in the state, e.g. `entries["x"]`. */
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${crdt}: corrupted state at ${path}: ${problem} (invariant ${invariant})`);
  }
}

/** An operation that makes no sense for the state it is applied to (delete of an unknown id, a negative increment). */
export class CrdtOpError extends Error {
  override readonly name = "CrdtOpError";
  constructor(readonly crdt: string, readonly problem: string) {
    super(`${crdt}: invalid operation: ${problem}`);
  }
}

/**
 * What each type file writes; {@link defineCrdt} derives the rest (pure join, apply, validation at
 * the boundaries, equality), so every type validates and copies the same way.
 */
export interface CrdtDefinition<S, Op, V> {
  readonly name: string;
  bottom(): S;
  /** Join `from` into `into`, reusing `into` (which the caller owns) but never aliasing `from`'s storage. */
  joinInto(into: S, from: S): S;
  leq(a: S, b: S): boolean;
  delta(state: S, op: Op, replica: ReplicaId): S;
  /** The operation applied directly (not via the delta), reusing `state`. */
  applyInPlace(state: S, op: Op, replica: ReplicaId): S;
  value(state: S): V;
  clone(state: S): S;
  encode(state: S): Json;
  /** Builds a state from JSON, throwing {@link CrdtStateError} when its shape is wrong; invariants are checked after. */
  decode(json: unknown): S;
  check(state: S): CrdtStateError | undefined;
}

/** Builds a {@link Crdt} from its definition. */
export function defineCrdt<S, Op, V>(d: CrdtDefinition<S, Op, V>): Crdt<S, Op, V> {
  const valid = (s: S): S => {
    const err = d.check(s);
    if (err) throw err;
    return s;
  };
  const canonical = (s: S): string => JSON.stringify(d.encode(s));
  return {
    name: d.name,
    bottom: d.bottom,
    join: (a, b) => d.joinInto(d.clone(valid(a)), valid(b)),
    leq: d.leq,
    delta: (s, op, r) => d.delta(s, op, checkReplica(d.name, r)),
    apply: (s, op, r) => d.applyInPlace(d.clone(s), op, checkReplica(d.name, r)),
    applyInPlace: (s, op, r) => d.applyInPlace(s, op, checkReplica(d.name, r)),
    joinInto: (into, from) => d.joinInto(into, valid(from)),
    value: d.value,
    equals: (a, b) => canonical(a) === canonical(b),
    clone: d.clone,
    encode: d.encode,
    decode: (json) => valid(d.decode(json)),
    check: d.check,
  };
}

function checkReplica(crdt: string, r: ReplicaId): ReplicaId {
  if (typeof r !== "string" || r === "") throw new CrdtOpError(crdt, `replica id must be a non-empty string, got ${JSON.stringify(r)}`);
  return r;
}

/** Canonical JSON text of a JSON value: object keys sorted, so equal values give equal text. */
export function canonicalJson(v: Json): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k] as Json)}`).join(",")}}`;
}

/** Throws a {@link CrdtStateError} for a decode failure. */
export function malformed(crdt: string, path: string, problem: string): never {
  throw new CrdtStateError(crdt, "well-formed", path, problem);
}

/** Reads a JSON object (not array, not null) or fails naming `path`. */
export function asObject(crdt: string, path: string, v: unknown): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) malformed(crdt, path, `expected an object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}

/** Reads a JSON array or fails naming `path`. */
export function asArray(crdt: string, path: string, v: unknown): unknown[] {
  if (!Array.isArray(v)) malformed(crdt, path, `expected an array, got ${JSON.stringify(v)}`);
  return v;
}

/** Nesting depth beyond which a register value is refused: deeper is a cycle or an attack, not data. */
export const MAX_JSON_DEPTH = 64;

/** Is `v` a JSON value (no undefined, functions, NaN, nor nesting deeper than {@link MAX_JSON_DEPTH})? */
export function isJson(v: unknown, depth = 0): v is Json {
  if (depth > MAX_JSON_DEPTH) return false;
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isJson(x, depth + 1));
  if (typeof v === "object") return Object.values(v as object).every((x) => isJson(x, depth + 1));
  return false;
}
