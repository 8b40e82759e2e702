/**
 * The lab contract: a lab is a list of graded tests, each run against what the student defined in
 * the notebook's cells (the notebook's top-level names, passed in as a scope). Results have the
 * shape of a Gradescope `results.json` test entry.
 */

/** The student's top-level definitions, by name (a notebook session's locals). */
export type StudentScope = Readonly<Record<string, unknown>>;

/** The outcome of one graded test. */
export interface TestResult {
  readonly name: string;
  readonly score: number;
  readonly max_score: number;
  readonly output: string;
}

/** One graded test: a name, its points, a sentence for the student, and the check itself. */
export interface LabTest {
  readonly name: string;
  readonly points: number;
  readonly description: string;
  /** Resolves to a failure message, or `undefined` when the test passes (full points). */
  check(scope: StudentScope): Promise<string | undefined> | string | undefined;
}

/** A lab: its id (the notebook metadata `maze.lab`), its title and its graded tests. */
export interface Lab {
  readonly id: string;
  readonly title: string;
  readonly tests: readonly LabTest[];
}

/** Thrown by a check when the student has not defined a name the lab needs. */
export class MissingDefinitionError extends Error {
  constructor(readonly definition: string, readonly hint: string) {
    super(`\`${definition}\` is not defined in the notebook: ${hint}`);
    this.name = "MissingDefinitionError";
  }
}

/** Looks up a student definition and checks that it has the named functions. */
export function requireDefinition<T>(scope: StudentScope, name: string, methods: readonly string[], hint: string): T {
  const value = scope[name];
  if (value === undefined || value === null) throw new MissingDefinitionError(name, hint);
  const missing = methods.filter((m) => typeof (value as Record<string, unknown>)[m] !== "function");
  if (missing.length > 0) throw new MissingDefinitionError(`${name}.${missing.join(`, ${name}.`)}`, hint);
  return value as T;
}
