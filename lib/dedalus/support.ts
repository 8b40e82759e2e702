/**
 * {@link support}: for LDFI, each goal's survival as a positive boolean formula over cross-node
 * message edges (supportGraph.ts), as one DAG with shared sub-formulas. "or" = alternative
 * derivations, "and" = the premises of one derivation; a goal survives a fault set iff its formula
 * holds with every broken edge set to false and every crashed node's "alive" false.
 *
 * A `notin` premise (lib/dedalus/README.md, "Negative support") holds while what could make a
 * matching tuple appear keeps its own support: by default its blocking tuples (negativeSupport.ts),
 * or Molly's possible causes — every tuple of a relation from which the negated one is reachable by
 * rules, at a time before the read (or at it, when only same-timestep rules lead there).
 * `notin crash(_, N, _)` holds while N stays alive. What aggregates need is aggregateSupport.ts's.
 */
import { aggregateAbsences, countThresholds, extremeFirings, type CountThreshold } from "./aggregateSupport";
import { messageKey } from "./messageKey";
import { BlockingAnalysis, type Beyond, type BlockingCondition, type BlockingThreshold } from "./negativeSupport";
import { recordedRun, type RawDerivation, type RawNegPremise, type RecordedDerivations } from "./provenanceRecording";
import { relationPaths, SAME_STEP_PATH } from "./ruleGraph";
import type { DedalusRun } from "./runResult";
import type { CompiledProgram, Fact, RunResult } from "./runtime";
import { sameStepGraph } from "./sameStep";
import type { TupleStore } from "./store";
import { FormulaBuilder, type SupportGraph } from "./supportGraph";

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
  /**
   * Join steps the blocking analysis gives one rule's new firings per `notin` premise before it
   * keeps the rest unjoined (default `JOIN_BUDGET`, 100,000). Larger budgets give sharper formulas,
   * hence fewer LDFI hypotheses, at a cost in time (protocols/EXPECTED.md: Molly's own Paxos).
   */
  joinBudget?: number;
}

/** Builds the support DAG of `goals` in a run recorded with provenance (DESIGN.md section 6). */
export function support(result: RunResult, goals: Fact[], options: SupportOptions = {}): SupportGraph {
  const run = recordedRun(result);
  const walk = new SupportWalk(run, options.negativeSupport ?? true, options.joinBudget);
  const roots = goals.map((g) => {
    const at = run.locate(g.rel, g.args, g.time);
    return at ? walk.solve(at.store, at.id) : FormulaBuilder.FALSE;
  });
  return { nodes: walk.formulas.nodes, roots };
}

/**
 * The support DAG of tuples that are *absent* from a run: `roots[i]` is the formula under which
 * `absent[i]` stays absent (its negative support, as a `notin` premise on it would have, with
 * blocking tuples: lib/dedalus/README.md). LDFI needs it for a run that lost a `post` tuple together
 * with its `pre` (not a violation): further faults that could make that `pre` tuple appear again must
 * still be tried. A tuple that is present, or a relation the program does not have, is a RangeError.
 */
export function absenceSupport(result: RunResult, absent: Fact[], options: Pick<SupportOptions, "joinBudget"> = {}): SupportGraph {
  const run = recordedRun(result);
  const walk = new SupportWalk(run, true, options.joinBudget);
  const roots = absent.map((g) => {
    if (run.locate(g.rel, g.args, g.time)) throw new RangeError(`absenceSupport: ${g.rel} at ${g.time} is present`);
    const rel = run.compiled.plan.relationId.get(g.rel);
    const values = rel === undefined ? null : run.encode(rel, g.args);
    if (rel === undefined || values === null)
      throw new RangeError(`absenceSupport: ${g.rel}(${g.args.join(", ")}) is not a tuple of this program`);
    return walk.solveAbsent({ rel, time: g.time, values: [...values] });
  });
  return { nodes: walk.formulas.nodes, roots };
}

/** Rule-graph paths of a compiled program (Molly's "possible causes"), computed once per program. */
const pathsCache = new WeakMap<CompiledProgram, Uint8Array[]>();

function pathsOf(c: CompiledProgram): Uint8Array[] {
  let paths = pathsCache.get(c);
  if (!paths) pathsCache.set(c, (paths = relationPaths(c.plan)));
  return paths;
}

/** A tuple of the run. */
type TupleRef = { store: TupleStore; id: number };

/** A step of the depth-first walk: a tuple's formula, or the formula of an absent pattern. */
type Frame =
  | { kind: "tuple"; store: TupleStore; id: number; open: boolean; derivations: RawDerivation[] }
  | { kind: "neg"; key: string; neg: RawNegPremise; open: boolean; causes: TupleRef[]; condition: BlockingCondition | null };

/** Memo value of a tuple whose formula is being computed (a cycle guard, see {@link SupportWalk.valueOf}). */
const ON_STACK = -2;

/**
 * The formulas of a run's tuples and absent patterns, memoised for every goal asked of one support
 * graph. They are computed by an explicit depth-first walk (post-order), not by recursion: a
 * derivation chain can be thousands of tuples deep (reachability along a long path). Children are
 * pushed last-first so they are solved in written order, which keeps the node numbering stable.
 */
class SupportWalk {
  readonly formulas = new FormulaBuilder();
  private readonly prov: RecordedDerivations;
  private readonly eot: number;
  private readonly negativeSupport: boolean;
  /** Per store, each tuple's formula (-1: not yet, {@link ON_STACK}: being computed). */
  private readonly memo = new Map<TupleStore, Int32Array>();
  /** Each absent pattern's formula, by {@link SupportWalk.negKey}. */
  private readonly negMemo = new Map<string, number>();
  /** Group absences of a max/min that only a new input beyond the extreme breaks (see `absences`). */
  private readonly beyondOf = new WeakMap<RawNegPremise, Beyond>();
  private readonly absenceMemo = new Map<RawDerivation, RawNegPremise[]>();
  private readonly thresholdMemo = new Map<RawDerivation, (CountThreshold | null)[]>();
  private readonly feeds: readonly Uint8Array[];
  private readonly crashRel: number;
  private readonly runNodes: Set<string>;
  private blocking: BlockingAnalysis | null = null;
  private readonly stack: Frame[] = [];

  constructor(
    private readonly run: DedalusRun,
    private readonly mode: boolean | "molly",
    private readonly joinBudget: number | undefined,
  ) {
    this.prov = run.provenance!;
    this.eot = run.eot;
    this.negativeSupport = mode !== false;
    this.feeds = sameStepGraph(run.compiled.plan).feeds;
    this.crashRel = run.compiled.plan.crashRel;
    this.runNodes = new Set(run.nodes);
  }

  /** The formula of tuple `id` of `store`. */
  solve(store: TupleStore, id: number): number {
    this.pushTuple(store, id);
    this.drain();
    return this.valueOf(store, id);
  }

  /** The formula under which the absent pattern `n` stays absent. */
  solveAbsent(n: RawNegPremise): number {
    this.pushNeg(n);
    this.drain();
    return this.negValue(n);
  }

  /** Solves every frame on the stack (post-order). */
  private drain(): void {
    while (this.stack.length > 0) {
      const f = this.stack[this.stack.length - 1]!;
      if (f.kind === "tuple") {
        if (!f.open) this.openTuple(f);
        else {
          this.stack.pop();
          this.memoOf(f.store)[f.id] = this.formulas.combine(
            "or",
            f.derivations.map((d) => this.derivationFormula(d, f.store, f.id)),
          );
        }
      } else if (!f.open) this.openNeg(f);
      else {
        this.stack.pop();
        this.negMemo.set(
          f.key,
          f.neg.rel === this.crashRel
            ? this.notCrashed(f.neg)
            : f.condition
              ? this.conditionFormula(f.condition)
              : this.formulas.combine(
                  "and",
                  f.causes.map((c) => this.valueOf(c.store, c.id)),
                ),
        );
      }
    }
  }

  private inRun(store: TupleStore): boolean {
    return store.time >= 1 && store.time <= this.eot && this.run.stores[store.time]?.[store.rel] === store;
  }

  private memoOf(store: TupleStore): Int32Array {
    let m = this.memo.get(store);
    if (!m) this.memo.set(store, (m = new Int32Array(store.count).fill(-1)));
    return m;
  }

  /** The current value of a tuple's formula; TRUE for EDB-only stores and (guard) for tuples still open. */
  private valueOf(store: TupleStore, id: number): number {
    if (!this.inRun(store)) return FormulaBuilder.TRUE; // premises read from fact-only stores (`p@N` beyond the run) are EDB facts
    const v = this.memoOf(store)[id]!;
    return v >= 0 ? v : FormulaBuilder.TRUE; // ON_STACK: a cycle, impossible for stratified programs (README: guard)
  }

  /** The formula of an absent pattern computed so far (TRUE while it is open). */
  private negValue(n: RawNegPremise): number {
    return this.negMemo.get(this.negKey(n)) ?? FormulaBuilder.TRUE;
  }

  private birth(store: TupleStore, id: number): number {
    return this.prov.get(store)?.[id]?.[0]?.seq ?? -1;
  }

  private negKey(n: RawNegPremise): string {
    if (this.mode === "molly") return `${n.rel}@${n.time}`;
    const b = this.beyondOf.get(n);
    return `${n.rel}@${n.time}:${n.values.join(",")}${b ? `>${b.column}:${b.sign}:${b.value}` : ""}`;
  }

  /**
   * Derivations that may support a tuple. Well-foundedness: a same-timestep premise that the tuple's
   * own relation can feed (a possible cycle) must have existed before the tuple did; derivations
   * through later-born ones are recorded (why shows them) but cannot be the tuple's support. A premise
   * the tuple cannot feed — a message that arrived this step, a lower stratum — is always fine.
   */
  private usable(store: TupleStore, id: number): RawDerivation[] {
    const mine = this.birth(store, id);
    const mayCycle = this.feeds[store.rel]!;
    const out: RawDerivation[] = [];
    for (const d of this.prov.get(store)?.[id] ?? []) {
      if (d.kind === "fact") return [d];
      if (
        d.kind === "rule" &&
        d.premises.some((p) => p.store.time === store.time && mayCycle[p.store.rel] === 1 && this.birth(p.store, p.id) >= mine)
      )
        continue;
      out.push(d);
    }
    return out;
  }

  /**
   * `notin crash(_, N, _)`: crash tuples appear only when N crashes (they are never lost), so the
   * premise holds exactly while N stays alive; a wildcard for the crashed node means every node.
   */
  private notCrashed(n: RawNegPremise): number {
    const crashed = n.values[1];
    const names = crashed === null || crashed === undefined ? this.run.nodes : [this.run.compiled.interner.string(crashed)];
    return this.formulas.combine(
      "and",
      names.filter((x) => this.runNodes.has(x)).map((node) => this.formulas.alive(node)),
    );
  }

  /** What supports an absent pattern: its blocking condition, or null where that analysis declines (Molly's causes then). */
  private condition(n: RawNegPremise): BlockingCondition | null {
    return this.mode === "molly"
      ? null
      : (this.blocking ??= new BlockingAnalysis(this.run, this.joinBudget)).blockingCondition(n, undefined, this.beyondOf.get(n));
  }

  /** Every tuple a blocking condition reads, thresholds' groups included (each once). */
  private conditionTuples(c: BlockingCondition): TupleRef[] {
    const out = new Set<TupleRef>();
    const seen = new Set<BlockingThreshold>();
    const walked = new Set<BlockingCondition>();
    const walk = (x: BlockingCondition): void => {
      if (walked.has(x)) return;
      walked.add(x);
      for (const t of x.tuples) out.add(t);
      for (const t of x.thresholds) {
        if (seen.has(t)) continue;
        seen.add(t);
        for (const g of t.groups) walk(g);
      }
    };
    walk(c);
    return [...out];
  }

  private readonly thresholdFormulas = new Map<BlockingThreshold, number>();
  private readonly conditionFormulas = new Map<BlockingCondition, number>();

  /**
   * A blocking condition's formula: every blocking tuple keeps its support, and for each threshold
   * (at least `need` of its groups coming about unblocks the premise) at least n - need + 1 of its n
   * groups keep theirs.
   */
  private conditionFormula(c: BlockingCondition): number {
    const known = this.conditionFormulas.get(c);
    if (known !== undefined) return known;
    const f = this.formulas;
    const parts = c.tuples.map((t) => this.valueOf(t.store, t.id));
    for (const t of c.thresholds) {
      let v = this.thresholdFormulas.get(t);
      if (v === undefined) {
        v = f.atLeast(
          t.groups.length - t.need + 1,
          t.groups.map((g) => this.conditionFormula(g)),
        );
        this.thresholdFormulas.set(t, v);
      }
      parts.push(v);
    }
    const out = f.combine("and", parts);
    this.conditionFormulas.set(c, out);
    return out;
  }

  /** Molly's possible causes of an absent `p` read at T: every tuple upstream of p, before T (or at T). */
  private mollyCauses(n: RawNegPremise): TupleRef[] {
    const out: TupleRef[] = [];
    const into = pathsOf(this.run.compiled)[n.rel];
    if (!into) return out;
    for (let q = 0; q < into.length; q++) {
      if (into[q] === 0) continue;
      // A relation that reaches p within the step counts up to T itself, even when it also reaches
      // p through time (r1 both blocks r3 in the step and feeds it later: its tuples at T are causes).
      const last = (into[q]! & SAME_STEP_PATH) !== 0 ? n.time : n.time - 1;
      for (let t = 1; t <= Math.min(last, this.eot); t++) {
        const s = this.run.stores[t]![q]!;
        for (let id = 0; id < s.count; id++) out.push({ store: s, id });
      }
    }
    return out;
  }

  /**
   * What a derivation needs to stay absent: its `notin` premises, and for an aggregate every further
   * input of its group — a new input changes the aggregate's value, so the tuple it derived is lost
   * (a count of 1 is no longer true once a second value arrives).
   */
  private absences(d: RawDerivation, store: TupleStore, id: number): RawNegPremise[] {
    // Without negative support only `notin crash` stays: a crash breaks it as directly as a lost message.
    if (!this.negativeSupport) return d.negated.filter((n) => n.rel === this.crashRel);
    if (!d.rule?.aggregate) return d.negated;
    let out = this.absenceMemo.get(d);
    if (out) return out;
    const group = aggregateAbsences(d as RawDerivation & { rule: NonNullable<RawDerivation["rule"]> }, store, id, this.run);
    if (group.beyond) this.beyondOf.set(group.patterns[0]!, group.beyond);
    out = [...d.negated, ...group.patterns];
    this.absenceMemo.set(d, out);
    return out;
  }

  private thresholds(d: RawDerivation): (CountThreshold | null)[] {
    let out = this.thresholdMemo.get(d);
    if (!out) this.thresholdMemo.set(d, (out = countThresholds(d, this.prov)));
    return out;
  }

  private pushTuple(store: TupleStore, id: number): void {
    if (this.inRun(store) && this.memoOf(store)[id] === -1) this.stack.push({ kind: "tuple", store, id, open: false, derivations: [] });
  }

  private pushNeg(n: RawNegPremise): void {
    const key = this.negKey(n);
    if (!this.negMemo.has(key)) this.stack.push({ kind: "neg", key, neg: n, open: false, causes: [], condition: null });
  }

  /** First visit of a tuple: mark it open and push everything its usable derivations read. */
  private openTuple(f: Frame & { kind: "tuple" }): void {
    const m = this.memoOf(f.store);
    if (m[f.id] !== -1) {
      this.stack.pop(); // reached again through another parent and already done (or open: a cycle)
      return;
    }
    f.open = true;
    m[f.id] = ON_STACK;
    f.derivations = this.usable(f.store, f.id);
    for (let i = f.derivations.length - 1; i >= 0; i--) {
      const d = f.derivations[i]!;
      const neg = this.absences(d, f.store, f.id);
      for (let k = neg.length - 1; k >= 0; k--) this.pushNeg(neg[k]!);
      const th = this.thresholds(d);
      for (let k = d.premises.length - 1; k >= 0; k--) {
        const t = th[k];
        if (!t) this.pushTuple(d.premises[k]!.store, d.premises[k]!.id);
        else {
          for (let n = t.negated.length - 1; n >= 0; n--) this.pushNeg(t.negated[n]!);
          for (const firings of t.values) for (const firing of firings) for (const x of firing) this.pushTuple(x.store, x.id);
        }
      }
    }
  }

  /** First visit of an absent pattern: mark it open (TRUE meanwhile, see valueOf) and push its causes. */
  private openNeg(f: Frame & { kind: "neg" }): void {
    if (this.negMemo.has(f.key)) {
      this.stack.pop();
      return;
    }
    f.open = true;
    this.negMemo.set(f.key, FormulaBuilder.TRUE); // guard while open (see valueOf)
    if (f.neg.rel !== this.crashRel) {
      f.condition = this.condition(f.neg);
      f.causes = f.condition ? this.conditionTuples(f.condition) : this.mollyCauses(f.neg);
    }
    for (let k = f.causes.length - 1; k >= 0; k--) this.pushTuple(f.causes[k]!.store, f.causes[k]!.id);
  }

  /** The formula of one derivation of tuple `id` of `store`, once everything it reads is solved. */
  private derivationFormula(d: RawDerivation, store: TupleStore, id: number): number {
    if (d.kind === "fact") return FormulaBuilder.TRUE;
    const f = this.formulas;
    const parts: number[] = [];
    const m = d.message;
    if (m && m.from !== m.to && m.sendTime < this.eot) {
      const interner = this.run.compiled.interner;
      parts.push(
        f.edge(messageKey(m.from, m.to, m.sendTime), { from: interner.string(m.from), to: interner.string(m.to), sendTime: m.sendTime }),
      );
    }
    const all = (firing: readonly TupleRef[]): number =>
      f.combine(
        "and",
        firing.map((x) => this.valueOf(x.store, x.id)),
      );
    const extreme = extremeFirings(d, store, id);
    if (extreme) parts.push(f.combine("or", extreme.map(all)));
    const th = this.thresholds(d);
    if (!extreme) {
      d.premises.forEach((p, k) => {
        const t = th[k];
        if (!t) return void parts.push(this.valueOf(p.store, p.id));
        const values = t.values.map((firings) => f.combine("or", firings.map(all)));
        parts.push(f.atLeast(t.k, values), ...t.negated.map((n) => this.negValue(n)));
      });
    }
    for (const n of this.absences(d, store, id)) parts.push(this.negValue(n));
    return f.combine("and", parts);
  }
}
