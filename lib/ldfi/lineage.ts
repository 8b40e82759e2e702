import { breaksEdge, type FaultSet } from "./faults";

/**
 * The lineage LDFI reasons about: a goal's support as a positive boolean formula over cross-node
 * message edges, shared as a DAG. These are the shapes of lib/dedalus `support()` (notes/contract);
 * they are restated here structurally so the SAT side can be built and tested on hand-made graphs.
 */
export interface MessageEdge {
  readonly from: string;
  readonly to: string;
  readonly sendTime: number;
}

/**
 * One node of a support DAG: constants, a message edge, premises of one derivation (and),
 * alternatives (or), and "alive": holds unless the node crashes at any time. lib/dedalus emits no
 * "alive" nodes; the LDFI adapter adds them for programs whose invariants read the prophetic
 * `crash` built-in (see dedalusTarget.ts), which no message edge can stand for.
 */
export type SupportNode =
  | { readonly kind: "true" }
  | { readonly kind: "false" }
  | { readonly kind: "edge"; readonly edge: MessageEdge }
  | { readonly kind: "alive"; readonly node: string }
  | { readonly kind: "and"; readonly of: readonly number[] }
  | { readonly kind: "or"; readonly of: readonly number[] };

/** A support DAG; `roots[i]` is the formula of goal i. */
export interface SupportGraph {
  readonly nodes: readonly SupportNode[];
  readonly roots: readonly number[];
}

/**
 * Whether the formula at `root` still holds when every edge broken by `faults` is false — i.e.
 * whether the recorded lineage survives. The brute-force reference for the CNF encoding.
 */
export function survives(graph: SupportGraph, root: number, faults: FaultSet): boolean {
  const memo = new Map<number, boolean>();
  const visit = (i: number): boolean => {
    const hit = memo.get(i);
    if (hit !== undefined) return hit;
    const n = graph.nodes[i];
    if (n === undefined) throw new RangeError(`support graph: no node ${i}`);
    let v: boolean;
    switch (n.kind) {
      case "true":
        v = true;
        break;
      case "false":
        v = false;
        break;
      case "edge":
        v = !breaksEdge(faults, n.edge.from, n.edge.to, n.edge.sendTime);
        break;
      case "alive":
        v = !faults.crashes.some((c) => c.node === n.node);
        break;
      case "and":
        v = n.of.every(visit);
        break;
      case "or":
        v = n.of.some(visit);
        break;
    }
    memo.set(i, v);
    return v;
  };
  return visit(root);
}

/** The distinct message edges reachable from the given roots. */
export function edgesOf(graph: SupportGraph, roots: readonly number[]): MessageEdge[] {
  const seen = new Set<number>();
  const out = new Map<string, MessageEdge>();
  const stack = [...roots];
  while (stack.length > 0) {
    const i = stack.pop() as number;
    if (seen.has(i)) continue;
    seen.add(i);
    const n = graph.nodes[i];
    if (n === undefined) continue;
    if (n.kind === "edge") out.set(`${n.edge.from} ${n.edge.to} ${n.edge.sendTime}`, n.edge);
    else if (n.kind === "and" || n.kind === "or") for (const c of n.of) stack.push(c);
  }
  return [...out.values()];
}
