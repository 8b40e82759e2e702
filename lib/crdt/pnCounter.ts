import { amount, checkCounts, decodeCounts, encodeCounts, joinCounts, leqCounts, sumCounts, type GCounterState } from "./gCounter";
import { asObject, CrdtStateError, defineCrdt, type Crdt, type ReplicaId } from "./lattice";

/** PN-Counter state: a G-Counter of increments and one of decrements. Lattice: the product. */
export interface PNCounterState {
  readonly p: GCounterState;
  readonly n: GCounterState;
}

/** Increment or decrement by `by` (default 1). */
export type PNCounterOp = { readonly op: "inc"; readonly by?: number } | { readonly op: "dec"; readonly by?: number };

const NAME = "pn-counter";

/**
 * PN-Counter: a counter that goes up and down — two G-Counters, value `sum(p) - sum(n)`.
 * Delta: one entry of `p` or of `n`.
 */
export const pnCounter: Crdt<PNCounterState, PNCounterOp, number> = defineCrdt({
  name: NAME,
  ops: ["inc", "dec"],
  bottom: () => ({ p: new Map<ReplicaId, number>(), n: new Map<ReplicaId, number>() }),
  joinInto: (into, from) => ({ p: joinCounts(into.p, from.p), n: joinCounts(into.n, from.n) }),
  leq: (a, b) => leqCounts(a.p, b.p) && leqCounts(a.n, b.n),
  delta: (s, op, r) => {
    const by = amount(NAME, op.by);
    return op.op === "inc"
      ? { p: new Map([[r, (s.p.get(r) ?? 0) + by]]), n: new Map<ReplicaId, number>() }
      : { p: new Map<ReplicaId, number>(), n: new Map([[r, (s.n.get(r) ?? 0) + by]]) };
  },
  applyInPlace: (s, op, r) => {
    const side = op.op === "inc" ? s.p : s.n;
    side.set(r, (side.get(r) ?? 0) + amount(NAME, op.by));
    return s;
  },
  value: (s) => sumCounts(s.p) - sumCounts(s.n),
  clone: (s) => ({ p: new Map(s.p), n: new Map(s.n) }),
  encode: (s) => ({ n: encodeCounts(s.n), p: encodeCounts(s.p) }),
  decode: (j) => {
    const o = asObject(NAME, "state", j);
    return { p: decodeCounts(NAME, "state.p", o["p"]), n: decodeCounts(NAME, "state.n", o["n"]) };
  },
  check: (s) =>
    s.p instanceof Map && s.n instanceof Map
      ? (checkCounts(NAME, "state.p", s.p) ?? checkCounts(NAME, "state.n", s.n))
      : new CrdtStateError(NAME, "well-formed", "state", "expected {p, n}, two Maps of replica counts"),
});
