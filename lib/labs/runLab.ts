import type { CheckContext, Lab, StudentScope, TestResult } from "./labContract";

/** What happens while a lab runs, for a grader that must know which test never returned. */
export type GradeEvent = { readonly event: "start"; readonly test: string } | ({ readonly event: "result" } & TestResult);

/** How {@link runLab} runs. */
export interface RunLabOptions {
  /** The seed of the random inputs (default: the lab's public seed, as the self-check uses). */
  readonly context?: CheckContext;
  /** Tests not to run (they hung in an earlier attempt). */
  readonly skip?: ReadonlySet<string>;
  /** Called as each test starts and ends. */
  readonly onEvent?: (e: GradeEvent) => void;
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name === "Error" ? "" : `${e.name}: `}${e.message}`;
  return String(e);
}

/** Gradescope's output of one test, from its failure (undefined when it passed). */
export function testResult(t: { name: string; points: number; description: string }, failure: string | undefined): TestResult {
  return {
    name: t.name,
    score: failure === undefined ? t.points : 0,
    max_score: t.points,
    output: failure === undefined ? `passed: ${t.description}` : `failed: ${t.description}\n${failure}`,
  };
}

/**
 * Runs a lab's tests against the student's definitions, in order. A check that throws fails its
 * test with the error's message; the others still run.
 */
export async function runLab(lab: Lab, scope: StudentScope, options: RunLabOptions = {}): Promise<TestResult[]> {
  const context = options.context ?? { seed: lab.publicSeed ?? 0 };
  const results: TestResult[] = [];
  for (const t of lab.tests) {
    if (options.skip?.has(t.name)) continue;
    options.onEvent?.({ event: "start", test: t.name });
    let failure: string | undefined;
    try {
      failure = await t.check(scope, context);
    } catch (e) {
      failure = describe(e);
    }
    const result = testResult(t, failure);
    options.onEvent?.({ event: "result", ...result });
    results.push(result);
  }
  return results;
}
