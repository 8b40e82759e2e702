/**
 * The browser twin of `node:fs` for the live runtime: a read-mostly file system over the files the
 * build embeds (the Dedalus corpus and lesson programs under `/maze/protocols/`), so
 * `maze.protocolProgram("retry_delivery.ded")`, `include` statements and the labs' fixed files work on
 * the page. Writes go to memory and last as long as the worker.
 */
import { EMBEDDED_FILES } from "maze-embedded-files";
import { resolve } from "./path";

const files = new Map<string, string>(Object.entries(EMBEDDED_FILES).map(([k, v]) => [resolve(k), v]));

function isDir(p: string): boolean {
  const prefix = p.endsWith("/") ? p : p + "/";
  for (const k of files.keys()) if (k.startsWith(prefix)) return true;
  return p === "/";
}

function notFound(p: string, op: string): Error {
  const e = new Error(`ENOENT: no such file or directory, ${op} '${p}'`) as Error & { code: string };
  e.code = "ENOENT";
  return e;
}

/** True when the embedded file or directory exists. */
export function existsSync(p: string): boolean {
  const r = resolve(String(p));
  return files.has(r) || isDir(r);
}

/** Reads an embedded file as text (the encoding argument is accepted and ignored: all text is UTF-8). */
export function readFileSync(p: string, _encoding?: unknown): string {
  const r = resolve(String(p));
  const text = files.get(r);
  if (text === undefined) throw notFound(r, "open");
  return text;
}

/** Keeps a written file in memory for the rest of the worker's life. */
export function writeFileSync(p: string, data: string): void {
  files.set(resolve(String(p)), String(data));
}

/** Appends to an in-memory file. */
export function appendFileSync(p: string, data: string): void {
  const r = resolve(String(p));
  files.set(r, (files.get(r) ?? "") + String(data));
}

/** Directories are implied by the files under them: nothing to create. */
export function mkdirSync(_p: string, _options?: unknown): void {}

/** The names directly under an embedded directory. */
export function readdirSync(p: string): string[] {
  const r = resolve(String(p));
  if (!isDir(r)) throw notFound(r, "scandir");
  const prefix = r === "/" ? "/" : r + "/";
  const names = new Set<string>();
  for (const k of files.keys()) if (k.startsWith(prefix)) names.add(k.slice(prefix.length).split("/")[0]!);
  return [...names].sort();
}

/** What a stat call tells about an embedded path. */
export interface BrowserStats {
  size: number;
  isFile(): boolean;
  isDirectory(): boolean;
}

/** Stats an embedded path. */
export function statSync(p: string): BrowserStats {
  const r = resolve(String(p));
  const text = files.get(r);
  if (text === undefined && !isDir(r)) throw notFound(r, "stat");
  return {
    size: text === undefined ? 0 : new TextEncoder().encode(text).length,
    isFile: () => text !== undefined,
    isDirectory: () => text === undefined,
  };
}

export default { existsSync, readFileSync, writeFileSync, appendFileSync, mkdirSync, readdirSync, statSync };
