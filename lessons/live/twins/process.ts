/**
 * The browser twin of Node's `process` global for the live runtime, injected by the bundler: the
 * library reads `process.env` (debug switches, grading variables) and `process.cwd()`; writes to
 * stdout/stderr go to the cell's output like console.log.
 */
import { BROWSER_CWD } from "./path";

type Writer = (text: string) => void;

/** Where `process.stdout.write` / `process.stderr.write` go; the worker points them at the running cell. */
export const processStreams: { stdout: Writer; stderr: Writer } = { stdout: () => undefined, stderr: () => undefined };

/** The injected `process`. */
export const process = {
  env: {} as Record<string, string | undefined>,
  cwd: (): string => BROWSER_CWD,
  platform: "browser",
  argv: [] as string[],
  versions: {} as Record<string, string>,
  stdout: { write: (s: string): boolean => (processStreams.stdout(String(s)), true) },
  stderr: { write: (s: string): boolean => (processStreams.stderr(String(s)), true) },
};
