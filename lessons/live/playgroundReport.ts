/**
 * The pictures the playground shows beside a command's JSON, computed in the worker: for `run`
 * the relations over time and the messages in spacetime; for `ldfi` the spacetime of the
 * counterexample (lost messages dashed, crashed senders marked) and the lineage of the lost goal in
 * the failure-free run — what `maze ldfi --report` draws.
 */
import type { DedalusJsonRequest } from "../../lib/cli/dedalusJson";
import { loadChecked } from "../../lib/dedalus/load";
import type { Fact } from "../../lib/dedalus/runtime";
import { tableBundle } from "../../kernel/display";
import { ldfiRunRows, replayFaults } from "../../lib/ldfi/lessonSearch";
import { faultRunSpacetime } from "../../lib/viz/ldfiSpacetime";
import type { SearchResult } from "../../lib/ldfi/result";
import { formatTuple } from "../../lib/dedalus/factText";
import { faultSet, formatFaults, NO_FAULTS } from "../../lib/ldfi/faults";
import { lineageChart, lineageOf } from "../../lib/viz/lineage";
import { relationHeatmap } from "../../lib/viz/relations";
import type { VegaLiteSpec } from "../../lib/viz/render";

/** One picture: a title and its Vega-Lite spec. */
export interface ReportChart {
  readonly title: string;
  readonly spec: VegaLiteSpec;
}

/** A table of the report: a title and its HTML (values escaped by the table builder). */
export interface ReportTable {
  readonly title: string;
  readonly html: string;
}

/** Spacetime diagrams drawn per search run at most (the CLI's HTML report draws up to 40; a page stays quick with fewer). */
export const MAX_PLAYGROUND_SPACETIMES = 12;

/** The playground's pictures for one answered request (empty when the request failed). */
export interface PlaygroundReport {
  readonly tables: ReportTable[];
  readonly charts: ReportChart[];
  /** Why a picture is missing, when one is. */
  readonly notes: string[];
}

interface LdfiJsonShape {
  verdict?: string;
  counterexample?: {
    omissions: { from: string; to: string; time: number }[];
    crashes: { node: string; time: number }[];
    missing: string[];
  } | null;
}

/**
 * Draws what a successful `run` or `ldfi` answer shows — for `ldfi` with the search's result, the
 * runs table and a spacetime diagram per run, as `maze ldfi --report` does; never throws (a failed
 * picture becomes a note).
 */
export function playgroundReport(req: DedalusJsonRequest, json: object, search?: SearchResult): PlaygroundReport {
  const charts: ReportChart[] = [];
  const tables: ReportTable[] = [];
  const notes: string[] = [];
  if ("error" in json || req.command === "check") return { tables, charts, notes };
  try {
    const program = loadChecked(
      Object.entries(req.files).map(([file, text]) => ({ file, text })),
      req.allowNonlocal ? { locality: "warn" } : {},
    ).program;
    const nodes =
      req.nodes === undefined
        ? undefined
        : (typeof req.nodes === "string" ? req.nodes.split(",") : [...req.nodes]).map((n) => n.trim()).filter((n) => n !== "");
    const eot = req.eot ?? 3;
    if (req.command === "run") {
      const facts = (json as { facts: Fact[] }).facts;
      charts.push({ title: "relations over time", spec: relationHeatmap(facts) });
      charts.push({ title: "messages in spacetime", spec: faultRunSpacetime(program, eot, NO_FAULTS, "the run's messages", nodes) });
      return { tables, charts, notes };
    }
    const ce = (json as LdfiJsonShape).counterexample;
    if (ce) {
      const f = faultSet(ce.omissions, ce.crashes);
      charts.push({
        title: "counterexample in spacetime",
        spec: faultRunSpacetime(program, eot, f, `counterexample: ${formatFaults(f)}`, nodes),
      });
      const ff = replayFaults(program, eot, NO_FAULTS, nodes);
      const goal = ff.facts().find((x) => x.time === eot && formatTuple(x.rel, x.args) === ce.missing[0]);
      if (goal) charts.push({ title: `lineage of ${ce.missing[0]} in the failure-free run`, spec: lineageChart(lineageOf(ff, goal)) });
      else notes.push(`no lineage drawn: ${ce.missing[0] ?? "the lost goal"} is not a fact of the failure-free run at EOT`);
    } else {
      charts.push({ title: "failure-free run in spacetime", spec: faultRunSpacetime(program, eot, NO_FAULTS, "failure-free run", nodes) });
    }
    if (search) {
      tables.push({
        title: "every run of the search",
        html: tableBundle(ldfiRunRows(search), `${search.executions} executions (${search.strategy})`)["text/html"] as string,
      });
      const shown = search.runs.slice(0, MAX_PLAYGROUND_SPACETIMES);
      for (const r of shown)
        charts.push({
          title: `run ${r.index}: ${r.outcome}`,
          spec: faultRunSpacetime(program, eot, r.faults, `run ${r.index}: ${formatFaults(r.faults)} (${r.outcome})`, nodes),
        });
      if (search.runs.length > shown.length) notes.push(`spacetime diagrams of the first ${shown.length} of ${search.runs.length} runs`);
    }
  } catch (e) {
    notes.push(`pictures unavailable: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { tables, charts, notes };
}
