import { loadProgram } from "../../lib/dedalus/load";
import { hasErrors, formatDiagnostic } from "../../lib/dedalus/diagnostics";
import { runProgram, type RunOptions } from "../../lib/dedalus/runtime";
import type { GoldenFact, GoldenRun } from "./goldenCases";

/** Runs a golden program with the run's options and returns the facts of its recorded relations. */
export function goldenFactsOfRun(files: string[], run: GoldenRun): GoldenFact[] {
  const { program, diagnostics } = loadProgram(files);
  if (hasErrors(diagnostics)) throw new Error(diagnostics.map((d) => formatDiagnostic(d, program.sources)).join("\n"));
  const options: RunOptions = { eot: run.eot };
  if (run.nodes) options.nodes = run.nodes;
  if (run.failures) options.failures = run.failures;
  const result = runProgram(program, options);
  return run.relations.flatMap((rel) => result.facts(rel).map((f) => ({ rel: f.rel, args: f.args, time: f.time })));
}
