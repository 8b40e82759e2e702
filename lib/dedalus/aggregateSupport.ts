/**
 * The support of what aggregates derive (support.ts asks; lib/dedalus/README.md, "Aggregates"). An
 * aggregate's tuple also depends on absences — no new input may join its group, or its value
 * changes — and two refinements make it less fragile than "every input must survive": a `max`/`min`
 * needs only one of the firings that carried the extreme, and a `count` read only through a lower
 * bound needs any k of the counted values.
 */
import { ruleOccurrences, termOccurrences, type AggregateFn } from "./ast";
import type { Beyond } from "./negativeSupport";
import type { RulePlan } from "./plan";
import type { RawDerivation, RawNegPremise, RawPremise, RecordedDerivations } from "./provenanceRecording";
import type { DedalusRun } from "./runResult";
import type { CompiledProgram } from "./runtime";
import type { TupleStore } from "./store";
import { termValue } from "./termValue";

/**
 * A premise that is a `count` tuple compared only against a lower bound (`N >= Q`, `N > Q`): the
 * derivation needs at least `k` distinct counted values to survive, not every input the count
 * happened to see — a quorum of 2 out of 3 votes survives the loss of one vote. `values` lists, per
 * counted value, the firings of the aggregate rule that saw it (each firing: its premise tuples);
 * `negated` are the aggregate rule's own `notin` premises.
 */
export interface CountThreshold {
  k: number;
  values: RawPremise[][][];
  negated: RawNegPremise[];
}

/** Integer literals only: a string is never a bound for a count. */
const integerLiteral = (value: string | number): number | null => (typeof value === "number" ? value : null);

/**
 * For each premise of a rule derivation, its {@link CountThreshold} when the rule uses it only as
 * "the count is at least k" (the count's variable occurs once in the atom and once more, in one
 * `>=`/`>` comparison against a bound value), else null. Sound because a count over distinct
 * values only grows when new inputs join: if k of the values seen keep a firing, the count is ≥ k.
 */
export function countThresholds(d: RawDerivation, prov: RecordedDerivations): (CountThreshold | null)[] {
  const rule = d.rule?.rule;
  if (d.kind !== "rule" || !rule || d.rule!.aggregate) return [];
  const atoms = rule.body.flatMap((x) => (x.kind === "atom" && !x.negated ? [x] : []));
  if (atoms.length !== d.premises.length) return [];
  const compares = rule.body.flatMap((x) => (x.kind === "compare" ? [x] : []));
  const binding = new Map<string, number>();
  atoms.forEach((a, i) => {
    const p = d.premises[i]!;
    const values = p.store.tuple(p.id);
    a.args.forEach((t, c) => {
      if (t.kind === "var") binding.set(t.name, values[c]!);
    });
  });
  const total = (name: string): number => ruleOccurrences(rule, name);
  return atoms.map((atom, i) => {
    const p = d.premises[i]!;
    const ds = prov.get(p.store)?.[p.id];
    if (!ds || ds.length !== 1) return null;
    const agg = ds[0]!;
    const firings = aggregateFirings(agg);
    if (!firings || firings.fn !== "count") return null;
    const v = atom.args[firings.column];
    if (!v || v.kind !== "var" || total(v.name) !== 2) return null;
    const uses = compares.filter((c) => termOccurrences(c.left, v.name) + termOccurrences(c.right, v.name) > 0);
    if (uses.length !== 1) return null;
    const cmp = uses[0]!;
    let bound: number | null = null;
    let strict = false;
    if (cmp.left.kind === "var" && cmp.left.name === v.name && (cmp.op === ">=" || cmp.op === ">")) {
      bound = termValue(cmp.right, binding, integerLiteral);
      strict = cmp.op === ">";
    } else if (cmp.right.kind === "var" && cmp.right.name === v.name && (cmp.op === "<=" || cmp.op === "<")) {
      bound = termValue(cmp.left, binding, integerLiteral);
      strict = cmp.op === "<";
    }
    if (bound === null) return null;
    // an empty group has no row at all, so at least one counted value must survive
    const k = Math.max(1, strict ? bound + 1 : bound);
    const byValue = new Map<number, RawPremise[][]>();
    for (const f of firings.firings) {
      const list = byValue.get(f.value);
      if (list) list.push(f.premises);
      else byValue.set(f.value, [f.premises]);
    }
    return { k, values: [...byValue.values()], negated: agg.negated };
  });
}

/**
 * An aggregate derivation split into the firings it aggregated (each: its positive premises, in
 * body order) with the value each contributed, or null when the rule has no single aggregate column
 * or a firing does not bind the aggregated variable.
 */
function aggregateFirings(
  d: RawDerivation,
): { fn: AggregateFn; column: number; firings: { premises: RawPremise[]; value: number }[] } | null {
  const plan = d.rule;
  if (d.kind !== "rule" || !plan?.aggregate) return null;
  const head = plan.rule.head.args;
  const cols = head.flatMap((t, c) => (t.kind === "aggregate" ? [c] : []));
  if (cols.length !== 1) return null;
  const column = cols[0]!;
  const term = head[column]!;
  if (term.kind !== "aggregate") return null;
  const atoms = plan.rule.body.flatMap((x) => (x.kind === "atom" && !x.negated ? [x] : []));
  const width = plan.positives.length;
  const firings: { premises: RawPremise[]; value: number }[] = [];
  for (let at = 0; at + width <= d.premises.length; at += width) {
    const premises = d.premises.slice(at, at + width);
    let value: number | undefined;
    premises.forEach((q, j) => {
      const tuple = q.store.tuple(q.id);
      atoms[j]!.args.forEach((t, c) => {
        if (t.kind === "var" && t.name === term.variable.name) value = tuple[c];
      });
    });
    if (value === undefined) return null;
    firings.push({ premises, value });
  }
  return { fn: term.fn, column, firings };
}

/**
 * The firings of a `max`/`min` derivation that saw the extreme value it produced, or null for any
 * other derivation. The tuple survives while one of them does — losing a smaller input leaves the
 * maximum where it was — and no new input joins the group (its absence premises, see `groupPatterns`).
 */
export function extremeFirings(d: RawDerivation, store: TupleStore, id: number): RawPremise[][] | null {
  const agg = aggregateFirings(d);
  if (!agg || (agg.fn !== "max" && agg.fn !== "min")) return null;
  const result = store.tuple(id)[agg.column];
  const out = agg.firings.filter((f) => f.value === result).map((f) => f.premises);
  return out.length > 0 ? out : null;
}

/**
 * For a `max`/`min` derivation over a single positive atom: the input column that carries the
 * aggregated variable and the extreme the derivation produced, as a {@link Beyond} restriction of
 * the group's absence pattern; null for any other derivation.
 */
function extremeBeyond(d: RawDerivation, store: TupleStore, id: number, run: DedalusRun): Beyond | null {
  const plan = d.rule;
  if (d.kind !== "rule" || !plan?.aggregate) return null;
  const head = plan.rule.head.args;
  const cols = head.flatMap((t, c) => (t.kind === "aggregate" ? [c] : []));
  if (cols.length !== 1) return null;
  const term = head[cols[0]!]!;
  if (term.kind !== "aggregate" || (term.fn !== "max" && term.fn !== "min")) return null;
  const atoms = plan.rule.body.flatMap((x) => (x.kind === "atom" && !x.negated ? [x] : []));
  if (atoms.length !== 1) return null;
  const column = atoms[0]!.args.findIndex((t) => t.kind === "var" && t.name === term.variable.name);
  if (column < 0) return null;
  const strings = run.compiled.plan.relations[plan.headRel]!.types[cols[0]!] === "string";
  return { column, value: store.tuple(id)[cols[0]!]!, sign: term.fn === "min" ? -1 : 1, strings };
}

/**
 * The input patterns of an aggregate rule's group: each positive atom with the head's grouping
 * columns bound from the derived tuple (other variables free), read at the rule's body time.
 */
function groupPatterns(rule: RulePlan, head: readonly number[], bodyTime: number, interner: CompiledProgram["interner"]): RawNegPremise[] {
  const bound = new Map<string, number>();
  rule.rule.head.args.forEach((t, c) => {
    if (t.kind === "var") bound.set(t.name, head[c]!);
  });
  const out: RawNegPremise[] = [];
  for (const item of rule.rule.body) {
    if (item.kind !== "atom" || item.negated) continue;
    const values = item.args.map((t) => termValue(t, bound, (v) => (typeof v === "number" ? v : interner.intern(v))));
    out.push({ rel: rule.positives[out.length]!.rel, time: item.time ?? bodyTime, values });
  }
  return out;
}

/**
 * The absences an aggregate derivation of tuple `id` of `store` needs: one pattern per positive
 * atom of its group ("no new input joins"), read at the rule's body time — and, for a `max`/`min`
 * over one atom, the {@link Beyond} restriction of that single pattern (only an input past the
 * extreme moves it).
 */
export function aggregateAbsences(
  d: RawDerivation & { rule: RulePlan },
  store: TupleStore,
  id: number,
  run: DedalusRun,
): { patterns: RawNegPremise[]; beyond: Beyond | null } {
  const bodyTime = d.message ? d.message.sendTime : d.rule.headTime === "same" ? store.time : store.time - 1;
  const patterns = groupPatterns(d.rule, store.tuple(id), bodyTime, run.compiled.interner);
  const beyond = extremeBeyond(d, store, id, run);
  return { patterns, beyond: beyond && patterns.length === 1 ? beyond : null };
}
