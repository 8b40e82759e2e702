import { LABS } from "./registry";
import { runLab } from "./runLab";
import type { StudentScope } from "./labContract";

/** One row of a self-check table. */
export interface SelfCheckRow {
  readonly test: string;
  readonly points: string;
  readonly result: string;
}

/**
 * Runs a lab's graded tests on the notebook's current definitions and returns a table a student can
 * read while working (the same checks `npm run grade` runs). Never throws for student mistakes.
 */
export async function selfCheck(labId: string, scope: StudentScope): Promise<SelfCheckRow[]> {
  const lab = LABS[labId];
  if (!lab) throw new Error(`unknown lab '${labId}' (known: ${Object.keys(LABS).join(", ")})`);
  const results = await runLab(lab, scope);
  const rows = results.map((r) => ({
    test: r.name,
    points: `${r.score} / ${r.max_score}`,
    result: r.score === r.max_score ? "✓ passed" : `✗ ${r.output.split("\n").slice(1).join(" ").slice(0, 240)}`,
  }));
  const total = results.reduce((n, r) => n + r.score, 0);
  const max = results.reduce((n, r) => n + r.max_score, 0);
  return [...rows, { test: "total", points: `${total} / ${max}`, result: "" }];
}
