import { defineCrdt, asObject, asArray, type Crdt, type Json, type ReplicaId } from "../../lib/crdt/lattice";

/** A tracked operation: the inner op, a unique id, and the ids of every op its replica had seen. */
export interface LoggedOp<Op> {
  readonly id: string;
  readonly replica: ReplicaId;
  readonly op: Op;
  readonly seen: ReadonlySet<string>;
}

/** State of the tracked CRDT: the inner state plus the ids of the operations it reflects (a ghost G-Set). */
export interface Tracked<S> {
  s: S;
  readonly seen: Set<string>;
}

/**
 * Wraps a CRDT in a product with a ghost set of operation ids. Every operation's `seen` set is its
 * causal past, which is all a sequential specification (e.g. add-wins) needs: the oracle then
 * computes the expected value from the log without trusting the implementation under test.
 */
export function tracked<S, Op, V>(crdt: Crdt<S, Op, V>, log: LoggedOp<Op>[]): Crdt<Tracked<S>, { id: string; op: Op }, V> {
  return defineCrdt<Tracked<S>, { id: string; op: Op }, V>({
    name: crdt.name,
    bottom: () => ({ s: crdt.bottom(), seen: new Set() }),
    joinInto: (into, from) => {
      into.s = crdt.joinInto(into.s, from.s);
      for (const id of from.seen) into.seen.add(id);
      return into;
    },
    leq: (a, b) => crdt.leq(a.s, b.s) && [...a.seen].every((id) => b.seen.has(id)),
    delta: (st, o, r) => {
      log.push({ id: o.id, replica: r, op: o.op, seen: new Set(st.seen) });
      return { s: crdt.delta(st.s, o.op, r), seen: new Set([o.id]) };
    },
    applyInPlace: (st, o, r) => {
      st.s = crdt.applyInPlace(st.s, o.op, r);
      st.seen.add(o.id);
      return st;
    },
    value: (st) => crdt.value(st.s),
    clone: (st) => ({ s: crdt.clone(st.s), seen: new Set(st.seen) }),
    encode: (st) => ({ s: crdt.encode(st.s), seen: [...st.seen].sort() }),
    decode: (j) => {
      const o = asObject(crdt.name, "tracked", j);
      return { s: crdt.decode(o["s"]), seen: new Set(asArray(crdt.name, "tracked.seen", o["seen"]) as string[]) };
    },
    check: (st) => crdt.check(st.s),
  });
}

/** A lookup of ops by id. */
export function byId<Op>(log: readonly LoggedOp<Op>[]): Map<string, LoggedOp<Op>> {
  return new Map(log.map((o) => [o.id, o]));
}

/** Keeps Json in the imports used by callers' type annotations. */
export type { Json };
