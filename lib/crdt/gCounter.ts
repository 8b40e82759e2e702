import { CrdtOpError, CrdtStateError, asObject, defineCrdt, malformed, setOwn, type Crdt, type Json, type ReplicaId } from "./lattice";

/** G-Counter state: each replica's own increment total. Lattice: pointwise max. */
export type GCounterState = Map<ReplicaId, number>;

/** Increment by `by` (default 1, a positive integer). */
export interface GCounterOp {
  readonly op: "inc";
  readonly by?: number;
}

/** Amount of an increment or decrement: a positive safe integer. */
export function amount(crdt: string, by: number | undefined): number {
  const n = by ?? 1;
  if (!Number.isSafeInteger(n) || n < 1) throw new CrdtOpError(crdt, `amount must be a positive integer, got ${n}`);
  return n;
}

/** Encodes a counter map canonically (sorted, zeros omitted). */
export function encodeCounts(m: GCounterState): Json {
  const o: Record<string, Json> = {};
  for (const r of [...m.keys()].sort()) if ((m.get(r) as number) > 0) setOwn(o, r, m.get(r) as number);
  return o;
}

/** Parses a counter map. */
export function decodeCounts(crdt: string, path: string, json: unknown): GCounterState {
  const m: GCounterState = new Map();
  for (const [r, n] of Object.entries(asObject(crdt, path, json))) {
    if (typeof n !== "number") malformed(crdt, `${path}[${JSON.stringify(r)}]`, `expected a number, got ${JSON.stringify(n)}`);
    m.set(r, n);
  }
  return m;
}

/** Checks counts are non-negative integers keyed by non-empty replica ids. */
export function checkCounts(crdt: string, path: string, m: GCounterState): CrdtStateError | undefined {
  if (!(m instanceof Map)) return new CrdtStateError(crdt, "well-formed", path, "expected a Map of replica counts");
  for (const [r, n] of m) {
    if (typeof r !== "string" || r === "") return new CrdtStateError(crdt, "replica-ids", path, `bad replica id ${JSON.stringify(r)}`);
    if (!Number.isSafeInteger(n) || n < 0)
      return new CrdtStateError(crdt, "counts-non-negative", `${path}[${JSON.stringify(r)}]`, `count must be an integer >= 0, got ${n}`);
  }
  return undefined;
}

/** Pointwise max of `from` into `into`. */
export function joinCounts(into: GCounterState, from: GCounterState): GCounterState {
  for (const [r, n] of from) if (n > (into.get(r) ?? 0)) into.set(r, n);
  return into;
}

/** Pointwise ≤ (written `!(n <= m)` so that a NaN count, which no valid state holds, is never below anything). */
export function leqCounts(a: GCounterState, b: GCounterState): boolean {
  for (const [r, n] of a) if (!(n <= (b.get(r) ?? 0))) return false;
  return true;
}

/** Sum of the entries. */
export function sumCounts(m: GCounterState): number {
  let s = 0;
  for (const n of m.values()) s += n;
  return s;
}

/**
 * G-Counter: a grow-only counter. Each replica increments only its own entry; merge takes the max per
 * replica, so concurrent increments are never lost (unlike a last-writer-wins counter). Value: the sum.
 * Delta of `inc` at r: the single entry `{r: new total}`.
 */
export const gCounter: Crdt<GCounterState, GCounterOp, number> = defineCrdt({
  name: "g-counter",
  ops: ["inc"],
  bottom: (): GCounterState => new Map(),
  joinInto: joinCounts,
  leq: leqCounts,
  delta: (s, op, r) => new Map([[r, (s.get(r) ?? 0) + amount("g-counter", op.by)]]),
  applyInPlace: (s, op, r) => s.set(r, (s.get(r) ?? 0) + amount("g-counter", op.by)),
  value: sumCounts,
  clone: (s): GCounterState => new Map(s),
  encode: encodeCounts,
  decode: (j) => decodeCounts("g-counter", "state", j),
  check: (s) => checkCounts("g-counter", "state", s),
});
