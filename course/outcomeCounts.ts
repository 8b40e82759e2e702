import type { Program } from "../lib/dedalus/ast";
import { outcomeSpread, type OutcomeSpread } from "../lib/dedalus/outcomes";
import type { Seed } from "../lib/random/random";
import type { VegaLiteSpec } from "../lib/viz/render";

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

/**
 * Widest axis label or legend title, in pixels. Headless SVG rendering has no canvas and estimates
 * text widths generously, so Vega's default limit (180 px) cut names like "put/delete race (deletion)".
 */
const LABEL_LIMIT = 320;

/** Width per bar, in pixels: room for a program name of about 30 characters under its bar. */
const BAR_STEP = 175;

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
  const x = { field: "program", type: "nominal", title: "program", sort: order, axis: { labelAngle: 0, labelLimit: LABEL_LIMIT } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title ?? `Distinct outcomes over ${entries[0]?.spread.schedules ?? 0} random delivery schedules`,
    width: options.width ?? Math.max(240, BAR_STEP * entries.length),
    height: 240,
    layer: [
      {
        data: { values: rows },
        mark: { type: "bar", stroke: "white", strokeWidth: 1 },
        encoding: {
          x,
          y: { field: "schedules", type: "quantitative", title: "schedules ending in this outcome", stack: "zero" },
          color: {
            field: "outcome",
            type: "ordinal",
            title: "outcome (1 = most frequent)",
            scale: { scheme: "tableau10" },
            legend: { titleLimit: LABEL_LIMIT },
          },
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

/** One program whose outcomes are counted at several EOTs (see {@link distinctOutcomesByEot}). */
export interface EotSpreadCase {
  /** The name a chart shows. */
  readonly name: string;
  readonly program: Program;
  /** The relations that make up the outcome. */
  readonly relations: readonly string[];
  readonly nodes?: readonly string[];
}

/** How many distinct outcomes one program had when its runs stopped at one EOT. */
export interface EotSpreadRow {
  readonly program: string;
  readonly eot: number;
  readonly distinct: number;
  /** Schedules that ended in the most frequent outcome. */
  readonly commonest: number;
  readonly schedules: number;
}

/** Schedules, seed and delay bound shared by every point of {@link distinctOutcomesByEot}. */
export interface EotSpreadOptions {
  readonly schedules: number;
  readonly seed: Seed;
  /** Default 3, as {@link outcomeSpread}. */
  readonly maxDelay?: number;
}

/**
 * Confluence is about the end: a confluent program reaches the same outcome under every delivery
 * schedule *once every message has arrived*. Stopping the runs early shows the difference: for each
 * EOT, the same schedules (same seed, so the same delays) are run to that EOT and their outcomes at
 * EOT counted. A monotone program has many outcomes while messages are still in flight and one
 * after; a program that is not confluent keeps several however late EOT is.
 */
export function distinctOutcomesByEot(cases: readonly EotSpreadCase[], eots: readonly number[], options: EotSpreadOptions): EotSpreadRow[] {
  return cases.flatMap((c) =>
    eots.map((eot) => {
      const spread = outcomeSpread(c.program, {
        schedules: options.schedules,
        seed: options.seed,
        eot,
        relations: c.relations,
        ...(options.maxDelay !== undefined ? { maxDelay: options.maxDelay } : {}),
        ...(c.nodes ? { nodes: [...c.nodes] } : {}),
      });
      return {
        program: c.name,
        eot,
        distinct: spread.distinct,
        commonest: spread.outcomes[0]?.schedules ?? 0,
        schedules: spread.schedules,
      };
    }),
  );
}

/** A line chart of {@link distinctOutcomesByEot}: distinct outcomes (log axis) against EOT, one line per program. */
export function distinctOutcomesByEotSpec(rows: readonly EotSpreadRow[], title: string): VegaLiteSpec {
  const order = [...new Set(rows.map((r) => r.program))];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values: rows },
    width: 420,
    height: 240,
    mark: { type: "line", point: { filled: true, size: 60 } },
    encoding: {
      x: { field: "eot", type: "quantitative", title: "EOT (a message still in flight then is never delivered)", axis: { tickMinStep: 1 } },
      y: { field: "distinct", type: "quantitative", scale: { type: "log" }, title: "outcomes at EOT (log)" },
      color: {
        field: "program",
        type: "nominal",
        title: "program",
        sort: order,
        legend: { labelLimit: 320, orient: "bottom", direction: "vertical" },
      },
      tooltip: [
        { field: "program" },
        { field: "eot" },
        { field: "distinct" },
        { field: "commonest", title: "schedules in the commonest outcome" },
      ],
    },
  };
}
