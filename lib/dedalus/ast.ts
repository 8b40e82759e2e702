/**
 * The Dedalus abstract syntax tree (DESIGN.md section 5). Every node carries the {@link Span} of the
 * source text it came from, so the checker, the evaluator's errors and the provenance graph can all
 * point back at `file:line:col`.
 *
 * The tree is plain data (no classes, no methods) so that it can be serialised into golden files,
 * handed to workers, and pattern-matched with `switch (node.kind)`.
 */
import { formatValue } from "./factText";

/** A region of one source file. `start`/`end` are character offsets; `line`/`col` (1-based) locate `start`. */
export interface Span {
  file: string;
  start: number;
  end: number;
  line: number;
  col: number;
}

/** A constant value: a double-quoted string (no escapes) or an integer (negative ones written -N). */
export type Value = string | number;

/** Integer arithmetic allowed in heads and comparisons; `/` truncates towards zero. */
export type ArithOp = "+" | "-" | "*" | "/";

/** Comparison operators allowed as body conditions. */
export type CompareOp = "==" | "!=" | "<" | ">" | "<=" | ">=";

/** Aggregate functions allowed in a head column, e.g. `count<X>`. */
export type AggregateFn = "count" | "sum" | "min" | "max" | "avg";

/** A variable: an identifier starting with an upper-case letter. */
export interface VarTerm {
  kind: "var";
  name: string;
  span: Span;
}

/** `_`: a fresh variable each time it appears (existential inside `notin`). */
export interface WildcardTerm {
  kind: "wildcard";
  span: Span;
}

/** A string or integer literal. */
export interface ConstTerm {
  kind: "const";
  value: Value;
  span: Span;
}

/** An arithmetic expression such as `T + 1`. */
export interface BinaryTerm {
  kind: "binary";
  op: ArithOp;
  left: Term;
  right: Term;
  span: Span;
}

/** A term in an atom, a comparison or a head. */
export type Term = VarTerm | WildcardTerm | ConstTerm | BinaryTerm;

/** An aggregate head column, e.g. `count<X>`: groups by the other head columns over distinct values of `X`. */
export interface AggregateTerm {
  kind: "aggregate";
  fn: AggregateFn;
  variable: VarTerm;
  span: Span;
}

/** A head column: a term or an aggregate. */
export type HeadTerm = Term | AggregateTerm;

/**
 * When a rule's head holds: `same` (deductive, this timestep), `next` (`@next`, the next timestep at the
 * head's location) or `async` (`@async`, a message to the head's first column).
 */
export type HeadTime = "same" | "next" | "async";

/** The head of a rule. */
export interface Head {
  rel: string;
  args: HeadTerm[];
  time: HeadTime;
  span: Span;
  /** Span of the relation name only (for diagnostics about the relation). */
  relSpan: Span;
}

/**
 * A relation atom in a rule body, e.g. `notin del(X, _)` or `seed(N, V)@1`.
 * `time` is an absolute timestep when the atom is written `@N` (read the relation as it was at N).
 */
export interface BodyAtom {
  kind: "atom";
  rel: string;
  args: Term[];
  negated: boolean;
  time: number | null;
  span: Span;
  relSpan: Span;
}

/** A comparison condition in a rule body, e.g. `A1 != A2` or `T > S + 1`. */
export interface Comparison {
  kind: "compare";
  op: CompareOp;
  left: Term;
  right: Term;
  span: Span;
}

/** One element of a rule body. */
export type BodyItem = BodyAtom | Comparison;

/** A rule `head :- body;`. `index` is its position among all rules of the program (stable id). */
export interface Rule {
  kind: "rule";
  index: number;
  head: Head;
  body: BodyItem[];
  span: Span;
  /** The rule's source text, whitespace-normalised, for provenance and reports. */
  text: string;
}

/** A ground fact `rel(c1, ..., cn)@N;`, true at time N only. */
export interface FactStatement {
  kind: "fact";
  rel: string;
  args: Value[];
  time: number;
  span: Span;
  relSpan: Span;
  /** Spans of each argument, for column-type diagnostics. */
  argSpans: Span[];
}

/** `include "path";`. `resolved` is the absolute path that was loaded (null when not found or already loaded). */
export interface IncludeStatement {
  kind: "include";
  path: string;
  resolved: string | null;
  span: Span;
}

/** Any top-level statement. */
export type Statement = Rule | FactStatement | IncludeStatement;

/** The source texts a program came from, keyed by file name (as it appears in spans). */
export type SourceMap = Map<string, string>;

/** A parsed program: every statement of every input and included file, in load order. */
export interface Program {
  statements: Statement[];
  rules: Rule[];
  facts: FactStatement[];
  includes: IncludeStatement[];
  /** Files in the order they were loaded (inputs and includes). */
  files: string[];
  /** The text of each loaded file, for caret excerpts. */
  sources: SourceMap;
  /**
   * How the checker holds this program to locality (see lib/dedalus/locality.ts); absent means
   * `"error"`. Set by the loader from its options, so every later run of the program (the CLI,
   * LDFI, the notebooks) applies the choice its author made when loading it.
   */
  locality?: LocalityMode;
}

/** How the checker treats a non-local rule: an error (the default) or a warning with the same code. */
export type LocalityMode = "error" | "warn";

/** The atoms of a rule's body (negated or not), in source order; the first one is the rule's site. */
export function bodyAtoms(rule: Rule): BodyAtom[] {
  return rule.body.filter((b): b is BodyAtom => b.kind === "atom");
}

/** Every variable name occurring in a term (wildcards excluded). */
export function termVariables(t: Term | HeadTerm, out: string[] = []): string[] {
  switch (t.kind) {
    case "var":
      out.push(t.name);
      break;
    case "binary":
      termVariables(t.left, out);
      termVariables(t.right, out);
      break;
    case "aggregate":
      out.push(t.variable.name);
      break;
    default:
      break;
  }
  return out;
}

/** How often variable `name` occurs in a term (wildcards are never a variable). */
export function termOccurrences(t: Term | HeadTerm, name: string): number {
  if (t.kind === "var") return t.name === name ? 1 : 0;
  if (t.kind === "binary") return termOccurrences(t.left, name) + termOccurrences(t.right, name);
  if (t.kind === "aggregate") return t.variable.name === name ? 1 : 0;
  return 0;
}

/** How often variable `name` occurs in a rule: its head, its atoms (negated or not) and its comparisons. */
export function ruleOccurrences(rule: Rule, name: string): number {
  let n = 0;
  for (const t of rule.head.args) n += termOccurrences(t, name);
  for (const x of rule.body) {
    if (x.kind === "atom") for (const t of x.args) n += termOccurrences(t, name);
    else n += termOccurrences(x.left, name) + termOccurrences(x.right, name);
  }
  return n;
}

/** Renders a term back to Dedalus source. */
export function formatTerm(t: Term | HeadTerm): string {
  switch (t.kind) {
    case "var":
      return t.name;
    case "wildcard":
      return "_";
    case "const":
      return formatValue(t.value);
    case "binary":
      return `${formatTerm(t.left)} ${t.op} ${formatTerm(t.right)}`;
    case "aggregate":
      return `${t.fn}<${t.variable.name}>`;
  }
}

/** Renders a body item back to Dedalus source. */
export function formatBodyItem(b: BodyItem): string {
  if (b.kind === "compare") return `${formatTerm(b.left)} ${b.op} ${formatTerm(b.right)}`;
  const atom = `${b.rel}(${b.args.map((a) => formatTerm(a)).join(", ")})${b.time === null ? "" : "@" + b.time}`;
  return b.negated ? `notin ${atom}` : atom;
}

/** Renders a rule back to Dedalus source (one line). */
export function formatRule(r: Rule): string {
  const suffix = r.head.time === "same" ? "" : "@" + r.head.time;
  const head = `${r.head.rel}(${r.head.args.map((a) => formatTerm(a)).join(", ")})${suffix}`;
  return `${head} :- ${r.body.map(formatBodyItem).join(", ")};`;
}
