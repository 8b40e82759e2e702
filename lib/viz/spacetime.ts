import type { Trace, TraceEvent } from "../sim/trace";
import type { VegaLiteSpec } from "./render";

/** Options of {@link spacetimeDiagram}. */
export interface SpacetimeOptions {
  /** Vertical axis: simulated time (default) or each event's Lamport clock. */
  readonly time?: "sim" | "lamport";
  readonly title?: string;
  /** Plot width in pixels (default: 110 per node, at least 300). */
  readonly width?: number;
  /** Plot height in pixels (default 420). */
  readonly height?: number;
  /** Show only events up to this simulated time (default: the whole trace). */
  readonly until?: number;
}

/** Beyond this many messages a diagram is an unreadable mesh; the builder keeps the first ones and says so in the subtitle. */
export const SPACETIME_MAX_MESSAGES = 400;

/** How far across a lost message is drawn before it ends in a cross. */
const LOST_FRACTION = 0.7;

const STATUS_COLORS = { delivered: "#4c78a8", duplicate: "#f58518", lost: "#e45756" } as const;

function describe(message: unknown): string {
  const text = typeof message === "string" ? message : (JSON.stringify(message) ?? String(message));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * A spacetime (Lamport) diagram of a trace: one vertical lane per node with time flowing down, an
 * arrow per delivered message (orange for a duplicate copy), a dashed red line ending in a cross for a
 * lost one, red crosses for crashes and green diamonds for recoveries, and grey bands while a
 * partition is in force. Returns a plain Vega-Lite spec: render it with `renderSvg` or display it.
 */
export function spacetimeDiagram(trace: Trace, options: SpacetimeOptions = {}): VegaLiteSpec {
  const lamport = options.time === "lamport";
  const until = options.until ?? Infinity;
  const nodes = trace.nodes;
  const lane = new Map(nodes.map((n, i) => [n, i]));
  const events = trace.events.filter((e) => e.time <= until);
  const clockOf = new Map<number, number>();
  for (const e of events) if ("lamport" in e) clockOf.set(e.seq, e.lamport);
  const y = (e: TraceEvent): number => (lamport ? (clockOf.get(e.seq) ?? 0) : e.time);
  const end = Math.max(1, ...events.map(y), lamport ? 0 : Math.min(until, trace.stop.time));
  const width = options.width ?? Math.max(300, 110 * nodes.length);
  const height = options.height ?? 420;
  // Arrowheads are rotated to the arrow's on-screen direction, so compute it in pixels.
  const angle = (x1: number, y1: number, x2: number, y2: number): number => {
    const dx = ((x2 - x1) * width) / nodes.length;
    const dy = ((y2 - y1) * height) / end;
    return (Math.atan2(dx, -dy) * 180) / Math.PI;
  };

  type Arrow = {
    x1: number;
    y1: number;
    x2: number;
    y2: number;
    status: keyof typeof STATUS_COLORS;
    from: string;
    to: string;
    message: string;
    detail: string;
    angle: number;
  };
  const arrows: Arrow[] = [];
  let omitted = 0;
  for (const e of events) {
    if (arrows.length >= SPACETIME_MAX_MESSAGES && (e.kind === "deliver" || e.kind === "drop")) {
      omitted++;
      continue;
    }
    if (e.kind === "deliver") {
      const x1 = lane.get(e.from) as number,
        x2 = lane.get(e.node) as number;
      const y1 = lamport ? (clockOf.get(e.sendSeq) ?? 0) : e.sentAt,
        y2 = y(e);
      arrows.push({
        x1,
        y1,
        x2,
        y2,
        status: e.copy > 1 ? "duplicate" : "delivered",
        from: e.from,
        to: e.node,
        message: describe(e.message),
        detail: `sent ${e.sentAt.toFixed(1)} ms, delivered ${e.time.toFixed(1)} ms`,
        angle: angle(x1, y1, x2, y2),
      });
    } else if (e.kind === "drop") {
      const x1 = lane.get(e.from) as number,
        x2 = lane.get(e.to) as number;
      const y1 = lamport ? (clockOf.get(e.sendSeq) ?? 0) : e.sentAt;
      // A lost message stops short of the receiver's lane (70% of the way: not on a lane in between).
      const x2h = x1 + LOST_FRACTION * (x2 - x1);
      const y2 = lamport ? y1 + 1 : Math.max(e.time, (e.sentAt + e.arrival) / 2);
      arrows.push({
        x1,
        y1,
        x2: x2h,
        y2,
        status: "lost",
        from: e.from,
        to: e.to,
        message: describe(e.message),
        detail: `lost (${e.reason}) after ${e.sentAt.toFixed(1)} ms`,
        angle: 0,
      });
    }
  }
  const points = events
    .filter(
      (e): e is Extract<TraceEvent, { node: string }> =>
        "node" in e && (e.kind === "send" || e.kind === "deliver" || e.kind === "timer" || e.kind === "start"),
    )
    .map((e) => ({ x: lane.get(e.node) as number, y: y(e), kind: e.kind, node: e.node, lamport: clockOf.get(e.seq) ?? 0 }));
  const failures = events
    .filter((e) => e.kind === "crash" || e.kind === "recover")
    .map((e) => ({ x: lane.get((e as { node: string }).node) as number, y: y(e), kind: e.kind, node: (e as { node: string }).node }));
  const partitions: { y1: number; y2: number; label: string }[] = [];
  if (!lamport) {
    const open = new Map<number, { at: number; groups: readonly (readonly string[])[] }>();
    for (const e of events) {
      if (e.kind === "partition") open.set(e.index, { at: e.time, groups: e.groups });
      if (e.kind === "heal") {
        const p = open.get(e.index);
        if (p) partitions.push({ y1: p.at, y2: e.time, label: `partition ${p.groups.map((g) => `{${g.join(",")}}`).join(" | ")}` });
        open.delete(e.index);
      }
    }
    for (const p of open.values())
      partitions.push({ y1: p.at, y2: end, label: `partition ${p.groups.map((g) => `{${g.join(",")}}`).join(" | ")} (not healed)` });
  }

  const xScale = { domain: [-0.5, nodes.length - 0.5], nice: false, zero: false };
  const yScale = { domain: [0, end], reverse: true, nice: false, zero: true };
  const x = {
    type: "quantitative",
    scale: xScale,
    axis: { title: "node", values: nodes.map((_, i) => i), labelExpr: `${JSON.stringify(nodes)}[datum.value]`, grid: false, orient: "top" },
  };
  const yTitle = lamport ? "Lamport clock" : "simulated time (ms)";
  const yEnc = (field: string): Record<string, unknown> => ({ field, type: "quantitative", scale: yScale, axis: { title: yTitle } });
  const xEnc = (field: string): Record<string, unknown> => ({ field, ...x });
  const s = trace.summary();
  const subtitle =
    `${s.sent} sent, ${s.delivered} delivered, ${s.dropped.loss + s.dropped.partition + s.dropped.crashed} lost; stopped: ${trace.stop.reason}` +
    (omitted > 0 ? `; ${omitted} later messages not drawn` : "");

  const layer: Record<string, unknown>[] = [];
  if (partitions.length > 0)
    layer.push({
      data: { values: partitions },
      mark: { type: "rect", color: "#999", opacity: 0.18 },
      encoding: {
        y: yEnc("y1"),
        y2: { field: "y2" },
        x: { datum: -0.5, ...x },
        x2: { datum: nodes.length - 0.5 },
        tooltip: [{ field: "label", title: "partition" }],
      },
    });
  layer.push({
    data: { values: nodes.map((n, i) => ({ x: i, y1: 0, y2: end, node: n })) },
    mark: { type: "rule", color: "#333", strokeWidth: 1.5 },
    encoding: { x: xEnc("x"), y: yEnc("y1"), y2: { field: "y2" } },
  });
  const status = {
    field: "status",
    type: "nominal",
    title: "message",
    scale: { domain: Object.keys(STATUS_COLORS), range: Object.values(STATUS_COLORS) },
  };
  layer.push({
    data: { values: arrows },
    mark: { type: "rule", strokeWidth: 1.5 },
    encoding: {
      x: xEnc("x1"),
      x2: { field: "x2" },
      y: yEnc("y1"),
      y2: { field: "y2" },
      color: status,
      strokeDash: {
        field: "status",
        type: "nominal",
        legend: null,
        scale: {
          domain: Object.keys(STATUS_COLORS),
          range: [
            [1, 0],
            [1, 0],
            [5, 4],
          ],
        },
      },
      tooltip: [{ field: "from" }, { field: "to" }, { field: "message" }, { field: "detail" }],
    },
  });
  layer.push({
    data: { values: arrows.filter((a) => a.status !== "lost") },
    mark: { type: "point", shape: "triangle", filled: true, size: 60 },
    encoding: {
      x: xEnc("x2"),
      y: yEnc("y2"),
      angle: { field: "angle", type: "quantitative", scale: null },
      color: { ...status, legend: null },
    },
  });
  layer.push({
    data: { values: arrows.filter((a) => a.status === "lost") },
    mark: { type: "point", shape: "cross", filled: true, size: 70, angle: 45, color: STATUS_COLORS.lost },
    encoding: { x: xEnc("x2"), y: yEnc("y2"), tooltip: [{ field: "detail" }] },
  });
  layer.push({
    data: { values: points },
    mark: { type: "point", filled: true, size: 18, color: "#333" },
    encoding: {
      x: xEnc("x"),
      y: yEnc("y"),
      tooltip: [{ field: "node" }, { field: "kind" }, { field: "y", title: yTitle }, { field: "lamport" }],
    },
  });
  if (failures.length > 0)
    layer.push({
      data: { values: failures },
      mark: { type: "point", filled: true, size: 220, strokeWidth: 2 },
      encoding: {
        x: xEnc("x"),
        y: yEnc("y"),
        shape: { field: "kind", type: "nominal", title: "failure", scale: { domain: ["crash", "recover"], range: ["cross", "diamond"] } },
        color: { field: "kind", type: "nominal", legend: null, scale: { domain: ["crash", "recover"], range: ["#d62728", "#2ca02c"] } },
        tooltip: [{ field: "node" }, { field: "kind" }, { field: "y", title: yTitle }],
      },
    });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: options.title ?? `Spacetime diagram (seed ${trace.seed})`, subtitle },
    width,
    height,
    resolve: { scale: { color: "independent", shape: "independent" } },
    layer,
  };
}
