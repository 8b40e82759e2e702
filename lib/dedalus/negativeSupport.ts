/**
 * Negative support by "what could unblock it": the tuples whose loss could make an absent pattern
 * appear. LDFI's faults only ever remove message deliveries, so a `notin p(..)` premise read at time T
 * can only turn false if some rule fires anew for a matching p tuple at T; a new firing needs either a
 * `notin q` premise of that rule to lose a tuple it was blocked by, or a positive premise to gain a
 * tuple (the same question one level down), or an aggregate's input to change. Following that back
 * gives the *blocking* tuples: the premise survives while all of them keep their own support.
 *
 * It is an over-approximation like Molly's `possibleCauses` (every tuple upstream of p), but much
 * tighter: bindings from the pattern and from present tuples are followed, and a candidate firing is
 * dropped when the tuple it would produce is already there (nothing new can appear) — e.g. a retry that
 * would re-deliver to a node that already has the payload. A comparison refutes a firing only when
 * the bindings decide it for certain (see `refuted`); others are taken as true (more candidates, never
 * fewer). A `count` read only through a lower bound rises only with several new values at once: the
 * candidate then carries a threshold over those values' conditions (see `rise`), not their union. When the walk meets a same-step recursive relation (its candidates would need a
 * fixpoint), a positive `crash` atom (the built-in gains tuples under crashes), a read outside the
 * run, or exceeds its work budget, the caller falls back to Molly's conservative causes.
 */
import { ruleOccurrences, termOccurrences, type HeadTerm, type Term } from "./ast";
import type { RulePlan } from "./plan";
import type { RawNegPremise } from "./provenanceRecording";
import type { DedalusRun } from "./runResult";
import { sameStepGraph } from "./sameStep";
import type { TupleStore } from "./store";
import { termValue } from "./termValue";

/** A blocking tuple: a store of the run and the tuple's id in it. */
export interface BlockingTuple {
  readonly store: TupleStore;
  readonly id: number;
}

/**
 * Steps (tuples matched, rules entered) one premise may cost before the analysis gives up and the
 * caller uses Molly's causes instead. Over every LDFI search of the corpus (105,000 premises) the
 * most expensive premise took 2,242 steps (median 41) and none declined; the bound keeps a large
 * relation from turning one premise into a quadratic join.
 */
export const BLOCKING_BUDGET = 50_000;

/**
 * Restricts a `notin` pattern to tuples that would pass an extreme: a max (sign 1) or min (sign -1)
 * moves only for a new input beyond its value, so candidates whose `column` is known and not beyond
 * `value` (compared as the runtime compares: strings by `localeCompare`) block nothing.
 */
export interface Beyond {
  readonly column: number;
  readonly value: number;
  readonly sign: 1 | -1;
  readonly strings: boolean;
}

/**
 * Steps (tuples and candidates matched) the joins of one rule's new firings may cost, per pattern
 * asked, before the rest are kept unjoined (each blocked by its new premise's leaves alone, as if
 * every other premise could be there: the coarser answer, never an unsound one). It was 200 while
 * each firing was joined from every one of its new premises, tuple by tuple: Molly's
 * paxos_synod.ded then needed 300,000 for its sharp lineage and ran six times slower. Joined once
 * from its first new premise, with alike tuples grouped, its largest `accept` join takes 17,786
 * steps, and 100,000 leaves room (protocols/EXPECTED.md: 137 executions in 4.4 s).
 */
export const JOIN_BUDGET = 100_000;

/** Below this many tuples a store is scanned rather than looked up through an index. */
const LOOKUP_MIN = 16;
/** One shared columns array per column, so a store's index cache recognises repeated lookups. */
const COLUMN: readonly (readonly number[])[] = Array.from({ length: 16 }, (_, c) => [c]);
const NO_IDS: readonly number[] = [];
const NO_CANDIDATES: readonly Candidate[] = [];
/** At most this many firings stand for one kept unjoined (see `emitUnjoined`). */
const UNJOINED_HEADS = 64;

/** Throws a RangeError unless `joinBudget` is a positive integer (a NaN would silently lift the bound). */
export function checkJoinBudget(joinBudget: number): void {
  if (!(Number.isSafeInteger(joinBudget) && joinBudget >= 1))
    throw new RangeError(`joinBudget must be a positive integer, got ${joinBudget}`);
}

/** Why the precise analysis declined; the caller then uses the conservative causes. */
class Decline extends Error {}

/**
 * A partial assignment of a rule's variables to encoded values, as a chain of links: binding one
 * more variable allocates one link and shares the rest. The joins of this analysis extend bindings
 * in their innermost loops, where copying a Map per extension was its largest cost (13% of a
 * Molly's-Paxos search, with 18% more in garbage collection; measured with --cpu-prof). A rule has
 * a handful of variables, so a lookup walks a few links.
 */
class Binding {
  constructor(
    private readonly name: string,
    private readonly value: number,
    private readonly parent: Binding | null,
  ) {}

  get(name: string): number | undefined {
    if (this.name === name) return this.value;
    for (let b = this.parent; b !== null; b = b.parent) if (b.name === name) return b.value;
    return undefined;
  }

  with(name: string, value: number): Binding {
    return new Binding(name, value, this);
  }

  /** The values of `names` as a string (an unbound one as nothing): equal for bindings that agree on them. */
  key(names: readonly string[]): string {
    let out = "";
    for (const name of names) out += `${this.get(name) ?? ""},`;
    return out;
  }
}

/**
 * One rule's new firings through a new tuple of premise `first`, as their join reads them: the
 * candidates of every premise (none before `first`: see `visit`), and what to do with a firing.
 */
interface FiringJoin {
  readonly shape: RuleShape;
  readonly first: number;
  readonly sources: readonly (readonly Candidate[])[];
  readonly readTime: (a: { time: number | null }) => number;
  /** Takes a complete firing and what it needs lost. */
  readonly emit: (b: Binding, cond: Cond) => void;
  /** Whether a partial firing can yield nothing (see `visit`). */
  readonly dead: (b: Binding, cond: Cond) => boolean;
  /** Distinguishes firings whose emit strengthens their condition (a count read through a lower bound). */
  readonly tag: string;
}

/** The binding of no variable (its one link names no variable a rule can have). */
const UNBOUND = new Binding("", 0, null);

/**
 * What could bring a tuple about: the loss of any one of `leaves` (blocking tuple ids), or any of
 * `thresholds` met.
 */
interface Cond {
  readonly leaves: ReadonlySet<number>;
  readonly thresholds: ReadonlySet<Threshold>;
}

/**
 * "At least `need` of `groups` come about": a `count` read through a lower bound reaches it only
 * when that many counted values it does not have yet newly appear, each brought about by its own
 * condition (the values are distinct, so each needs its own).
 */
interface Threshold {
  readonly need: number;
  readonly groups: readonly Cond[];
}

/**
 * How a candidate of a `count` aggregate's group can rise: `present` distinct counted values now and,
 * per value it does not have, what could bring that value about; "losses" when only lost inputs
 * reach it (a count never rises by losing an input).
 */
type CountRise = { readonly present: number; readonly gains: readonly Cond[] } | "losses";

/**
 * A tuple that might newly appear (null = a column whose value the analysis cannot tell) and the
 * blocking tuples (leaf ids) and thresholds whose loss could bring it about.
 */
interface Candidate extends Cond {
  readonly tuple: readonly (number | null)[];
  readonly leaves: Set<number>;
  readonly thresholds: Set<Threshold>;
  /** For the output of a `count` rule (see {@link CountRise}); absent when not known. */
  count?: CountRise;
}

/** A blocking threshold as the support walk reads it: at least `need` of `groups` unblocked. */
export interface BlockingThreshold {
  readonly need: number;
  readonly groups: readonly BlockingCondition[];
}

/** The support of an absent pattern: every one of `tuples` keeps its support, and no threshold is met. */
export interface BlockingCondition {
  readonly tuples: readonly BlockingTuple[];
  readonly thresholds: readonly BlockingThreshold[];
}

/** A `count` premise read only through a lower bound (`N >= Q`, `N > Q`): its column and the bound. */
interface LowerBound {
  readonly column: number;
  readonly bound: Term;
  readonly strict: boolean;
}

const EMPTY_LEAVES: ReadonlySet<number> = new Set();
const EMPTY_THRESHOLDS: ReadonlySet<Threshold> = new Set();

/** Rule shapes the walk needs, computed once per program. */
interface RuleShape {
  readonly plan: RulePlan;
  readonly headArgs: readonly Term[];
  readonly positives: readonly { rel: number; args: readonly Term[]; time: number | null }[];
  readonly negatives: readonly { rel: number; args: readonly Term[]; time: number | null }[];
  /** Head columns that are aggregates. */
  readonly aggregateColumns: readonly number[];
  /** For each set of joined positive premises (a bit each), the variables read outside them. */
  readonly liveVariables: Map<number, readonly string[]>;
}

/** A max/min rule's aggregate column, its variable, direction and value type (see `extremeOf`). */
type Extreme = { column: number; variable: string; sign: 1 | -1; strings: boolean };

const shapesCache = new WeakMap<DedalusRun["compiled"], { byHead: Map<number, RuleShape[]>; recursive: readonly boolean[] }>();

function shapesOf(run: DedalusRun): { byHead: Map<number, RuleShape[]>; recursive: readonly boolean[] } {
  const hit = shapesCache.get(run.compiled);
  if (hit) return hit;
  const plan = run.compiled.plan;
  const byHead = new Map<number, RuleShape[]>();
  for (const r of plan.rules) {
    const atoms = r.rule.body.flatMap((item) => (item.kind === "atom" ? [item] : []));
    const shape: RuleShape = {
      plan: r,
      // an aggregate column binds nothing
      headArgs: r.rule.head.args.map((a): Term => (a.kind === "aggregate" ? { kind: "wildcard", span: a.span } : a)),
      positives: atoms.filter((a) => !a.negated).map((a) => ({ rel: plan.relationId.get(a.rel)!, args: a.args, time: a.time })),
      negatives: atoms.filter((a) => a.negated).map((a) => ({ rel: plan.relationId.get(a.rel)!, args: a.args, time: a.time })),
      aggregateColumns: r.rule.head.args.flatMap((t, c) => (t.kind === "aggregate" ? [c] : [])),
      liveVariables: new Map(),
    };
    const list = byHead.get(r.headRel);
    if (list) list.push(shape);
    else byHead.set(r.headRel, [shape]);
  }
  const out = { byHead, recursive: sameStepGraph(plan).recursive };
  shapesCache.set(run.compiled, out);
  return out;
}

/**
 * The blocking-tuple analysis of one run. Answers are memoised per (relation, pattern, time), so
 * the premises of one lineage share the work: a question is asked bottom-up as "which tuples of r
 * matching this pattern could newly appear at t, and what would have to be lost for each", and each
 * caller filters the candidates by what its own rule would then produce.
 */
export class BlockingAnalysis {
  private readonly leafOf: BlockingTuple[] = [];
  private readonly leafId = new Map<TupleStore, Map<number, number>>();
  private readonly memo = new Map<string, Candidate[]>();
  private readonly open = new Set<string>();
  private readonly shapes: { byHead: Map<number, RuleShape[]>; recursive: readonly boolean[] };
  private steps = 0;
  private budget = 0;
  /** Steps of the joins of the current rule's new firings, bounded by {@link JOIN_BUDGET} apart from the premise's budget. */
  private joinSteps = 0;
  /** The partial firings the current rule's joins have reached (see `joinFiring`). */
  private readonly joined = new Map<string, ReadonlySet<Cond>[]>();

  /**
   * @param joinBudget - join steps one rule's new firings may take per premise before the rest are
   * kept unjoined ({@link JOIN_BUDGET} by default; larger reads sharper and costs more)
   */
  constructor(
    private readonly run: DedalusRun,
    private readonly joinBudget: number = JOIN_BUDGET,
  ) {
    checkJoinBudget(joinBudget);
    this.shapes = shapesOf(run);
  }

  /**
   * The tuples whose loss could make the `notin` pattern `neg` turn false, or null when the analysis
   * declines (see the module comment). Deterministic: tuples come in rule, atom and store order.
   */
  blockingTuples(neg: RawNegPremise, budget = BLOCKING_BUDGET, beyond?: Beyond): BlockingTuple[] | null {
    const c = this.blockingCondition(neg, budget, beyond);
    if (!c) return null;
    const out = new Set<BlockingTuple>();
    const walk = (x: BlockingCondition): void => {
      for (const t of x.tuples) out.add(t);
      for (const t of x.thresholds) for (const g of t.groups) walk(g);
    };
    walk(c);
    return [...out];
  }

  /**
   * What keeps the `notin` pattern `neg` false: its blocking tuples, and thresholds where a `count`
   * read through a lower bound needs several new values at once (any k - 1 of them may come about
   * without the premise turning false); null when the analysis declines.
   */
  blockingCondition(neg: RawNegPremise, budget = BLOCKING_BUDGET, beyond?: Beyond): BlockingCondition | null {
    this.steps = 0;
    this.budget = budget;
    try {
      const ids = new Set<number>();
      const thresholds = new Set<Threshold>();
      for (const c of this.visit(neg.rel, neg.values, neg.time)) {
        if (beyond && this.within(c.tuple[beyond.column], beyond)) continue;
        for (const l of c.leaves) ids.add(l);
        for (const t of c.thresholds) thresholds.add(t);
      }
      return this.condition({ leaves: ids, thresholds });
    } catch (e) {
      if (e instanceof Decline) {
        this.open.clear();
        return null;
      }
      throw e;
    }
  }

  private readonly converted = new Map<Threshold, BlockingThreshold>();
  /**
   * Each condition converted once: the groups of thresholds are shared between many conjunctions
   * (a large join budget builds hundreds per candidate), and one object per condition also lets the
   * support walk build each formula once.
   */
  private readonly convertedConds = new WeakMap<Cond, BlockingCondition>();

  private condition(c: Cond): BlockingCondition {
    let out = this.convertedConds.get(c);
    if (!out) this.convertedConds.set(c, (out = this.convert(c)));
    return out;
  }

  private convert(c: Cond): BlockingCondition {
    const tuples = [...c.leaves].sort((a, b) => a - b).map((i) => this.leafOf[i]!);
    const thresholds = [...c.thresholds].map((t) => {
      let out = this.converted.get(t);
      if (!out) this.converted.set(t, (out = { need: t.need, groups: t.groups.map((g) => this.condition(g)) }));
      return out;
    });
    return { tuples, thresholds };
  }

  /** Whether a candidate's value (null: unknown) cannot pass `beyond`'s extreme. */
  private within(value: number | null | undefined, beyond: Beyond): boolean {
    if (value === null || value === undefined) return false;
    const interner = this.run.compiled.interner;
    const cmp = beyond.strings ? interner.string(value).localeCompare(interner.string(beyond.value)) : value - beyond.value;
    return cmp * beyond.sign <= 0;
  }

  /** Counts join steps; true once past {@link JOIN_BUDGET} (the join then unwinds and keeps the firing unjoined). */
  private joinTick(n: number): boolean {
    this.joinSteps += n;
    return this.joinSteps > this.joinBudget;
  }

  private tick(n = 1): void {
    this.steps += n;
    if (this.steps > this.budget) throw new Decline();
  }

  /**
   * The ids of `store` that can match `pattern`, through the store's one-column index on the bound
   * column with the fewest of them; every id for a small store or a pattern with nothing bound.
   * Join steps are counted over these ids, so the join budget bounds work done, not store sizes.
   */
  private lookup(store: TupleStore, pattern: readonly (number | null)[]): readonly number[] {
    let best: readonly number[] | null = null;
    if (store.count > LOOKUP_MIN)
      for (let c = 0; c < pattern.length; c++) {
        const v = pattern[c];
        if (v === null || v === undefined) continue;
        const ids = store.index(COLUMN[c] ?? [c]).get(v) ?? NO_IDS;
        if (best === null || ids.length < best.length) best = ids;
        if (best.length === 0) break;
      }
    return best ?? SMALL_STORE_IDS[store.count] ?? allIds(store);
  }

  /**
   * A firing past the join budget, kept unjoined as if every other premise could be there. Its
   * unbound head variables are still narrowed, each to the values some premise could give it (a
   * present tuple or a candidate matching what is bound, intersected over the premises that hold
   * it), and one firing is kept per combination: any completion of the join binds its head within
   * these. Molly's Paxos `accept(A, S, O)` is then `accept(a|b|c, 10, "foobar")`, all present,
   * instead of `accept(?, 10, "foobar")`, which could stand for a new `important`. A variable some
   * candidate leaves unknown, or more than {@link UNJOINED_HEADS} combinations, keeps it open.
   */
  private emitUnjoined(join: FiringJoin, b: Binding, c: Cond): void {
    const { shape, emit } = join;
    const open = new Set<string>();
    for (const t of shape.headArgs) if (t.kind === "var" && b.get(t.name) === undefined) open.add(t.name);
    if (open.size === 0 || shape.plan.aggregate) return emit(b, c);
    const names: string[] = [];
    const domains: number[][] = [];
    let combinations = 1;
    for (const name of open) {
      const d = this.domainOf(join, name, b);
      if (d === null) continue;
      if (d.length === 0) return; // some premise can match neither a present tuple nor a candidate
      combinations *= d.length;
      if (combinations > UNJOINED_HEADS) return emit(b, c);
      names.push(name);
      domains.push(d);
    }
    const each = (k: number, acc: Binding): void => {
      if (k === names.length) return emit(acc, c);
      for (const v of domains[k]!) each(k + 1, acc.with(names[k]!, v));
    };
    each(0, b);
  }

  /** The values premises other than the new one could bind `name` to under `b` (null: any value). */
  private domainOf({ shape, first: i, sources, readTime }: FiringJoin, name: string, b: Binding): number[] | null {
    const crashRel = this.run.compiled.plan.crashRel;
    let domain: Set<number> | null = null;
    for (let j = 0; j < shape.positives.length; j++) {
      const a = shape.positives[j]!;
      const column = a.args.findIndex((t) => t.kind === "var" && t.name === name);
      if (j === i || column < 0 || a.rel === crashRel) continue;
      const pattern = a.args.map((t) => this.evalTerm(t, b));
      const values = new Set<number>();
      const s = this.storeAt(a.rel, readTime(a));
      if (s) {
        const ids = this.lookup(s, pattern);
        this.tick(ids.length);
        for (const id of ids)
          if (this.matches(s, id, pattern) && this.unifyStored(a.args, s, id, b) !== null) values.add(s.data[id * s.arity + column]!);
      }
      const near = this.candidatesMatching(sources[j]!, pattern);
      this.tick(near.length);
      let any = false;
      for (const x of near) {
        if (this.unify(a.args, x.tuple, b) === null) continue;
        const v = x.tuple[column];
        if (v === null || v === undefined) any = true;
        else values.add(v);
      }
      if (any) continue; // a candidate that leaves it unknown: this premise does not narrow it
      domain = domain === null ? values : intersection(domain, values);
    }
    return domain === null ? null : [...domain].sort((x, y) => x - y);
  }

  private readonly candidateIndexes = new WeakMap<readonly Candidate[], CandidateIndex[]>();

  /**
   * The candidates of `list` that can unify with `pattern`, in list order: those whose tuple holds
   * the pattern's value or an unknown in the bound column that leaves the fewest (all of a short
   * list). A new firing's join meets the same candidate lists once per partial binding, so each
   * list's columns are indexed once (Molly's Paxos joins 255 `response_log` candidates per binding
   * of `accept`).
   */
  private candidatesMatching(list: readonly Candidate[], pattern: readonly (number | null)[]): readonly Candidate[] {
    if (list.length <= LOOKUP_MIN) return list;
    let indexes = this.candidateIndexes.get(list);
    if (!indexes) this.candidateIndexes.set(list, (indexes = []));
    let best: readonly Candidate[] = list;
    for (let c = 0; c < pattern.length && best.length > 0; c++) {
      const v = pattern[c];
      if (v === null || v === undefined) continue;
      const near = (indexes[c] ??= indexCandidates(list, c)).matching(v);
      if (near.length < best.length) best = near;
    }
    return best;
  }

  private storeAt(rel: number, time: number): TupleStore | null {
    if (time < 1) return null;
    if (time > this.run.eot) throw new Decline(); // read from facts beyond the run: not modelled here
    return this.run.stores[time]?.[rel] ?? null;
  }

  private leafIdOf(store: TupleStore, id: number): number {
    let m = this.leafId.get(store);
    if (!m) this.leafId.set(store, (m = new Map<number, number>()));
    let l = m.get(id);
    if (l === undefined) {
      l = this.leafOf.length;
      this.leafOf.push({ store, id });
      m.set(id, l);
    }
    return l;
  }

  private readonly encode = (value: string | number): number =>
    typeof value === "number" ? value : this.run.compiled.interner.intern(value);

  private constant(t: Term): number | null {
    return t.kind === "const" ? this.encode(t.value) : null;
  }

  private evalTerm(t: Term, b: Binding): number | null {
    return termValue(t, b, this.encode);
  }

  /** Binds `args` to `values` (null = unknown, binds nothing) on top of `b`; null when they disagree. */
  private unify(args: readonly Term[], values: readonly (number | null)[], b: Binding): Binding | null {
    let acc: Binding | null = b;
    for (let c = 0; c < args.length && acc !== null; c++) {
      const v = values[c];
      if (v !== null && v !== undefined) acc = this.bindColumn(args[c]!, v, acc);
    }
    return acc;
  }

  /** {@link unify} with the stored tuple `id` of `store`, read in place (a join's inner loop: no tuple copy). */
  private unifyStored(args: readonly Term[], store: TupleStore, id: number, b: Binding): Binding | null {
    let acc: Binding | null = b;
    const base = id * store.arity;
    for (let c = 0; c < args.length && acc !== null; c++) acc = this.bindColumn(args[c]!, store.data[base + c]!, acc);
    return acc;
  }

  /** One column of a unification: `b` with `t` bound to `v`, `b` itself when it already is, null when `t` disagrees. */
  private bindColumn(t: Term, v: number, b: Binding): Binding | null {
    if (t.kind === "var") {
      const had = b.get(t.name);
      if (had === undefined) return b.with(t.name, v);
      return had === v ? b : null;
    }
    return t.kind === "const" && this.constant(t) !== v ? null : b;
  }

  private matches(store: TupleStore, id: number, pattern: readonly (number | null)[]): boolean {
    const base = id * store.arity;
    for (let c = 0; c < pattern.length; c++) if (pattern[c] !== null && store.data[base + c] !== pattern[c]) return false;
    return true;
  }

  /** The head under a binding (null for undetermined columns); `known` when every column is. */
  private head(shape: RuleShape, b: Binding): { tuple: (number | null)[]; known: boolean } {
    const tuple = shape.headArgs.map((t) => this.evalTerm(t, b));
    return { tuple, known: !shape.plan.aggregate && tuple.every((v) => v !== null) };
  }

  private present(rel: number, time: number, tuple: readonly (number | null)[]): boolean {
    const s = this.storeAt(rel, time);
    return s !== null && s.find(tuple as number[]) >= 0;
  }

  /** Which tuples of `rel` matching `pattern` could newly appear at `time`, each with its blocking leaves. */
  private visit(rel: number, pattern: readonly (number | null)[], time: number): Candidate[] {
    if (time < 1) return [];
    const plan = this.run.compiled.plan;
    if (rel === plan.crashRel) throw new Decline(); // the crash built-in gains tuples when nodes crash
    const key = `${rel}@${time}:${pattern.join(",")}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    // A same-step cycle would need a fixpoint over candidates; such programs use Molly's causes.
    if (this.open.has(key) || this.shapes.recursive[rel]) throw new Decline();
    this.open.add(key);
    const found = new Map<string, Candidate>();
    // (maze ldfi pool work, Paxos profile) The joins of new firings hand one source candidate's leaf
    // set to the same head again and again (once per tuple they join with); merging it once is enough.
    const merged = new Map<Candidate, Set<Cond>>();
    const candidate = (tuple: readonly (number | null)[]): Candidate => {
      const k = tuple.join(",");
      let c = found.get(k);
      if (!c) found.set(k, (c = { tuple, leaves: new Set(), thresholds: new Set() }));
      return c;
    };
    const add = (tuple: readonly (number | null)[], leaves: Iterable<number>): void => {
      const c = candidate(tuple);
      for (const l of leaves) c.leaves.add(l);
    };
    const addCond = (tuple: readonly (number | null)[], cond: Cond): void => {
      const c = candidate(tuple);
      let seen = merged.get(c);
      if (!seen) merged.set(c, (seen = new Set()));
      if (seen.has(cond)) return;
      seen.add(cond);
      for (const l of cond.leaves) c.leaves.add(l);
      for (const t of cond.thresholds) c.thresholds.add(t);
    };
    for (const shape of this.shapes.byHead.get(rel) ?? []) {
      this.tick();
      const bodyTime = shape.plan.headTime === "same" ? time : time - 1;
      if (bodyTime < 1) continue;
      const theta = this.unify(shape.headArgs, pattern, UNBOUND);
      if (theta === null) continue;
      const readTime = (a: { time: number | null }): number => a.time ?? bodyTime;

      // A new firing through a lost blocking tuple: join the positive atoms over what is present.
      const join = (i: number, b: Binding): void => {
        if (i === shape.positives.length) {
          if (this.refuted(shape, b)) return;
          const h = this.head(shape, b);
          if (h.known && this.present(rel, time, h.tuple)) return; // nothing new could appear
          // Every present tuple that blocks the firing must be lost for it to fire.
          const leaves = new Set<number>();
          for (const n of shape.negatives) {
            if (n.rel === plan.crashRel) continue; // crash tuples are never lost
            const s = this.storeAt(n.rel, readTime(n));
            if (!s) continue;
            const np = n.args.map((t) => this.evalTerm(t, b));
            this.tick(s.count);
            for (let id = 0; id < s.count; id++) if (this.matches(s, id, np)) leaves.add(this.leafIdOf(s, id));
          }
          if (leaves.size > 0) addCond(h.tuple, this.allLost(leaves));
          return;
        }
        const a = shape.positives[i]!;
        if (a.rel === plan.crashRel) throw new Decline();
        const s = this.storeAt(a.rel, readTime(a));
        if (s === null) return;
        this.tick(s.count);
        const ap = a.args.map((t) => this.evalTerm(t, b));
        for (let id = 0; id < s.count; id++) {
          if (!this.matches(s, id, ap)) continue;
          const next = this.unifyStored(a.args, s, id, b);
          if (next !== null) join(i + 1, next);
        }
      };
      join(0, theta);

      // An aggregate's value changes when any of its input tuples is lost (per group, and for a
      // max/min only when every input carrying its extreme is: see `groupLosses`).
      if (shape.plan.aggregate && !this.groupLosses(rel, shape, theta, readTime, time, add)) {
        const leaves: number[] = [];
        for (const a of shape.positives) {
          const s = this.storeAt(a.rel, readTime(a));
          if (!s) continue;
          const ap = a.args.map((t) => this.evalTerm(t, theta));
          this.tick(s.count);
          for (let id = 0; id < s.count; id++) if (this.matches(s, id, ap)) leaves.push(this.leafIdOf(s, id));
        }
        if (leaves.length > 0) add(this.head(shape, theta).tuple, leaves);
      }

      // A new firing through a positive premise that itself newly appears. Every other positive
      // premise must then be present or newly appear too, so the firing is joined over both (one
      // that can do neither rules it out; present tuples bind the head further). A firing that needs
      // several new tuples at once needs each of their conditions (see `both`).
      const sources = shape.positives.map((a) =>
        this.visit(
          a.rel,
          a.args.map((t) => this.evalTerm(t, theta)),
          readTime(a),
        ),
      );
      this.joinSteps = 0;
      this.joined.clear();
      this.alikeCandidates.clear();
      this.alikePresent.clear();
      const counted = this.countVariable(rel, shape);
      const gains = counted === null ? null : new Map<string, { cond: Cond; value: number | undefined }[]>();
      // A partial firing whose decided comparisons fail, or whose head is already bound to a present
      // tuple, yields nothing whatever the other premises join (emit would drop every completion).
      // Nor does one whose head already came about needing one of its conditions alone: every
      // completion needs all of them, and at least that one (Molly's Paxos `accept`).
      const compares = shape.plan.rule.body.some((x) => x.kind === "compare");
      const dead = (b: Binding, cond: Cond): boolean => {
        if (compares && this.refuted(shape, b)) return true;
        // (checked at every join step: the head is built only once its plain variables are bound)
        if (shape.plan.aggregate || shape.headArgs.some((t) => t.kind === "var" && b.get(t.name) === undefined)) return false;
        const h = this.head(shape, b);
        if (!h.known) return false;
        if (this.present(rel, time, h.tuple)) return true;
        const had = found.get(h.tuple.join(","));
        const alone = had && merged.get(had);
        if (alone) for (const g of this.conjuncts(cond)) if (alone.has(g)) return true;
        return false;
      };
      shape.positives.forEach((a, i) => {
        const lower = this.lowerBound(shape, i);
        // New tuples that bind every variable the rest reads alike are one firing needing any of
        // them (see `joinFiring`); a count read through a lower bound, or a count rule's own gains,
        // are judged tuple by tuple.
        const firings: { b: Binding; c: Cond; single: Candidate | null }[] = [];
        const alike = new Map<string, { b: Binding; xs: Candidate[] }>();
        const live = this.liveVariables(shape, 1 << i);
        for (const c of sources[i]!) {
          this.tick();
          const b = this.unify(a.args, c.tuple, theta);
          if (b === null) continue;
          if (gains || (lower && c.count !== undefined)) {
            firings.push({ b, c, single: c });
            continue;
          }
          const k = b.key(live);
          const g = alike.get(k);
          if (g) g.xs.push(c);
          else alike.set(k, { b, xs: [c] });
        }
        for (const { b, xs } of alike.values()) firings.push({ b, c: this.anyOf(xs), single: null });
        // A firing that needs new tuples in several premises is joined from the first of them
        // only: premises before it join present tuples (the same firing, reached from each of its
        // new premises, once cost Molly's Paxos each `accept` firing up to four times).
        const canonical = sources.map((l, j) => (j < i ? NO_CANDIDATES : l));
        let tagCount = 0;
        for (const { b, c, single } of firings) {
          const emit = (full: Binding, cond: Cond): void => {
            let use: Cond | null = cond;
            // a count read only as "at least Q" rises only with Q - present new values at once
            if (lower && single !== null && cond === single && single.count !== undefined)
              use = this.rise(single, single.count, lower, full);
            if (use === null || this.refuted(shape, full)) return;
            const h = this.head(shape, full);
            if (h.known && this.present(rel, time, h.tuple)) return;
            if (this.cannotPassExtreme(rel, shape, full, h.tuple, time)) return;
            const blocked = this.negationsNeeded(shape, full, readTime);
            if (blocked !== null) use = this.both(use, blocked);
            if (gains && counted !== null) {
              const k = h.tuple.join(",");
              let list = gains.get(k);
              if (!list) gains.set(k, (list = []));
              list.push({ cond: use, value: full.get(counted) });
            }
            addCond(h.tuple, use);
          };
          // Past the budget, a firing is kept unjoined, as if every other premise could be there.
          const tag = lower && single !== null ? String(tagCount++) : "";
          const join: FiringJoin = { shape, first: i, sources: canonical, readTime, emit, dead, tag };
          if (this.joinSteps > this.joinBudget || this.joinFiring(join, 1 << i, b, c)) this.emitUnjoined(join, b, c);
        }
      });
      if (gains && counted !== null) this.countRises(shape, found, gains, counted, theta, readTime);
    }
    this.open.delete(key);
    const out = [...found.values()];
    this.memo.set(key, out);
    return out;
  }

  /**
   * The losses that change an aggregate, group by group: the rule's firings over present tuples
   * matching `theta` are grouped by their head, and each group yields a candidate with its grouping
   * columns bound (the aggregate column unknown), blocked by the input tuples of its firings. A
   * `max`/`min` over one atom that is its relation's only rule moves only when every input carrying
   * the group's present extreme (read from the aggregate's own tuple at `time`) is lost, so only
   * those witnesses block it (a new input beyond it is the positive case of {@link visit}). Returns
   * false — the caller then treats every input as blocking one candidate with unknown groups — for
   * a rule with several aggregates or a `crash` premise, or when a group's columns are not all bound.
   */
  private groupLosses(
    rel: number,
    shape: RuleShape,
    theta: Binding,
    readTime: (a: { time: number | null }) => number,
    time: number,
    add: (tuple: readonly (number | null)[], leaves: Iterable<number>) => void,
  ): boolean {
    const cols = shape.aggregateColumns;
    if (cols.length !== 1 || shape.positives.length === 0) return false;
    const column = cols[0]!;
    const crashRel = this.run.compiled.plan.crashRel;
    if (shape.positives.some((a) => a.rel === crashRel)) return false;
    const ext = this.extremeOf(rel, shape);
    const out = this.storeAt(rel, time);
    // The group's firings over what is present, each with the input tuples it joined: losing any
    // one of them removes that firing, which is how a loss changes a group's value. A body of
    // several atoms (Molly's Paxos counts `response_log` joined with `nodes`) is grouped the same
    // way, so its candidates keep their group columns bound instead of matching any group.
    const groups = new Map<string, { tuple: (number | null)[]; firings: { leaves: number[]; value: number | undefined }[] }>();
    const leaves: number[] = [];
    let unbound = false;
    const walk = (i: number, b: Binding): void => {
      if (unbound) return;
      if (i === shape.positives.length) {
        const tuple = this.head(shape, b).tuple;
        if (tuple.some((v, c) => c !== column && v === null)) {
          unbound = true;
          return;
        }
        const k = tuple.join(",");
        let g = groups.get(k);
        if (!g) groups.set(k, (g = { tuple, firings: [] }));
        g.firings.push({ leaves: [...leaves], value: ext ? b.get(ext.variable) : undefined });
        return;
      }
      const a = shape.positives[i]!;
      const s = this.storeAt(a.rel, readTime(a));
      if (!s) return; // no input here, so no firing to lose
      const ap = a.args.map((t) => this.evalTerm(t, b));
      this.tick(s.count);
      for (let id = 0; id < s.count && !unbound; id++) {
        if (!this.matches(s, id, ap)) continue;
        const next = this.unifyStored(a.args, s, id, b);
        if (next === null) continue; // a repeated variable disagrees: no firing
        leaves.push(this.leafIdOf(s, id));
        walk(i + 1, next);
        leaves.pop();
      }
    };
    walk(0, theta);
    if (unbound) return false;
    for (const g of groups.values()) {
      const extreme = ext && out ? this.presentExtreme(out, column, g.tuple) : undefined;
      const witnesses = extreme === undefined ? [] : g.firings.filter((x) => x.value === extreme);
      const blocking = new Set<number>();
      for (const f of witnesses.length > 0 ? witnesses : g.firings) for (const l of f.leaves) blocking.add(l);
      add(g.tuple, blocking);
    }
    return true;
  }

  /**
   * Whether a comparison of the rule, all its variables bound in `b`, is false: the firing cannot
   * happen. Only comparisons whose outcome the encoded values decide for certain are read: equality
   * and inequality (interned strings are equal exactly when their ids are), and orderings against a
   * number literal (the other side is then a number); every other comparison is taken as true.
   */
  private refuted(shape: RuleShape, b: Binding): boolean {
    for (const x of shape.plan.rule.body) {
      if (x.kind !== "compare") continue;
      const equality = x.op === "==" || x.op === "!=";
      const numeric = (t: Term): boolean => t.kind === "const" && typeof t.value === "number";
      const plain = (t: Term): boolean => t.kind === "var" || t.kind === "const";
      if (!plain(x.left) || !plain(x.right)) continue; // arithmetic over encoded strings would decide nothing
      if (!equality && !numeric(x.left) && !numeric(x.right)) continue;
      const l = this.evalTerm(x.left, b);
      const r = this.evalTerm(x.right, b);
      if (l === null || r === null) continue;
      const holds =
        x.op === "=="
          ? l === r
          : x.op === "!="
            ? l !== r
            : x.op === "<"
              ? l < r
              : x.op === "<="
                ? l <= r
                : x.op === ">"
                  ? l > r
                  : x.op === ">="
                    ? l >= r
                    : true;
      if (!holds) return true;
    }
    return false;
  }

  private readonly countVariables = new Map<RuleShape, string | null>();

  /**
   * The counted variable of a `count` rule this analysis can be precise about: its relation's only
   * rule, one aggregate column, one positive atom and no `notin` (so new firings come only from new
   * inputs); null for any other rule.
   */
  private countVariable(rel: number, shape: RuleShape): string | null {
    let v = this.countVariables.get(shape);
    if (v !== undefined) return v;
    v = null;
    const cols = shape.aggregateColumns;
    const term = cols.length === 1 ? shape.plan.rule.head.args[cols[0]!] : undefined;
    if (
      term?.kind === "aggregate" &&
      term.fn === "count" &&
      shape.positives.length === 1 &&
      shape.negatives.length === 0 &&
      (this.shapes.byHead.get(rel)?.length ?? 0) === 1
    )
      v = term.variable.name;
    this.countVariables.set(shape, v);
    return v;
  }

  private readonly lowerBounds = new Map<RuleShape, (LowerBound | null)[]>();

  /**
   * Premise `i` of a rule when it is a precise `count` (see {@link countVariable}) whose count
   * variable occurs nowhere else but in one `>=`/`>` comparison against a bound: the rule then
   * fires anew only when the count rises to the bound (as aggregateSupport.ts's `countThresholds`).
   */
  private lowerBound(shape: RuleShape, i: number): LowerBound | null {
    let all = this.lowerBounds.get(shape);
    if (!all) this.lowerBounds.set(shape, (all = shape.positives.map((_, k) => this.computeLowerBound(shape, k))));
    return all[i] ?? null;
  }

  private computeLowerBound(shape: RuleShape, i: number): LowerBound | null {
    const atom = shape.positives[i]!;
    const inner = this.shapes.byHead.get(atom.rel);
    if (!inner || inner.length !== 1 || this.countVariable(atom.rel, inner[0]!) === null) return null;
    const column = inner[0]!.aggregateColumns[0]!;
    const v = atom.args[column];
    if (!v || v.kind !== "var") return null;
    const rule = shape.plan.rule;
    if (ruleOccurrences(rule, v.name) !== 2) return null;
    const uses = rule.body.flatMap((x) =>
      x.kind === "compare" && termOccurrences(x.left, v.name) + termOccurrences(x.right, v.name) > 0 ? [x] : [],
    );
    if (uses.length !== 1) return null;
    const cmp = uses[0]!;
    if (cmp.left.kind === "var" && cmp.left.name === v.name && (cmp.op === ">=" || cmp.op === ">"))
      return { column, bound: cmp.right, strict: cmp.op === ">" };
    if (cmp.right.kind === "var" && cmp.right.name === v.name && (cmp.op === "<=" || cmp.op === "<"))
      return { column, bound: cmp.left, strict: cmp.op === "<" };
    return null;
  }

  private readonly rises = new Map<CountRise, Map<number, Cond>>();

  /**
   * What brings a firing through a new `count` tuple `c` about when the rule reads it only as "at
   * least the bound" (bound from `full`): the count needs bound - present new values at once, so the
   * condition is that threshold; null when it cannot rise that far (or only loses inputs: a count
   * never rises by a loss); `c` itself when the bound is not known or already met.
   */
  private rise(c: Candidate, count: CountRise, lower: LowerBound, full: Binding): Cond | null {
    if (count === "losses") return null;
    // integer literals only: a string is never a bound for a count
    const bound = termValue(lower.bound, full, (v) => (typeof v === "number" ? v : null));
    if (bound === null) return c;
    const need = Math.max(1, lower.strict ? bound + 1 : bound) - count.present;
    if (need <= 1) return c; // one new value is enough: the flat condition says as much
    if (need > count.gains.length) return null;
    let byNeed = this.rises.get(count);
    if (!byNeed) this.rises.set(count, (byNeed = new Map<number, Cond>()));
    let out = byNeed.get(need);
    if (!out) byNeed.set(need, (out = { leaves: EMPTY_LEAVES, thresholds: new Set([{ need, groups: count.gains }]) }));
    return out;
  }

  /**
   * Annotates each candidate of a precise `count` rule with how its group's count can rise: the
   * distinct counted values its input has now, and per value it lacks the merged condition of the
   * new inputs carrying it. Left unannotated when the group or a new input's value is not known.
   */
  private countRises(
    shape: RuleShape,
    found: Map<string, Candidate>,
    gains: Map<string, { cond: Cond; value: number | undefined }[]>,
    counted: string,
    theta: Binding,
    readTime: (a: { time: number | null }) => number,
  ): void {
    const column = shape.aggregateColumns[0]!;
    const a = shape.positives[0]!;
    for (const [k, c] of found) {
      const list = gains.get(k);
      if (!list || list.length === 0) {
        c.count = "losses";
        continue;
      }
      if (c.tuple.some((v, col) => col !== column && v === null) || list.some((g) => g.value === undefined)) continue;
      const b = this.unify(shape.headArgs, c.tuple, theta);
      if (b === null) continue;
      const have = new Set<number>();
      const s = this.storeAt(a.rel, readTime(a));
      if (s) {
        const ap = a.args.map((t) => this.evalTerm(t, b));
        this.tick(s.count);
        for (let id = 0; id < s.count; id++) {
          if (!this.matches(s, id, ap)) continue;
          const value = this.unifyStored(a.args, s, id, b)?.get(counted);
          if (value === undefined) return; // an input that binds no counted value: not a count this knows
          have.add(value);
        }
      }
      const byValue = new Map<number, Cond[]>();
      for (const g of list) {
        if (have.has(g.value!)) continue; // a value the group has already does not raise the count
        const l = byValue.get(g.value!);
        if (l) l.push(g.cond);
        else byValue.set(g.value!, [g.cond]);
      }
      const merge = (conds: Cond[]): Cond =>
        conds.length === 1
          ? conds[0]!
          : { leaves: new Set(conds.flatMap((x) => [...x.leaves])), thresholds: new Set(conds.flatMap((x) => [...x.thresholds])) };
      c.count = { present: have.size, gains: [...byValue.values()].map(merge) };
    }
  }

  /** A `max`/`min` rule this analysis can be precise about: the relation's only rule, one aggregate column, one positive atom. */
  private extremeOf(rel: number, shape: RuleShape): Extreme | null {
    // (maze ldfi pool work) asked once per new firing: a fifteenth of Paxos's blocking analysis went
    // into recomputing it, so it is kept per rule shape (it depends on nothing else)
    let e = this.extremes.get(shape);
    if (e === undefined) this.extremes.set(shape, (e = this.computeExtreme(rel, shape)));
    return e;
  }

  private readonly extremes = new Map<RuleShape, Extreme | null>();

  private computeExtreme(rel: number, shape: RuleShape): Extreme | null {
    if (shape.positives.length !== 1 || (this.shapes.byHead.get(rel)?.length ?? 0) !== 1) return null;
    const cols = shape.aggregateColumns;
    if (cols.length !== 1) return null;
    const column = cols[0]!;
    const term = shape.plan.rule.head.args[column]!;
    if (term.kind !== "aggregate" || (term.fn !== "max" && term.fn !== "min")) return null;
    const strings = this.run.compiled.plan.relations[rel]!.types[column] === "string";
    return { column, variable: term.variable.name, sign: term.fn === "min" ? -1 : 1, strings };
  }

  /** The aggregate value of the one present tuple of a group (other columns of `group` all known), or undefined. */
  private presentExtreme(out: TupleStore, column: number, group: readonly (number | null)[]): number | undefined {
    this.tick(out.count);
    let extreme: number | undefined;
    for (let id = 0; id < out.count; id++) {
      if (!this.matches(out, id, group)) continue;
      if (extreme !== undefined) return undefined; // two tuples for one group: not this rule's output alone
      extreme = out.tuple(id)[column];
    }
    return extreme;
  }

  /**
   * Whether a new input to a `max`/`min` group, binding the aggregated variable in `b`, cannot change
   * the group's present value: it does not pass the extreme (ties keep it too), as the runtime compares.
   */
  private cannotPassExtreme(rel: number, shape: RuleShape, b: Binding, head: readonly (number | null)[], time: number): boolean {
    const ext = this.extremeOf(rel, shape);
    if (!ext) return false;
    const value = b.get(ext.variable);
    if (value === undefined || head.some((v, c) => c !== ext.column && v === null)) return false;
    const out = this.storeAt(rel, time);
    const extreme = out ? this.presentExtreme(out, ext.column, head) : undefined;
    if (extreme === undefined) return false;
    return this.within(value, { column: ext.column, value: extreme, sign: ext.sign, strings: ext.strings });
  }

  /**
   * "Every one of `leaves` is lost": one leaf is its own condition; several are a threshold that
   * needs all of them (as single-leaf groups, each leaf's group shared between thresholds).
   */
  private allLost(leaves: ReadonlySet<number>): Cond {
    if (leaves.size === 1) return { leaves, thresholds: EMPTY_THRESHOLDS };
    const groups = [...leaves].map((l) => {
      let g = this.singleLeaf.get(l);
      if (!g) this.singleLeaf.set(l, (g = { leaves: new Set([l]), thresholds: EMPTY_THRESHOLDS }));
      return g;
    });
    return { leaves: EMPTY_LEAVES, thresholds: new Set([{ need: groups.length, groups }]) };
  }

  private readonly singleLeaf = new Map<number, Cond>();

  /**
   * What a new firing also needs, bound as `b`, from the rule's `notin` premises: every present
   * tuple blocking one of them lost ({@link allLost}), or null when nothing blocks it. A premise
   * whose pattern leaves open a variable that a positive atom binds is skipped (the analysis does
   * not know that value, so it cannot tell which tuples would block the firing); a variable found
   * only in the `notin` matches any value, as the runtime reads it.
   */
  private negationsNeeded(shape: RuleShape, b: Binding, readTime: (a: { time: number | null }) => number): Cond | null {
    const plan = this.run.compiled.plan;
    let leaves: Set<number> | null = null;
    for (const n of shape.negatives) {
      if (n.rel === plan.crashRel) continue; // a crash tuple never goes away: not read as a requirement
      const np = n.args.map((t) => this.evalTerm(t, b));
      if (np.some((v, c) => v === null && !this.existential(shape, n.args[c]!))) continue;
      const s = this.storeAt(n.rel, readTime(n));
      if (!s) continue;
      this.tick(s.count);
      for (let id = 0; id < s.count; id++) if (this.matches(s, id, np)) (leaves ??= new Set()).add(this.leafIdOf(s, id));
    }
    return leaves === null ? null : this.allLost(leaves);
  }

  /** A `notin` argument that matches any value: `_`, or a variable no positive atom of the rule has. */
  private existential(shape: RuleShape, t: Term): boolean {
    if (t.kind === "wildcard") return true;
    if (t.kind !== "var") return false;
    return !shape.positives.some((a) => a.args.some((x) => termOccurrences(x, t.name) > 0));
  }

  private readonly conjunctions = new Map<Cond, Map<Cond, Cond>>();

  /**
   * What a firing that needs two new tuples at once needs: both their conditions. When one
   * condition's leaves include the other's (and neither has thresholds), the narrower one says as
   * much; otherwise the two are a threshold that needs both groups. Memoised per pair, so that the
   * support walk builds each conjunction's formula once.
   */
  private both(a: Cond, b: Cond): Cond {
    if (a === b) return a;
    if (a.thresholds.size === 0 && b.thresholds.size === 0) {
      if (a.leaves.size <= b.leaves.size && subset(a.leaves, b.leaves)) return a;
      if (b.leaves.size <= a.leaves.size && subset(b.leaves, a.leaves)) return b;
    }
    let byB = this.conjunctions.get(a);
    if (!byB) this.conjunctions.set(a, (byB = new Map<Cond, Cond>()));
    let out = byB.get(b);
    if (!out) byB.set(b, (out = { leaves: EMPTY_LEAVES, thresholds: new Set([{ need: 2, groups: [a, b] }]) }));
    return out;
  }

  /** The variables of `shape` that a premise outside `done`, the head, a comparison or a `notin` reads. */
  private liveVariables(shape: RuleShape, done: number): readonly string[] {
    let out = shape.liveVariables.get(done);
    if (out) return out;
    const rule = shape.plan.rule;
    const names = new Set<string>();
    const collect = (t: Term | HeadTerm): void => {
      if (t.kind === "var") names.add(t.name);
      else if (t.kind === "binary") [t.left, t.right].forEach(collect);
      else if (t.kind === "aggregate") names.add(t.variable.name);
    };
    for (const t of rule.head.args) collect(t);
    for (const x of rule.body) if (x.kind === "compare") [x.left, x.right].forEach(collect);
    for (const n of shape.negatives) n.args.forEach(collect);
    shape.positives.forEach((a, k) => {
      if (!(done & (1 << k))) a.args.forEach(collect);
    });
    shape.liveVariables.set(done, (out = [...names]));
    return out;
  }

  private readonly conjunctsOf = new WeakMap<Cond, ReadonlySet<Cond>>();
  /** The conditions `c` is the conjunction of (see `both`); a firing needing a superset of them needs more. */
  private conjuncts(c: Cond): ReadonlySet<Cond> {
    let out = this.conjunctsOf.get(c);
    if (out) return out;
    const parts = new Set<Cond>();
    const pair = c.leaves.size === 0 && c.thresholds.size === 1 ? [...c.thresholds][0]! : null;
    if (pair && pair.need === 2 && pair.groups.length === 2 && this.conjunctions.get(pair.groups[0]!)?.get(pair.groups[1]!) === c)
      for (const g of pair.groups) for (const x of this.conjuncts(g)) parts.add(x);
    else parts.add(c);
    this.conjunctsOf.set(c, (out = parts));
    return out;
  }

  /**
   * Joins the premises of a new firing not yet in `done` (a bit per premise; the new tuple's premise
   * bound `b` and is blocked by `leaves`) over present tuples and other premises' candidates. The
   * premise joined next is the one with the fewest tuples and candidates left to match under `b`
   * (one with none ends the firing): Molly's Paxos `accept` joins five premises whose candidates
   * leave most columns unknown, and written order multiplied them. Returns true when it passed
   * {@link JOIN_BUDGET} (a return value, not an exception: throwing it cost a thirtieth of Paxos's
   * blocking analysis).
   */
  private joinFiring(join: FiringJoin, done: number, b: Binding, leaves: Cond): boolean {
    const { shape, sources, readTime, dead } = join;
    // Two partial firings that agree on what is joined, on every variable still read and on what
    // they need lost complete alike: the second adds nothing (Molly's Paxos: 24,741 firings of
    // `accept` for 33 heads, told apart mostly by variables no later premise reads).
    const key = `${join.first}:${join.tag}:${done}:${b.key(this.liveVariables(shape, done))}`;
    let seen = this.joined.get(key);
    if (!seen) this.joined.set(key, (seen = []));
    const mine = this.conjuncts(leaves);
    if (seen.some((c) => subset(c, mine))) return false;
    seen.push(mine);
    let j = -1;
    let best: { store: TupleStore | null; ids: readonly number[]; near: readonly Candidate[]; pattern: (number | null)[] } | null = null;
    for (let k = 0; k < shape.positives.length; k++) {
      if (done & (1 << k)) continue;
      const o = shape.positives[k]!;
      const pattern = o.args.map((t) => this.evalTerm(t, b));
      const store = this.storeAt(o.rel, readTime(o));
      const ids = store ? this.lookup(store, pattern) : NO_IDS;
      const near = this.candidatesMatching(sources[k]!, pattern);
      if (best === null || ids.length + near.length < best.ids.length + best.near.length) {
        j = k;
        best = { store, ids, near, pattern };
        if (ids.length + near.length === 0) return false;
      }
    }
    if (best === null) {
      join.emit(b, leaves);
      return false;
    }
    const o = shape.positives[j]!;
    const next = done | (1 << j);
    const { store: s, ids, near, pattern } = best;
    const live = this.liveVariables(shape, next);
    if (s && ids.length > 0) {
      if (this.joinTick(ids.length)) return true;
      // present tuples that agree on every variable still read continue alike: one of each will do
      const bind = (id: number): Binding | null => (this.matches(s, id, pattern) ? this.unifyStored(o.args, s, id, b) : null);
      for (const [id] of this.alike(this.alikePresent, j, next, pattern, ids, bind, live)) {
        const nb = bind(id!)!;
        if (!dead(nb, leaves) && this.joinFiring(join, next, nb, leaves)) return true;
      }
    }
    // Candidates that bind every variable still read alike continue alike: they are joined on once,
    // needing any one of them (Molly's Paxos: thousands of `accept` firings told apart only by which
    // new `response_log` tuple, of many equal where it matters, they joined).
    if (near.length === 0) return false;
    if (this.joinTick(near.length)) return true;
    const bindNew = (x: Candidate): Binding | null => this.unify(o.args, x.tuple, b);
    for (const xs of this.alike(this.alikeCandidates, j, next, pattern, near, bindNew, live)) {
      const nb = bindNew(xs[0]!)!;
      const cond = this.both(leaves, this.anyOf(xs));
      if (!dead(nb, cond) && this.joinFiring(join, next, nb, cond)) return true;
    }
    return false;
  }

  private readonly alikePresent = new Map<string, readonly (readonly number[])[]>();
  private readonly alikeCandidates = new Map<string, readonly (readonly Candidate[])[]>();

  /**
   * The `items` of premise `j` that unify under `b` (`bind`), grouped by the values they give the
   * variables still read (`live`): one group continues the join as one. Whether an item unifies,
   * and what it binds, depends on `b` only through the premise's `pattern`, so the groups are kept
   * per premise and pattern (in `memo`, for the current rule's joins): the join meets the same
   * premise under the same pattern from many partial firings.
   */
  private alike<T>(
    memo: Map<string, readonly (readonly T[])[]>,
    j: number,
    next: number,
    pattern: readonly (number | null)[],
    items: readonly T[],
    bind: (x: T) => Binding | null,
    live: readonly string[],
  ): readonly (readonly T[])[] {
    const key = `${j}:${next}:${pattern.join(",")}`;
    let out = memo.get(key);
    if (out) return out;
    const groups = new Map<string, T[]>();
    for (const x of items) {
      const nb = bind(x);
      if (nb === null) continue;
      const k = nb.key(live);
      const g = groups.get(k);
      if (g) g.push(x);
      else groups.set(k, [x]);
    }
    memo.set(key, (out = [...groups.values()]));
    return out;
  }

  private readonly candidateNumbers = new WeakMap<Candidate, number>();
  private readonly anyOfMemo = new Map<string, Cond>();
  /**
   * "One of `xs` comes about": a threshold needing one of them, which reads each candidate's
   * condition as it stands when the formula is built (a candidate of a visit still open may grow).
   */
  private anyOf(xs: readonly Candidate[]): Cond {
    if (xs.length === 1) return xs[0]!;
    let key = "";
    for (const x of xs) {
      let n = this.candidateNumbers.get(x);
      if (n === undefined) this.candidateNumbers.set(x, (n = this.candidateCount++));
      key += `${n},`;
    }
    let out = this.anyOfMemo.get(key);
    if (!out) this.anyOfMemo.set(key, (out = { leaves: EMPTY_LEAVES, thresholds: new Set([{ need: 1, groups: xs }]) }));
    return out;
  }
  private candidateCount = 0;
}

/** One column of a candidate list: for each value, the candidates holding it or an unknown, in list order. */
interface CandidateIndex {
  matching(value: number): readonly Candidate[];
}

function indexCandidates(list: readonly Candidate[], column: number): CandidateIndex {
  const byValue = new Map<number, number[]>();
  const unknown: number[] = [];
  list.forEach((x, k) => {
    const v = x.tuple[column];
    if (v === null || v === undefined) unknown.push(k);
    else {
      let at = byValue.get(v);
      if (!at) byValue.set(v, (at = []));
      at.push(k);
    }
  });
  const merged = new Map<number, readonly Candidate[]>();
  const onlyUnknown = unknown.map((k) => list[k]!);
  return {
    matching(value: number): readonly Candidate[] {
      let out = merged.get(value);
      if (!out) {
        const hits = byValue.get(value);
        merged.set(value, (out = hits ? mergeOrdered(hits, unknown).map((k) => list[k]!) : onlyUnknown));
      }
      return out;
    },
  };
}

/** The ids of a store of at most {@link LOOKUP_MIN} tuples, by its size (the join's hot path: no lookup). */
const SMALL_STORE_IDS: readonly (readonly number[])[] = Array.from({ length: LOOKUP_MIN + 1 }, (_, n) =>
  Array.from({ length: n }, (_, k) => k),
);
const allIdsOf = new WeakMap<TupleStore, readonly number[]>();
/** Every id of `store` (a run's stores are complete when their lineage is read, so kept per store). */
function allIds(store: TupleStore): readonly number[] {
  let out = allIdsOf.get(store);
  if (!out || out.length !== store.count) allIdsOf.set(store, (out = Array.from({ length: store.count }, (_, k) => k)));
  return out;
}

/** Two ascending position lists merged into one, ascending (a join keeps the list's order). */
function mergeOrdered(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

function intersection(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  const out = new Set<number>();
  for (const x of a) if (b.has(x)) out.add(x);
  return out;
}

/** Is every element of `a` in `b`? */
function subset<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
