/**
 * Loading a program: parse each input file, follow `include` statements (relative to the including
 * file, falling back to the first input's directory; each file loaded once), and number the rules;
 * {@link loadChecked} also checks it and reports its diagnostics, the one way every caller that
 * runs, grades or shows a program admits it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { IncludeStatement, LocalityMode, Program, SourceMap, Statement } from "./ast";
import { checkProgram } from "./check";
import { DedalusError, error, formatDiagnostic, hasErrors, type Diagnostic } from "./diagnostics";
import { parseFile } from "./parser";

/** An in-memory source file. */
export interface SourceFile {
  file: string;
  text: string;
}

/** How a program is admitted: today only how strictly locality is enforced (default `"error"`). */
export interface LoadOptions {
  /** `"warn"` turns non-local rules into warnings (the CLI's `--allow-nonlocal`), for Molly's own programs. */
  locality?: LocalityMode;
}

/**
 * The most source text one program may hold, all its files and includes together, in bytes (UTF-16
 * code units for in-memory sources). Checking a 5 MB program takes about 3 s and 700 MB here; twice
 * that stays inside Node's default heap, while the largest program of the corpus is a few kilobytes.
 * Past it loading stops with an `input-too-large` diagnostic instead of reading without bound (a
 * device such as /dev/zero never ends).
 */
export const MAX_PROGRAM_BYTES = 8 * 1024 * 1024;

/** A file read from disk, or why it could not be: unreadable, or larger than the bytes left. */
type ReadResult = { text: string } | { error: "unreadable" } | { error: "too-large" };

/** Where include paths are looked up: the given in-memory sources first, then (optionally) the disk. */
interface Resolver {
  /** Reads `file`, giving up past `budget` bytes. */
  read(file: string, budget: number): ReadResult;
}

/** Bytes read per system call when a file's size is unknown (a device, a pipe). */
const READ_CHUNK = 64 * 1024;

/**
 * Reads a file within `budget` bytes. A regular file's size answers at once and it is read whole
 * (the path the browser's file-system twin also takes); anything else — a device such as
 * /dev/zero, a pipe — is read in chunks that stop one byte past the budget.
 */
function readBounded(file: string, budget: number): ReadResult {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return { error: "unreadable" };
  }
  if (stat.isDirectory()) return { error: "unreadable" };
  if (!stat.isFile()) return readChunked(file, budget);
  if (stat.size > budget) return { error: "too-large" };
  try {
    const text = fs.readFileSync(file, "utf8");
    // the file may have grown since the stat
    return text.length > budget ? { error: "too-large" } : { text };
  } catch {
    return { error: "unreadable" };
  }
}

/** Reads at most `budget` + 1 bytes of a file whose size is unknown (a device, a pipe). */
function readChunked(file: string, budget: number): ReadResult {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return { error: "unreadable" };
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, budget + 1 - total));
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > budget) return { error: "too-large" };
    }
    return { text: Buffer.concat(chunks, total).toString("utf8") };
  } catch {
    return { error: "unreadable" };
  } finally {
    fs.closeSync(fd);
  }
}

function diskReader(): Resolver {
  return { read: readBounded };
}

/** The message of an `input-too-large` diagnostic. */
function tooLargeMessage(what: string): string {
  return `${what} is too large: a program's files and includes may hold at most ${MAX_PROGRAM_BYTES} bytes (${MAX_PROGRAM_BYTES / (1024 * 1024)} MiB) together`;
}

function key(file: string): string {
  return path.resolve(file);
}

/** `used`: bytes already spent on the inputs' budget by the caller (disk inputs read before assembling). */
function assemble(
  inputs: SourceFile[],
  resolver: Resolver,
  options: LoadOptions,
  used = 0,
): { program: Program; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const statements: Statement[] = [];
  const sources: SourceMap = new Map();
  const files: string[] = [];
  const loaded = new Set<string>();
  const firstDir = inputs.length > 0 ? path.dirname(inputs[0]!.file) : ".";
  let budget = MAX_PROGRAM_BYTES - used;

  const load = (file: string, text: string): void => {
    budget -= text.length;
    loaded.add(key(file));
    files.push(file);
    sources.set(file, text);
    const parsed = parseFile(file, text);
    for (const d of parsed.diagnostics) diagnostics.push(d);
    for (const s of parsed.statements) {
      statements.push(s);
      if (s.kind === "include") include(s, file);
    }
  };

  const include = (s: IncludeStatement, from: string): void => {
    const candidates = [path.join(path.dirname(from), s.path), path.join(firstDir, s.path)];
    if (path.isAbsolute(s.path)) candidates.splice(0, candidates.length, s.path);
    for (const c of candidates) {
      if (loaded.has(key(c))) return; // included before (or an input): load once
      const read = resolver.read(c, Math.max(0, budget));
      if ("text" in read) {
        s.resolved = key(c);
        load(c, read.text);
        return;
      }
      if (read.error === "too-large") {
        diagnostics.push(error("input-too-large", tooLargeMessage(`included file "${s.path}"`), s.span));
        return;
      }
    }
    diagnostics.push(
      error("include-not-found", `cannot read included file "${s.path}" (looked in ${[...new Set(candidates)].join(" and ")})`, s.span),
    );
  };

  for (const input of inputs) {
    if (loaded.has(key(input.file))) continue;
    if (input.text.length > budget) {
      diagnostics.push(error("input-too-large", tooLargeMessage(`input "${input.file}"`)));
      continue;
    }
    load(input.file, input.text);
  }
  let index = 0;
  for (const s of statements) if (s.kind === "rule") s.index = index++;
  const program: Program = {
    statements,
    rules: statements.filter((s) => s.kind === "rule"),
    facts: statements.filter((s) => s.kind === "fact"),
    includes: statements.filter((s) => s.kind === "include"),
    files,
    sources,
  };
  if (options.locality) program.locality = options.locality;
  return { program, diagnostics };
}

/**
 * Parses in-memory sources as one program (concatenated in order). Includes are resolved among the given
 * sources first, then on disk.
 */
export function parseProgram(sources: SourceFile[], options: LoadOptions = {}): { program: Program; diagnostics: Diagnostic[] } {
  const byKey = new Map(sources.map((s) => [key(s.file), s.text]));
  const disk = diskReader();
  return assemble(
    sources,
    {
      read: (f, budget) => {
        const text = byKey.get(key(f));
        if (text === undefined) return disk.read(f, budget);
        return text.length > budget ? { error: "too-large" } : { text };
      },
    },
    options,
  );
}

/** Parses a single source text (file name defaults to `<input>`). */
export function parseSource(text: string, file = "<input>", options: LoadOptions = {}): { program: Program; diagnostics: Diagnostic[] } {
  return parseProgram([{ file, text }], options);
}

/** Reads the given files from disk (and their includes) as one program. Unreadable inputs become diagnostics. */
export function loadProgram(files: string[], options: LoadOptions = {}): { program: Program; diagnostics: Diagnostic[] } {
  const disk = diskReader();
  const inputs: SourceFile[] = [];
  const missing: Diagnostic[] = [];
  let left = MAX_PROGRAM_BYTES;
  const seen = new Set<string>();
  for (const f of files) {
    // a file given twice is loaded once (assemble skips it), so it is read and counted once
    if (seen.has(key(f))) continue;
    seen.add(key(f));
    const read = disk.read(f, left);
    if ("text" in read) {
      inputs.push({ file: f, text: read.text });
      left -= read.text.length;
    } else if (read.error === "too-large") {
      missing.push(error("input-too-large", tooLargeMessage(`input file "${f}"`)));
      break; // the budget is spent: later inputs are not read
    } else missing.push(error("file-not-found", `cannot read input file "${f}"`));
  }
  const r = assemble(inputs, disk, options);
  return { program: r.program, diagnostics: [...missing, ...r.diagnostics] };
}

/** A program loaded and checked: what every caller that runs, grades or shows a program needs of it. */
export interface CheckedProgram {
  readonly program: Program;
  /**
   * The loader's and parser's diagnostics and, when those hold no error, the checker's after them,
   * in the order they were found (`sortDiagnostics` orders them by location).
   */
  readonly diagnostics: Diagnostic[];
  /** The errors among {@link CheckedProgram.diagnostics}, in the same order; empty when the program can run. */
  readonly errors: Diagnostic[];
}

/**
 * Loads a program — files read from disk, or in-memory sources (includes: those first, then the
 * disk) — and checks it when it parsed without errors. Never throws for a bad program: its problems
 * are the result's diagnostics; {@link reportDiagnostics} prints them and {@link checkedOrThrow}
 * turns them into a {@link DedalusError}.
 */
export function loadChecked(input: readonly string[] | readonly SourceFile[], options: LoadOptions = {}): CheckedProgram {
  const files = input.filter((x): x is string => typeof x === "string");
  const loaded =
    files.length === input.length
      ? loadProgram(files, options)
      : parseProgram(
          input.filter((x): x is SourceFile => typeof x !== "string"),
          options,
        );
  return checkParsed(loaded);
}

/** Checks a program already loaded (with its loading diagnostics): the part of {@link loadChecked} after reading. */
export function checkParsed(loaded: { program: Program; diagnostics: Diagnostic[] }): CheckedProgram {
  const diagnostics = [...loaded.diagnostics];
  // A loop, not push(...spread): a large program can have more diagnostics than a call takes arguments.
  if (!hasErrors(diagnostics)) for (const d of checkProgram(loaded.program).diagnostics) diagnostics.push(d);
  return { program: loaded.program, diagnostics, errors: diagnostics.filter((d) => d.severity === "error") };
}

/**
 * Diagnostics as the CLI and the notebooks print them: each `file:line:col: severity: message [code]`
 * with its caret excerpt, one after the other; past `max` of them, a last line says how many more.
 */
export function reportDiagnostics(diagnostics: readonly Diagnostic[], program: Program, max = Infinity): string {
  const shown = diagnostics.slice(0, max).map((d) => formatDiagnostic(d, program.sources));
  return shown.join("\n") + (diagnostics.length > shown.length ? `\n(and ${diagnostics.length - shown.length} more)` : "");
}

/**
 * The program of a {@link CheckedProgram}, or a {@link DedalusError} carrying its diagnostics, whose
 * message is the first error located with its caret.
 */
export function checkedOrThrow(checked: CheckedProgram): Program {
  if (checked.errors.length > 0) throw new DedalusError(checked.diagnostics, checked.program.sources);
  return checked.program;
}
