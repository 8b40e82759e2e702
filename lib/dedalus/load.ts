/**
 * Loading a program: parse each input file, follow `include` statements (relative to the including
 * file, falling back to the first input's directory; each file loaded once), and number the rules.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { IncludeStatement, LocalityMode, Program, SourceMap, Statement } from "./ast";
import { error, type Diagnostic } from "./diagnostics";
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

/** Where include paths are looked up: the given in-memory sources first, then (optionally) the disk. */
interface Resolver {
  read(file: string): string | null;
}

function diskReader(): Resolver {
  return {
    read(file) {
      try {
        return fs.readFileSync(file, "utf8");
      } catch {
        return null;
      }
    },
  };
}

function key(file: string): string {
  return path.resolve(file);
}

function assemble(inputs: SourceFile[], resolver: Resolver, options: LoadOptions): { program: Program; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const statements: Statement[] = [];
  const sources: SourceMap = new Map();
  const files: string[] = [];
  const loaded = new Set<string>();
  const firstDir = inputs.length > 0 ? path.dirname(inputs[0]!.file) : ".";

  const load = (file: string, text: string): void => {
    loaded.add(key(file));
    files.push(file);
    sources.set(file, text);
    const parsed = parseFile(file, text);
    diagnostics.push(...parsed.diagnostics);
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
      const text = resolver.read(c);
      if (text !== null) {
        s.resolved = key(c);
        load(c, text);
        return;
      }
    }
    diagnostics.push(error("include-not-found", `cannot read included file "${s.path}" (looked in ${[...new Set(candidates)].join(" and ")})`, s.span));
  };

  for (const input of inputs) {
    if (loaded.has(key(input.file))) continue;
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
  return assemble(sources, { read: (f) => byKey.get(key(f)) ?? disk.read(f) }, options);
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
  for (const f of files) {
    const text = disk.read(f);
    if (text === null) missing.push(error("file-not-found", `cannot read input file "${f}"`));
    else inputs.push({ file: f, text });
  }
  const r = assemble(inputs, disk, options);
  return { program: r.program, diagnostics: [...missing, ...r.diagnostics] };
}
