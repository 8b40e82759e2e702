import * as fs from "node:fs";
import * as path from "node:path";
import { jsonErrorOffset } from "./jsonErrorOffset";

/** A Jupyter output (nbformat 4), as the runner writes it. */
export type Output =
  | { output_type: "stream"; name: "stdout" | "stderr"; text: string }
  | { output_type: "display_data"; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: "execute_result"; data: Record<string, unknown>; metadata: Record<string, unknown>; execution_count: number | null }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

/** A notebook cell (nbformat 4); `source` is normalised to one string when read. */
export interface Cell {
  cell_type: "code" | "markdown" | "raw";
  source: string;
  metadata: { tags?: string[]; slideshow?: { slide_type?: string }; [key: string]: unknown };
  outputs?: Output[];
  execution_count?: number | null;
  id?: string;
}

/** A notebook (nbformat 4). */
export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** A notebook that cannot be read, located by file and (where known) cell. */
export class NotebookFormatError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly cell?: number,
  ) {
    super(`${file}${cell === undefined ? "" : `:cell ${cell}`}: ${detail}`);
    this.name = "NotebookFormatError";
  }
}

const CELL_TYPES = new Set(["code", "markdown", "raw"]);

/** Parses and validates notebook JSON; every problem names the file and the cell. */
export function parseNotebook(file: string, text: string): Notebook {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";
    const pos = jsonErrorOffset(text);
    const before = text.slice(0, Math.max(pos, 0)).split("\n");
    throw new NotebookFormatError(
      `${file}:${before.length}:${(before.at(-1)?.length ?? 0) + 1}`,
      `invalid JSON: ${msg.replace(/, ".*$/s, "")}`,
    );
  }
  if (typeof raw !== "object" || raw === null || !Array.isArray((raw as { cells?: unknown }).cells)) {
    throw new NotebookFormatError(file, "not a Jupyter notebook: no `cells` array");
  }
  const nb = raw as { cells: unknown[]; metadata?: unknown; nbformat?: unknown; nbformat_minor?: unknown };
  if (nb.nbformat !== 4) throw new NotebookFormatError(file, `unsupported nbformat ${String(nb.nbformat)} (maze reads nbformat 4)`);
  const cells = nb.cells.map((c, i): Cell => {
    const cell = c as { cell_type?: unknown; source?: unknown; metadata?: unknown; outputs?: unknown; id?: unknown };
    if (typeof cell !== "object" || cell === null) throw new NotebookFormatError(file, "cell is not an object", i + 1);
    if (typeof cell.cell_type !== "string" || !CELL_TYPES.has(cell.cell_type)) {
      throw new NotebookFormatError(file, `unknown cell type '${String(cell.cell_type)}' (expected code, markdown or raw)`, i + 1);
    }
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    if (typeof source !== "string") throw new NotebookFormatError(file, "cell source is neither a string nor a list of strings", i + 1);
    const out: Cell = {
      cell_type: cell.cell_type as Cell["cell_type"],
      source,
      metadata: (typeof cell.metadata === "object" && cell.metadata !== null ? cell.metadata : {}) as Cell["metadata"],
    };
    if (typeof cell.id === "string") out.id = cell.id;
    if (out.cell_type === "code") {
      out.outputs = Array.isArray(cell.outputs) ? (cell.outputs as Output[]) : [];
      out.execution_count = null;
    }
    return out;
  });
  return {
    cells,
    metadata: (typeof nb.metadata === "object" && nb.metadata !== null ? nb.metadata : {}) as Record<string, unknown>,
    nbformat: 4,
    nbformat_minor: typeof nb.nbformat_minor === "number" ? nb.nbformat_minor : 5,
  };
}

/** Reads and validates a notebook file. */
export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new NotebookFormatError(file, `cannot read: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseNotebook(file, text);
}

/** Serialises a notebook the way Jupyter does (sources as line lists, one-space indent). */
export function serializeNotebook(nb: Notebook): string {
  const lines = (s: string): string[] => s.split(/(?<=\n)/);
  const cells = nb.cells.map((c) => {
    const base: Record<string, unknown> = { cell_type: c.cell_type };
    if (c.id !== undefined) base["id"] = c.id;
    base["metadata"] = c.metadata;
    base["source"] = lines(c.source);
    if (c.cell_type === "code") {
      base["execution_count"] = c.execution_count ?? null;
      base["outputs"] = (c.outputs ?? []).map((o) => (o.output_type === "stream" ? { ...o, text: lines(o.text) } : o));
    }
    return base;
  });
  return JSON.stringify({ cells, metadata: nb.metadata, nbformat: nb.nbformat, nbformat_minor: nb.nbformat_minor }, null, 1) + "\n";
}

/**
 * Writes a file atomically (temp file + rename), so a reader never sees a half-written notebook or
 * page. A write or rename that fails (a full disk, `file` is a folder) removes the temp file first.
 */
export function writeFileAtomic(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Builds a notebook from cells given as plain data (used by tests and by notebook authoring scripts). */
export function makeNotebook(cells: readonly { type: Cell["cell_type"]; source: string; tags?: string[]; slide?: string }[]): Notebook {
  return {
    cells: cells.map((c, i) => {
      const metadata: Cell["metadata"] = {};
      if (c.tags) metadata.tags = c.tags;
      if (c.slide) metadata.slideshow = { slide_type: c.slide };
      const cell: Cell = { cell_type: c.type, id: `c${i}`, metadata, source: c.source };
      if (c.type === "code") {
        cell.outputs = [];
        cell.execution_count = null;
      }
      return cell;
    }),
    metadata: {
      kernelspec: { name: "maze", display_name: "maze (TypeScript)", language: "typescript" },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
}
