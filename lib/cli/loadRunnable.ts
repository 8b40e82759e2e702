import type { Program } from "../dedalus/ast";
import { checkProgram } from "../dedalus/check";
import { formatDiagnostic, hasErrors, sortDiagnostics } from "../dedalus/diagnostics";
import { loadProgram } from "../dedalus/load";

/**
 * Loads and checks the Dedalus files of a command that will run them (`maze run`, `maze ldfi`).
 * Every error is written to stderr as `file:line:col: ...` with its caret excerpt; returns
 * undefined when there was one, so the caller exits 2. Warnings are left to `maze check`.
 */
export function loadRunnableProgram(files: readonly string[]): Program | undefined {
  const { program, diagnostics } = loadProgram([...files]);
  const checked = hasErrors(diagnostics) ? [] : checkProgram(program).diagnostics;
  const errors = sortDiagnostics([...diagnostics, ...checked].filter((d) => d.severity === "error"));
  if (errors.length === 0) return program;
  process.stderr.write(errors.map((d) => formatDiagnostic(d, program.sources)).join("\n") + "\n");
  return undefined;
}
