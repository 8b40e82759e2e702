/**
 * Lesson 7's experiments: a good outcome's **support** — the set of cross-node messages its
 * derivations depend on — and what losing any one of them does. The support formula (lib/dedalus
 * `support`) predicts it ("the goal survives iff some derivation keeps all its messages"); a re-run
 * with that one message omitted checks the prediction against the real evaluator.
 */
import type { Program } from "../lib/dedalus/ast";
import { formatEdge } from "../lib/dedalus/factText";
import { edgeKey, holds, support, type MessageEdge } from "../lib/dedalus/provenance";
import type { Fact, RunResult } from "../lib/dedalus/runtime";
import { edgesOf } from "../lib/ldfi/lineage";
import type { VegaLiteSpec } from "../lib/viz/render";
import { lineageGraphSpec } from "../lib/viz/reportLineage";
import { faults, replayFaults } from "../lib/ldfi/lessonSearch";

/** `a→b @1`: how the lesson labels a message edge (`formatEdge`). */
export function edgeLabel(e: MessageEdge): string {
  return formatEdge(e);
}

/** The distinct message edges (From != To, sent before EOT) that `fact`'s derivations depend on, by send time. */
export function supportEdges(run: RunResult, fact: Fact): MessageEdge[] {
  const g = support(run, [fact]);
  return edgesOf(g, g.roots).sort((a, b) => a.sendTime - b.sendTime || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/** What losing one message does to a goal: the formula's prediction and the re-run's answer. */
export interface SingleLossRow {
  readonly program: string;
  readonly message: string;
  /** The support formula with this one edge broken still holds. */
  readonly predicted: "survives" | "lost";
  /** The goal still holds in a re-run where every message on this edge is omitted. */
  readonly actual: "survives" | "lost";
}

/**
 * For each message edge in the support of `fact` (in the failure-free run), predicts from the
 * support formula whether `fact` survives that one loss, and checks by re-running with the omission.
 */
export function singleLossImpact(name: string, program: Program, eot: number, fact: Fact): SingleLossRow[] {
  const ff = replayFaults(program, eot, faults());
  if (!ff.has(fact.rel, fact.args, fact.time))
    throw new RangeError(`singleLossImpact: ${fact.rel}(${fact.args.join(", ")})@${fact.time} does not hold in the failure-free run`);
  const g = support(ff, [fact]);
  const root = g.roots[0] as number;
  return supportEdges(ff, fact).map((e) => {
    const predicted = holds(g, root, new Set([edgeKey(e)])) ? "survives" : "lost";
    const run = replayFaults(program, eot, faults([{ from: e.from, to: e.to, time: e.sendTime }]));
    const actual = run.has(fact.rel, fact.args, fact.time) ? "survives" : "lost";
    return { program: name, message: edgeLabel(e), predicted, actual };
  });
}

/**
 * A grid chart of {@link singleLossImpact} rows: for each program two rows — what the good run's
 * lineage predicts, and what the re-run shows — and one cell per message lost.
 */
export function singleLossSpec(rows: readonly SingleLossRow[], title: string): VegaLiteSpec {
  const values = rows.flatMap((r) => [
    { row: `${r.program}: lineage predicts`, message: r.message, outcome: r.predicted },
    { row: `${r.program}: re-run shows`, message: r.message, outcome: r.actual },
  ]);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values },
    mark: { type: "rect", stroke: "white", strokeWidth: 2 },
    encoding: {
      x: {
        field: "message",
        type: "nominal",
        sort: null,
        title: "the one message lost (sender→receiver @ send time)",
        axis: { labelAngle: -40 },
      },
      // Row names run to ~35 characters; Vega's default limit (180 px) cut them in the headless SVG.
      y: { field: "row", type: "nominal", sort: null, title: null, axis: { labelLimit: 320 } },
      color: {
        field: "outcome",
        type: "nominal",
        title: "the goal",
        scale: { domain: ["survives", "lost"], range: ["#2da44e", "#d1242f"] },
      },
      tooltip: [{ field: "row" }, { field: "message" }, { field: "outcome" }],
    },
    width: { step: 34 },
    height: { step: 26 },
  };
}

/**
 * The smallest sets of message losses that break every derivation of `fact` (its minimal "cuts"),
 * by brute force over subsets of its support edges up to `maxSize` — what LDFI's solver computes,
 * done by hand on a goal small enough to enumerate. Smallest first; supersets of a cut are skipped.
 */
export function minimalCuts(run: RunResult, fact: Fact, maxSize: number): MessageEdge[][] {
  const g = support(run, [fact]);
  const root = g.roots[0] as number;
  const edges = supportEdges(run, fact);
  const cuts: MessageEdge[][] = [];
  const isSuperset = (s: MessageEdge[]): boolean => cuts.some((c) => c.every((e) => s.includes(e)));
  const choose = (k: number, start: number, acc: MessageEdge[]): void => {
    if (acc.length === k) {
      if (!isSuperset(acc) && !holds(g, root, new Set(acc.map(edgeKey)))) cuts.push([...acc]);
      return;
    }
    for (let i = start; i < edges.length; i++) choose(k, i + 1, [...acc, edges[i] as MessageEdge]);
  };
  for (let k = 1; k <= maxSize; k++) choose(k, 0, []);
  return cuts;
}

/**
 * The support DAG of `fact` drawn as lib/viz's report draws it: "any of" = alternative derivations,
 * "all of" = premises of one derivation, leaves = messages; the messages lost in `lost` and
 * everything that breaks with them are red.
 */
export function supportChart(run: RunResult, fact: Fact, lost: readonly MessageEdge[], title: string): VegaLiteSpec {
  const g = support(run, [fact]);
  const f = faults(lost.map((e) => ({ from: e.from, to: e.to, time: e.sendTime })));
  return lineageGraphSpec(g, g.roots[0] as number, f, title).spec;
}
