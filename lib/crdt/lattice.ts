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
  constructor(
    readonly crdt: string,
    readonly problem: string,
  ) {
    super(`${crdt}: invalid operation: ${problem}`);
  }
}

/**
 * What each type file writes; {@link defineCrdt} derives the rest (pure join, apply, validation at
 * the boundaries, equality), so every type validates and copies the same way.
 */
export interface CrdtDefinition<S, Op, V> {
  readonly name: string;
  /**
   * The operation kinds (`op.op`), e.g. `["inc", "dec"]`: any other operation is refused with a
   * {@link CrdtOpError} before it reaches the type's code, whose `op.op === "inc" ? ... : ...`
   * would otherwise read an unknown kind as the other one. Omitted: operations are not checked.
   */
  readonly ops?: readonly string[];
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

/**
 * Builds a {@link Crdt} from its definition, validating at every entry point so that garbage gives a
 * {@link CrdtStateError} naming the broken invariant (or a {@link CrdtOpError}), never a `TypeError`
 * or a silently wrong answer:
 * - `join`, `joinInto`'s source, `apply`, `value` and `decode` check their states in full (each is
 *   linear in the state already, so the check at most doubles it, and these are where foreign or
 *   user-visible states come in);
 * - `apply`'s result is checked too: an operation with a bad field (an element that is no string) is
 *   a CrdtOpError naming the invariant it would break;
 * - `leq`, `delta`, `applyInPlace`, `equals`, `encode`, `clone` and `joinInto`'s target — called per
 *   message or per operation on states the caller owns (anti-entropy asks `leq` of every incoming
 *   state against its own) — get the constant-time checks: a state is an object, the operation kind
 *   is known, the replica id is a string; a `TypeError` from deeper garbage becomes a
 *   `CrdtStateError`, and the orders are written so that a NaN compares as not below anything.
 */
export function defineCrdt<S, Op, V>(d: CrdtDefinition<S, Op, V>): Crdt<S, Op, V> {
  const check = (s: S): CrdtStateError | undefined => {
    if (typeof s !== "object" || s === null) return notAState(d.name, s);
    try {
      return d.check(s);
    } catch (e) {
      if (e instanceof TypeError) return notAState(d.name, s, e);
      throw e;
    }
  };
  const valid = (s: S): S => {
    const err = check(s);
    if (err) throw err;
    return s;
  };
  /** The constant-time check of the hot paths. */
  const shaped = (s: S): S => {
    if (typeof s !== "object" || s === null) throw notAState(d.name, s);
    return s;
  };
  const kinds = d.ops ? [...d.ops] : null;
  const knownOp = (op: Op): Op => {
    if (kinds === null) return op;
    const kind = typeof op === "object" && op !== null ? (op as { op?: unknown }).op : undefined;
    // two kinds at most per type: a linear scan beats a Set lookup
    if (typeof kind !== "string" || !kinds.includes(kind)) {
      throw new CrdtOpError(d.name, `unknown operation ${describeValue(op)}: expected ${kinds.map((k) => `{ op: "${k}" }`).join(" or ")}`);
    }
    return op;
  };
  /** In a hot path's catch: a TypeError (a state of the wrong shape inside) becomes a CrdtStateError. */
  const rethrow = (s: unknown, e: unknown): never => {
    if (e instanceof TypeError) throw notAState(d.name, s, e);
    throw e;
  };
  /**
   * In a mutator's catch: a TypeError came from the state or from the operation's fields (a missing
   * `text`, an `element` that is no string); the full check of the state, paid only on this error
   * path, tells which.
   */
  const rethrowOp = (s: S, op: Op, e: unknown): never => {
    if (!(e instanceof TypeError)) throw e;
    throw check(s) ?? new CrdtOpError(d.name, `malformed operation ${describeValue(op)} (${e.message})`);
  };
  /** A mutator's result must still be well formed: otherwise the operation carried a bad field. */
  const validResult = (result: S, op: Op): S => {
    const err = check(result);
    if (err) throw new CrdtOpError(d.name, `operation ${describeValue(op)} would break invariant ${err.invariant}: ${err.problem}`);
    return result;
  };
  const canonical = (s: S): string => JSON.stringify(d.encode(s));
  return {
    name: d.name,
    bottom: () => d.bottom(),
    join: (a, b) => d.joinInto(d.clone(valid(a)), valid(b)),
    // try/catch written out in each (no closure per call: these run once per operation or message)
    leq: (a, b) => {
      try {
        return d.leq(shaped(a), shaped(b));
      } catch (e) {
        return rethrow(a, e);
      }
    },
    // unchecked result (the per-operation path of anti-entropy): a delta is a state that every
    // receiver validates in full when it joins it, so a bad field is still refused there
    delta: (s, op, r) => {
      try {
        return d.delta(shaped(s), knownOp(op), checkReplica(d.name, r));
      } catch (e) {
        return rethrowOp(s, op, e);
      }
    },
    apply: (s, op, r) => {
      const copy = d.clone(valid(s));
      let result: S;
      try {
        result = d.applyInPlace(copy, knownOp(op), checkReplica(d.name, r));
      } catch (e) {
        return rethrowOp(s, op, e);
      }
      return validResult(result, op);
    },
    applyInPlace: (s, op, r) => {
      try {
        return d.applyInPlace(shaped(s), knownOp(op), checkReplica(d.name, r));
      } catch (e) {
        return rethrowOp(s, op, e);
      }
    },
    joinInto: (into, from) => {
      try {
        return d.joinInto(shaped(into), valid(from));
      } catch (e) {
        return rethrow(into, e);
      }
    },
    value: (s) => d.value(valid(s)),
    equals: (a, b) => {
      try {
        return canonical(shaped(a)) === canonical(shaped(b));
      } catch (e) {
        return rethrow(a, e);
      }
    },
    clone: (s) => {
      try {
        return d.clone(shaped(s));
      } catch (e) {
        return rethrow(s, e);
      }
    },
    encode: (s) => {
      try {
        return d.encode(shaped(s));
      } catch (e) {
        return rethrow(s, e);
      }
    },
    decode: (json) => {
      try {
        return valid(d.decode(json));
      } catch (e) {
        if (e instanceof TypeError)
          throw new CrdtStateError(d.name, "well-formed", "state", `cannot decode ${describeValue(json)} (${e.message})`);
        throw e;
      }
    },
    check,
  };
}

/** The error for something that is not a state of `crdt` at all (null, a number, a wrong shape). */
function notAState(crdt: string, s: unknown, cause?: TypeError): CrdtStateError {
  return new CrdtStateError(
    crdt,
    "well-formed",
    "state",
    `expected a ${crdt} state, got ${describeValue(s)}${cause ? ` (${cause.message})` : ""}`,
  );
}

/** A short description of any value for an error message (JSON where it can be, never a throw). */
function describeValue(v: unknown): string {
  if (v === undefined) return "undefined";
  if (typeof v === "function") return "a function";
  if (v instanceof Map) return `a Map of ${v.size}`;
  if (v instanceof Set) return `a Set of ${v.size}`;
  try {
    const text = JSON.stringify(v);
    if (text === undefined) return typeof v === "symbol" ? v.toString() : typeof v;
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/**
 * Sets `key` as an own enumerable property: for keys that are data (replica ids, map keys), where
 * `o[key] = v` with key `"__proto__"` would replace the object's prototype instead and the entry
 * would vanish from the encoding.
 */
export function setOwn<T>(o: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function checkReplica(crdt: string, r: ReplicaId): ReplicaId {
  if (typeof r !== "string" || r === "") throw new CrdtOpError(crdt, `replica id must be a non-empty string, got ${JSON.stringify(r)}`);
  return r;
}

/** Canonical JSON text of a JSON value: object keys sorted, so equal values give equal text. */
export function canonicalJson(v: Json): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k] as Json)}`)
    .join(",")}}`;
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
  if (typeof v === "object") return Object.values(v).every((x) => isJson(x, depth + 1));
  return false;
}
