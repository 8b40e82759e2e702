import { CausalContext, parseDot, type Dot } from "./causalContext";
import { CrdtStateError, asArray, asObject, defineCrdt, malformed, type Crdt, type Json } from "./lattice";

/**
 * The dot-store part of an add-wins set: each present element with the dots of the adds that support
 * it, and the causal context of every add seen. Shared by {@link orSet} and the keys of an OR-Map.
 */
export interface DotSetState {
  readonly entries: Map<string, Set<Dot>>;
  readonly context: CausalContext;
}

/** OR-Set state. */
export type ORSetState = DotSetState;

/** Add or remove an element. */
export type ORSetOp = { readonly op: "add"; readonly element: string } | { readonly op: "remove"; readonly element: string };

/** Joins the dot store `from` into `into`: a dot survives if both have it or the other has not seen it. */
export function joinDotSets(into: DotSetState, from: DotSetState): void {
  for (const [e, dots] of into.entries) {
    const theirs = from.entries.get(e);
    for (const d of dots) if (!theirs?.has(d) && from.context.has(d)) dots.delete(d);
  }
  for (const [e, theirs] of from.entries) {
    let mine = into.entries.get(e);
    for (const d of theirs)
      if (!mine?.has(d) && !into.context.has(d)) {
        if (!mine) into.entries.set(e, (mine = new Set()));
        mine.add(d);
      }
  }
  for (const [e, dots] of into.entries) if (dots.size === 0) into.entries.delete(e);
  into.context.joinInto(from.context);
}

/** `join(a, b) = b` for dot stores: a's context is included, and b holds no dot that a has seen and removed. */
export function leqDotSets(a: DotSetState, b: DotSetState): boolean {
  if (!a.context.leq(b.context)) return false;
  for (const [e, dots] of b.entries) {
    const mine = a.entries.get(e);
    for (const d of dots) if (a.context.has(d) && !mine?.has(d)) return false;
  }
  return true;
}

/** Delta of adding `element` at replica `r`: a fresh dot, with a context that also covers the element's old dots. */
export function addDelta(s: DotSetState, element: string, r: string): DotSetState {
  const d = s.context.next(r);
  const context = new CausalContext();
  for (const old of s.entries.get(element) ?? []) context.add(old);
  context.add(d);
  return { entries: new Map([[element, new Set([d])]]), context };
}

/** Delta of removing `element`: no entries, a context of the element's current dots. */
export function removeDelta(s: DotSetState, element: string): DotSetState {
  const context = new CausalContext();
  for (const old of s.entries.get(element) ?? []) context.add(old);
  return { entries: new Map(), context };
}

/** Applies an add in place: the element is supported by one fresh dot only. */
export function addInPlace(s: DotSetState, element: string, r: string): void {
  const d = s.context.next(r);
  s.context.add(d);
  s.entries.set(element, new Set([d]));
}

/** A deep copy of a dot store. */
export function cloneDotSet(s: DotSetState): DotSetState {
  return { entries: new Map([...s.entries].map(([e, ds]) => [e, new Set(ds)])), context: s.context.clone() };
}

/** Canonical JSON of a dot store. */
export function encodeDotSet(s: DotSetState): { context: Json; entries: Json } {
  return { context: s.context.encode(), entries: [...s.entries.keys()].sort().map((e) => [e, [...(s.entries.get(e) as Set<Dot>)].sort()]) };
}

/** Parses a dot store. */
export function decodeDotSet(crdt: string, path: string, json: unknown): DotSetState {
  const o = asObject(crdt, path, json);
  const entries = new Map<string, Set<Dot>>();
  asArray(crdt, `${path}.entries`, o["entries"]).forEach((x, i) => {
    const pair = asArray(crdt, `${path}.entries[${i}]`, x);
    if (pair.length !== 2 || typeof pair[0] !== "string") malformed(crdt, `${path}.entries[${i}]`, "expected [element, dots]");
    const dots = asArray(crdt, `${path}.entries[${i}][1]`, pair[1]);
    dots.forEach((d, k) => {
      if (!parseDot(d)) malformed(crdt, `${path}.entries[${i}][1][${k}]`, `not a dot: ${JSON.stringify(d)}`);
    });
    entries.set(pair[0], new Set(dots as Dot[]));
  });
  return { entries, context: CausalContext.decode(crdt, `${path}.context`, o["context"]) };
}

/** Invariants of a dot store: every dot is in the context, no element has an empty dot set, no dot supports two elements. */
export function checkDotSet(crdt: string, path: string, s: DotSetState): CrdtStateError | undefined {
  if (!(s.entries instanceof Map) || !(s.context instanceof CausalContext))
    return new CrdtStateError(crdt, "well-formed", path, "expected {entries: Map, context: CausalContext}");
  const c = s.context.check(crdt, `${path}.context`);
  if (c) return c;
  const owner = new Map<Dot, string>();
  for (const [e, dots] of s.entries) {
    const at = `${path}.entries[${JSON.stringify(e)}]`;
    if (dots.size === 0) return new CrdtStateError(crdt, "no-empty-entries", at, "an element with no dots should not be stored");
    for (const d of dots) {
      if (!parseDot(d)) return new CrdtStateError(crdt, "well-formed", at, `not a dot: ${JSON.stringify(d)}`);
      if (!s.context.has(d)) return new CrdtStateError(crdt, "dots-in-context", at, `dot ${d} is not in the causal context`);
      const prev = owner.get(d);
      if (prev !== undefined) return new CrdtStateError(crdt, "unique-dots", at, `dot ${d} also supports ${JSON.stringify(prev)}`);
      owner.set(d, e);
    }
  }
  return undefined;
}

const NAME = "or-set";

/**
 * OR-Set (observed-remove, add-wins): an add creates a fresh dot; a remove deletes the dots it has
 * observed. A concurrent add has a dot the remove never saw, so it survives: add wins. Lattice: a
 * causal dot-store. Delta of `add e`: `{e: {fresh dot}}` with a context of that dot and e's old dots;
 * of `remove e`: no entries and a context of e's dots. Metadata: one dot per present element plus the
 * causal context (a version vector; gaps only while deltas are missing) — no tombstones.
 */
export const orSet: Crdt<ORSetState, ORSetOp, string[]> = defineCrdt<ORSetState, ORSetOp, string[]>({
  name: NAME,
  ops: ["add", "remove"],
  bottom: () => ({ entries: new Map(), context: new CausalContext() }),
  joinInto: (into, from) => {
    joinDotSets(into, from);
    return into;
  },
  leq: leqDotSets,
  delta: (s, op, r) => (op.op === "add" ? addDelta(s, op.element, r) : removeDelta(s, op.element)),
  applyInPlace: (s, op, r) => {
    if (op.op === "add") addInPlace(s, op.element, r);
    else s.entries.delete(op.element);
    return s;
  },
  value: (s) => [...s.entries.keys()].sort(),
  clone: cloneDotSet,
  encode: encodeDotSet,
  decode: (j) => decodeDotSet(NAME, "state", j),
  check: (s) => checkDotSet(NAME, "state", s),
});
