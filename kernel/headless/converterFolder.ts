import * as fs from "node:fs";
import * as path from "node:path";
import type { Cell } from "./notebookFormat";

/**
 * Set to `all` to give notebooks every `@types` package's globals, as tslab in Jupyter does; by
 * default the headless worker gives them Node's only (see worker.ts, `onlyNodeAmbientTypes`).
 */
export const AMBIENT_TYPES_ENV = "MAZE_NOTEBOOK_AMBIENT_TYPES";

/** Does any code cell import or reference a file by a relative path (resolved from the notebook's folder)? */
export function hasRelativeImports(cells: readonly Cell[]): boolean {
  const relative = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+|<reference\s+path\s*=\s*)["']\.{1,2}[/\\]/;
  return cells.some((c) => c.cell_type === "code" && relative.test(c.source));
}

/**
 * The folder a notebook's tslab converter is created in (tslab type-checks a cell as a file in its
 * start-up folder). A bare specifier such as `"maze"` resolves by walking up to the nearest
 * node_modules, so every notebook below the same nearest node_modules sees the same declarations and
 * can share one converter, created there; a notebook that imports a relative path needs a converter
 * of its own folder. A process holds converters of one folder only: tslab's second converter in
 * another folder does not resolve relative imports.
 */
export function converterFolder(file: string, cells: readonly Cell[]): string {
  const dir = path.dirname(path.resolve(file));
  if (hasRelativeImports(cells)) return dir;
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, "node_modules"))) return d;
    if (path.dirname(d) === d) return dir;
  }
}
