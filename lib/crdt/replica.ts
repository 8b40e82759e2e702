import type { Crdt, Json, ReplicaId } from "./lattice";

/**
 * One replica of a CRDT, owning its state: the notebook-sized way to play with a type by hand.
 *
 * ```ts
 * const a = new Replica(orSet, "a"), b = new Replica(orSet, "b");
 * a.update({ op: "add", element: "x" }); b.merge(a.state); b.value // ["x"]
 * ```
 */
export class Replica<S, Op, V> {
  /** The replica's current state. Treat as read-only; change it through `update` and `merge`. */
  state: S;

  constructor(
    readonly crdt: Crdt<S, Op, V>,
    readonly id: ReplicaId,
  ) {
    this.state = crdt.bottom();
  }

  /** Applies a local operation and returns its delta (what to ship to other replicas). */
  update(op: Op): S {
    const delta = this.crdt.delta(this.state, op, this.id);
    this.state = this.crdt.joinInto(this.state, delta);
    return delta;
  }

  /** Joins a state or delta from another replica (validated first: a corrupted one throws and is not merged). */
  merge(other: S): void {
    this.state = this.crdt.joinInto(this.state, other);
  }

  /** Joins a state received as JSON (validated). */
  receive(json: unknown): void {
    this.merge(this.crdt.decode(json));
  }

  /** The user-visible value. */
  get value(): V {
    return this.crdt.value(this.state);
  }

  /** The wire form of the state. */
  encode(): Json {
    return this.crdt.encode(this.state);
  }
}
