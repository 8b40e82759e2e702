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

/** What a check may depend on besides the student's definitions. */
export interface CheckContext {
  /**
   * The seed of every random input (histories, schedules). The notebook's self-check uses the
   * lab's public seed; the grader derives one the student process never sees.
   */
  readonly seed: number;
}

/** One graded test: a name, its points, a sentence for the student, and the check itself. */
export interface LabTest {
  readonly name: string;
  readonly points: number;
  /** What the check means, exactly: the starter notebook states it next to the test's name. */
  readonly description: string;
  /** On Gradescope, shown only after the due date (default: visible at once). */
  readonly hidden?: boolean;
  /** Resolves to a failure message, or `undefined` when the test passes (full points). */
  check(scope: StudentScope, context: CheckContext): Promise<string | undefined> | string | undefined;
}

/**
 * A name the lab reads from the notebook, and what crosses from the student's process to the
 * grader for it: program text (a string), plain JSON data, or — for code the lab is about — a CRDT
 * (lib/labs/crdtQuestions.ts) or a protocol written as handlers (lib/labs/protocolSession.ts) that
 * stays in the student's process and answers questions.
 */
export type DefinitionSpec =
  | { readonly name: string; readonly kind: "text" }
  | { readonly name: string; readonly kind: "data" }
  | { readonly name: string; readonly kind: "crdt"; readonly crdt: "counter" | "set" }
  | { readonly name: string; readonly kind: "protocol"; readonly nodes: readonly string[] };

/** A lab: its id (the notebook metadata `maze.lab`), its title, what it reads and its graded tests. */
export interface Lab {
  readonly id: string;
  readonly title: string;
  /** The notebook definitions the checks read. */
  readonly definitions: readonly DefinitionSpec[];
  /** The seed of the self-check's random inputs (default 0); the grader uses a secret one. */
  readonly publicSeed?: number;
  readonly tests: readonly LabTest[];
}

/** Thrown by a check when the student has not defined a name the lab needs. */
export class MissingDefinitionError extends Error {
  constructor(
    readonly definition: string,
    readonly hint: string,
  ) {
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

/**
 * The table every lab's starter shows under "How you are graded": each graded check by the name the
 * grader reports, its points, and exactly what it means (the test's description). Generated, so the
 * notebook cannot drift from the checks (test/kernel/labChecksTable.test.ts compares them).
 */
export function checksTable(lab: Lab): string {
  const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return [
    "| graded check | points | what it means |",
    "|---|---|---|",
    ...lab.tests.map((t) => `| ${cell(t.name)} | ${t.points} | ${cell(t.description)} |`),
  ].join("\n");
}
