import type { Program } from "../dedalus/ast";
import { checkProgram } from "../dedalus/check";
import { DedalusError, hasErrors } from "../dedalus/diagnostics";
import { parseSource } from "../dedalus/load";

/**
 * Parses and checks a Dedalus program written inline in a lesson or lab cell. A notebook wants the
 * mistake up front, located: on any parse or check error this throws a {@link DedalusError} whose
 * message is the first error as `file:line:col: error: ...` with the source line and a caret, rather
 * than failing later inside a run with a less specific message.
 *
 * @param text the program's source
 * @param file the name used in locations (e.g. `"reach.ded"`)
 */
export function dedalusProgram(text: string, file = "lesson.ded"): Program {
  const parsed = parseSource(text, file);
  if (hasErrors(parsed.diagnostics)) throw new DedalusError(parsed.diagnostics, parsed.program.sources);
  const checked = checkProgram(parsed.program).diagnostics;
  if (hasErrors(checked)) throw new DedalusError(checked, parsed.program.sources);
  return parsed.program;
}
