/**
 * Diagnostics are data: the parser, loader and checker collect them instead of throwing, so one pass
 * reports every problem it can find. Line and column are carried on the {@link Span}; the caret
 * excerpt is computed only when a diagnostic is printed ({@link formatDiagnostic}).
 */
import type { SourceMap, Span } from "./ast";

/** How bad a diagnostic is: errors stop a run, warnings do not. */
export type Severity = "error" | "warning";

/** One problem found in a program. `code` is a stable identifier from {@link DIAGNOSTIC_CODES} (or a warning registry). */
export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  span?: Span;
  /** Other places that explain this one (e.g. the rules of a negative cycle, the first use of a relation). */
  related?: { message: string; span: Span }[];
}

/**
 * The error codes of the parser, loader and checker, with the sentence that explains each one. The
 * documentation table of lib/dedalus/README.md is generated from this registry.
 */
export const DIAGNOSTIC_CODES = {
  syntax: "The text does not follow the Dedalus grammar; the message says what was expected.",
  "unterminated-string": "A string literal has no closing double quote on its line.",
  "unterminated-comment": "A /* comment is never closed.",
  "bad-character": "A character that cannot start any token.",
  "nested-too-deeply": "An expression nests parentheses or chains operators more than 1000 levels deep (MAX_EXPRESSION_DEPTH).",
  "integer-too-large": "An integer literal is larger than the largest exactly representable integer.",
  "fact-without-time": "A fact must carry @N (the timestep at which it holds).",
  "fact-not-ground": "A fact's arguments must be constants.",
  "head-time": "A rule head may carry @next or @async, not an absolute time @N.",
  "body-time": "A body atom may carry an absolute time @N, not @next or @async.",
  "include-not-found": "An included file could not be read.",
  "file-not-found": "An input file could not be read.",
  "input-too-large": "A program's files and includes together exceed MAX_PROGRAM_BYTES (8 MiB); loading stops there.",
  arity: "A relation is used with different numbers of columns.",
  "column-type": "A column of a relation holds strings in one place and integers in another.",
  "location-type": "The first column of every relation is a location and must be a string.",
  "unsafe-variable": "A variable in a head, a notin or a comparison is not bound by a positive body atom.",
  aggregate: "An aggregate is malformed (unknown function, or used outside a head column).",
  unstratifiable: "Negation or aggregation inside a same-timestep recursive cycle.",
  "reserved-name": "The relation name is reserved (clock, *_vars, *_prov<k>).",
  "crash-arity": "The built-in crash relation has exactly three columns (Observer, Crashed, CrashTime).",
  "crash-derived": "The built-in crash relation cannot be derived or stated as a fact.",
  "no-site": "A rule needs at least one body atom: its first column is where the rule runs.",
  "body-arithmetic": "Arithmetic inside a body atom is not supported: bind a variable and compare it instead.",
  "head-wildcard": "A head column cannot be '_': every head column needs a value.",
  "arity-zero": "A relation needs at least one column: the first column is its location.",
  "non-local-join":
    "A protocol rule reads an atom stored at another location than its site (the first column of its first body atom): " +
    "a node can only join what it stores, so send the remote tuples with @async first. A warning under --allow-nonlocal.",
  "non-local-head":
    "A deductive or @next rule stores its head at another location than its site: only @async moves data between nodes. " +
    "A warning under --allow-nonlocal.",
} as const;

/** A code of the parser, loader or checker. */
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** The markdown table of {@link DIAGNOSTIC_CODES} (lib/dedalus/README.md embeds it; a test keeps them in sync). */
export function diagnosticCodeTable(): string {
  const rows = Object.entries(DIAGNOSTIC_CODES).map(([code, text]) => `| \`${code}\` | ${text} |`);
  return ["| code | meaning |", "|---|---|", ...rows].join("\n");
}

/** Builds an error diagnostic. */
export function error(code: DiagnosticCode, message: string, span?: Span, related?: { message: string; span: Span }[]): Diagnostic {
  const d: Diagnostic = { code, severity: "error", message };
  if (span) d.span = span;
  if (related && related.length > 0) d.related = related;
  return d;
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Orders diagnostics by file, then position, then message, so output is stable. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.span?.file ?? "",
      fb = b.span?.file ?? "";
    if (fa !== fb) return fa < fb ? -1 : 1;
    const d = (a.span?.start ?? -1) - (b.span?.start ?? -1);
    if (d !== 0) return d;
    return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
  });
}

/** `file:line:col` of a span. */
export function formatLocation(span: Span): string {
  return `${span.file}:${span.line}:${span.col}`;
}

/** The source line holding `span.start`, with a caret line under the span (clipped to that line). */
function excerpt(span: Span, sources: SourceMap): string | null {
  const text = sources.get(span.file);
  if (text === undefined) return null;
  const lineStart = text.lastIndexOf("\n", span.start - 1) + 1;
  let lineEnd = text.indexOf("\n", lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  const line = text.slice(lineStart, lineEnd).replace(/\r$/, "");
  const from = Math.max(0, span.start - lineStart);
  const to = Math.max(from + 1, Math.min(span.end, lineStart + line.length) - lineStart);
  // Tabs keep their width in the caret line so the caret stays under the right character.
  const pad = line.slice(0, from).replace(/[^\t]/g, " ");
  const number = String(span.line);
  const gutter = " ".repeat(number.length);
  return `${number} | ${line}\n${gutter} | ${pad}${"^".repeat(to - from)}`;
}

/**
 * Prints a diagnostic as `file:line:col: error: message`, then the source line with a caret under the
 * span, then each related location on its own line.
 */
export function formatDiagnostic(d: Diagnostic, sources: SourceMap): string {
  const lines: string[] = [];
  const where = d.span ? formatLocation(d.span) + ": " : "";
  lines.push(`${where}${d.severity}: ${d.message} [${d.code}]`);
  if (d.span) {
    const ex = excerpt(d.span, sources);
    if (ex) lines.push(ex);
  }
  for (const r of d.related ?? []) lines.push(`${formatLocation(r.span)}: note: ${r.message}`);
  return lines.join("\n");
}

/** Thrown by the convenience entry points (e.g. `compileProgram`) when a program has errors; carries all of them. */
export class DedalusError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[], sources?: SourceMap) {
    const errors = diagnostics.filter((d) => d.severity === "error");
    const first = errors[0] ?? diagnostics[0];
    const summary = first
      ? sources
        ? formatDiagnostic(first, sources)
        : `${first.span ? formatLocation(first.span) + ": " : ""}${first.message}`
      : "invalid Dedalus program";
    super(errors.length > 1 ? `${summary}\n(and ${errors.length - 1} more errors)` : summary);
    this.name = "DedalusError";
    this.diagnostics = diagnostics;
  }
}
