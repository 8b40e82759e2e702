/**
 * Checker warnings: things that are legal Dedalus but usually a mistake. They never stop a run
 * (the hard errors live in check.ts; locality, an error that `--allow-nonlocal` turns into a
 * warning, in locality.ts); `maze check` prints them beside the errors.
 */
import { bodyAtoms, type Program, type Span } from "./ast";
import type { Diagnostic } from "./diagnostics";
import { INVARIANT_ROOTS } from "./locality";

/**
 * The warning codes, each with the sentence that explains it (a registry like DIAGNOSTIC_CODES, so
 * the documentation table can be generated from it).
 */
export const WARNING_CODES = {
  "never-derived": "A relation is read by a rule but no fact or rule produces it, so it is always empty.",
  "never-used": "A relation is produced but no rule reads it (fine for an output you look at; pre/post are exempt).",
} as const;

/** A warning code. */
export type WarningCode = keyof typeof WARNING_CODES;

/** The built-in relation every program may read without producing it (DESIGN.md section 5). */
const BUILTIN_RELATIONS: ReadonlySet<string> = new Set(["crash"]);

function warning(code: WarningCode, message: string, span?: Span, related?: { message: string; span: Span }[]): Diagnostic {
  const d: Diagnostic = { code, severity: "warning", message };
  if (span) d.span = span;
  if (related && related.length > 0) d.related = related;
  return d;
}

/** Warns about relations read but never produced, and produced but never read. */
function unusedAndUnderived(program: Program): Diagnostic[] {
  const produced = new Map<string, Span>();
  for (const f of program.facts) if (!produced.has(f.rel)) produced.set(f.rel, f.relSpan);
  for (const r of program.rules) if (!produced.has(r.head.rel)) produced.set(r.head.rel, r.head.relSpan);
  const read = new Map<string, Span>();
  for (const r of program.rules) for (const a of bodyAtoms(r)) if (!read.has(a.rel)) read.set(a.rel, a.relSpan);

  const out: Diagnostic[] = [];
  for (const [rel, span] of read) {
    if (produced.has(rel) || BUILTIN_RELATIONS.has(rel)) continue;
    out.push(warning("never-derived", `relation ${rel} is read but no fact or rule produces it, so it is always empty`, span));
  }
  for (const [rel, span] of produced) {
    if (read.has(rel) || INVARIANT_ROOTS.includes(rel) || BUILTIN_RELATIONS.has(rel)) continue;
    out.push(warning("never-used", `relation ${rel} is produced but no rule reads it`, span));
  }
  return out;
}

/**
 * All warnings of a parsed program, in source order of their spans. Pure: reads the AST only, so
 * it can run on programs that have errors (whatever the parser recovered).
 */
export function checkWarnings(program: Program): Diagnostic[] {
  return unusedAndUnderived(program);
}
