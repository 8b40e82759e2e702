import * as fs from "node:fs";
import * as path from "node:path";
import type { Program } from "../../lib/dedalus/ast";
import { loadChecked } from "../../lib/dedalus/load";
import { dedalusEngine, crashReading } from "../../lib/ldfi/dedalusEngine";
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
  /**
   * The executions maze ldfi needs for this row, pinned by equality (a pruning step that stops
   * pruning shows here first); `UPDATE=1` rewrites it with {@link pinExecutions}.
   */
  executions?: number;
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
    const { program, errors } = loadChecked(entry.files.map((f) => path.join(PROTOCOLS, f)));
    if (errors.length > 0) throw new Error(`${key}: ${errors.map((d) => d.message).join("; ")}`);
    p = program;
    programs.set(key, p);
  }
  return p;
}

/** Runs a search on a corpus entry at the given bounds, as `maze ldfi` would. */
export function searchEntry(
  entry: ExpectedEntry,
  b: { eot: number; eff: number; crashes: number },
  options: Omit<SearchOptions, "bounds"> = {},
): SearchResult {
  const program = corpusProgram(entry);
  const target = dedalusTarget(dedalusEngine, program, { eot: b.eot, ...crashReading(program) });
  const bounds: FaultBounds = { eot: b.eot, eff: b.eff, crashes: b.crashes, nodes: target.nodes };
  return searchFaults(target, { timeoutMs: 60_000, ...options, bounds });
}

const EXPECTED_FILE = path.join(PROTOCOLS, "expected.json");

/**
 * Rewrites the pinned `executions` of one row of expected.json in place, keeping the file's
 * hand-made layout (one bound per line): only the line of that entry's bound changes.
 */
export function pinExecutions(entry: string, b: { eot: number; eff: number; crashes: number }, executions: number): void {
  const text = fs.readFileSync(EXPECTED_FILE, "utf8");
  const start = text.indexOf(`"name": ${JSON.stringify(entry)}`);
  if (start < 0) throw new Error(`expected.json: no entry ${entry}`);
  const next = text.indexOf(`"name": `, start + 1);
  const end = next < 0 ? text.length : next;
  const block = text.slice(start, end);
  const row = new RegExp(`\\{"eot": ${b.eot}, "eff": ${b.eff}, "crashes": ${b.crashes}, [^\\n]*\\}`);
  const line = row.exec(block)?.[0];
  if (!line) throw new Error(`expected.json: no row ${entry} ${b.eot}/${b.eff}/${b.crashes}`);
  const pinned = /"executions": \d+/.test(line)
    ? line.replace(/"executions": \d+/, `"executions": ${executions}`)
    : line.replace(/("verdict": "[a-z]+")/, `$1, "executions": ${executions}`);
  fs.writeFileSync(EXPECTED_FILE, text.slice(0, start) + block.replace(line, pinned) + text.slice(end));
}
