import { CrdtStateError, asArray, defineCrdt, malformed, type Crdt } from "./lattice";

/** G-Set state: the elements added so far. Elements are strings (encode anything else as JSON text). */
export type GSetState = Set<string>;

/** Add an element. */
export interface GSetOp {
  readonly op: "add";
  readonly element: string;
}

/** Adds every element of `from` to `into`. */
export function unionInto(into: Set<string>, from: ReadonlySet<string>): Set<string> {
  for (const e of from) into.add(e);
  return into;
}

/** `a` is a subset of `b`. */
export function subset(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size > b.size) return false;
  for (const e of a) if (!b.has(e)) return false;
  return true;
}

/** Parses a sorted array of strings into a set. */
export function decodeStrings(crdt: string, path: string, json: unknown): Set<string> {
  return new Set(
    asArray(crdt, path, json).map((e, i) => {
      if (typeof e !== "string") malformed(crdt, `${path}[${i}]`, `expected a string element, got ${JSON.stringify(e)}`);
      return e;
    }),
  );
}

/** Checks every element is a string. */
export function checkStrings(crdt: string, path: string, s: ReadonlySet<unknown>): CrdtStateError | undefined {
  if (!(s instanceof Set)) return new CrdtStateError(crdt, "well-formed", path, "expected a Set");
  for (const e of s)
    if (typeof e !== "string") return new CrdtStateError(crdt, "string-elements", path, `element ${JSON.stringify(e)} is not a string`);
  return undefined;
}

const NAME = "g-set";

/** G-Set: a grow-only set. Lattice: subsets under union. Delta of `add e`: `{e}`. */
export const gSet: Crdt<GSetState, GSetOp, string[]> = defineCrdt<GSetState, GSetOp, string[]>({
  name: NAME,
  ops: ["add"],
  bottom: () => new Set(),
  joinInto: unionInto,
  leq: subset,
  delta: (_s, op) => new Set([op.element]),
  applyInPlace: (s, op) => s.add(op.element),
  value: (s) => [...s].sort(),
  clone: (s) => new Set(s),
  encode: (s) => [...s].sort(),
  decode: (j) => decodeStrings(NAME, "state", j),
  check: (s) => checkStrings(NAME, "state", s),
});
