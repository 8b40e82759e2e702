import { checkStrings, decodeStrings, subset, unionInto } from "./gSet";
import { CrdtStateError, asObject, defineCrdt, type Crdt } from "./lattice";

/** 2P-Set state: a G-Set of added elements and a G-Set of removed ones (tombstones). */
export interface TwoPhaseSetState {
  readonly added: Set<string>;
  readonly removed: Set<string>;
}

/** Add, or remove (only an element that is present: removing is forever). */
export type TwoPhaseSetOp = { readonly op: "add"; readonly element: string } | { readonly op: "remove"; readonly element: string };

const NAME = "2p-set";

const present = (s: TwoPhaseSetState, e: string): boolean => s.added.has(e) && !s.removed.has(e);

/**
 * 2P-Set: add and remove, but a removed element can never come back (remove wins, forever). Lattice:
 * the product of two G-Sets. Delta: `{added: {e}}` or `{removed: {e}}`; removing an absent element is
 * a no-op (its delta is bottom), which keeps the invariant removed ⊆ added.
 */
export const twoPhaseSet: Crdt<TwoPhaseSetState, TwoPhaseSetOp, string[]> = defineCrdt({
  name: NAME,
  ops: ["add", "remove"],
  bottom: () => ({ added: new Set(), removed: new Set() }),
  joinInto: (into, from) => ({ added: unionInto(into.added, from.added), removed: unionInto(into.removed, from.removed) }),
  leq: (a, b) => subset(a.added, b.added) && subset(a.removed, b.removed),
  delta: (s, op) =>
    op.op === "add"
      ? { added: new Set([op.element]), removed: new Set() }
      : present(s, op.element)
        ? { added: new Set([op.element]), removed: new Set([op.element]) }
        : { added: new Set(), removed: new Set() },
  applyInPlace: (s, op) => {
    if (op.op === "add") s.added.add(op.element);
    else if (present(s, op.element)) s.removed.add(op.element);
    return s;
  },
  value: (s) => [...s.added].filter((e) => !s.removed.has(e)).sort(),
  clone: (s) => ({ added: new Set(s.added), removed: new Set(s.removed) }),
  encode: (s) => ({ added: [...s.added].sort(), removed: [...s.removed].sort() }),
  decode: (j) => {
    const o = asObject(NAME, "state", j);
    return { added: decodeStrings(NAME, "state.added", o["added"]), removed: decodeStrings(NAME, "state.removed", o["removed"]) };
  },
  check: (s) => {
    const e = checkStrings(NAME, "state.added", s.added) ?? checkStrings(NAME, "state.removed", s.removed);
    if (e) return e;
    for (const r of s.removed)
      if (!s.added.has(r))
        return new CrdtStateError(NAME, "removed-subset-of-added", "state.removed", `${JSON.stringify(r)} is removed but was never added`);
    return undefined;
  },
});
