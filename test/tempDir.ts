import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * The folders {@link tempDir} made in this test file, kept on `globalThis` so a test that resets
 * jest's module registry still registers with the list that test/setupTempDirs.ts empties.
 */
const MADE = Symbol.for("maze.test.tempDirs");
type Registry = { [MADE]?: string[] };

function made(): string[] {
  const g = globalThis as Registry;
  return (g[MADE] ??= []);
}

/**
 * A fresh folder `<tmp>/maze-<prefix>-XXXXXX`, removed after the test file's last test whether its
 * tests passed or not (test/setupTempDirs.ts), so a test never leaves it on the disk.
 */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `maze-${prefix}-`));
  made().push(dir);
  return dir;
}

/** Removes every folder {@link tempDir} made so far in this test file. */
export function removeTempDirs(): void {
  for (const dir of made().splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
