import { dot, parseDot, type Dot } from "./causalContext";
import { CrdtOpError, CrdtStateError, asArray, asObject, defineCrdt, malformed, type Crdt, type Json, type ReplicaId } from "./lattice";

/** One inserted atom (usually a character): the id it was inserted after (`null` = the start) and its text. */
export interface RgaNode {
  readonly after: Dot | null;
  readonly atom: string;
}

/**
 * RGA state: every atom ever inserted, keyed by its id `replica:counter` (the counter is a Lamport
 * clock, so an atom's id is larger than the id it was inserted after), the ids deleted (tombstones),
 * and the largest counter seen, from which fresh ids are drawn.
 */
export interface RgaState {
  readonly nodes: Map<Dot, RgaNode>;
  readonly removed: Set<Dot>;
  clock: number;
}

/**
 * Insert `text` (each UTF-16 unit one atom) after the atom `after` (`null` = at the start), or delete
 * one atom by id. Build these from positions with {@link rgaInsertAt} and {@link rgaDeleteAt}.
 */
export type RgaOp =
  { readonly op: "insert"; readonly after: Dot | null; readonly text: string } | { readonly op: "delete"; readonly id: Dot };

const NAME = "rga";

/** Sibling order: larger counter first, then larger replica id — a later insert at the same place goes first. */
function siblingOrder(a: Dot, b: Dot): number {
  const x = parseDot(a) as { replica: ReplicaId; counter: number };
  const y = parseDot(b) as { replica: ReplicaId; counter: number };
  if (x.counter !== y.counter) return y.counter - x.counter;
  return x.replica < y.replica ? 1 : x.replica > y.replica ? -1 : 0;
}

/**
 * The document order of every atom reachable from the start, tombstones included. Atoms whose
 * predecessor has not arrived yet (possible while deltas are in flight) are left out until it does.
 */
export function rgaOrder(s: RgaState): Dot[] {
  const children = new Map<Dot | null, Dot[]>();
  for (const [id, n] of s.nodes) {
    const list = children.get(n.after);
    if (list) list.push(id);
    else children.set(n.after, [id]);
  }
  for (const list of children.values()) list.sort(siblingOrder);
  const out: Dot[] = [];
  const stack: Dot[] = [...(children.get(null) ?? [])].reverse();
  while (stack.length > 0) {
    const id = stack.pop() as Dot;
    out.push(id);
    const kids = children.get(id);
    if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as Dot);
  }
  return out;
}

/** The visible atoms' ids, in document order. */
export function rgaVisible(s: RgaState): Dot[] {
  return rgaOrder(s).filter((id) => !s.removed.has(id));
}

/** The op inserting `text` so that it starts at visible position `index` (0 = the start). */
export function rgaInsertAt(s: RgaState, index: number, text: string): RgaOp {
  const visible = rgaVisible(s);
  if (!Number.isInteger(index) || index < 0 || index > visible.length)
    throw new CrdtOpError(NAME, `insert position ${index} outside 0..${visible.length}`);
  return { op: "insert", after: index === 0 ? null : (visible[index - 1] as Dot), text };
}

/** The op deleting the atom at visible position `index`. */
export function rgaDeleteAt(s: RgaState, index: number): RgaOp {
  const visible = rgaVisible(s);
  const id = visible[index];
  if (id === undefined) throw new CrdtOpError(NAME, `delete position ${index} outside 0..${visible.length - 1}`);
  return { op: "delete", id };
}

function insertNodes(s: RgaState, op: { after: Dot | null; text: string }, r: ReplicaId): [Dot, RgaNode][] {
  if (op.text.length === 0) throw new CrdtOpError(NAME, "insert of empty text");
  if (op.after !== null && !s.nodes.has(op.after)) throw new CrdtOpError(NAME, `insert after unknown atom ${op.after}`);
  const out: [Dot, RgaNode][] = [];
  let after = op.after;
  for (let i = 0; i < op.text.length; i++) {
    const id = dot(r, s.clock + 1 + i);
    out.push([id, { after, atom: op.text[i] as string }]);
    after = id;
  }
  return out;
}

function checkDelete(s: RgaState, id: Dot): void {
  if (!s.nodes.has(id)) throw new CrdtOpError(NAME, `delete of unknown atom ${id}`);
}

/**
 * RGA (replicated growable array), a sequence CRDT for collaborative text. Each atom is placed right
 * after the atom it was typed after; concurrent inserts at one place are ordered by id, newest first,
 * so every replica linearises the same tree the same way. Deletes leave tombstones. Lattice: union of
 * atoms (an id always names the same atom) × union of tombstones × max of the clock. Delta of an
 * insert: the new atoms and the clock; of a delete: the tombstone. Metadata: one id per atom ever
 * inserted, deleted ones included.
 */
export const rga: Crdt<RgaState, RgaOp, string> = defineCrdt<RgaState, RgaOp, string>({
  name: NAME,
  ops: ["insert", "delete"],
  bottom: () => ({ nodes: new Map(), removed: new Set(), clock: 0 }),
  joinInto: (into, from) => {
    for (const [id, n] of from.nodes) {
      const mine = into.nodes.get(id);
      if (mine === undefined) into.nodes.set(id, n);
      else if (mine.after !== n.after || mine.atom !== n.atom)
        throw new CrdtStateError(
          NAME,
          "ids-name-one-atom",
          `nodes[${JSON.stringify(id)}]`,
          `id ${id} names ${JSON.stringify(mine.atom)} here but ${JSON.stringify(n.atom)} in the merged state`,
        );
    }
    for (const id of from.removed) into.removed.add(id);
    into.clock = Math.max(into.clock, from.clock);
    return into;
  },
  leq: (a, b) => {
    if (a.clock > b.clock || a.nodes.size > b.nodes.size) return false;
    for (const id of a.nodes.keys()) if (!b.nodes.has(id)) return false;
    for (const id of a.removed) if (!b.removed.has(id)) return false;
    return true;
  },
  delta: (s, op, r) => {
    if (op.op === "delete") {
      checkDelete(s, op.id);
      return { nodes: new Map(), removed: new Set([op.id]), clock: 0 };
    }
    const nodes = insertNodes(s, op, r);
    return { nodes: new Map(nodes), removed: new Set(), clock: s.clock + nodes.length };
  },
  applyInPlace: (s, op, r) => {
    if (op.op === "delete") {
      checkDelete(s, op.id);
      s.removed.add(op.id);
      return s;
    }
    const nodes = insertNodes(s, op, r);
    for (const [id, n] of nodes) s.nodes.set(id, n);
    s.clock += nodes.length;
    return s;
  },
  value: (s) =>
    rgaVisible(s)
      .map((id) => (s.nodes.get(id) as RgaNode).atom)
      .join(""),
  clone: (s) => ({ nodes: new Map(s.nodes), removed: new Set(s.removed), clock: s.clock }),
  encode: (s) => ({
    clock: s.clock,
    nodes: [...s.nodes.keys()].sort().map((id) => {
      const n = s.nodes.get(id) as RgaNode;
      return [id, n.after, n.atom] as Json;
    }),
    removed: [...s.removed].sort(),
  }),
  decode: (j) => {
    const o = asObject(NAME, "state", j);
    if (typeof o["clock"] !== "number") malformed(NAME, "state.clock", `expected a number, got ${JSON.stringify(o["clock"])}`);
    const nodes = new Map<Dot, RgaNode>();
    asArray(NAME, "state.nodes", o["nodes"]).forEach((x, i) => {
      const t = asArray(NAME, `state.nodes[${i}]`, x);
      if (t.length !== 3 || typeof t[0] !== "string" || !(t[1] === null || typeof t[1] === "string") || typeof t[2] !== "string")
        malformed(NAME, `state.nodes[${i}]`, "expected [id, after-id or null, atom]");
      nodes.set(t[0], { after: t[1], atom: t[2] });
    });
    const removed = new Set<Dot>(
      asArray(NAME, "state.removed", o["removed"]).map((d, i) => {
        if (typeof d !== "string") malformed(NAME, `state.removed[${i}]`, "expected an id");
        return d;
      }),
    );
    return { nodes, removed, clock: o["clock"] };
  },
  check: (s) => {
    if (!(s.nodes instanceof Map) || !(s.removed instanceof Set))
      return new CrdtStateError(NAME, "well-formed", "state", "expected {nodes: Map, removed: Set, clock}");
    if (!Number.isSafeInteger(s.clock) || s.clock < 0)
      return new CrdtStateError(NAME, "well-formed", "state.clock", `bad clock ${s.clock}`);
    for (const [id, n] of s.nodes) {
      const at = `state.nodes[${JSON.stringify(id)}]`;
      const p = parseDot(id);
      if (!p) return new CrdtStateError(NAME, "well-formed", at, `not an id: ${JSON.stringify(id)}`);
      if (p.counter > s.clock)
        return new CrdtStateError(NAME, "clock-covers-ids", at, `counter ${p.counter} is above the clock ${s.clock}`);
      if (typeof n.atom !== "string" || n.atom.length === 0)
        return new CrdtStateError(NAME, "well-formed", at, "atom must be a non-empty string");
      if (n.after !== null) {
        const q = parseDot(n.after);
        if (!q) return new CrdtStateError(NAME, "well-formed", `${at}.after`, `not an id: ${JSON.stringify(n.after)}`);
        if (q.counter >= p.counter)
          return new CrdtStateError(
            NAME,
            "inserted-after-older",
            `${at}.after`,
            `atom ${id} cannot follow ${n.after}: its predecessor must have a smaller counter`,
          );
      }
    }
    for (const id of s.removed)
      if (!parseDot(id)) return new CrdtStateError(NAME, "well-formed", "state.removed", `not an id: ${JSON.stringify(id)}`);
    return undefined;
  },
});
