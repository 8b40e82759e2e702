import { loadChecked, reportDiagnostics } from "../../lib/dedalus/load";
import { runNaive } from "../../lib/dedalus/naive";
import { runProgram, type RunOptions } from "../../lib/dedalus/runtime";
import type { LocalityMode } from "../../lib/dedalus/ast";
import type { GoldenFact, GoldenRun } from "./goldenCases";

/**
 * Runs a golden program with the run's options and returns the facts of its recorded relations,
 * with the semi-naive runtime or (engine "naive") the naive oracle.
 */
export function goldenFactsOfRun(
  files: string[],
  run: GoldenRun,
  engine: "runtime" | "naive" = "runtime",
  locality: LocalityMode = "error",
): GoldenFact[] {
  const { program, diagnostics, errors } = loadChecked(files, { locality });
  if (errors.length > 0) throw new Error(reportDiagnostics(diagnostics, program));
  const options: RunOptions = { eot: run.eot };
  if (run.nodes) options.nodes = run.nodes;
  if (run.failures) options.failures = run.failures;
  const wanted = new Set(run.relations);
  const facts = engine === "naive" ? runNaive(program, options).facts : runProgram(program, options).facts();
  return facts.filter((f) => wanted.has(f.rel)).map((f) => ({ rel: f.rel, args: f.args, time: f.time }));
}
