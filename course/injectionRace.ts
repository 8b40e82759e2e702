/**
 * Lesson 8's race: how many executions does it take to find the first bug — LDFI (deterministic,
 * one number per program) against random fault injection over the same bounds (one number per
 * seed)? Molly's evaluation (Figure 12 of the SIGMOD 2015 paper) made the same comparison.
 */
import type { Program } from "../lib/dedalus/ast";
import type { VegaLiteSpec } from "../lib/viz/render";
import { ldfiCheck } from "../lib/ldfi/lessonSearch";

/** A program with the bounds at which it has a counterexample. */
export interface RaceCase {
  readonly name: string;
  readonly program: Program;
  readonly eot: number;
  readonly eff: number;
  readonly crashes: number;
}

/** Executions one search needed (capped at the run limit when it found nothing). */
export interface RaceRow {
  readonly program: string;
  readonly strategy: "ldfi" | "random";
  /** The random strategy's seed; null for LDFI, which is deterministic. */
  readonly seed: number | null;
  readonly executions: number;
  readonly found: boolean;
}

/**
 * Runs LDFI once and random injection once per seed on every case, each until its first
 * counterexample or `maxRuns` executions (the failure-free run counts as one).
 */
export function executionsToFirstBug(cases: readonly RaceCase[], seeds: readonly number[], maxRuns: number): RaceRow[] {
  const rows: RaceRow[] = [];
  for (const c of cases) {
    const bounds = { eot: c.eot, eff: c.eff, crashes: c.crashes, maxRuns };
    const l = ldfiCheck(c.program, bounds);
    rows.push({ program: c.name, strategy: "ldfi", seed: null, executions: l.executions, found: l.verdict === "counterexample" });
    for (const seed of seeds) {
      const r = ldfiCheck(c.program, { ...bounds, strategy: "random", seed });
      rows.push({ program: c.name, strategy: "random", seed, executions: r.executions, found: r.verdict === "counterexample" });
    }
  }
  return rows;
}

/** Mean executions per program and strategy (a summary table for the chart). */
export function raceSummary(
  rows: readonly RaceRow[],
): { program: string; ldfi: number; randomMean: number; randomMax: number; ratio: number }[] {
  const names = [...new Set(rows.map((r) => r.program))];
  return names.map((program) => {
    const l = rows.find((r) => r.program === program && r.strategy === "ldfi")?.executions ?? NaN;
    const rs = rows.filter((r) => r.program === program && r.strategy === "random").map((r) => r.executions);
    const mean = rs.reduce((a, b) => a + b, 0) / Math.max(1, rs.length);
    return {
      program,
      ldfi: l,
      randomMean: Math.round(mean * 10) / 10,
      randomMax: Math.max(...rs),
      ratio: Math.round((mean / l) * 10) / 10,
    };
  });
}

/**
 * A dot chart of {@link executionsToFirstBug}: one row per program, executions on a log axis, a
 * dot per random seed, a bar for the random mean and a diamond for LDFI.
 */
export function executionsToFirstBugSpec(rows: readonly RaceRow[], title: string): VegaLiteSpec {
  const x = {
    field: "executions",
    type: "quantitative",
    scale: { type: "log" },
    title: "executions until the first counterexample (log scale)",
  };
  // Case names carry their bounds ("classic broadcast 5/3/0"); the default 180 px limit cut them.
  const y = { field: "program", type: "nominal", sort: null, title: null, axis: { labelLimit: 320 } };
  const color = {
    field: "strategy",
    type: "nominal",
    title: "strategy",
    scale: { domain: ["ldfi", "random"], range: ["#8250df", "#bf8700"] },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values: rows.map((r) => ({ ...r, seedLabel: r.seed === null ? "deterministic" : `seed ${r.seed}` })) },
    width: 460,
    height: { step: 38 },
    layer: [
      {
        transform: [{ filter: "datum.strategy === 'random'" }],
        mark: { type: "point", filled: true, opacity: 0.55, size: 45 },
        encoding: { x, y, color, tooltip: [{ field: "seedLabel", title: "run" }, { field: "executions" }, { field: "found" }] },
      },
      {
        transform: [
          { filter: "datum.strategy === 'random'" },
          { aggregate: [{ op: "mean", field: "executions", as: "executions" }], groupby: ["program", "strategy"] },
        ],
        mark: { type: "tick", thickness: 3, size: 26 },
        encoding: { x, y, color, tooltip: [{ field: "executions", title: "random, mean", format: ".1f" }] },
      },
      {
        transform: [{ filter: "datum.strategy === 'ldfi'" }],
        mark: { type: "point", shape: "diamond", filled: true, size: 170 },
        encoding: { x, y, color, tooltip: [{ field: "executions", title: "LDFI" }, { field: "found" }] },
      },
    ],
  };
}
