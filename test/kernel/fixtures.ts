import * as fs from "node:fs";
import * as path from "node:path";
import { makeNotebook, readNotebook, serializeNotebook } from "../../kernel/headless/notebookFormat";
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

/**
 * A copy of a lab notebook (usually the instructor's solution) whose cells tagged `student` are
 * rewritten by `edit` (given each student cell's source and its index among them), written to `dir`.
 */
export function studentVariant(notebook: string, dir: string, name: string, edit: (source: string, index: number) => string): string {
  const nb = readNotebook(notebook);
  let k = 0;
  for (const c of nb.cells) if (c.metadata.tags?.includes("student")) c.source = edit(c.source, k++);
  const file = path.join(dir, name);
  fs.writeFileSync(file, serializeNotebook(nb));
  return file;
}

/** The text of the template literal assigned by `const NAME = ...;` in a lab notebook's first student cell. */
export function studentTemplate(notebook: string, name: string): string {
  const cell = readNotebook(notebook).cells.find((c) => c.metadata.tags?.includes("student"));
  const m = new RegExp(`const ${name} = \`([\\s\\S]*)\`;`).exec(cell?.source ?? "");
  if (!m) throw new Error(`no \`const ${name} = \`...\`\` in the student cell of ${notebook}`);
  return m[1] as string;
}
