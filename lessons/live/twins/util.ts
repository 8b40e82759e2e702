/**
 * The browser twin of `node:util`: `inspect` and `format` as Node prints them (lessons/live/inspect.ts);
 * `parseArgs` exists only because lib/cli's command modules import it, and the browser has no command line.
 */
export { format, inspect } from "../inspect";

/** There is no command line in the browser: callers use `mazeLive.dedalus` with an object instead. */
export function parseArgs(): never {
  throw new Error("parseArgs: the browser has no command line");
}

export default { parseArgs };
