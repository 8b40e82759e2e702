/**
 * The pictures the playground shows beside a command's JSON, computed in the worker: for `run`
 * the relations over time and the messages in spacetime; for `ldfi` the spacetime of the
 * counterexample (lost messages dashed, crashed senders marked) and the lineage of the lost goal in
 * the failure-free run — what `maze ldfi --report` draws.
 */
import type { DedalusJsonRequest } from "../../lib/cli/dedalusJson";
import { parseProgram } from "../../lib/dedalus/load";
import type { Fact } from "../../lib/dedalus/runtime";
import { faultRunSpacetime, replayFaults } from "../../lib/experiments/ldfiCheck";
import { formatTuple } from "../../lib/ldfi/dedalusTarget";
import { faultSet, formatFaults, NO_FAULTS } from "../../lib/ldfi/faults";
import { lineageChart, lineageOf } from "../../lib/viz/lineage";
import { relationHeatmap } from "../../lib/viz/relations";
import type { VegaLiteSpec } from "../../lib/viz/render";

/** One picture: a title and its Vega-Lite spec. */
export interface ReportChart {
  readonly title: string;
  readonly spec: VegaLiteSpec;
}

/** The playground's pictures for one answered request (empty when the request failed). */
export interface PlaygroundReport {
  readonly charts: ReportChart[];
  /** Why a picture is missing, when one is. */
  readonly notes: string[];
}

interface LdfiJsonShape {
  verdict?: string;
  counterexample?: { omissions: { from: string; to: string; time: number }[]; crashes: { node: string; time: number }[]; missing: string[] } | null;
}

/** Draws what a successful `run` or `ldfi` answer shows; never throws (a failed picture becomes a note). */
export function playgroundReport(req: DedalusJsonRequest, json: object): PlaygroundReport {
  const charts: ReportChart[] = [];
  const notes: string[] = [];
  if ("error" in json || req.command === "check") return { charts, notes };
  try {
    const program = parseProgram(Object.entries(req.files).map(([file, text]) => ({ file, text })), req.allowNonlocal ? { locality: "warn" } : {}).program;
    const nodes = req.nodes === undefined ? undefined : (typeof req.nodes === "string" ? req.nodes.split(",") : [...req.nodes]).map((n) => n.trim()).filter((n) => n !== "");
    const eot = req.eot ?? 3;
    if (req.command === "run") {
      const facts = (json as { facts: Fact[] }).facts;
      charts.push({ title: "relations over time", spec: relationHeatmap(facts) });
      charts.push({ title: "messages in spacetime", spec: faultRunSpacetime(program, eot, NO_FAULTS, "the run's messages", nodes) });
      return { charts, notes };
    }
    const ce = (json as LdfiJsonShape).counterexample;
    if (ce) {
      const f = faultSet(ce.omissions, ce.crashes);
      charts.push({ title: "counterexample in spacetime", spec: faultRunSpacetime(program, eot, f, `counterexample: ${formatFaults(f)}`, nodes) });
      const ff = replayFaults(program, eot, NO_FAULTS, nodes);
      const goal = ff.facts().find((x) => x.time === eot && formatTuple(x.rel, x.args) === ce.missing[0]);
      if (goal) charts.push({ title: `lineage of ${ce.missing[0]} in the failure-free run`, spec: lineageChart(lineageOf(ff, goal)) });
      else notes.push(`no lineage drawn: ${ce.missing[0] ?? "the lost goal"} is not a fact of the failure-free run at EOT`);
    } else {
      charts.push({ title: "failure-free run in spacetime", spec: faultRunSpacetime(program, eot, NO_FAULTS, "failure-free run", nodes) });
    }
  } catch (e) {
    notes.push(`pictures unavailable: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { charts, notes };
}
