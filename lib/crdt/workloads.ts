import type { Random } from "../random/random";
import { gCounter } from "./gCounter";
import type { Crdt, ReplicaId } from "./lattice";
import { lwwRegister } from "./lwwRegister";
import { mvRegister } from "./mvRegister";
import { orMap } from "./orMap";
import { orSet } from "./orSet";
import { pnCounter } from "./pnCounter";
import { rga, rgaDeleteAt, rgaInsertAt, rgaVisible } from "./rga";
import { gSet } from "./gSet";
import { twoPhaseSet } from "./twoPhaseSet";

/**
 * A CRDT type with a generator of random operations for it. Generating is pure given the state and
 * the random stream (it may read the state, e.g. to pick an existing position); applying is separate.
 */
export interface CrdtEntry<S, Op, V> {
  readonly crdt: Crdt<S, Op, V>;
  randomOp(state: S, random: Random, replica: ReplicaId): Op;
}

/** A catalog entry with its types erased, for tables over every type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a heterogeneous table needs an existential type, which TypeScript lacks; each entry is typed where it is built
export type AnyCrdtEntry = CrdtEntry<any, any, any>;

/** A small alphabet so random adds and removes collide often, which is where the bugs live. */
const ELEMENTS = ["a", "b", "c", "d", "e"];

function entry<S, Op, V>(crdt: Crdt<S, Op, V>, randomOp: (s: S, r: Random, replica: ReplicaId) => NoInfer<Op>): CrdtEntry<S, Op, V> {
  return { crdt, randomOp };
}

/** Every CRDT type in maze with a random-operation generator: the table the law and convergence tests run over. */
export const crdtCatalog: readonly AnyCrdtEntry[] = [
  entry(gCounter, (_s, r) => ({ op: "inc" as const, by: r.int(1, 3) })),
  entry(pnCounter, (_s, r) => ({ op: r.chance(0.5) ? ("inc" as const) : ("dec" as const), by: r.int(1, 3) })),
  entry(lwwRegister, (_s, r) => ({ op: "set" as const, value: r.int(0, 9), ts: r.int(0, 20) })),
  entry(mvRegister, (_s, r) => ({ op: "set" as const, value: r.int(0, 9) })),
  entry(gSet, (_s, r) => ({ op: "add" as const, element: r.pick(ELEMENTS) })),
  entry(twoPhaseSet, (_s, r) => ({ op: r.chance(0.6) ? ("add" as const) : ("remove" as const), element: r.pick(ELEMENTS) })),
  entry(orSet, (_s, r) => ({ op: r.chance(0.6) ? ("add" as const) : ("remove" as const), element: r.pick(ELEMENTS) })),
  entry(orMap(pnCounter), (_s, r) =>
    r.chance(0.8)
      ? { op: "update" as const, key: r.pick(["x", "y", "z"]), inner: { op: r.chance(0.5) ? ("inc" as const) : ("dec" as const) } }
      : { op: "remove" as const, key: r.pick(["x", "y", "z"]) },
  ),
  entry(orMap(orSet), (_s, r) =>
    r.chance(0.8)
      ? {
          op: "update" as const,
          key: r.pick(["x", "y"]),
          inner: { op: r.chance(0.6) ? ("add" as const) : ("remove" as const), element: r.pick(ELEMENTS) },
        }
      : { op: "remove" as const, key: r.pick(["x", "y"]) },
  ),
  entry(rga, (s, r) => {
    const n = rgaVisible(s).length;
    return n > 0 && r.chance(0.3) ? rgaDeleteAt(s, r.int(0, n - 1)) : rgaInsertAt(s, r.int(0, n), r.pick(["x", "y", "z", "xy"]));
  }),
];
