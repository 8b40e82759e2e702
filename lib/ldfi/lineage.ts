import { edgeKey, evaluateSupport, type MessageEdge, type SupportGraph } from "../dedalus/supportGraph";
import { breaksEdge, type FaultSet } from "./faults";

/**
 * The lineage LDFI reasons about: a goal's support as a positive boolean formula over cross-node
 * message edges and nodes staying alive, shared as a DAG — lib/dedalus's `support()` graph, whose
 * types these are (lib/dedalus/supportGraph.ts), so the SAT side can also be built and tested on
 * hand-made graphs. lib/dedalus emits an "alive" node for a `notin crash(_, N, _)` premise; the LDFI
 * adapter adds them for programs whose `post` reads the prophetic `crash` built-in positively (see
 * `requireAlive` in dedalusTarget.ts), which no message edge can stand for.
 */
export type { MessageEdge, SupportGraph, SupportNode } from "../dedalus/supportGraph";

/**
 * Whether the formula at `root` still holds when every edge broken by `faults` is false and every
 * node `faults` crashes is dead — i.e. whether the recorded lineage survives. The brute-force
 * reference for the CNF encoding; lib/dedalus's one evaluator, with LDFI's fault model.
 */
export function survives(graph: SupportGraph, root: number, faults: FaultSet): boolean {
  return evaluateSupport(graph, root, {
    edgeBroken: (e) => breaksEdge(faults, e.from, e.to, e.sendTime),
    crashed: (node) => faults.crashes.some((c) => c.node === node),
  });
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
    if (n.kind === "edge") out.set(edgeKey(n.edge), n.edge);
    else if (n.kind === "and" || n.kind === "or") for (const c of n.of) stack.push(c);
  }
  return [...out.values()];
}
