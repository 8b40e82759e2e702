/**
 * Molly's CounterexampleSuite as data (protocols/molly_examples.json): the 25 scenarios whose
 * verdicts DESIGN.md section 6 takes as the reference. Molly's files are not committed; they are
 * read from the directory MOLLY_EXAMPLES names (a checkout's src/test/resources/examples_ft).
 * The bench and test/ldfi/mollyExamples.test.ts both read it, so the list lives once.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Program } from "../lib/dedalus/ast";
import { loadChecked } from "../lib/dedalus/load";

/** One scenario: Molly's files, bounds, nodes, and the verdict expected of maze. */
export interface MollyScenario {
  files: string[];
  eot: number;
  eff: number;
  crashes: number;
  nodes: string[];
  /** Molly's own verdict. */
  counterexample: boolean;
  /** maze's verdict where a complete search must differ from Molly's (DESIGN.md section 6). */
  maze?: "counterexample" | "certified";
}

interface MollyFile {
  nodes: Record<string, string[]>;
  scenarios: (Omit<MollyScenario, "nodes"> & { nodes: string })[];
}

const FILE = ["..", "../.."].map((up) => path.join(__dirname, up, "protocols", "molly_examples.json")).find((f) => fs.existsSync(f));

/** The scenarios, nodes resolved. */
export function mollyScenarios(): MollyScenario[] {
  if (!FILE) throw new Error("protocols/molly_examples.json not found");
  const data = JSON.parse(fs.readFileSync(FILE, "utf8")) as MollyFile;
  return data.scenarios.map((s) => {
    const nodes = data.nodes[s.nodes];
    if (!nodes) throw new Error(`molly_examples.json: unknown node list ${s.nodes}`);
    return { ...s, nodes };
  });
}

/** The verdict maze must reach on a scenario. */
export function expectedVerdict(s: MollyScenario): "counterexample" | "certified" {
  return s.maze ?? (s.counterexample ? "counterexample" : "certified");
}

/** The directory of Molly's examples, or null when MOLLY_EXAMPLES is unset or missing. */
export function mollyExamplesDir(): string | null {
  const dir = process.env["MOLLY_EXAMPLES"];
  return dir && fs.existsSync(dir) ? dir : null;
}

/**
 * Loads Molly's files as `--allow-nonlocal` does: some of Molly's programs are not local, and
 * they must run unchanged. Throws on any error (a Molly program must load).
 */
export function loadMollyProgram(dir: string, files: readonly string[]): Program {
  const loaded = loadChecked(
    files.map((f) => path.join(dir, f)),
    { locality: "warn" },
  );
  const errors = loaded.errors;
  if (errors.length > 0) throw new Error(`${files.join(" ")}: ${errors.map((d) => d.message).join("; ")}`);
  return loaded.program;
}
