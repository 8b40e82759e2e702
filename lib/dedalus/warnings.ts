/**
 * Checker warnings: things that are legal Dedalus but usually a mistake. They never stop a run
 * (the hard errors live in check.ts); `maze check` prints them beside the errors.
 */
import type { BodyAtom, Program, Rule, Span, Term } from "./ast";
import type { Diagnostic } from "./diagnostics";

/**
 * The warning codes, each with the sentence that explains it (a registry like DIAGNOSTIC_CODES, so
 * the documentation table can be generated from it).
 */
export const WARNING_CODES = {
  "never-derived": "A relation is read by a rule but no fact or rule produces it, so it is always empty.",
  "never-used": "A relation is produced but no rule reads it (fine for an output you look at; pre/post are exempt).",
  "non-local-join":
    "A protocol rule joins atoms stored at different locations. Molly does not enforce locality, so the rule reads remote state " +
    "without a message; a real node could not. Rules that only serve the invariants (pre/post) are exempt.",
} as const;

/** A warning code. */
export type WarningCode = keyof typeof WARNING_CODES;

/** The built-in relation every program may read without producing it (DESIGN.md section 5). */
const BUILTIN_RELATIONS: ReadonlySet<string> = new Set(["crash"]);

/** Relations read at EOT by the verdict rather than by rules (DESIGN.md section 5, invariants). */
const INVARIANT_ROOTS: readonly string[] = ["pre", "post"];

function warning(code: WarningCode, message: string, span?: Span, related?: { message: string; span: Span }[]): Diagnostic {
  const d: Diagnostic = { code, severity: "warning", message };
  if (span) d.span = span;
  if (related && related.length > 0) d.related = related;
  return d;
}

function bodyAtoms(rule: Rule): BodyAtom[] {
  return rule.body.filter((b): b is BodyAtom => b.kind === "atom");
}

/**
 * The relations that exist only to state invariants: pre, post, and every relation read solely by
 * rules that derive invariant relations (e.g. Molly's `missing_log`, `decision`, `disagree`).
 * Their rules take a global view on purpose, so they are not held to locality.
 */
export function invariantRelations(program: Program): Set<string> {
  const inv = new Set<string>(INVARIANT_ROOTS);
  const readers = new Map<string, Set<string>>(); // relation -> heads of the rules that read it
  for (const r of program.rules)
    for (const a of bodyAtoms(r)) {
      const s = readers.get(a.rel) ?? new Set<string>();
      s.add(r.head.rel);
      readers.set(a.rel, s);
    }
  const produced = new Set(program.rules.map((r) => r.head.rel));
  for (let changed = true; changed; ) {
    changed = false;
    for (const [rel, heads] of readers) {
      // EDB and built-ins are protocol inputs, not invariant helpers; a relation that reads itself
      // (persistence, recursion) is protocol state.
      if (inv.has(rel) || !produced.has(rel)) continue;
      if ([...heads].every((h) => inv.has(h))) {
        inv.add(rel);
        changed = true;
      }
    }
  }
  return inv;
}

/** Union-find over location terms, so `p(X, ..), q(Y, ..), X == Y` counts as local. */
class Locations {
  private parent = new Map<string, string>();
  find(k: string): string {
    let p = this.parent.get(k) ?? k;
    if (p !== k) {
      p = this.find(p);
      this.parent.set(k, p);
    }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a), rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

/** A key naming the location a term denotes, or null when the term says nothing (`_`, arithmetic). */
function locationKey(t: Term | undefined): string | null {
  if (!t) return null;
  if (t.kind === "var") return `var:${t.name}`;
  if (t.kind === "const") return `const:${JSON.stringify(t.value)}`;
  return null;
}

function describeLocation(t: Term | undefined): string {
  if (!t) return "?";
  if (t.kind === "var") return t.name;
  if (t.kind === "const") return JSON.stringify(t.value);
  return "_";
}

/** Warns when a protocol rule's body atoms are not all at the rule's site. */
function nonLocalJoins(program: Program, invariant: Set<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const rule of program.rules) {
    if (invariant.has(rule.head.rel)) continue;
    const atoms = bodyAtoms(rule);
    const site = atoms[0];
    if (!site || atoms.length < 2) continue;
    const locs = new Locations();
    for (const b of rule.body) {
      if (b.kind !== "compare" || b.op !== "==") continue;
      const l = locationKey(b.left), r = locationKey(b.right);
      if (l && r) locs.union(l, r);
    }
    const siteKey = locationKey(site.args[0]);
    const remote = atoms.slice(1).filter((a) => {
      const k = locationKey(a.args[0]);
      // `_` as a location reads every node's copy: never provably local. A `_` site is handled alike.
      if (k === null || siteKey === null) return true;
      return locs.find(k) !== locs.find(siteKey);
    });
    if (remote.length === 0) continue;
    const names = remote.map((a) => `${a.rel} at ${describeLocation(a.args[0])}`).join(", ");
    out.push(
      warning(
        "non-local-join",
        `rule for ${rule.head.rel} runs at ${describeLocation(site.args[0])} (first column of ${site.rel}) but also reads ${names}; ` +
          `a node can only join what it stores — send the remote tuples with @async first`,
        rule.span,
        remote.map((a) => ({ message: `${a.rel} is read at location ${describeLocation(a.args[0])}`, span: a.span })),
      ),
    );
  }
  return out;
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
  const invariant = invariantRelations(program);
  return [...unusedAndUnderived(program), ...nonLocalJoins(program, invariant)];
}
