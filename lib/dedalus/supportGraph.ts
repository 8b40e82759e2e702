/**
 * Support formulas: a goal's survival as a positive boolean formula over cross-node message edges
 * and nodes staying alive, shared as one DAG. support.ts builds them through a
 * {@link FormulaBuilder}; {@link evaluateSupport} evaluates one under a fault set. lib/ldfi reads
 * these very types (its lineage.ts re-exports them).
 */
import { messageKey } from "./messageKey";

/** A message crossing between two different nodes, sent before EOT. */
export interface MessageEdge {
  readonly from: string;
  readonly to: string;
  readonly sendTime: number;
}

/** A node of a support formula. */
export type SupportNode =
  | { readonly kind: "true" }
  | { readonly kind: "false" }
  | { readonly kind: "edge"; readonly edge: MessageEdge }
  /** Holds unless the node crashes (a `notin crash(_, node, _)` premise, or LDFI's `requireAlive`). */
  | { readonly kind: "alive"; readonly node: string }
  | { readonly kind: "and"; readonly of: readonly number[] }
  | { readonly kind: "or"; readonly of: readonly number[] };

/** A DAG of formulas (indexes into `nodes`); `roots[i]` is the formula of `goals[i]`. */
export interface SupportGraph {
  readonly nodes: readonly SupportNode[];
  readonly roots: readonly number[];
}

/** Children of a same-kind child node are inlined up to this many (bounds the copying a deep chain can cause). */
const FLATTEN_LIMIT = 16;

/**
 * Builds the nodes of one support DAG, hash-consed: the same formula is one node, however often it
 * is asked for. Nodes 0 and 1 are the constants true and false.
 */
export class FormulaBuilder {
  static readonly TRUE = 0;
  static readonly FALSE = 1;
  readonly nodes: SupportNode[] = [{ kind: "true" }, { kind: "false" }];
  private readonly consed = new Map<string, number>();

  /** The node under `key`, created as `node` on first request. */
  private node(key: string, node: SupportNode): number {
    let id = this.consed.get(key);
    if (id === undefined) {
      id = this.nodes.length;
      this.nodes.push(node);
      this.consed.set(key, id);
    }
    return id;
  }

  /** A message edge; `key` identifies it (its {@link messageKey} over the run's interned ids). */
  edge(key: string, edge: MessageEdge): number {
    return this.node(`e${key}`, { kind: "edge", edge });
  }

  /** "`node` stays alive". */
  alive(node: string): number {
    // "a:" cannot begin an and-node key ("and1,2"), whatever the node is named.
    return this.node(`a:${node}`, { kind: "alive", node });
  }

  /** The conjunction or disjunction of `parts`, simplified: constants absorbed, small same-kind children inlined. */
  combine(kind: "and" | "or", parts: readonly number[]): number {
    const absorbing = kind === "and" ? FormulaBuilder.FALSE : FormulaBuilder.TRUE;
    const neutral = kind === "and" ? FormulaBuilder.TRUE : FormulaBuilder.FALSE;
    const set = new Set<number>();
    for (const p of parts) {
      if (p === absorbing) return absorbing;
      if (p === neutral) continue;
      const n = this.nodes[p]!;
      // Inline a small child of the same kind (or(or(x, y), z) = or(x, y, z)): flatter formulas read
      // better and encode smaller; big children stay shared.
      if (n.kind === kind && n.of.length <= FLATTEN_LIMIT) for (const c of n.of) set.add(c);
      else set.add(p);
    }
    if (set.size === 0) return neutral;
    if (set.size === 1) return [...set][0]!;
    const of = [...set].sort((a, b) => a - b);
    return this.node(`${kind}${of.join(",")}`, { kind, of });
  }

  /** At least k of the formulas hold (a sequential-counter formula, O(n k) shared nodes). */
  atLeast(k: number, fs: readonly number[]): number {
    if (k > fs.length) return FormulaBuilder.FALSE;
    let row: number[] = [FormulaBuilder.TRUE, ...new Array<number>(k).fill(FormulaBuilder.FALSE)];
    for (const f of fs) row = row.map((v, j) => (j === 0 ? v : this.combine("or", [v, this.combine("and", [f, row[j - 1]!])])));
    return row[k]!;
  }
}

/** What a fault set does to the leaves of a support formula. */
export interface SupportFaults {
  /** The message edge is lost. */
  edgeBroken(edge: MessageEdge): boolean;
  /** The node crashes (at any time). */
  crashed(node: string): boolean;
}

/**
 * Whether the formula at `root` holds when every broken edge and every crashed node's "alive" is
 * false. Iterative (formulas can be thousands of levels deep); a node index outside the graph is a
 * RangeError.
 */
export function evaluateSupport(graph: SupportGraph, root: number, faults: SupportFaults): boolean {
  const value = new Int8Array(graph.nodes.length).fill(-1); // -1 unknown, 0 false, 1 true
  const stack = [root];
  while (stack.length > 0) {
    const i = stack[stack.length - 1]!;
    if (value[i] !== -1) {
      stack.pop();
      continue;
    }
    const n = graph.nodes[i];
    if (n === undefined) throw new RangeError(`support graph: no node ${i}`);
    if (n.kind === "true" || n.kind === "false" || n.kind === "edge" || n.kind === "alive") {
      value[i] =
        n.kind === "true"
          ? 1
          : n.kind === "false"
            ? 0
            : n.kind === "alive"
              ? faults.crashed(n.node)
                ? 0
                : 1
              : faults.edgeBroken(n.edge)
                ? 0
                : 1;
      stack.pop();
      continue;
    }
    let pending = false;
    for (const c of n.of) {
      if (value[c] === -1) {
        stack.push(c);
        pending = true;
      }
    }
    if (pending) continue;
    value[i] = (n.kind === "and" ? n.of.every((c) => value[c] === 1) : n.of.some((c) => value[c] === 1)) ? 1 : 0;
    stack.pop();
  }
  return value[root] === 1;
}

/** Evaluates a support formula under a set of broken edges ({@link edgeKey} keys) and crashed nodes. */
export function holds(graph: SupportGraph, root: number, broken: ReadonlySet<string>, crashed: ReadonlySet<string> = new Set()): boolean {
  return evaluateSupport(graph, root, { edgeBroken: (e) => broken.has(edgeKey(e)), crashed: (node) => crashed.has(node) });
}

/** The key of a message edge used by {@link holds}: `from|to|sendTime` (messageKey.ts). */
export function edgeKey(e: MessageEdge): string {
  return messageKey(e.from, e.to, e.sendTime);
}
