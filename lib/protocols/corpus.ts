/**
 * The protocol corpus (`protocols/`): where it is, and its programs and sources by name, for
 * notebooks, labs, the playground and the bench. The folder is found from this module's own place so
 * the same code runs from the sources (ts-jest), from dist/ and in the browser bundle (whose
 * `__dirname` the live build sets).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Program } from "../dedalus/ast";
import { checkedOrThrow, loadChecked } from "../dedalus/load";

/** The project root, from lib/protocols (ts-jest) or dist/lib/protocols (compiled). */
const ROOT =
  [path.resolve(__dirname, "..", ".."), path.resolve(__dirname, "..", "..", "..")].find((d) => fs.existsSync(path.join(d, "protocols"))) ??
  process.cwd();

/** The directory of the protocol corpus (`protocols/`). */
export const PROTOCOLS_DIR = path.join(ROOT, "protocols");

/** The folder of the handler twins (protocols/handlers): TypeScript protocol modules beside their Dedalus programs. */
export const HANDLER_TWINS_DIR = path.join(PROTOCOLS_DIR, "handlers");

/**
 * Loads protocol files (paths relative to `protocols/`, e.g. `"retry_delivery.ded"`, or absolute)
 * as one program. Throws a `DedalusError` whose message locates the first error.
 */
export function protocolProgram(...files: string[]): Program {
  const paths = files.map((f) => (path.isAbsolute(f) ? f : path.join(PROTOCOLS_DIR, f)));
  return checkedOrThrow(loadChecked(paths));
}

/** The text of a protocol file (relative to `protocols/`), to show in a lesson. */
export function protocolSource(file: string): string {
  return fs.readFileSync(path.isAbsolute(file) ? file : path.join(PROTOCOLS_DIR, file), "utf8");
}
