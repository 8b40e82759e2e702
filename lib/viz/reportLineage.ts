import { formatEdge } from "../dedalus/factText";
import { breaksEdge, type FaultSet } from "../ldfi/faults";
import type { SupportGraph } from "../ldfi/lineage";
import type { VegaLiteSpec } from "./render";

/** Above this many formula nodes the drawing is unreadable; the report says it was cut. */
export const MAX_LINEAGE_NODES = 150;

/**
 * The lineage of one goal as a layered drawing of its support DAG: the goal on top, "or" nodes
 * (alternative derivations), "and" nodes (premises of one derivation) and message edges below.
 * Message edges broken by `faults` are drawn red, and so is every formula node that breaks
 * because of them, so the path from the injected faults to the lost goal stands out.
 */
export function lineageGraphSpec(
  graph: SupportGraph,
  root: number,
  faults: FaultSet,
  title: string,
): { spec: VegaLiteSpec; truncated: boolean } {
  // Breadth-first layering from the root; a node sits at its longest distance from it.
  const depth = new Map<number, number>([[root, 0]]);
  const order: number[] = [root];
  for (let k = 0; k < order.length && order.length <= MAX_LINEAGE_NODES; k++) {
    const i = order[k] as number;
    const n = graph.nodes[i];
    if (!n || (n.kind !== "and" && n.kind !== "or")) continue;
    for (const c of n.of) {
      const d = (depth.get(i) as number) + 1;
      if (!depth.has(c)) order.push(c);
      if ((depth.get(c) ?? -1) < d && d < 64) depth.set(c, d);
    }
  }
  const truncated = order.length > MAX_LINEAGE_NODES;
  const shown = new Set(order.slice(0, MAX_LINEAGE_NODES));
  const broken = new Map<number, boolean>();
  const isBroken = (i: number): boolean => {
    const hit = broken.get(i);
    if (hit !== undefined) return hit;
    broken.set(i, false);
    const n = graph.nodes[i];
    let b = false;
    if (n?.kind === "edge") b = breaksEdge(faults, n.edge.from, n.edge.to, n.edge.sendTime);
    else if (n?.kind === "alive") b = faults.crashes.some((c) => c.node === n.node);
    else if (n?.kind === "false") b = true;
    else if (n?.kind === "and") b = n.of.some(isBroken);
    else if (n?.kind === "or") b = n.of.length > 0 && n.of.every(isBroken);
    broken.set(i, b);
    return b;
  };
  const layers = new Map<number, number[]>();
  for (const i of shown) {
    const d = depth.get(i) as number;
    layers.set(d, [...(layers.get(d) ?? []), i]);
  }
  const pos = new Map<number, { x: number; y: number }>();
  for (const [d, ids] of layers) ids.forEach((i, k) => pos.set(i, { x: (k + 1) / (ids.length + 1), y: d }));
  const label = (i: number): string => {
    const n = graph.nodes[i];
    if (!n) return "?";
    if (i === root) return "goal";
    switch (n.kind) {
      case "edge":
        return formatEdge(n.edge);
      case "alive":
        return `${n.node} never crashes`;
      case "and":
        return "all of";
      case "or":
        return "any of";
      default:
        return n.kind;
    }
  };
  const points = [...shown].map((i) => ({
    id: i,
    ...(pos.get(i) as { x: number; y: number }),
    label: label(i),
    kind: graph.nodes[i]?.kind ?? "?",
    state: isBroken(i) ? "broken" : "holds",
  }));
  const links: { x: number; y: number; x2: number; y2: number; state: string }[] = [];
  for (const i of shown) {
    const n = graph.nodes[i];
    if (!n || (n.kind !== "and" && n.kind !== "or")) continue;
    const p = pos.get(i) as { x: number; y: number };
    for (const c of n.of) {
      const q = pos.get(c);
      if (q) links.push({ x: p.x, y: p.y, x2: q.x, y2: q.y, state: isBroken(c) ? "broken" : "holds" });
    }
  }
  const color = {
    field: "state",
    type: "nominal",
    scale: { domain: ["holds", "broken"], range: ["#57606a", "#d1242f"] },
    legend: { title: null },
  };
  const xs = { type: "quantitative", axis: null, scale: { domain: [0, 1] } };
  // Loops, not Math.max(...spread): a lineage graph can have more nodes than a call takes arguments.
  let lowest = -Infinity;
  for (const p of points) if (p.y > lowest) lowest = p.y;
  let widest = -Infinity;
  for (const l of layers.values()) if (l.length > widest) widest = l.length;
  const ys = { type: "quantitative", axis: null, scale: { domain: [lowest + 0.5, -0.5] } };
  return {
    truncated,
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      title,
      width: Math.min(1400, Math.max(300, 95 * widest)),
      height: Math.max(120, 55 * layers.size),
      layer: [
        {
          data: { values: links },
          mark: { type: "rule", strokeWidth: 1.2 },
          encoding: { x: { ...xs, field: "x" }, y: { ...ys, field: "y" }, x2: { field: "x2" }, y2: { field: "y2" }, color },
        },
        {
          data: { values: points },
          mark: { type: "point", filled: true, size: 90 },
          encoding: {
            x: { ...xs, field: "x" },
            y: { ...ys, field: "y" },
            color,
            shape: { field: "kind", type: "nominal", legend: { title: null } },
          },
        },
        {
          data: { values: points },
          mark: { type: "text", dy: -11, fontSize: 10 },
          encoding: { x: { ...xs, field: "x" }, y: { ...ys, field: "y" }, text: { field: "label" }, color },
        },
      ],
    },
  };
}
