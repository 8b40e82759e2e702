/**
 * The lineage graph of a tuple: how it was derived, down to the input facts. Facts are boxes (at a
 * node and a time), derivations are small dots labelled with their rule, premises point up into the
 * derivation that used them, and a derivation that crossed the network is drawn dashed with its
 * message (`a -> b @2`). A `notin` premise is drawn hollow: it held because a tuple was absent.
 *
 * The layout is a small layered (Sugiyama-style) one: layer = longest path from an input, order
 * within a layer by barycenter sweeps. Lineage graphs are shallow DAGs of a few dozen nodes, where
 * this is as readable as a general layout library, so maze does not depend on one.
 */
import * as path from "node:path";
import { formatFact, formatValue } from "../dedalus/factText";
import { why, type Derivation } from "../dedalus/provenance";
import type { Fact, RunResult, Value } from "../dedalus/runtime";
import type { VegaLiteSpec } from "./render";

/** What a lineage node stands for. */
export type LineageNodeKind = "fact" | "negated" | "derivation";

/** A node of a lineage graph. */
export interface LineageNode {
  /** Unique within the graph. */
  id: string;
  kind: LineageNodeKind;
  /** `log("b", "m")@2`, `notin del("s", "k")@3`, or the rule's head relation for a derivation. */
  label: string;
  /** The location (first column) of a fact; undefined for derivations. */
  node?: string;
  time?: number;
  /** Full text for the tooltip (a derivation's rule text and location). */
  detail?: string;
}

/** How two lineage nodes are related: premise → derivation, or derivation → conclusion. */
export type LineageEdgeKind = "premise" | "negated" | "derives" | "message";

/** An edge from a premise (or derivation) to what it supports. */
export interface LineageEdge {
  from: string;
  to: string;
  kind: LineageEdgeKind;
  /** For message edges: `a -> b @2`. */
  label?: string;
}

/** A lineage graph: a DAG from input facts up to `root`. */
export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
  root: string;
  /** True when the builder stopped at its node limit; the chart says so in its subtitle. */
  truncated: boolean;
}

/** A laid-out node: column (x) and row (y, 0 = top) in layout units. */
export interface PlacedNode extends LineageNode {
  x: number;
  y: number;
}

/** Barycenter sweeps (down and up) when ordering layers: a few settle any lineage-sized graph. */
const ORDERING_SWEEPS = 4;

/**
 * Lays the graph out in layers: inputs at the bottom, the root at the top. Throws a RangeError on
 * an edge naming an unknown node or on a cycle (a lineage graph is acyclic by construction).
 */
export function layoutLineage(g: LineageGraph): PlacedNode[] {
  const ids = new Set(g.nodes.map((n) => n.id));
  const preds = new Map<string, string[]>(g.nodes.map((n) => [n.id, []]));
  const succs = new Map<string, string[]>(g.nodes.map((n) => [n.id, []]));
  for (const e of g.edges) {
    if (!ids.has(e.from) || !ids.has(e.to)) throw new RangeError(`layoutLineage: edge ${e.from} -> ${e.to} names an unknown node`);
    (preds.get(e.to) as string[]).push(e.from);
    (succs.get(e.from) as string[]).push(e.to);
  }
  // Longest path from an input, by depth-first search with cycle detection.
  const layer = new Map<string, number>();
  const onStack = new Set<string>();
  const depth = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (onStack.has(id)) throw new RangeError(`layoutLineage: cycle through ${id}`);
    onStack.add(id);
    let d = 0;
    for (const p of preds.get(id) as string[]) d = Math.max(d, depth(p) + 1);
    onStack.delete(id);
    layer.set(id, d);
    return d;
  };
  for (const n of g.nodes) depth(n.id);
  // Inputs sit just below their first consumer rather than all at the bottom, so an input used high
  // up (a `notin` read late) does not draw a long edge across the whole graph.
  for (const n of g.nodes) {
    const out = succs.get(n.id) as string[];
    if ((preds.get(n.id) as string[]).length === 0 && out.length > 0) {
      // a loop, not Math.min(...spread): a node can feed more consumers than a call takes arguments
      let first = Infinity;
      for (const s of out) first = Math.min(first, layer.get(s) as number);
      layer.set(n.id, first - 1);
    }
  }
  let maxLayer = 0;
  for (const l of layer.values()) if (l > maxLayer) maxLayer = l;
  const layers: string[][] = Array.from({ length: maxLayer + 1 }, () => []);
  for (const n of g.nodes) (layers[layer.get(n.id) as number] as string[]).push(n.id);

  const position = new Map<string, number>();
  const place = (row: string[]): void => row.forEach((id, i) => position.set(id, i - (row.length - 1) / 2));
  layers.forEach(place);
  const barycenter = (id: string, neighbours: Map<string, string[]>): number => {
    const ns = (neighbours.get(id) as string[]).map((n) => position.get(n) as number);
    return ns.length === 0 ? (position.get(id) as number) : ns.reduce((a, b) => a + b, 0) / ns.length;
  };
  for (let sweep = 0; sweep < ORDERING_SWEEPS; sweep++) {
    const upward = sweep % 2 === 0;
    const order = upward ? layers.map((_, i) => i) : layers.map((_, i) => layers.length - 1 - i);
    for (const li of order) {
      const row = layers[li] as string[];
      const key = new Map(row.map((id) => [id, barycenter(id, upward ? preds : succs)]));
      row.sort((a, b) => (key.get(a) as number) - (key.get(b) as number));
      place(row);
    }
  }
  return g.nodes.map((n) => ({ ...n, x: position.get(n.id) as number, y: maxLayer - (layer.get(n.id) as number) }));
}

/** Options of {@link lineageChart}. */
export interface LineageChartOptions {
  title?: string;
  /** Pixels per layout column and row. */
  columnWidth?: number;
  rowHeight?: number;
}

/** A Vega-Lite chart of a lineage graph (edges as rules, facts as squares, derivations as dots, labels). */
export function lineageChart(g: LineageGraph, options: LineageChartOptions = {}): VegaLiteSpec {
  const placed = layoutLineage(g);
  const at = new Map(placed.map((p) => [p.id, p]));
  const colW = options.columnWidth ?? 150;
  const rowH = options.rowHeight ?? 60;
  const xs = placed.map((p) => p.x);
  // Labels run to the right of their node: leave room for the longest one (about 6.6 px per
  // monospace character at 11 px) so it does not run into the legend.
  const labelRoom = (Math.max(0, ...placed.map((p) => p.label.length)) * 6.6 + 16) / colW;
  const minX = Math.min(0, ...xs) - 0.6,
    maxX = Math.max(0, ...xs) + Math.max(0.6, labelRoom);
  const maxY = Math.max(0, ...placed.map((p) => p.y));
  const edges = g.edges.map((e) => {
    const a = at.get(e.from) as PlacedNode,
      b = at.get(e.to) as PlacedNode;
    return { x: a.x, y: a.y, x2: b.x, y2: b.y, edgeKind: e.kind, label: e.label ?? "", mx: (a.x + b.x) / 2, my: (a.y + b.y) / 2 };
  });
  const nodes = placed.map((p) => ({
    id: p.id,
    x: p.x,
    y: p.y,
    kind: p.kind,
    label: p.label,
    node: p.node ?? "(rule)",
    detail: p.detail ?? p.label,
    root: p.id === g.root,
  }));
  const x = { field: "x", type: "quantitative", axis: null, scale: { domain: [minX, maxX] } };
  const y = { field: "y", type: "quantitative", axis: null, scale: { domain: [-0.5, maxY + 0.5], reverse: true } };
  const subtitle = g.truncated ? "truncated at the node limit" : `${g.nodes.filter((n) => n.kind !== "derivation").length} facts`;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: options.title ?? `Lineage of ${at.get(g.root)?.label ?? g.root}`, subtitle },
    width: Math.max(200, (maxX - minX) * colW),
    height: Math.max(120, (maxY + 1) * rowH),
    layer: [
      {
        data: { values: edges },
        mark: { type: "rule", strokeWidth: 1.5 },
        encoding: {
          x,
          y,
          x2: { field: "x2" },
          y2: { field: "y2" },
          strokeDash: {
            field: "edgeKind",
            type: "nominal",
            legend: null, // edges explain themselves: notin premises are dotted, messages dashed and labelled
            scale: {
              domain: ["premise", "negated", "derives", "message"],
              range: [
                [1, 0],
                [2, 2],
                [1, 0],
                [6, 3],
              ],
            },
          },
          color: { value: "#888" },
        },
      },
      {
        data: { values: edges.filter((e) => e.label !== "") },
        mark: { type: "text", align: "right", baseline: "middle", dx: -8, fontSize: 10, color: "#b33" },
        encoding: { x: { ...x, field: "mx" }, y: { ...y, field: "my" }, text: { field: "label" } },
      },
      {
        data: { values: nodes },
        mark: { type: "point", filled: true },
        encoding: {
          x,
          y,
          size: { condition: { test: "datum.root", value: 420 }, value: 220 },
          shape: {
            field: "kind",
            type: "nominal",
            title: "kind",
            scale: { domain: ["fact", "negated", "derivation"], range: ["square", "square", "circle"] },
          },
          color: { field: "node", type: "nominal", title: "node" },
          opacity: { condition: { test: "datum.kind === 'negated'", value: 0.35 }, value: 1 },
          tooltip: [{ field: "detail", type: "nominal" }],
        },
      },
      {
        data: { values: nodes },
        mark: { type: "text", align: "left", baseline: "middle", dx: 12, fontSize: 11, font: "monospace" },
        encoding: { x, y, text: { field: "label" } },
      },
    ],
  };
}

/**
 * Default cap on the nodes of a lineage graph: past a couple of hundred boxes a drawing stops
 * explaining anything; {@link lineageOf} stops expanding there and marks the graph truncated.
 */
export const MAX_LINEAGE_NODES = 200;

/** Options of {@link lineageOf}. */
export interface LineageOptions {
  /**
   * "all" (default): every derivation of every tuple, except those that would close a cycle
   * (a same-timestep recursive rule re-deriving a tuple from its own consequences).
   * "first": only the derivation that created each tuple — always well-founded, and smaller.
   */
  derivations?: "all" | "first";
  /** Node cap (default {@link MAX_LINEAGE_NODES}). */
  maxNodes?: number;
}

/** A value of an absent pattern: `_` for "any value". */
function patternValue(v: Value | null): string {
  return v === null ? "_" : formatValue(v);
}

/** `rel("a", 1)@2`: how lineage labels a tuple at a time. */
export function factLabel(f: Fact): string {
  return formatFact(f);
}

/**
 * The lineage graph of `fact` in a run recorded with `provenance: true`, built from `why()` down
 * to the input facts. Shared premises appear once. Throws the provenance module's error when the
 * run has no provenance, and a RangeError when the fact does not hold in the run.
 */
export function lineageOf(result: RunResult, fact: Fact, options: LineageOptions = {}): LineageGraph {
  const maxNodes = options.maxNodes ?? MAX_LINEAGE_NODES;
  const nodes = new Map<string, LineageNode>();
  const edges: LineageEdge[] = [];
  let truncated = false;
  const rootDerivations = why(result, fact);
  if (rootDerivations.length === 0) throw new RangeError(`lineageOf: ${factLabel(fact)} does not hold in this run`);

  /** Founded: it is an input, or at least one of its derivations was kept. */
  const founded = new Map<string, boolean>();
  const onStack = new Set<string>();
  const addNode = (n: LineageNode): boolean => {
    if (nodes.has(n.id)) return true;
    if (nodes.size >= maxNodes) {
      truncated = true;
      return false;
    }
    nodes.set(n.id, n);
    return true;
  };

  const expand = (f: Fact, known?: Derivation[]): boolean => {
    const id = factLabel(f);
    const done = founded.get(id);
    if (done !== undefined) return done;
    if (!addNode({ id, kind: "fact", label: id, node: String(f.args[0] ?? ""), time: f.time })) return false;
    onStack.add(id);
    let all = known ?? why(result, f);
    if (options.derivations === "first") all = all.slice(0, 1);
    let ok = false;
    all.forEach((d, i) => {
      if (d.kind === "fact") {
        ok = true; // an input fact: a leaf
        return;
      }
      if (d.premises.some((p) => onStack.has(factLabel(p)))) return; // would close a cycle
      if (!d.premises.every((p) => expand(p))) return;
      const did = `${id}#${i}`;
      const where = `${path.basename(d.rule.span.file)}:${d.rule.span.line}`;
      if (!addNode({ id: did, kind: "derivation", label: where, detail: `${d.rule.text} (${where})` })) return;
      for (const p of d.premises) edges.push({ from: factLabel(p), to: did, kind: "premise" });
      for (const n of d.negated) {
        const nid = `notin ${n.rel}(${n.args.map(patternValue).join(", ")})@${n.time}`;
        const loc = n.args[0];
        if (!addNode({ id: nid, kind: "negated", label: nid, node: typeof loc === "string" ? loc : "(any)", time: n.time })) continue;
        edges.push({ from: nid, to: did, kind: "negated" });
      }
      const m = d.kind === "message" ? d.message : null;
      edges.push(
        m ? { from: did, to: id, kind: "message", label: `${m.from} -> ${m.to} @${m.sendTime}` } : { from: did, to: id, kind: "derives" },
      );
      ok = true;
    });
    onStack.delete(id);
    founded.set(id, ok);
    return ok;
  };
  expand(fact, rootDerivations);
  // Keep what actually supports the root: a premise expanded for a derivation that was then
  // dropped (cycle, cap) would otherwise float unconnected.
  const into = new Map<string, LineageEdge[]>();
  for (const e of edges) into.set(e.to, [...(into.get(e.to) ?? []), e]);
  const keep = new Set<string>();
  const stack = [factLabel(fact)];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (keep.has(id)) continue;
    keep.add(id);
    for (const e of into.get(id) ?? []) stack.push(e.from);
  }
  return {
    nodes: [...nodes.values()].filter((n) => keep.has(n.id)),
    edges: edges.filter((e) => keep.has(e.to) && keep.has(e.from)),
    root: factLabel(fact),
    truncated,
  };
}
