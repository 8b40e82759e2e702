import * as fs from "node:fs";
import * as path from "node:path";
import { formatFaults, replayFlags, type FaultSet } from "../ldfi/faults";
import type { SupportGraph } from "../ldfi/lineage";
import type { SearchResult } from "../ldfi/result";
import { ldfiSpacetimeSpec } from "./ldfiSpacetime";
import { renderSvg } from "./render";
import { lineageGraphSpec } from "./reportLineage";

/** Spacetime diagrams drawn per report; the runs table still lists every run. */
export const MAX_REPORT_SPACETIMES = 40;

/** What a report shows besides the search result. */
export interface LdfiReportInput {
  readonly result: SearchResult;
  /** Input files, as given on the command line (for the replay command). */
  readonly files: readonly string[];
  /** The run's nodes. */
  readonly nodes: readonly string[];
  /** Whether the nodes were given explicitly (then the replay command repeats them). */
  readonly explicitNodes?: boolean;
  /**
   * Lineage of one goal in the failure-free run (`roots[0]`), drawn with the counterexample's
   * broken edges highlighted; omitted when the strategy recorded none.
   */
  readonly lineage?: { readonly goal: string; readonly graph: SupportGraph };
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

/** Quotes one shell word when it needs it. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The `maze run` command line that replays a fault set on the same program and bounds. */
export function replayCommand(input: { files: readonly string[]; eot: number; nodes?: readonly string[] }, faults: FaultSet): string {
  return [
    "maze run",
    ...input.files.map(shellWord),
    `--eot ${input.eot}`,
    ...(input.nodes ? [`--nodes ${shellWord(input.nodes.join(","))}`] : []),
    ...replayFlags(faults),
  ].join(" ");
}

/**
 * Builds the LDFI report as one self-contained HTML page (inline CSS and SVG, no scripts, no
 * network): summary, counterexample with its replay command, lineage of the goal, runs table and
 * a spacetime diagram per run. Every piece of user text (file names, tuples, node names) is escaped.
 */
export async function buildLdfiReport(input: LdfiReportInput): Promise<string> {
  const r = input.result;
  const b = r.bounds;
  const replayBase = { files: input.files, eot: b.eot, ...(input.explicitNodes ? { nodes: input.nodes } : {}) };
  const parts: string[] = [];
  const h = escapeHtml;

  parts.push(`<h1>LDFI report: ${h(input.files.join(" "))}</h1>`);
  const verdictClass = r.verdict === "certified" ? "ok" : r.verdict === "counterexample" ? "bad" : "warn";
  parts.push(`<table class="summary">
<tr><th>verdict</th><td class="${verdictClass}">${h(r.verdict)}${r.limit ? ` (limit: ${h(r.limit)})` : ""}</td></tr>
<tr><th>bounds</th><td>EOT ${b.eot}, EFF ${b.eff}, crashes ${b.crashes}; nodes ${h(b.nodes.join(", "))}</td></tr>
<tr><th>strategy</th><td>${h(r.strategy)}</td></tr>
<tr><th>executions</th><td>${r.executions} (including the failure-free run)</td></tr>
<tr><th>wall time</th><td>${r.wallMs.toFixed(1)} ms</td></tr>
<tr><th>failure-free post</th><td>${r.failureFreePost.map(h).join("<br>") || "(empty: nothing can be violated)"}</td></tr>
</table>`);
  for (const w of r.warnings) parts.push(`<p class="warn">warning: ${h(w)}</p>`);

  if (r.counterexample) {
    const ce = r.counterexample;
    parts.push(`<h2>Counterexample</h2>
<p>Faults: <code>${h(formatFaults(ce.faults))}</code></p>
<p>Lost while their <code>pre</code> held: ${ce.missing.map((m) => `<code>${h(m)}</code>`).join(", ")}</p>
<p>Replay it:</p><pre>${h(replayCommand(replayBase, ce.faults))}</pre>`);
  }

  if (input.lineage) {
    const faults = r.counterexample?.faults ?? { omissions: [], crashes: [] };
    const title = `lineage of ${input.lineage.goal} in the failure-free run`;
    const { spec, truncated } = lineageGraphSpec(input.lineage.graph, input.lineage.graph.roots[0] as number, faults, title);
    parts.push(`<h2>Lineage of the goal</h2>
<p>How <code>${h(input.lineage.goal)}</code> was derived in the failure-free run, down to the messages between nodes it depends on.
"any of" is a choice between alternative derivations, "all of" the premises of one derivation.${r.counterexample ? " Red: message edges the counterexample breaks, and everything that breaks with them." : ""}${truncated ? " (Drawing cut to its first nodes.)" : ""}</p>
<div class="chart">${await renderSvg(spec)}</div>`);
  }

  parts.push(
    `<h2>Runs</h2><table class="runs"><tr><th>#</th><th>faults</th><th>outcome</th><th>lost (pre held)</th><th>ms</th><th>replay</th></tr>`,
  );
  for (const run of r.runs) {
    const cls = run.outcome === "violation" ? "bad" : "";
    parts.push(
      `<tr class="${cls}"><td><a href="#run-${run.index}">${run.index}</a></td><td><code>${h(formatFaults(run.faults))}</code></td><td>${h(run.outcome)}</td><td>${run.missing.map(h).join("<br>")}</td><td>${run.wallMs.toFixed(1)}</td><td><code class="small">${h(replayCommand(replayBase, run.faults))}</code></td></tr>`,
    );
  }
  parts.push(`</table>`);

  parts.push(
    `<h2>Spacetime diagrams</h2><p>Time flows down; one column per node. Dashed red arrows are lost messages; a red cross marks a crash, after which the node's line is dashed (it still computes and receives, but sends nothing to others).</p>`,
  );
  let drawn = 0;
  for (const run of r.runs) {
    if (!run.observation) continue;
    if (drawn >= MAX_REPORT_SPACETIMES && run.outcome !== "violation") continue;
    drawn++;
    const svg = await renderSvg(
      ldfiSpacetimeSpec({
        nodes: input.nodes,
        eot: b.eot,
        messages: run.observation.messages,
        faults: run.faults,
        title: `run ${run.index}: ${formatFaults(run.faults)} → ${run.outcome}`,
      }),
    );
    parts.push(
      `<section id="run-${run.index}"><h3>Run ${run.index}: <code>${h(formatFaults(run.faults))}</code> — ${h(run.outcome)}</h3><div class="chart">${svg}</div></section>`,
    );
  }
  const notDrawn = r.runs.length - drawn;
  if (notDrawn > 0) parts.push(`<p>${notDrawn} run(s) not drawn (the report keeps the first runs and the counterexample).</p>`);

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LDFI report: ${h(input.files.join(" "))}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:1200px;color:#1f2328}
code,pre{font-family:ui-monospace,monospace}pre{background:#f6f8fa;padding:.6rem;overflow-x:auto}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
.ok{color:#1a7f37;font-weight:bold}.bad{color:#d1242f;font-weight:bold}.warn{color:#9a6700}
tr.bad td{background:#ffebe9}.small{font-size:.75rem}.chart{overflow-x:auto;margin:.5rem 0}
</style></head><body>
${parts.join("\n")}
</body></html>
`;
}

/** Writes the report to `dir/index.html` (creating `dir`) and returns the file's path. */
export async function writeLdfiReport(dir: string, input: LdfiReportInput): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "index.html");
  fs.writeFileSync(file, await buildLdfiReport(input));
  return file;
}
