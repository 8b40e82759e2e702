/** A search shorter than this prints no progress: quick answers stay one line. */
export const PROGRESS_AFTER_MS = 1000;

/**
 * The progress sink of `maze ldfi` (Dedalus programs and protocol modules alike): lines are held
 * back for the first second, then the last few held and every later one go to stderr prefixed
 * `maze ldfi:`.
 */
export function delayedProgress(): (line: string) => void {
  const started = performance.now();
  const pending: string[] = [];
  return (line: string): void => {
    if (performance.now() - started < PROGRESS_AFTER_MS) {
      pending.push(line);
      if (pending.length > 5) pending.shift();
      return;
    }
    for (const p of pending.splice(0)) process.stderr.write(`maze ldfi: ${p}\n`);
    process.stderr.write(`maze ldfi: ${line}\n`);
  };
}
