import * as fs from "node:fs";
import * as path from "node:path";
import { formatFaults, NO_FAULTS, type FaultSet } from "../lib/ldfi/faults";
import { loadSimProtocol, type LoadedProtocol } from "../lib/ldfi/handlers/load";
import { handlerSearch, type HandlerSearchResult } from "../lib/ldfi/handlers/search";
import { causalSupport, handlerTarget } from "../lib/ldfi/handlers/target";
import { runTicks, type TickRun } from "../lib/ldfi/handlers/ticks";
import { loadTwins, parseBounds, searchTwin } from "../lib/ldfi/handlers/twins";
import type { VegaLiteSpec } from "../lib/viz/render";
import { spacetimeDiagram } from "../lib/viz/spacetime";
import { LESSON_MAX_RUNS, LESSON_TIMEOUT_MS } from "../lib/ldfi/lessonSearch";
import { HANDLER_TWINS_DIR } from "../lib/protocols/corpus";

const loaded = new Map<string, LoadedProtocol>();

/** A twin of protocols/handlers by file name (`"retry_delivery.ts"`), loaded once per session. */
export function handlerTwin(file: string): LoadedProtocol {
  let l = loaded.get(file);
  if (!l) {
    l = loadSimProtocol(path.join(HANDLER_TWINS_DIR, file));
    loaded.set(file, l);
  }
  return l;
}

/** A twin with its source edited (`edit` gets the module's text), loaded beside the original so its relative imports still work. */
export function handlerTwinVariant(file: string, edit: (source: string) => string): LoadedProtocol {
  return loadSimProtocol(path.join(HANDLER_TWINS_DIR, file), { source: edit(handlerTwinSource(file)) });
}

/** The handler search on any loaded protocol at `bounds`, capped like the lessons' searches. */
export function protocolCheck(p: LoadedProtocol, bounds: { eot: number; eff: number; crashes: number }): HandlerSearchResult {
  return handlerSearch(handlerTarget(p.protocol, { eot: bounds.eot, guard: p.guard }), {
    bounds: { ...bounds, nodes: p.protocol.nodes },
    maxRuns: LESSON_MAX_RUNS,
    timeoutMs: LESSON_TIMEOUT_MS,
  });
}

/** The source text of a file of protocols/handlers (a twin, its Dedalus program, an assertion). */
export function handlerTwinSource(file: string): string {
  return fs.readFileSync(path.join(HANDLER_TWINS_DIR, file), "utf8");
}

/** The handler search on a twin at `bounds`, capped like the lessons' Dedalus searches. */
export function handlerCheck(file: string, bounds: { eot: number; eff: number; crashes: number }): HandlerSearchResult {
  return protocolCheck(handlerTwin(file), bounds);
}

/** One row of a lesson table about a handler search: where the executions went and what was found. */
export interface HandlerSummaryRow {
  readonly protocol: string;
  readonly verdict: string;
  readonly executions: number;
  /** Executions of the LDFI phase (lineage-driven hypotheses), failure-free run included. */
  readonly "LDFI phase": number;
  /** Executions of the completion phase ("-" when it did not run). */
  readonly completion: number | string;
  readonly counterexample: string;
}

/** A summary row of a handler search. */
export function handlerSummary(name: string, r: HandlerSearchResult): HandlerSummaryRow {
  return {
    protocol: name,
    verdict: r.verdict + (r.limit ? ` (${r.limit})` : ""),
    executions: r.executions,
    "LDFI phase": r.ldfiExecutions,
    completion: r.completion ? r.completion.executions : "-",
    counterexample: r.counterexample ? `${formatFaults(r.counterexample.faults)} loses ${r.counterexample.missing.join(", ")}` : "",
  };
}

/** One execution of a twin under `faults` (the replay of a counterexample). */
export function handlerRun(file: string, eot: number, faults: FaultSet = NO_FAULTS): TickRun<unknown> {
  const { protocol, guard } = handlerTwin(file);
  return runTicks(protocol, { eot, faults, guard });
}

/** The spacetime diagram of one execution of a twin, from its simulator trace (lost messages marked). */
export function handlerRunSpacetime(file: string, eot: number, faults: FaultSet = NO_FAULTS): VegaLiteSpec {
  return spacetimeDiagram(handlerRun(file, eot, faults).trace, { width: 360, height: 60 * eot + 60 });
}

/**
 * The messages in the support of a twin's `post` keys at EOT (the causal past of the state `post`
 * reads), one row per message: what an LDFI hypothesis may cut.
 */
export function handlerSupportRows(file: string, eot: number): { message: string; "sent at": number }[] {
  const graph = causalSupport(handlerRun(file, eot));
  return graph.nodes
    .flatMap((n) => (n.kind === "edge" ? [{ message: `${n.edge.from} → ${n.edge.to}`, "sent at": n.edge.sendTime }] : []))
    .sort((a, b) => a["sent at"] - b["sent at"] || a.message.localeCompare(b.message));
}

/** A row comparing both twins of protocols/handlers/twins.json at one bound. */
export interface TwinRow {
  readonly protocol: string;
  readonly bounds: string;
  readonly Dedalus: string;
  readonly handlers: string;
  /**
   * Which phase of the handler search decided: a counterexample's phase, or for a certificate how
   * many of the effective fault sets the LDFI phase had already run.
   */
  readonly "handler search": string;
}

/** Both twins searched at the given rows (`["retry_delivery 4/2/1", ...]`): same verdicts, different costs. */
export function twinRows(rows: readonly string[]): TwinRow[] {
  const twins = loadTwins(HANDLER_TWINS_DIR);
  return rows.map((spec) => {
    const [name, bounds] = spec.split(" ") as [string, string];
    const twin = twins.find((t) => t.name === name);
    if (!twin) throw new RangeError(`no twin ${JSON.stringify(name)} (known: ${twins.map((t) => t.name).join(", ")})`);
    parseBounds(bounds);
    const r = searchTwin(HANDLER_TWINS_DIR, twin, bounds, { maxRuns: LESSON_MAX_RUNS, timeoutMs: LESSON_TIMEOUT_MS });
    const c = r.handlers.completion;
    const where =
      r.handlers.verdict === "counterexample"
        ? `found by the ${c ? "completion" : "LDFI"} phase`
        : c
          ? `LDFI had run ${c.coveredByLdfi} of ${c.effectiveSets} effective fault sets`
          : r.handlers.verdict;
    return {
      protocol: name,
      bounds,
      Dedalus: `${r.dedalus.verdict} in ${r.dedalus.executions}`,
      handlers: `${r.handlers.verdict} in ${r.handlers.executions}`,
      "handler search": where,
    };
  });
}
