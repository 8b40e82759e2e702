import { messageKey } from "../dedalus/messageKey";
import type { Program } from "../dedalus/ast";
import { replayFaults } from "../ldfi/lessonSearch";
import type { FaultSet } from "../ldfi/faults";
import type { ObservedMessage } from "../ldfi/observation";
import type { VegaLiteSpec } from "./render";

const STATUSES = ["delivered", "lost", "after EOT"];
const STATUS_COLORS = ["#1f6feb", "#d1242f", "#8c959f"];

/** What one LDFI run's spacetime diagram shows. */
export interface LdfiSpacetimeInput {
  readonly nodes: readonly string[];
  readonly eot: number;
  readonly messages: readonly ObservedMessage[];
  readonly faults: FaultSet;
  readonly title?: string;
}

/**
 * A spacetime diagram of one Dedalus run under faults: one vertical line per node, time flowing
 * down, one arrow per cross-node message from (sender, send time) to (receiver, send time + 1).
 * Delivered messages are solid with a dot where they arrive, lost ones dashed and red, sends at EOT
 * (arriving after the run) dotted grey; a crash is a red cross on the node at
 * its crash time, with the node's line dashed from there on (it is mute, not gone). Messages with
 * the same endpoints and time are drawn once, labelled with every relation they carried.
 */
export function ldfiSpacetimeSpec(input: LdfiSpacetimeInput): VegaLiteSpec {
  const { nodes, eot } = input;
  const crashAt = new Map(input.faults.crashes.map((c) => [c.node, c.time]));
  const grouped = new Map<string, { from: string; to: string; t: number; lost: boolean; late: boolean; rels: Set<string> }>();
  for (const m of input.messages) {
    if (m.from === m.to) continue;
    const key = messageKey(m.from, m.to, m.sendTime);
    const g = grouped.get(key) ?? { from: m.from, to: m.to, t: m.sendTime, lost: false, late: false, rels: new Set<string>() };
    g.lost ||= m.lost !== null && m.lost !== "after-eot";
    g.late ||= m.lost === "after-eot";
    g.rels.add(m.rel);
    grouped.set(key, g);
  }
  const messages = [...grouped.values()].map((g) => ({
    from: g.from,
    to: g.to,
    send: g.t,
    recv: g.t + 1,
    // a send at EOT arrives after the run ends: not a fault, just too late to matter
    status: g.lost ? "lost" : g.late ? "after EOT" : "delivered",
    label: [...g.rels].sort().join(", "),
  }));
  const lifelines = nodes.flatMap((n) => {
    const c = crashAt.get(n);
    if (c === undefined) return [{ node: n, from: 0.5, to: eot + 1, state: "alive" }];
    return [
      { node: n, from: 0.5, to: c, state: "alive" },
      { node: n, from: c, to: eot + 1, state: "mute" },
    ];
  });
  const crashes = [...crashAt].map(([node, time]) => ({ node, time, label: `crash(${node},${time})` }));
  const x = { field: "node", type: "nominal", scale: { domain: [...nodes] }, axis: { orient: "top", title: null, labelAngle: 0 } };
  const y = { type: "quantitative", scale: { domain: [eot + 1, 0.5], nice: false }, axis: { title: "time", tickMinStep: 1 } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(input.title ? { title: input.title } : {}),
    width: Math.max(160, 110 * nodes.length),
    height: Math.max(160, 40 * (eot + 1)),
    // lifelines and messages dash for different reasons (mute node vs lost message)
    resolve: { scale: { strokeDash: "independent" } },
    layer: [
      {
        data: { values: lifelines },
        mark: { type: "rule", color: "#999" },
        encoding: {
          x,
          y: { ...y, field: "from" },
          y2: { field: "to" },
          strokeDash: {
            field: "state",
            type: "nominal",
            scale: {
              domain: ["alive", "mute"],
              range: [
                [1, 0],
                [2, 3],
              ],
            },
            legend: null,
          },
        },
      },
      {
        data: { values: messages },
        // each message becomes its own two-point line: (sender, send time) -> (receiver, send time + 1)
        transform: [
          { calculate: "datum.from + '>' + datum.to + '@' + datum.send", as: "label_key" },
          { fold: ["from", "to"], as: ["end", "node"] },
          { calculate: "datum.end === 'from' ? datum.send : datum.recv", as: "time" },
        ],
        mark: { type: "line", strokeWidth: 1.5 },
        encoding: {
          x,
          y: { ...y, field: "time" },
          detail: { field: "label_key", type: "nominal" },
          color: { field: "status", type: "nominal", scale: { domain: STATUSES, range: STATUS_COLORS }, legend: { title: "message" } },
          strokeDash: {
            field: "status",
            type: "nominal",
            scale: {
              domain: STATUSES,
              range: [
                [1, 0],
                [5, 4],
                [1, 3],
              ],
            },
            legend: null,
          },
          tooltip: [{ field: "label", title: "relations" }, { field: "status" }],
        },
      },
      {
        // a dot where the message arrives (or would have): the direction of the arrow
        data: { values: messages },
        mark: { type: "point", filled: true, size: 30 },
        encoding: {
          x: { ...x, field: "to" },
          y: { ...y, field: "recv" },
          color: { field: "status", type: "nominal", scale: { domain: STATUSES, range: STATUS_COLORS }, legend: null },
          tooltip: [{ field: "label", title: "relations" }, { field: "status" }],
        },
      },
      {
        data: { values: crashes },
        mark: { type: "point", shape: "cross", size: 220, color: "#d1242f", filled: true },
        encoding: { x, y: { ...y, field: "time" }, tooltip: [{ field: "label" }] },
      },
    ],
  };
}

/**
 * The spacetime diagram of one run of `program` under `f` (lost messages dashed red, crashes
 * marked), drawn by {@link ldfiSpacetimeSpec}.
 */
export function faultRunSpacetime(program: Program, eot: number, f: FaultSet, title: string, nodes?: readonly string[]): VegaLiteSpec {
  const run = replayFaults(program, eot, f, nodes);
  const messages = run.messages.filter((m) => m.from !== m.to && run.nodes.includes(m.to));
  const spec = ldfiSpacetimeSpec({ nodes: run.nodes, eot, messages, faults: f, title });
  // The lifelines (alive/mute) and the messages (delivered/lost) each have their own dash legend;
  // without independent scales Vega-Lite merges the two domains and warns while rendering.
  return { ...spec, resolve: { scale: { strokeDash: "independent" } } };
}
