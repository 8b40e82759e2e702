import type { OutcomeSpread } from "../dedalus/outcomes";
import type { VegaLiteSpec } from "../viz/render";

/** One program's spread of outcomes, under the name a chart shows for it. */
export interface NamedSpread {
  readonly program: string;
  readonly spread: OutcomeSpread;
}

/** One bar segment: how many schedules of one program ended in its k-th most frequent outcome. */
export interface OutcomeCountRow {
  readonly program: string;
  /** 1 = the most frequent outcome. */
  readonly outcome: number;
  readonly schedules: number;
  /** The outcome's facts, comma-separated (`(nothing)` when empty), for tooltips and tables. */
  readonly facts: string;
  /** Whether this outcome is the one the failure-free, delay-1 schedule produces. */
  readonly synchronous: boolean;
}

/** Most facts listed in one row's `facts`: a tooltip longer than this is unreadable. */
const MAX_FACTS_SHOWN = 8;

function describe(facts: readonly string[]): string {
  if (facts.length === 0) return "(nothing)";
  const shown = facts.slice(0, MAX_FACTS_SHOWN).join(", ");
  return facts.length > MAX_FACTS_SHOWN ? `${shown}, … (${facts.length} facts)` : shown;
}

/** Flattens spreads into one row per (program, distinct outcome), most frequent outcome first. */
export function outcomeCountRows(entries: readonly NamedSpread[]): OutcomeCountRow[] {
  return entries.flatMap(({ program, spread }) =>
    spread.outcomes.map((o, i) => ({
      program,
      outcome: i + 1,
      schedules: o.schedules,
      facts: describe(o.facts),
      synchronous: o.facts.join("\n") === spread.synchronous.join("\n"),
    })),
  );
}

/** Options of {@link outcomeCountsSpec}. */
export interface OutcomeCountsOptions {
  readonly title?: string;
  readonly width?: number;
}

/**
 * A stacked bar chart of outcome counts: one bar per program, as tall as the number of schedules,
 * cut into one segment per distinct outcome, with "N outcomes" written above it. A program whose
 * result does not depend on delivery timing is one solid bar.
 */
export function outcomeCountsSpec(entries: readonly NamedSpread[], options: OutcomeCountsOptions = {}): VegaLiteSpec {
  const rows = outcomeCountRows(entries);
  const labels = entries.map(({ program, spread }) => ({
    program,
    total: spread.schedules,
    label: `${spread.distinct} outcome${spread.distinct === 1 ? "" : "s"}`,
  }));
  const order = entries.map((e) => e.program);
  const x = { field: "program", type: "nominal", title: "program", sort: order, axis: { labelAngle: 0, labelLimit: 200 } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title ?? `Distinct outcomes over ${entries[0]?.spread.schedules ?? 0} random delivery schedules`,
    width: options.width ?? Math.max(240, 130 * entries.length),
    height: 240,
    layer: [
      {
        data: { values: rows },
        mark: { type: "bar", stroke: "white", strokeWidth: 1 },
        encoding: {
          x,
          y: { field: "schedules", type: "quantitative", title: "schedules ending in this outcome", stack: "zero" },
          color: { field: "outcome", type: "ordinal", title: "outcome (1 = most frequent)", scale: { scheme: "tableau10" } },
          order: { field: "outcome", type: "ordinal" },
          tooltip: [
            { field: "program", type: "nominal" },
            { field: "outcome", type: "ordinal" },
            { field: "schedules", type: "quantitative" },
            { field: "facts", type: "nominal", title: "observed facts" },
          ],
        },
      },
      {
        data: { values: labels },
        mark: { type: "text", dy: -8, fontWeight: "bold" },
        encoding: { x, y: { field: "total", type: "quantitative" }, text: { field: "label", type: "nominal" } },
      },
    ],
  };
}
