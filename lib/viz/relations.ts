/**
 * Relations over time: which tuple holds at which timestep. Two views of the same data — a
 * Vega-Lite heatmap (one row per tuple, one column per time, coloured by the node that stores it)
 * and a plain-text grid for terminals and test output. Both take the run's facts, so they work on
 * `RunResult.facts()` or on hand-made data in a lesson.
 */
import type { Fact, Value } from "../dedalus/runtime";
import { formatTuple } from "../dedalus/factText";
import type { VegaLiteSpec } from "./render";

/** Options of the relation views. */
export interface RelationViewOptions {
  /** Only these relations, in this order (default: every relation in the facts, sorted). */
  relations?: readonly string[];
  /** Last timestep shown (default: the largest time in the facts). Times run from 1. */
  eot?: number;
  title?: string;
}

/**
 * Most rows drawn in one heatmap: past a few hundred tuples the rows are too thin to read, and a
 * chart that size is a sign the reader wanted a filter (`relations`).
 */
export const MAX_HEATMAP_ROWS = 400;

/** One tuple's row: its label and the times it holds. */
export interface TupleTimeline {
  rel: string;
  args: Value[];
  /** `rel(args)` as Dedalus would print it. */
  label: string;
  /** The location: the tuple's first column. */
  node: string;
  times: number[];
}

function compareValues(a: readonly Value[], b: readonly Value[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as Value,
      y = b[i] as Value;
    if (x === y) continue;
    if (typeof x !== typeof y) return typeof x === "number" ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Groups facts by tuple: one timeline per distinct (relation, arguments), sorted by relation then arguments. */
export function tupleTimelines(facts: readonly Fact[], options: RelationViewOptions = {}): TupleTimeline[] {
  const wanted = options.relations ? new Set(options.relations) : null;
  const byKey = new Map<string, TupleTimeline>();
  for (const f of facts) {
    if (wanted && !wanted.has(f.rel)) continue;
    if (options.eot !== undefined && f.time > options.eot) continue;
    const key = formatTuple(f.rel, f.args);
    let row = byKey.get(key);
    if (!row) byKey.set(key, (row = { rel: f.rel, args: f.args, label: key, node: String(f.args[0] ?? ""), times: [] }));
    if (!row.times.includes(f.time)) row.times.push(f.time);
  }
  const order = options.relations ? new Map(options.relations.map((r, i) => [r, i])) : null;
  const rows = [...byKey.values()];
  for (const r of rows) r.times.sort((a, b) => a - b);
  rows.sort((a, b) => {
    if (a.rel !== b.rel) return order ? (order.get(a.rel) ?? 0) - (order.get(b.rel) ?? 0) : a.rel < b.rel ? -1 : 1;
    return compareValues(a.args, b.args);
  });
  return rows;
}

function lastTime(facts: readonly Fact[], options: RelationViewOptions): number {
  return options.eot ?? facts.reduce((m, f) => Math.max(m, f.time), 1);
}

/**
 * A heatmap of relations over time: one row per tuple (labelled `rel(args)`), one column per
 * timestep 1..eot, a filled cell where the tuple holds, coloured by its node. Throws a RangeError
 * naming {@link MAX_HEATMAP_ROWS} when there are more tuples than that.
 */
export function relationHeatmap(facts: readonly Fact[], options: RelationViewOptions = {}): VegaLiteSpec {
  const rows = tupleTimelines(facts, options);
  if (rows.length > MAX_HEATMAP_ROWS) {
    throw new RangeError(
      `relationHeatmap: ${rows.length} tuples exceed MAX_HEATMAP_ROWS (${MAX_HEATMAP_ROWS}); pass options.relations to choose some`,
    );
  }
  const eot = lastTime(facts, options);
  const times = Array.from({ length: eot }, (_, i) => i + 1);
  const values = rows.flatMap((r) => r.times.map((time) => ({ tuple: r.label, rel: r.rel, node: r.node, time })));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title ?? "Relations over time",
    data: { values },
    mark: { type: "rect", stroke: "white", strokeWidth: 1 },
    width: { step: 28 },
    height: { step: 16 },
    encoding: {
      x: { field: "time", type: "ordinal", title: "time", scale: { domain: times }, axis: { labelAngle: 0, orient: "top" } },
      y: {
        field: "tuple",
        type: "nominal",
        title: "tuple (node, values)",
        sort: rows.map((r) => r.label),
        axis: { labelFont: "monospace", labelLimit: 320 },
      },
      color: { field: "node", type: "nominal", title: "node" },
      tooltip: [
        { field: "tuple", type: "nominal" },
        { field: "time", type: "ordinal" },
      ],
    },
  };
}

/**
 * The same data as a text grid: one line per tuple, one column per time, `#` where it holds and
 * `.` where it does not, with a `time` header. Empty input gives just the header.
 */
export function relationTable(facts: readonly Fact[], options: RelationViewOptions = {}): string {
  const rows = tupleTimelines(facts, options);
  const eot = lastTime(facts, options);
  const width = Math.max(5, ...rows.map((r) => r.label.length));
  const cell = Math.max(1, String(eot).length) + 1;
  const header = "time".padEnd(width) + " " + Array.from({ length: eot }, (_, i) => String(i + 1).padStart(cell)).join("");
  const lines = [header];
  for (const r of rows) {
    const held = new Set(r.times);
    lines.push(r.label.padEnd(width) + " " + Array.from({ length: eot }, (_, i) => (held.has(i + 1) ? "#" : ".").padStart(cell)).join(""));
  }
  return lines.join("\n");
}
