import type { Program } from "../dedalus/ast";
import { sortDiagnostics, type Diagnostic } from "../dedalus/diagnostics";
import { loadChecked, reportDiagnostics, type CheckedProgram, type LoadOptions } from "../dedalus/load";
import type { OptionValues } from "./command";

/** The flag of `run`, `check` and `ldfi` that turns locality errors into warnings (DESIGN.md section 5). */
export const ALLOW_NONLOCAL_OPTION = { "allow-nonlocal": { type: "boolean" } } as const;

/** The load options a command line asks for. */
export function loadOptionsOf(values: OptionValues): LoadOptions {
  return values["allow-nonlocal"] === true ? { locality: "warn" } : {};
}

/**
 * Loads and checks the Dedalus files of a command that will run them (`maze run`, `maze ldfi`).
 * Every error is written to stderr as `file:line:col: ...` with its caret excerpt; returns
 * undefined when there was one, so the caller exits 2. The checker's warnings (today only the
 * locality ones that `--allow-nonlocal` downgrades) go to stderr too, so the switch never hides
 * what it allows; the rest of the warnings are left to `maze check`.
 */
export function loadRunnableProgram(files: readonly string[], options: LoadOptions = {}): Program | undefined {
  const r = checkRunnable(loadChecked(files, options));
  if (r.shown.length > 0) process.stderr.write(formatShown(r) + "\n");
  return r.ok ? r.program : undefined;
}

/** A loaded program judged runnable or not, with the diagnostics a runner reports. */
export interface RunnableCheck {
  readonly program: Program;
  /** False when there is an error: the program must not run. */
  readonly ok: boolean;
  /** The errors when there are some, else the warnings (what `maze run` and `maze ldfi` print). */
  readonly shown: Diagnostic[];
}

/** Judges a loaded and checked program for running: the pure part of {@link loadRunnableProgram}. */
export function checkRunnable(checked: CheckedProgram): RunnableCheck {
  const all = sortDiagnostics(checked.diagnostics);
  const errors = all.filter((d) => d.severity === "error");
  return { program: checked.program, ok: errors.length === 0, shown: errors.length > 0 ? errors : all };
}

/** The diagnostics of a {@link RunnableCheck} as the CLI prints them: `file:line:col: ...` with caret excerpts. */
export function formatShown(r: RunnableCheck): string {
  return reportDiagnostics(r.shown, r.program);
}
