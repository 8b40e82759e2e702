/**
 * Join planning: turns each checked rule into the data the evaluator executes. Pure and done once per
 * program, so thousands of runs (LDFI) share it.
 *
 * For a rule with body atoms a1..ak, of which `r1 < ... < rm` read relations derived in the rule's own
 * stratum, semi-naive evaluation runs one variant per ri:
 *   head :- a_r1(old), ..., a_r(i-1)(old), a_ri(delta), a_r(i+1)(full), ..., other atoms (full)
 * so each combination of premises is joined exactly once, in the round after its newest premise
 * appeared. A rule with no such atom runs once per stratum, every atom "full".
 *
 * Join order: the delta atom first (it is the small side), then repeatedly the atom with the most
 * bound columns (ties: written order). Those bound columns become the hash index the atom is probed
 * with. Negations, comparisons and the site check are placed as early as their variables are bound.
 */
import type { AggregateFn, ArithOp, BodyAtom, CompareOp, Comparison, Program, Rule, Span, Term } from "./ast";
import { negatedSingletons, CRASH_RELATION, type ColumnType, type ProgramInfo } from "./check";
import type { Interner } from "./intern";

/** A value source: a constant (already encoded) or a variable register. */
export type Operand = { kind: "const"; value: number } | { kind: "var"; slot: number };

/** An integer expression over registers. */
export type ExprPlan = Operand | { kind: "arith"; op: ArithOp; left: ExprPlan; right: ExprPlan; span: Span };

/** Which part of a store an atom reads (see store.ts). */
export type Range = "old" | "delta" | "full";

/** Probe or scan one positive body atom. */
export interface AtomStep {
  kind: "atom";
  rel: number;
  /** Absolute time (`p(X)@N`) or null for the current timestep. */
  time: number | null;
  /** Position among the rule's positive atoms in written order (provenance premise order). */
  ordinal: number;
  range: Range;
  keyCols: number[];
  keySrc: Operand[];
  binds: { col: number; slot: number }[];
  checks: { col: number; slot: number }[];
}

/** `notin p(...)`: fail when a matching tuple exists. */
export interface NegStep {
  kind: "neg";
  rel: number;
  time: number | null;
  /** Position among the rule's negated atoms in written order. */
  ordinal: number;
  keyCols: number[];
  keySrc: Operand[];
}

/** A comparison; `strings` when both sides are strings and the operator orders them. */
export interface CmpStep {
  kind: "cmp";
  op: CompareOp;
  left: ExprPlan;
  right: ExprPlan;
  strings: boolean;
}

/** The rule's site must be one of the run's nodes. */
export interface SiteStep {
  kind: "site";
  slot: number;
}

/** One step of a join. */
export type Step = AtomStep | NegStep | CmpStep | SiteStep;

/** A head column: an expression or an aggregate over a register. */
export type HeadColumn = { kind: "expr"; expr: ExprPlan } | { kind: "agg"; fn: AggregateFn; slot: number };

/** Where a rule runs: a register (first column of the first atom is a variable), a constant, or every node. */
export type SitePlan = { kind: "var"; slot: number } | { kind: "const"; value: number } | { kind: "any" };

/** A planned rule. */
export interface RulePlan {
  rule: Rule;
  headRel: number;
  headTime: "same" | "next" | "async";
  head: HeadColumn[];
  aggregate: boolean;
  site: SitePlan;
  nSlots: number;
  /** Positive atoms in written order: relation and absolute time. */
  positives: { rel: number; time: number | null }[];
  /** Negated atoms in written order, with their pattern (null = any value). */
  negatives: { rel: number; time: number | null; pattern: (Operand | null)[] }[];
  /** Semi-naive variants (empty when no atom reads the rule's own stratum). */
  variants: Step[][];
  /** Every atom reading "full": the rule's single run when non-recursive, and for `@next`, `@async` and aggregates. */
  full: Step[];
  /** Register of each variable name (for provenance bindings). */
  slots: Map<string, number>;
}

/** Relation metadata the evaluator needs. */
export interface RelationMeta {
  id: number;
  name: string;
  arity: number;
  types: ColumnType[];
}

/** A whole program compiled for evaluation. */
export interface ProgramPlan {
  relations: RelationMeta[];
  relationId: Map<string, number>;
  crashRel: number;
  strata: { relations: number[]; rules: RulePlan[] }[];
  nextRules: RulePlan[];
  asyncRules: RulePlan[];
  rules: RulePlan[];
}

/** Encodes a constant as stored in tuples. */
export function encodeValue(v: string | number, interner: Interner): number {
  return typeof v === "number" ? v : interner.intern(v);
}

/** Plans every rule of a checked program (the checker must have reported no errors). */
export function planProgram(program: Program, info: ProgramInfo, interner: Interner): ProgramPlan {
  const relations: RelationMeta[] = [];
  const relationId = new Map<string, number>();
  for (const [name, r] of info.relations) {
    relationId.set(name, relations.length);
    relations.push({ id: relations.length, name, arity: r.arity, types: r.types });
  }
  // Intern every string constant up front: every constant has its id before any run (runs add only node names).
  for (const f of program.facts) for (const a of f.args) encodeValue(a, interner);
  const relStratum = new Map<string, number>();
  info.strata.forEach((s, i) => s.relations.forEach((r) => relStratum.set(r, i)));
  const rules = program.rules.map((r) => planRule(r, info, relationId, relStratum, interner));
  const byIndex = new Map(rules.map((p) => [p.rule.index, p]));
  return {
    relations,
    relationId,
    crashRel: relationId.get(CRASH_RELATION)!,
    strata: info.strata.map((s) => ({ relations: s.relations.map((r) => relationId.get(r)!), rules: s.rules.map((i) => byIndex.get(i)!) })),
    nextRules: rules.filter((p) => p.headTime === "next"),
    asyncRules: rules.filter((p) => p.headTime === "async"),
    rules,
  };
}

/** Registers of a rule's variables, numbered in order of first sight. */
class Registers {
  readonly slots = new Map<string, number>();

  /** The register of variable `name`, assigning the next one on first sight. */
  slot(name: string): number {
    let s = this.slots.get(name);
    if (s === undefined) {
      s = this.slots.size;
      this.slots.set(name, s);
    }
    return s;
  }
}

/** What ordering a rule's join needs to know of it, fixed before any variant is ordered. */
interface RuleShape {
  registers: Registers;
  relationId: Map<string, number>;
  interner: Interner;
  positives: BodyAtom[];
  negatives: RulePlan["negatives"];
  compares: Comparison[];
  site: SitePlan;
  /** Whether a comparison orders strings (then it compares the decoded strings). */
  isStringCompare(l: Term, r: Term): boolean;
}

function planRule(
  rule: Rule,
  info: ProgramInfo,
  relationId: Map<string, number>,
  relStratum: Map<string, number>,
  interner: Interner,
): RulePlan {
  const registers = new Registers();
  const varTypes = info.variableTypes[rule.index] ?? new Map<string, ColumnType>();
  const existential = negatedSingletons(rule);
  const expr = (t: Term): ExprPlan => exprPlan(t, registers, interner);
  const atoms = rule.body.filter((b): b is BodyAtom => b.kind === "atom");
  const positives = atoms.filter((a) => !a.negated);
  const negated = atoms.filter((a) => a.negated);
  const compares = rule.body.filter((b): b is Comparison => b.kind === "compare");
  // Registers for every variable of positive atoms first (so binding order is stable).
  for (const a of positives) for (const t of a.args) if (t.kind === "var") registers.slot(t.name);
  const site = sitePlan(atoms[0], registers, interner);

  const head = rule.head.args.map((a): HeadColumn =>
    a.kind === "aggregate" ? { kind: "agg", fn: a.fn, slot: registers.slot(a.variable.name) } : { kind: "expr", expr: expr(a) },
  );
  const negatives = negated.map((a) => ({
    rel: relationId.get(a.rel)!,
    time: a.time,
    pattern: a.args.map((t): Operand | null =>
      t.kind === "wildcard" || (t.kind === "var" && existential.has(t.name)) ? null : (expr(t) as Operand),
    ),
  }));
  const myStratum = rule.head.time === "same" ? relStratum.get(rule.head.rel) : undefined;
  const recursive = positives.map((a) => myStratum !== undefined && relStratum.get(a.rel) === myStratum);

  const shape: RuleShape = {
    registers,
    relationId,
    interner,
    positives,
    negatives,
    compares,
    site,
    isStringCompare(l, r) {
      const ty = (t: Term): ColumnType =>
        t.kind === "const"
          ? typeof t.value === "string"
            ? "string"
            : "int"
          : t.kind === "var"
            ? (varTypes.get(t.name) ?? "unknown")
            : "int";
      return ty(l) === "string" || ty(r) === "string";
    },
  };
  const variants = semiNaiveVariants(recursive).map(({ deltaAt, ranges }) => orderJoin(shape, deltaAt, ranges));
  const full = orderJoin(
    shape,
    null,
    positives.map(() => "full"),
  );
  return {
    rule,
    headRel: relationId.get(rule.head.rel)!,
    headTime: rule.head.time,
    head,
    aggregate: head.some((h) => h.kind === "agg"),
    site,
    nSlots: registers.slots.size,
    positives: positives.map((a) => ({ rel: relationId.get(a.rel)!, time: a.time })),
    negatives,
    variants,
    full,
    slots: registers.slots,
  };
}

/** A term as an expression over registers (constants encoded). */
function exprPlan(t: Term, registers: Registers, interner: Interner): ExprPlan {
  switch (t.kind) {
    case "var":
      return { kind: "var", slot: registers.slot(t.name) };
    case "const":
      return { kind: "const", value: encodeValue(t.value, interner) };
    case "binary":
      return {
        kind: "arith",
        op: t.op,
        left: exprPlan(t.left, registers, interner),
        right: exprPlan(t.right, registers, interner),
        span: t.span,
      };
    case "wildcard":
      throw new Error("internal: wildcard outside an atom (the checker rejects this)");
  }
}

/** Where a rule runs: the first column of its first body atom (negated or not). */
function sitePlan(first: BodyAtom | undefined, registers: Registers, interner: Interner): SitePlan {
  const siteTerm = first?.args[0];
  if (!siteTerm || siteTerm.kind === "wildcard") return { kind: "any" };
  if (siteTerm.kind === "const") return { kind: "const", value: encodeValue(siteTerm.value, interner) };
  if (siteTerm.kind === "var") return { kind: "var", slot: registers.slot(siteTerm.name) };
  return { kind: "any" };
}

/**
 * The semi-naive variants of a rule whose positive atoms are `recursive` (read the rule's own
 * stratum) or not: the k-th recursive atom reads the delta, those before it the old range, every
 * other atom the full store (see the module comment). None when no atom is recursive.
 */
function semiNaiveVariants(recursive: readonly boolean[]): { deltaAt: number; ranges: Range[] }[] {
  const recIdx = recursive.map((_, i) => i).filter((i) => recursive[i]);
  return recIdx.map((deltaAt, k) => ({
    deltaAt,
    ranges: recursive.map((_, i): Range => {
      const r = recIdx.indexOf(i);
      if (r < 0) return "full";
      return r < k ? "old" : r === k ? "delta" : "full";
    }),
  }));
}

/** The variables of a term, as registers. */
function termSlots(t: Term, registers: Registers, out: number[] = []): number[] {
  if (t.kind === "var") out.push(registers.slot(t.name));
  else if (t.kind === "binary") {
    termSlots(t.left, registers, out);
    termSlots(t.right, registers, out);
  }
  return out;
}

/**
 * The steps of one join of a rule: the delta atom first (when there is one), then repeatedly the
 * atom with the most bound columns (ties: written order); negations, comparisons and the site check
 * as soon as their variables are bound.
 */
function orderJoin(shape: RuleShape, deltaAt: number | null, ranges: Range[]): Step[] {
  const { registers, relationId, interner, positives, negatives, compares, site } = shape;
  const slot = (name: string): number => registers.slot(name);
  const expr = (t: Term): ExprPlan => exprPlan(t, registers, interner);
  const steps: Step[] = [];
  const bound = new Set<number>();
  const placedNeg = new Set<number>();
  const placedCmp = new Set<number>();
  let sitePlaced = site.kind !== "var";
  const flush = (): void => {
    if (!sitePlaced && site.kind === "var" && bound.has(site.slot)) {
      steps.push({ kind: "site", slot: site.slot });
      sitePlaced = true;
    }
    compares.forEach((c, i) => {
      if (placedCmp.has(i)) return;
      if ([...termSlots(c.left, registers), ...termSlots(c.right, registers)].every((s) => bound.has(s))) {
        placedCmp.add(i);
        steps.push({
          kind: "cmp",
          op: c.op,
          left: expr(c.left),
          right: expr(c.right),
          strings: shape.isStringCompare(c.left, c.right) && c.op !== "==" && c.op !== "!=",
        });
      }
    });
    negatives.forEach((n, i) => {
      if (placedNeg.has(i)) return;
      if (n.pattern.every((p) => p === null || p.kind === "const" || bound.has(p.slot))) {
        placedNeg.add(i);
        const keyCols: number[] = [];
        const keySrc: Operand[] = [];
        n.pattern.forEach((p, col) => {
          if (p) {
            keyCols.push(col);
            keySrc.push(p);
          }
        });
        steps.push({ kind: "neg", rel: n.rel, time: n.time, ordinal: i, keyCols, keySrc });
      }
    });
  };
  const remaining = positives.map((_, i) => i);
  flush();
  const place = (i: number): void => {
    const a = positives[i]!;
    const keyCols: number[] = [];
    const keySrc: Operand[] = [];
    const binds: { col: number; slot: number }[] = [];
    const checks: { col: number; slot: number }[] = [];
    const bindingNow = new Set<number>();
    a.args.forEach((t, col) => {
      if (t.kind === "const") {
        keyCols.push(col);
        keySrc.push({ kind: "const", value: encodeValue(t.value, interner) });
      } else if (t.kind === "var") {
        const s = slot(t.name);
        if (bound.has(s)) {
          keyCols.push(col);
          keySrc.push({ kind: "var", slot: s });
        } else if (bindingNow.has(s)) checks.push({ col, slot: s });
        else {
          bindingNow.add(s);
          binds.push({ col, slot: s });
        }
      }
    });
    for (const s of bindingNow) bound.add(s);
    steps.push({ kind: "atom", rel: relationId.get(a.rel)!, time: a.time, ordinal: i, range: ranges[i]!, keyCols, keySrc, binds, checks });
    remaining.splice(remaining.indexOf(i), 1);
    flush();
  };
  if (deltaAt !== null) place(deltaAt);
  while (remaining.length > 0) {
    let best = remaining[0]!;
    let bestScore = -1;
    for (const i of remaining) {
      const score = positives[i]!.args.filter((t) => t.kind === "const" || (t.kind === "var" && bound.has(slot(t.name)))).length;
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    place(best);
  }
  flush();
  return steps;
}
