/**
 * Provenance queries over a run recorded with `provenance: true`.
 *
 * - {@link why}: every derivation of one tuple at one time — an EDB fact, a rule firing (its premises
 *   and the `notin` patterns that were absent), or a message (a rule firing at the sender, delivered).
 * - {@link support}: for LDFI, each goal's survival as a positive boolean formula over cross-node
 *   message edges, as one DAG with shared sub-formulas. "or" = alternative derivations, "and" = the
 *   premises of one derivation; a goal survives a fault set iff its formula holds with every broken edge
 *   set to false. Negative support follows Molly (see lib/dedalus/README.md): a `notin p` premise read at
 *   time T holds only while every tuple that could have fed `p` — every tuple of a relation from which
 *   p is reachable by rules, at a time before T (or at T when only same-timestep rules lead to p) —
 *   keeps its own support.
 */
import type { AggregateFn, HeadTerm, Span, Term } from "./ast";
import type { RulePlan } from "./plan";
import type { CompiledProgram, DedalusRun, Fact, RawDerivation, RawNegPremise, RawPremise, RunResult, Value } from "./runtime";
import { BlockingAnalysis, type Beyond } from "./negativeSupport";
import { sameStepGraph } from "./sameStep";
import { termValue } from "./termValue";
import type { TupleStore } from "./store";

/** A rule, as provenance names it. */
export interface RuleRef {
  index: number;
  head: string;
  text: string;
  span: Span;
}

/** A `notin` premise: the relation, the time it was read at, and the values that were absent (null = any). */
export interface NegPremise {
  rel: string;
  time: number;
  args: (Value | null)[];
}

/** One derivation of a tuple at a time. */
export type Derivation =
  | { kind: "fact"; fact: Fact }
  | { kind: "rule"; rule: RuleRef; fact: Fact; premises: Fact[]; negated: NegPremise[] }
  | { kind: "message"; rule: RuleRef; fact: Fact; premises: Fact[]; negated: NegPremise[]; message: { from: string; to: string; sendTime: number } };

/** A message crossing between two different nodes, sent before EOT. */
export interface MessageEdge {
  from: string;
  to: string;
  sendTime: number;
}

/** A node of a support formula. */
export type SupportNode =
  | { kind: "true" }
  | { kind: "false" }
  | { kind: "edge"; edge: MessageEdge }
  /** Holds unless the node crashes (a `notin crash(_, node, _)` premise). */
  | { kind: "alive"; node: string }
  | { kind: "and"; of: number[] }
  | { kind: "or"; of: number[] };

/** A DAG of formulas (indexes into `nodes`); `roots[i]` is the formula of `goals[i]`. */
export interface SupportGraph {
  nodes: SupportNode[];
  roots: number[];
}

/** Thrown when provenance is asked of a run recorded without it. */
export class ProvenanceNotRecordedError extends Error {
  constructor() {
    super("this run was not recorded with provenance: run it with { provenance: true }");
    this.name = "ProvenanceNotRecordedError";
  }
}

function asRun(result: RunResult): DedalusRun {
  const run = result as DedalusRun;
  if (run.provenance === undefined || run.provenance === null) throw new ProvenanceNotRecordedError();
  return run;
}

function ruleRef(d: RawDerivation): RuleRef {
  const r = d.rule!.rule;
  return { index: r.index, head: r.head.rel, text: r.text, span: r.span };
}

function factOf(run: DedalusRun, store: TupleStore, id: number): Fact {
  return { rel: run.compiled.plan.relations[store.rel]!.name, time: store.time, args: run.decode(store.rel, store.data, id * store.arity) };
}

function negOf(run: DedalusRun, n: RawNegPremise): NegPremise {
  const types = run.compiled.plan.relations[n.rel]!.types;
  return {
    rel: run.compiled.plan.relations[n.rel]!.name,
    time: n.time,
    args: n.values.map((v, c) => (v === null ? null : types[c] === "string" ? run.compiled.interner.string(v) : v)),
  };
}

/** Every derivation of `fact` (at `fact.time`) in a run recorded with provenance; empty when the tuple does not hold. */
export function why(result: RunResult, fact: Fact): Derivation[] {
  const run = asRun(result);
  const at = run.locate(fact.rel, fact.args, fact.time);
  if (!at) return [];
  const self = factOf(run, at.store, at.id);
  return (run.provenance!.get(at.store)?.[at.id] ?? []).map((d): Derivation => {
    if (d.kind === "fact") return { kind: "fact", fact: self };
    const premises = d.premises.map((p) => factOf(run, p.store, p.id));
    const negated = d.negated.map((n) => negOf(run, n));
    if (d.kind === "rule") return { kind: "rule", rule: ruleRef(d), fact: self, premises, negated };
    const m = d.message!;
    const s = (id: number): string => run.compiled.interner.string(id);
    return { kind: "message", rule: ruleRef(d), fact: self, premises, negated, message: { from: s(m.from), to: s(m.to), sendTime: m.sendTime } };
  });
}

/** For each relation, the relations that reach it through rules, and whether only same-timestep rules lead there. */
type Reach = Map<number, Map<number, { sameTimeOnly: boolean }>>;

const reachCache = new WeakMap<CompiledProgram, Reach>();

/**
 * Molly's "possible causes" relation: q reaches p if some chain of rules leads from a body atom on q to
 * a head on p. A chain is same-timestep when all its rules are deductive; when both kinds of chain exist
 * only the temporal one counts (so causes must be strictly earlier), as in Molly.
 */
function reachOf(c: CompiledProgram): Reach {
  const hit = reachCache.get(c);
  if (hit) return hit;
  const n = c.plan.relations.length;
  // reach[to][from] bit 1: some same-time-only path; bit 2: some path with a temporal rule.
  const direct: { from: number; to: number; temporal: boolean }[] = [];
  for (const p of c.plan.rules) {
    for (const a of [...p.positives, ...p.negatives]) direct.push({ from: a.rel, to: p.headRel, temporal: p.headTime !== "same" });
  }
  const bits: Uint8Array[] = Array.from({ length: n }, () => new Uint8Array(n));
  for (const e of direct) bits[e.to]![e.from]! |= e.temporal ? 2 : 1;
  // Closure: from -> mid (b1) and mid -> to (b2) gives from -> to, temporal if either part is.
  let changed = true;
  while (changed) {
    changed = false;
    for (const e of direct) {
      const into = bits[e.from]!; // paths ending at e.from
      const target = bits[e.to]!;
      for (let q = 0; q < n; q++) {
        const b = into[q]!;
        if (b === 0) continue;
        const add = e.temporal ? 2 : b;
        if ((target[q]! | add) !== target[q]) {
          target[q]! |= add;
          changed = true;
        }
      }
    }
  }
  const reach: Reach = new Map();
  for (let p = 0; p < n; p++) {
    const m = new Map<number, { sameTimeOnly: boolean }>();
    for (let q = 0; q < n; q++) if (bits[p]![q]) m.set(q, { sameTimeOnly: (bits[p]![q]! & 2) === 0 });
    reach.set(p, m);
  }
  reachCache.set(c, reach);
  return reach;
}

/** Children of a same-kind child node are inlined up to this many (bounds the copying a deep chain can cause). */
const FLATTEN_LIMIT = 16;

/** Options of {@link support}. */
export interface SupportOptions {
  /**
   * How `notin` premises are supported. true (default): by the tuples whose loss could unblock them
   * (lib/dedalus/negativeSupport.ts), falling back to Molly's causes where that analysis declines;
   * "molly": Molly's `possibleCauses` (every tuple upstream) everywhere; false: only `notin crash` (as
   * "that node stays alive", which a crash breaks as directly as a lost message) — the
   * positive lineage, Molly's setting when its paper's experiments ran, which LDFI uses to order
   * hypotheses (lib/ldfi/README.md). Both true and "molly" keep LDFI complete.
   */
  negativeSupport?: boolean | "molly";
}

/** Builds the support DAG of `goals` in a run recorded with provenance (DESIGN.md section 6). */
export function support(result: RunResult, goals: Fact[], options: SupportOptions = {}): SupportGraph {
  const negativeMode = options.negativeSupport ?? true;
  const negativeSupport = negativeMode !== false;
  const run = asRun(result);
  const prov = run.provenance!;
  const interner = run.compiled.interner;
  const eot = run.eot;
  const nodes: SupportNode[] = [{ kind: "true" }, { kind: "false" }];
  const TRUE = 0, FALSE = 1;
  const consed = new Map<string, number>();
  const mk = (key: string, node: SupportNode): number => {
    let id = consed.get(key);
    if (id === undefined) {
      id = nodes.length;
      nodes.push(node);
      consed.set(key, id);
    }
    return id;
  };
  const edge = (from: number, to: number, sendTime: number): number =>
    mk(`e${from},${to},${sendTime}`, { kind: "edge", edge: { from: interner.string(from), to: interner.string(to), sendTime } });
  const combine = (kind: "and" | "or", parts: number[]): number => {
    const absorbing = kind === "and" ? FALSE : TRUE;
    const neutral = kind === "and" ? TRUE : FALSE;
    const set = new Set<number>();
    for (const p of parts) {
      if (p === absorbing) return absorbing;
      if (p === neutral) continue;
      const n = nodes[p]!;
      // Inline a small child of the same kind (or(or(x, y), z) = or(x, y, z)): flatter formulas read
      // better and encode smaller; big children stay shared.
      if (n.kind === kind && n.of.length <= FLATTEN_LIMIT) for (const c of n.of) set.add(c);
      else set.add(p);
    }
    if (set.size === 0) return neutral;
    if (set.size === 1) return [...set][0]!;
    const of = [...set].sort((a, b) => a - b);
    return mk(`${kind}${of.join(",")}`, { kind, of });
  };

  const memo = new Map<TupleStore, Int32Array>();
  const ON_STACK = -2;
  const birth = (store: TupleStore, id: number): number => prov.get(store)?.[id]?.[0]?.seq ?? -1;
  const reach = reachOf(run.compiled);
  const negMemo = new Map<string, number>();

  // The formulas are computed by an explicit depth-first walk (post-order), not by recursion: a
  // derivation chain can be thousands of tuples deep (reachability along a long path).
  const inRun = (store: TupleStore): boolean => store.time >= 1 && store.time <= eot && run.stores[store.time]?.[store.rel] === store;
  const memoOf = (store: TupleStore): Int32Array => {
    let m = memo.get(store);
    if (!m) memo.set(store, (m = new Int32Array(store.count).fill(-1)));
    return m;
  };
  /** The current value of a tuple's formula; TRUE for EDB-only stores and (guard) for tuples still open. */
  const valueOf = (store: TupleStore, id: number): number => {
    if (!inRun(store)) return TRUE; // premises read from fact-only stores (`p@N` beyond the run) are EDB facts
    const v = memoOf(store)[id]!;
    return v >= 0 ? v : TRUE; // ON_STACK: a cycle, impossible for stratified programs (README: guard)
  };
  /** Group absences of a max/min that only a new input beyond the extreme breaks (see `absences`). */
  const beyondOf = new WeakMap<RawNegPremise, Beyond>();
  const negKey = (n: RawNegPremise): string => {
    if (negativeMode === "molly") return `${n.rel}@${n.time}`;
    const b = beyondOf.get(n);
    return `${n.rel}@${n.time}:${n.values.join(",")}${b ? `>${b.column}:${b.sign}:${b.value}` : ""}`;
  };
  const { feeds } = sameStepGraph(run.compiled.plan);
  /** Derivations that may support a tuple. Well-foundedness: a same-timestep premise that the tuple's
   * own relation can feed (a possible cycle) must have existed before the tuple did; derivations
   * through later-born ones are recorded (why shows them) but cannot be the tuple's support. A premise
   * the tuple cannot feed — a message that arrived this step, a lower stratum — is always fine. */
  const usable = (store: TupleStore, id: number): RawDerivation[] => {
    const mine = birth(store, id);
    const mayCycle = feeds[store.rel]!;
    const out: RawDerivation[] = [];
    for (const d of prov.get(store)?.[id] ?? []) {
      if (d.kind === "fact") return [d];
      if (d.kind === "rule" && d.premises.some((p) => p.store.time === store.time && mayCycle[p.store.rel] === 1 && birth(p.store, p.id) >= mine)) continue;
      out.push(d);
    }
    return out;
  };
  // `notin crash(_, N, _)`: crash tuples appear only when N crashes (they are never lost), so the
  // premise holds exactly while N stays alive; a wildcard for the crashed node means every node.
  const crashRel = run.compiled.plan.crashRel;
  const runNodes = new Set(run.nodes);
  const notCrashed = (n: RawNegPremise): number => {
    const crashed = n.values[1];
    const names = crashed === null || crashed === undefined ? run.nodes : [interner.string(crashed)];
    return combine("and", names.filter((x) => runNodes.has(x)).map((node) => mk(`a${node}`, { kind: "alive", node })));
  };
  let blocking: BlockingAnalysis | null = null;
  /** What supports an absent pattern: its blocking tuples, or Molly's causes where that analysis declines. */
  const causes = (n: RawNegPremise): { store: TupleStore; id: number }[] =>
    (negativeMode === "molly" ? null : (blocking ??= new BlockingAnalysis(run)).blockingTuples(n, undefined, beyondOf.get(n))) ?? mollyCauses(n);
  /** Molly's possible causes of an absent `p` read at T: every tuple upstream of p, before T (or at T). */
  const mollyCauses = (n: RawNegPremise): { store: TupleStore; id: number }[] => {
    const out: { store: TupleStore; id: number }[] = [];
    for (const [q, { sameTimeOnly }] of reach.get(n.rel) ?? new Map<number, { sameTimeOnly: boolean }>()) {
      const last = sameTimeOnly ? n.time : n.time - 1;
      for (let t = 1; t <= Math.min(last, eot); t++) {
        const s = run.stores[t]![q]!;
        for (let id = 0; id < s.count; id++) out.push({ store: s, id });
      }
    }
    return out;
  };

  /**
   * What a derivation needs to stay absent: its `notin` premises, and for an aggregate every further
   * input of its group — a new input changes the aggregate's value, so the tuple it derived is lost
   * (a count of 1 is no longer true once a second value arrives).
   */
  const absenceMemo = new Map<RawDerivation, RawNegPremise[]>();
  const absences = (d: RawDerivation, store: TupleStore, id: number): RawNegPremise[] => {
    // Without negative support only `notin crash` stays: a crash breaks it as directly as a lost message.
    if (!negativeSupport) return d.negated.filter((n) => n.rel === crashRel);
    if (!d.rule?.aggregate) return d.negated;
    let out = absenceMemo.get(d);
    if (out) return out;
    const group = groupPatterns(d.rule, store.tuple(id), d.message ? d.message.sendTime : d.rule.headTime === "same" ? store.time : store.time - 1, interner);
    // A max/min over one atom moves only for a new input beyond its value (a smaller one leaves it).
    const beyond = extremeBeyond(d, store, id, run);
    if (beyond && group.length === 1) beyondOf.set(group[0]!, beyond);
    out = [...d.negated, ...group];
    absenceMemo.set(d, out);
    return out;
  };

  /** At least k of the formulas hold (a sequential-counter formula, O(n k) shared nodes). */
  const atLeast = (k: number, fs: readonly number[]): number => {
    if (k > fs.length) return FALSE;
    let row: number[] = [TRUE, ...new Array<number>(k).fill(FALSE)];
    for (const f of fs) row = row.map((v, j) => (j === 0 ? v : combine("or", [v, combine("and", [f, row[j - 1]!])])));
    return row[k]!;
  };
  const thresholdMemo = new Map<RawDerivation, (CountThreshold | null)[]>();
  const thresholds = (d: RawDerivation): (CountThreshold | null)[] => {
    let out = thresholdMemo.get(d);
    if (!out) thresholdMemo.set(d, (out = countThresholds(d, prov)));
    return out;
  };

  type Frame =
    | { kind: "tuple"; store: TupleStore; id: number; open: boolean; derivations: RawDerivation[] }
    | { kind: "neg"; key: string; neg: RawNegPremise; open: boolean; causes: { store: TupleStore; id: number }[] };
  const stack: Frame[] = [];
  const pushTuple = (store: TupleStore, id: number): void => {
    if (inRun(store) && memoOf(store)[id] === -1) stack.push({ kind: "tuple", store, id, open: false, derivations: [] });
  };
  const pushNeg = (n: RawNegPremise): void => {
    const key = negKey(n);
    if (!negMemo.has(key)) stack.push({ kind: "neg", key, neg: n, open: false, causes: [] });
  };
  const solve = (store: TupleStore, id: number): number => {
    pushTuple(store, id);
    while (stack.length > 0) {
      const f = stack[stack.length - 1]!;
      if (f.kind === "tuple") {
        const m = memoOf(f.store);
        if (!f.open) {
          if (m[f.id] !== -1) {
            stack.pop(); // reached again through another parent and already done (or open: a cycle)
            continue;
          }
          f.open = true;
          m[f.id] = ON_STACK;
          f.derivations = usable(f.store, f.id);
          // Children are pushed last-first so they are solved in written order (stable node numbering).
          for (let i = f.derivations.length - 1; i >= 0; i--) {
            const d = f.derivations[i]!;
            const neg = absences(d, f.store, f.id);
            for (let k = neg.length - 1; k >= 0; k--) pushNeg(neg[k]!);
            const th = thresholds(d);
            for (let k = d.premises.length - 1; k >= 0; k--) {
              const t = th[k];
              if (!t) pushTuple(d.premises[k]!.store, d.premises[k]!.id);
              else {
                for (let n = t.negated.length - 1; n >= 0; n--) pushNeg(t.negated[n]!);
                for (const firings of t.values) for (const firing of firings) for (const x of firing) pushTuple(x.store, x.id);
              }
            }
          }
          continue;
        }
        stack.pop();
        const alternatives = f.derivations.map((d) => {
          if (d.kind === "fact") return TRUE;
          const parts: number[] = [];
          if (d.message && d.message.from !== d.message.to && d.message.sendTime < eot) parts.push(edge(d.message.from, d.message.to, d.message.sendTime));
          const extreme = extremeFirings(d, f.store, f.id);
          if (extreme) parts.push(combine("or", extreme.map((firing) => combine("and", firing.map((x) => valueOf(x.store, x.id))))));
          const th = thresholds(d);
          if (!extreme) d.premises.forEach((p, k) => {
            const t = th[k];
            if (!t) return void parts.push(valueOf(p.store, p.id));
            const values = t.values.map((firings) => combine("or", firings.map((firing) => combine("and", firing.map((x) => valueOf(x.store, x.id))))));
            parts.push(atLeast(t.k, values), ...t.negated.map((n) => negMemo.get(negKey(n)) ?? TRUE));
          });
          for (const n of absences(d, f.store, f.id)) parts.push(negMemo.get(negKey(n)) ?? TRUE);
          return combine("and", parts);
        });
        m[f.id] = combine("or", alternatives);
      } else {
        if (!f.open) {
          if (negMemo.has(f.key)) {
            stack.pop();
            continue;
          }
          f.open = true;
          negMemo.set(f.key, TRUE); // guard while open (see valueOf)
          f.causes = f.neg.rel === crashRel ? [] : causes(f.neg);
          for (let k = f.causes.length - 1; k >= 0; k--) pushTuple(f.causes[k]!.store, f.causes[k]!.id);
          continue;
        }
        stack.pop();
        negMemo.set(f.key, f.neg.rel === crashRel ? notCrashed(f.neg) : combine("and", f.causes.map((c) => valueOf(c.store, c.id))));
      }
    }
    return valueOf(store, id);
  };

  const roots = goals.map((g) => {
    const at = run.locate(g.rel, g.args, g.time);
    return at ? solve(at.store, at.id) : FALSE;
  });
  return { nodes, roots };
}

/**
 * A premise that is a `count` tuple compared only against a lower bound (`N >= Q`, `N > Q`): the
 * derivation needs at least `k` distinct counted values to survive, not every input the count
 * happened to see — a quorum of 2 out of 3 votes survives the loss of one vote. `values` lists, per
 * counted value, the firings of the aggregate rule that saw it (each firing: its premise tuples);
 * `negated` are the aggregate rule's own `notin` premises.
 */
interface CountThreshold {
  k: number;
  values: RawPremise[][][];
  negated: RawNegPremise[];
}

/** How often variable `name` occurs in a term. */
function occurrences(t: Term | HeadTerm, name: string): number {
  if (t.kind === "var") return t.name === name ? 1 : 0;
  if (t.kind === "binary") return occurrences(t.left, name) + occurrences(t.right, name);
  if (t.kind === "aggregate") return t.variable.name === name ? 1 : 0;
  return 0;
}

/** Integer literals only: a string is never a bound for a count. */
const integerLiteral = (value: string | number): number | null => (typeof value === "number" ? value : null);

/**
 * For each premise of a rule derivation, its {@link CountThreshold} when the rule uses it only as
 * "the count is at least k" (the count's variable occurs once in the atom and once more, in one
 * `>=`/`>` comparison against a bound value), else null. Sound because a count over distinct
 * values only grows when new inputs join: if k of the values seen keep a firing, the count is >= k.
 */
function countThresholds(d: RawDerivation, prov: NonNullable<DedalusRun["provenance"]>): (CountThreshold | null)[] {
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
  const total = (name: string): number =>
    rule.head.args.reduce((n, t) => n + occurrences(t, name), 0) +
    rule.body.reduce((n, x) => n + (x.kind === "atom" ? x.args.reduce((m, t) => m + occurrences(t, name), 0) : occurrences(x.left, name) + occurrences(x.right, name)), 0);
  return atoms.map((atom, i) => {
    const p = d.premises[i]!;
    const ds = prov.get(p.store)?.[p.id];
    if (!ds || ds.length !== 1) return null;
    const agg = ds[0]!;
    const firings = aggregateFirings(agg);
    if (!firings || firings.fn !== "count") return null;
    const v = atom.args[firings.column];
    if (!v || v.kind !== "var" || total(v.name) !== 2) return null;
    const uses = compares.filter((c) => occurrences(c.left, v.name) + occurrences(c.right, v.name) > 0);
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
function aggregateFirings(d: RawDerivation): { fn: AggregateFn; column: number; firings: { premises: RawPremise[]; value: number }[] } | null {
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
function extremeFirings(d: RawDerivation, store: TupleStore, id: number): RawPremise[][] | null {
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

/** Evaluates a support formula under a set of broken edges (`from|to|sendTime` keys) and crashed nodes. Iterative: formulas can be deep. */
export function holds(graph: SupportGraph, root: number, broken: ReadonlySet<string>, crashed: ReadonlySet<string> = new Set()): boolean {
  const value = new Int8Array(graph.nodes.length).fill(-1); // -1 unknown, 0 false, 1 true
  const stack = [root];
  while (stack.length > 0) {
    const i = stack[stack.length - 1]!;
    if (value[i] !== -1) {
      stack.pop();
      continue;
    }
    const n = graph.nodes[i]!;
    if (n.kind === "true" || n.kind === "false" || n.kind === "edge" || n.kind === "alive") {
      value[i] = n.kind === "true" ? 1 : n.kind === "false" ? 0 : n.kind === "alive" ? (crashed.has(n.node) ? 0 : 1) : broken.has(edgeKey(n.edge)) ? 0 : 1;
      stack.pop();
      continue;
    }
    let pending = false;
    for (const c of n.of) {
      if (value[c] === -1) {
        stack.push(c);
        pending = true;
      }
    }
    if (pending) continue;
    value[i] = (n.kind === "and" ? n.of.every((c) => value[c] === 1) : n.of.some((c) => value[c] === 1)) ? 1 : 0;
    stack.pop();
  }
  return value[root] === 1;
}

/** The key of a message edge used by {@link holds}. */
export function edgeKey(e: MessageEdge): string {
  return `${e.from}|${e.to}|${e.sendTime}`;
}
