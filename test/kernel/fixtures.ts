import * as fs from "node:fs";
import * as path from "node:path";
import { makeNotebook, serializeNotebook } from "../../kernel/headless/notebookFormat";
import { PROJECT_ROOT } from "../../kernel/jupyterPaths";

/**
 * A scratch folder inside the project (so `import ... from "maze"` resolves through the project's
 * node_modules, as it does for real notebooks), emptied per test file.
 */
export function scratchDir(name: string): string {
  const dir = path.join(PROJECT_ROOT, "build", "test-scratch", name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes a notebook made of the given cells and returns its path. */
export function writeNotebook(dir: string, name: string, cells: Parameters<typeof makeNotebook>[0]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, serializeNotebook(makeNotebook(cells)));
  return file;
}
