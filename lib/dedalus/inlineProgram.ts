import type { Program } from "./ast";
import { checkedOrThrow, loadChecked, type LoadOptions } from "./load";

/**
 * Parses and checks a Dedalus program written inline in a lesson or lab cell. A notebook wants the
 * mistake up front, located: on any parse or check error this throws a `DedalusError` whose
 * message is the first error as `file:line:col: error: ...` with the source line and a caret, rather
 * than failing later inside a run with a less specific message.
 *
 * Locality is enforced (an error unless `options.locality` is `"warn"`): only `@async` moves
 * data between nodes.
 *
 * @param text - the program's source
 * @param file - the name used in locations (e.g. `"reach.ded"`)
 * @param options - how the program is admitted (`{ locality: "warn" }` as the CLI's `--allow-nonlocal`)
 */
export function dedalusProgram(text: string, file = "lesson.ded", options: LoadOptions = {}): Program {
  return checkedOrThrow(loadChecked([{ file, text }], options));
}
