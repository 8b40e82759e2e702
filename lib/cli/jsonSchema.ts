/**
 * The version stamp of every object `maze ... --json` prints and `mazeLive.dedalus` answers
 * (lib/cli/README.md, "JSON schema version"). A reader outside the project checks it before
 * reading the rest: the version says which fields exist and what they mean.
 *
 * It imports nothing, so the playground page (which must stay light) can build its own error
 * objects with the same stamp as the worker's.
 */

/**
 * The version of the `--json` shapes. It bumps when a field is removed or renamed, or changes
 * its type or meaning; a new field alone leaves it as it is (readers ignore fields they do not
 * know). test/cli/golden.test.ts pins every shape, so a change to one is seen in review.
 */
export const SCHEMA_VERSION = 1;

/** The stamp every `--json` object starts with. */
export interface Versioned {
  readonly schemaVersion: typeof SCHEMA_VERSION;
}

/** `body` with the schema version as its first field (the shared step of every `--json` builder). */
export function versioned<T extends object>(body: T): Versioned & T {
  return { schemaVersion: SCHEMA_VERSION, ...body };
}

/** A located program diagnostic as JSON: the `diagnostics` entries of `maze check --json`. */
export interface JsonDiagnostic {
  code: string;
  severity: string;
  message: string;
  file: string | null;
  line: number | null;
  col: number | null;
  related: { message: string; location: string }[];
}

/** What `mazeLive.dedalus` answers when a request cannot run: the CLI's stderr text and the diagnostics behind it. */
export interface DedalusJsonError extends Versioned {
  readonly error: string;
  readonly diagnostics: JsonDiagnostic[];
}

/** The error answer of `mazeLive.dedalus` (in the worker and on the page, which both build it). */
export function dedalusJsonError(error: string, diagnostics: JsonDiagnostic[] = []): DedalusJsonError {
  return versioned({ error, diagnostics });
}
