import type { Program } from "../dedalus/ast";
import { checkProgram } from "../dedalus/check";
import { formatDiagnostic, hasErrors, sortDiagnostics } from "../dedalus/diagnostics";
import { loadProgram, type LoadOptions } from "../dedalus/load";
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
  const { program, diagnostics } = loadProgram([...files], options);
  const checked = hasErrors(diagnostics) ? [] : checkProgram(program).diagnostics;
  const all = sortDiagnostics([...diagnostics, ...checked]);
  const errors = all.filter((d) => d.severity === "error");
  const shown = errors.length > 0 ? errors : all;
  if (shown.length > 0) process.stderr.write(shown.map((d) => formatDiagnostic(d, program.sources)).join("\n") + "\n");
  return errors.length === 0 ? program : undefined;
}
