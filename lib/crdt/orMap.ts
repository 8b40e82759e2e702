import { CausalContext } from "./causalContext";
import { CrdtStateError, asObject, defineCrdt, setOwn, type Crdt, type Json } from "./lattice";
import {
  addDelta,
  addInPlace,
  checkDotSet,
  cloneDotSet,
  decodeDotSet,
  encodeDotSet,
  joinDotSets,
  leqDotSets,
  removeDelta,
  type DotSetState,
} from "./orSet";

/**
 * OR-Map state: which keys are present (an add-wins dot store, like an OR-Set of keys) and, per key,
 * the nested CRDT's state.
 */
export interface ORMapState<S> {
  readonly keys: DotSetState;
  readonly values: Map<string, S>;
}

/** Update the nested value at `key` with a nested operation (this also makes the key present), or remove `key`. */
export type ORMapOp<Op> =
  { readonly op: "update"; readonly key: string; readonly inner: Op } | { readonly op: "remove"; readonly key: string };

/**
 * OR-Map of nested CRDTs: `orMap(pnCounter)` is a map from strings to counters. Key presence is
 * add-wins (an update concurrent with a remove keeps the key). Lattice: the product of the key dot-store
 * and the pointwise lattice of nested states. Delta of `update k op`: a fresh dot for k plus the nested
 * delta. A removed key hides its nested state rather than resetting it: if the key comes back, its
 * value includes the updates from before the remove (this keeps the lattice a plain product; a
 * resetting map needs the nested types to share the causal context).
 */
export function orMap<S, Op, V>(nested: Crdt<S, Op, V>): Crdt<ORMapState<S>, ORMapOp<Op>, Record<string, V>> {
  const name = `or-map<${nested.name}>`;
  const bottomText = JSON.stringify(nested.encode(nested.bottom()));
  return defineCrdt<ORMapState<S>, ORMapOp<Op>, Record<string, V>>({
    name,
    ops: ["update", "remove"],
    bottom: () => ({ keys: { entries: new Map(), context: new CausalContext() }, values: new Map() }),
    joinInto: (into, from) => {
      joinDotSets(into.keys, from.keys);
      for (const [k, v] of from.values) {
        const mine = into.values.get(k);
        into.values.set(k, mine === undefined ? nested.clone(v) : nested.joinInto(mine, v));
      }
      return into;
    },
    leq: (a, b) => {
      if (!leqDotSets(a.keys, b.keys)) return false;
      for (const [k, v] of a.values) if (!nested.leq(v, b.values.get(k) ?? nested.bottom())) return false;
      return true;
    },
    delta: (s, op, r) => {
      if (op.op === "remove") return { keys: removeDelta(s.keys, op.key), values: new Map() };
      const inner = nested.delta(s.values.get(op.key) ?? nested.bottom(), op.inner, r);
      return { keys: addDelta(s.keys, op.key, r), values: new Map([[op.key, inner]]) };
    },
    applyInPlace: (s, op, r) => {
      if (op.op === "remove") s.keys.entries.delete(op.key);
      else {
        s.values.set(op.key, nested.applyInPlace(s.values.get(op.key) ?? nested.bottom(), op.inner, r));
        addInPlace(s.keys, op.key, r);
      }
      return s;
    },
    value: (s) => {
      const out: Record<string, V> = {};
      for (const k of [...s.keys.entries.keys()].sort()) setOwn(out, k, nested.value(s.values.get(k) ?? nested.bottom()));
      return out;
    },
    clone: (s) => ({ keys: cloneDotSet(s.keys), values: new Map([...s.values].map(([k, v]) => [k, nested.clone(v)])) }),
    encode: (s) => {
      const values: Record<string, Json> = {};
      for (const k of [...s.values.keys()].sort()) {
        const enc = nested.encode(s.values.get(k) as S);
        // A nested bottom carries no information; omitting it keeps the encoding canonical.
        if (JSON.stringify(enc) !== bottomText) setOwn(values, k, enc);
      }
      return { keys: encodeDotSet(s.keys), values };
    },
    decode: (j) => {
      const o = asObject(name, "state", j);
      const values = new Map<string, S>();
      for (const [k, v] of Object.entries(asObject(name, "state.values", o["values"]))) values.set(k, nested.decode(v));
      return { keys: decodeDotSet(name, "state.keys", o["keys"]), values };
    },
    check: (s) => {
      const e = checkDotSet(name, "state.keys", s.keys);
      if (e) return e;
      if (!(s.values instanceof Map)) return new CrdtStateError(name, "well-formed", "state.values", "expected a Map");
      for (const [k, v] of s.values) {
        const inner = nested.check(v);
        if (inner) return new CrdtStateError(name, inner.invariant, `state.values[${JSON.stringify(k)}].${inner.path}`, inner.problem);
      }
      return undefined;
    },
  });
}
