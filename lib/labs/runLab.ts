import * as fs from "node:fs";
import type { CheckContext, Lab, StudentScope, TestResult } from "./lab";

/**
 * Environment variables through which a grader (kernel/grading) talks to `gradeLab` running inside
 * the student's notebook process: where to append events, and which tests to skip because they
 * hung in an earlier attempt.
 */
export const GRADE_ENV = { out: "MAZE_GRADE_OUT", skip: "MAZE_GRADE_SKIP" } as const;

/** One line of the grading event log (JSON lines). */
export type GradeEvent = { readonly event: "start"; readonly test: string } | ({ readonly event: "result" } & TestResult);

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name === "Error" ? "" : `${e.name}: `}${e.message}`;
  return String(e);
}

/**
 * Runs a lab's tests against the student's definitions. Each test's start and result are appended
 * to the event log as they happen, so a test that never returns (a student loop) is still known to
 * the grader, which kills the process and re-runs with that test skipped.
 */
export async function runLab(lab: Lab, scope: StudentScope, context: CheckContext = { seed: lab.publicSeed ?? 0 }): Promise<TestResult[]> {
  const out = process.env[GRADE_ENV.out];
  const skip = new Set((process.env[GRADE_ENV.skip] ?? "").split("\n").filter((s) => s !== ""));
  const emit = (e: GradeEvent): void => {
    if (out) fs.appendFileSync(out, JSON.stringify(e) + "\n");
  };
  const results: TestResult[] = [];
  for (const t of lab.tests) {
    if (skip.has(t.name)) continue;
    emit({ event: "start", test: t.name });
    let failure: string | undefined;
    try {
      failure = await t.check(scope, context);
    } catch (e) {
      failure = describe(e);
    }
    const result: TestResult = {
      name: t.name,
      score: failure === undefined ? t.points : 0,
      max_score: t.points,
      output: failure === undefined ? `passed: ${t.description}` : `failed: ${t.description}\n${failure}`,
    };
    emit({ event: "result", ...result });
    results.push(result);
  }
  return results;
}
