import * as fs from "node:fs";
import * as path from "node:path";
import type { Program } from "../../lib/dedalus/ast";
import { loadProgram } from "../../lib/dedalus/load";
import { dedalusEngine, postReadsCrash } from "../../lib/ldfi/dedalusEngine";
import { dedalusTarget } from "../../lib/ldfi/dedalusTarget";
import type { FaultBounds } from "../../lib/ldfi/faults";
import type { SearchOptions, SearchResult } from "../../lib/ldfi/result";
import { searchFaults } from "../../lib/ldfi/search";

/** The protocol corpus and its expected verdicts (protocols/expected.json). */
export const PROTOCOLS = path.join(__dirname, "..", "..", "protocols");

export interface ExpectedBound {
  eot: number;
  eff: number;
  crashes: number;
  verdict: "counterexample" | "certified";
  source: string;
  figure12?: boolean;
  /** Molly's published executions to this counterexample (its Figure 12): LDFI must need no more. */
  mollyExecutions?: number;
  sweep?: boolean;
  slow?: boolean;
  mollyVerdict?: string;
  /** What maze ldfi reaches within maxRuns when that is not the verdict (a sweep it cannot finish). */
  maze?: "inconclusive";
  maxRuns?: number;
}

export interface ExpectedEntry {
  name: string;
  files: string[];
  molly?: string;
  bounds: ExpectedBound[];
}

export function loadExpected(): ExpectedEntry[] {
  return (JSON.parse(fs.readFileSync(path.join(PROTOCOLS, "expected.json"), "utf8")) as { entries: ExpectedEntry[] }).entries;
}

const programs = new Map<string, Program>();

/** Loads (once) the program of a corpus entry. */
export function corpusProgram(entry: ExpectedEntry): Program {
  const key = entry.files.join(" ");
  let p = programs.get(key);
  if (!p) {
    const { program, diagnostics } = loadProgram(entry.files.map((f) => path.join(PROTOCOLS, f)));
    const errors = diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) throw new Error(`${key}: ${errors.map((d) => d.message).join("; ")}`);
    p = program;
    programs.set(key, p);
  }
  return p;
}

/** Runs a search on a corpus entry at the given bounds, as `maze ldfi` would. */
export function searchEntry(entry: ExpectedEntry, b: { eot: number; eff: number; crashes: number }, options: Omit<SearchOptions, "bounds"> = {}): SearchResult {
  const program = corpusProgram(entry);
  const target = dedalusTarget(dedalusEngine, program, { eot: b.eot, crashSensitive: postReadsCrash(program) });
  const bounds: FaultBounds = { eot: b.eot, eff: b.eff, crashes: b.crashes, nodes: target.nodes };
  return searchFaults(target, { timeoutMs: 60_000, ...options, bounds });
}
