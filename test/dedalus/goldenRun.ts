import type { GoldenFact, GoldenRun } from "./goldenCases";

/** Runs a golden program with the run's options and returns the facts of its recorded relations. */
export function goldenFactsOfRun(_files: string[], _run: GoldenRun): GoldenFact[] {
  throw new Error("the Dedalus runtime has not landed yet");
}
