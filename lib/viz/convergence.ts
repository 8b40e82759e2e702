import type { ReplicaObservation } from "../crdt/antiEntropy";
import type { Trace } from "../sim/trace";
import type { VegaLiteSpec } from "./render";

/** Options of the convergence charts. */
export interface ConvergenceOptions {
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
  /** The note key replicas record under (default `"replica"`, as `runReplicas` does). */
  readonly key?: string;
  /** Turns a replica's value into the number plotted (default: the value if numeric, else its length/size). */
  readonly measure?: (value: unknown) => number;
  /** Title of the value axis (default "replica value"), e.g. "text length". */
  readonly valueTitle?: string;
}

function defaultMeasure(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" || Array.isArray(v)) return v.length;
  if (v instanceof Map || v instanceof Set) return v.size;
  if (typeof v === "object" && v !== null) return Object.keys(v).length;
  return Number(v) || 0;
}

function partitionBands(trace: Trace, end: number): { t1: number; t2: number }[] {
  const bands: { t1: number; t2: number }[] = [];
  const open = new Map<number, number>();
  for (const e of trace.events) {
    if (e.kind === "partition") open.set(e.index, e.time);
    if (e.kind === "heal" && open.has(e.index)) {
      bands.push({ t1: open.get(e.index) as number, t2: e.time });
      open.delete(e.index);
    }
  }
  for (const t1 of open.values()) bands.push({ t1, t2: end });
  return bands;
}

/**
 * Replica state and divergence over time, from a trace whose replicas record notes (as `runReplicas`
 * does): the top panel plots each replica's value (numbers as they are, collections by size) as a step
 * line; the bottom panel plots how many distinct states the replicas hold — 1 means converged.
 * Partitions are shaded in both.
 */
export function convergenceChart(trace: Trace, options: ConvergenceOptions = {}): VegaLiteSpec {
  const key = options.key ?? "replica";
  const measure = options.measure ?? defaultMeasure;
  const notes = trace.notes(key);
  const end = Math.max(trace.stop.time, ...notes.map((n) => n.time), 1);
  const current = new Map<string, string>();
  const replicas = trace.nodes;
  for (const r of replicas) current.set(r, "bottom");
  // A replica that records its first value at time 0 starts there; only the others get a synthetic
  // bottom at 0 (otherwise a replica seeded with 10 would show a spurious dot at 0).
  const startsAtZero = new Set(notes.filter((n) => n.time === 0).map((n) => n.node));
  const values: { t: number; replica: string; value: number; shown: string }[] = replicas
    .filter((r) => !startsAtZero.has(r))
    .map((r) => ({ t: 0, replica: r, value: 0, shown: "(initial)" }));
  const distinct: { t: number; states: number }[] = [{ t: 0, states: 1 }];
  for (const n of notes) {
    const obs = n.value as ReplicaObservation<unknown>;
    current.set(n.node, obs.digest);
    values.push({ t: n.time, replica: n.node, value: measure(obs.value), shown: JSON.stringify(obs.value) ?? "" });
    distinct.push({ t: n.time, states: new Set(current.values()).size });
  }
  // Extend every line to the end of the run so the final values are visible.
  for (const r of replicas) {
    const last = [...values].reverse().find((v) => v.replica === r);
    if (last) values.push({ ...last, t: end });
  }
  distinct.push({ t: end, states: distinct.at(-1)?.states ?? 1 });
  const bands = partitionBands(trace, end);
  const width = options.width ?? 520;
  const x = { field: "t", type: "quantitative", title: "simulated time (ms)", scale: { domain: [0, end], nice: false } };
  const shade =
    bands.length === 0
      ? []
      : [
          {
            data: { values: bands },
            mark: { type: "rect", color: "#999", opacity: 0.18 },
            encoding: { x: { field: "t1", type: "quantitative", scale: { domain: [0, end], nice: false } }, x2: { field: "t2" } },
          },
        ];
  const converged = (distinct.at(-1)?.states ?? 1) === 1;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: {
      text: options.title ?? "Replica state and divergence over time",
      subtitle: converged ? "replicas converged" : "replicas still differ at the end",
    },
    vconcat: [
      {
        width,
        height: options.height ?? 200,
        layer: [
          ...shade,
          {
            data: { values },
            mark: { type: "line", interpolate: "step-after", point: true },
            encoding: {
              x,
              y: { field: "value", type: "quantitative", title: options.valueTitle ?? "replica value" },
              color: { field: "replica", type: "nominal", title: "replica" },
              tooltip: [{ field: "replica" }, { field: "t" }, { field: "shown", title: "value" }],
            },
          },
        ],
      },
      {
        width,
        height: 90,
        layer: [
          ...shade,
          {
            data: { values: distinct },
            mark: { type: "line", interpolate: "step-after", color: "#e45756" },
            encoding: {
              x,
              y: { field: "states", type: "quantitative", title: "distinct states", axis: { tickMinStep: 1 }, scale: { domainMin: 0 } },
            },
          },
        ],
      },
    ],
  };
}
