import * as fs from "node:fs";
import * as path from "node:path";
import { loadChecked } from "../../dedalus/load";
import { dedalusEngine, crashReading } from "../dedalusEngine";
import { dedalusTarget } from "../dedalusTarget";
import type { FaultBounds } from "../faults";
import type { SearchOptions, SearchResult, Verdict } from "../result";
import { searchFaults } from "../search";
import { loadSimProtocol } from "./load";
import { handlerSearch, type HandlerSearchResult } from "./search";
import { handlerTarget } from "./target";

/** One bound of a twin: `"EOT/EFF/crashes"`, the verdict both twins must reach, and pinned execution counts. */
export interface TwinBound {
  readonly bounds: string;
  readonly verdict: Verdict;
  /** LDFI executions of the handler twin (completion included) and of the Dedalus twin, when pinned. */
  readonly executions?: { readonly handlers: number; readonly dedalus: number };
}

/** A protocol written both as handlers and in Dedalus (protocols/handlers/twins.json). */
export interface Twin {
  readonly name: string;
  /** The protocol module, relative to the twins folder. */
  readonly handlers: string;
  /** The Dedalus files (program and assertions), relative to the twins folder. */
  readonly dedalus: readonly string[];
  readonly bounds: readonly TwinBound[];
}

/** Reads `twins.json` of a folder (protocols/handlers in this repository). */
export function loadTwins(dir: string): Twin[] {
  return (JSON.parse(fs.readFileSync(path.join(dir, "twins.json"), "utf8")) as { twins: Twin[] }).twins;
}

/** `"6/3/1"` as numbers. */
export function parseBounds(s: string): { eot: number; eff: number; crashes: number } {
  const m = /^(\d+)\/(\d+)\/(\d+)$/.exec(s);
  if (!m) throw new RangeError(`bounds must be EOT/EFF/crashes, got ${JSON.stringify(s)}`);
  return { eot: Number(m[1]), eff: Number(m[2]), crashes: Number(m[3]) };
}

/** Both twins of one row searched at the same bounds with the same options. */
export interface TwinResult {
  readonly handlers: HandlerSearchResult;
  readonly dedalus: SearchResult;
}

/** Runs both searches of a twin at one bound (the Dedalus twin on the handler twin's nodes). */
export function searchTwin(dir: string, twin: Twin, bounds: string, options: Omit<SearchOptions, "bounds"> = {}): TwinResult {
  const b = parseBounds(bounds);
  const loaded = loadSimProtocol(path.join(dir, twin.handlers));
  const nodes = loaded.protocol.nodes;
  const fb: FaultBounds = { ...b, nodes };
  const handlers = handlerSearch(handlerTarget(loaded.protocol, { eot: b.eot, guard: loaded.guard }), {
    timeoutMs: 60_000,
    ...options,
    bounds: fb,
  });
  const { program, errors } = loadChecked(twin.dedalus.map((f) => path.join(dir, f)));
  if (errors.length > 0) throw new Error(`${twin.dedalus.join(" ")}: ${errors.map((d) => d.message).join("; ")}`);
  const target = dedalusTarget(dedalusEngine, program, { eot: b.eot, nodes, ...crashReading(program) });
  const dedalus = searchFaults(target, { timeoutMs: 60_000, ...options, bounds: fb });
  return { handlers, dedalus };
}

/** The markdown table of the twins (protocols/EXPECTED.md's handler section is generated from it). */
export function twinsTable(twins: readonly Twin[]): string {
  const rows = [
    "| protocol | handlers | Dedalus twin | EOT/EFF/crashes | expected (both) | LDFI executions: handlers (with completion) / Dedalus |",
    "|---|---|---|---|---|---|",
  ];
  for (const t of twins) {
    for (const b of t.bounds) {
      const ex = b.executions ? `${b.executions.handlers} / ${b.executions.dedalus}` : "";
      rows.push(
        `| ${t.name} | \`${t.handlers}\` | ${t.dedalus.map((f) => `\`${f.replace(/^\.\.\//, "")}\``).join(" + ")} | ${b.bounds} | **${b.verdict}** | ${ex} |`,
      );
    }
  }
  return rows.join("\n");
}
