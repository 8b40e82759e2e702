import type { NodeId } from "../sim/config";
import type { Trace } from "../sim/trace";
import type { VegaLiteSpec } from "./render";

/** One interval of a node's state, for timeline charts. */
export interface StateInterval {
  readonly node: NodeId;
  readonly state: string;
  readonly from: number;
  readonly to: number;
}

/**
 * Turns the `key` observations of a trace (`ctx.observe(key, state)`) into intervals per node: each
 * state lasts until the node's next observation, the last one until `end`. Nodes in trace order.
 */
export function stateIntervals(trace: Trace, key: string, end: number): StateInterval[] {
  const out: StateInterval[] = [];
  for (const node of trace.nodes) {
    const notes = trace.notes(key).filter((n) => n.node === node);
    notes.forEach((n, i) => {
      const to = Math.max(n.time, notes[i + 1]?.time ?? end);
      // Zero-length intervals (two observations at the same instant) carry nothing to draw.
      if (to > n.time) out.push({ node, state: String(n.value), from: n.time, to });
    });
  }
  return out;
}

/** Options of {@link stateTimelineSpec}. */
export interface StateTimelineOptions {
  readonly title: string;
  /** Colour per state, in legend order; states not listed get the default palette. */
  readonly colors?: Readonly<Record<string, string>>;
  /** Instants to mark with a vertical rule and a label, e.g. a crash. */
  readonly marks?: readonly { readonly time: number; readonly label: string }[];
}

/**
 * A Gantt-style chart: one row per node, one coloured bar per state interval, time on the x axis.
 * It shows at a glance how long each node spent in each state (e.g. 2PC participants stuck in
 * "prepared" while the coordinator is down).
 */
export function stateTimelineSpec(rows: readonly StateInterval[], options: StateTimelineOptions): VegaLiteSpec {
  const order = [...new Set(rows.map((r) => r.node))];
  const end = Math.max(1, ...rows.map((r) => r.to));
  const states = options.colors ? Object.keys(options.colors) : [...new Set(rows.map((r) => r.state))];
  const color = options.colors
    ? { field: "state", type: "nominal", title: "state", scale: { domain: states, range: states.map((s) => options.colors?.[s]) } }
    : { field: "state", type: "nominal", title: "state" };
  const bars = {
    data: { values: rows },
    mark: { type: "bar", height: 18 },
    encoding: {
      x: { field: "from", type: "quantitative", title: "simulated time (ms)", scale: { domain: [0, end], nice: false } },
      x2: { field: "to" },
      y: { field: "node", type: "nominal", sort: order, title: "node" },
      color,
      tooltip: [{ field: "node" }, { field: "state" }, { field: "from", title: "from (ms)" }, { field: "to", title: "to (ms)" }],
    },
  };
  const marks = options.marks ?? [];
  const layers: object[] = [bars];
  if (marks.length > 0) {
    layers.push({
      data: { values: marks },
      mark: { type: "rule", color: "#c0392b", strokeDash: [4, 3] },
      encoding: { x: { field: "time", type: "quantitative" } },
    });
    layers.push({
      data: { values: marks },
      // Above the plot, so the label never sits on a coloured bar.
      mark: { type: "text", align: "left", dx: 3, baseline: "bottom", color: "#c0392b", fontSize: 11 },
      encoding: { x: { field: "time", type: "quantitative" }, y: { value: -3 }, text: { field: "label" } },
    });
  }
  return {
    title: { text: options.title, offset: marks.length > 0 ? 16 : 4 },
    width: 520,
    height: Math.max(80, 32 * order.length),
    layer: layers,
  };
}
