/**
 * The engine: runs a compiled program, one run at a time (the steps are runtime.ts's module
 * comment). Per timestep it seeds the state (facts, `@next` results, deliveries, `crash`), runs each
 * stratum's generated joins to a semi-naive fixpoint, then the `@next` and `@async` rules, and hands
 * the outbox to the channel (channel.ts). Aggregates are collected per group and written when their
 * rule's join is done. It enforces the run's bounds (tuples, wall time, heap) and, when asked,
 * records provenance (provenanceRecording.ts).
 */
import type { Program, Span } from "./ast";
import { Channel, type ChannelStep } from "./channel";
import { compileExpr, compileJoin, type CompiledJoin, type DirectHead, type JoinContext, type Ticker } from "./join";
import {
  DEFAULT_MAX_TUPLES,
  DEFAULT_WALL_MS,
  defaultHeapCeiling,
  DedalusLimitError,
  DedalusRuntimeError,
  heapUsedBytes,
  integerOverflow,
  MAX_EOT,
  MAX_EXACT_INTEGER,
} from "./limits";
import { encodeValue, type RulePlan } from "./plan";
import { ProvenanceLog, recordPremises, type RawNegPremise, type RawPremise } from "./provenanceRecording";
import { DedalusRun } from "./runResult";
import type { CompiledProgram, RunOptions, RunResult } from "./runtime";
import { TupleStore } from "./store";

/** Per-rule compiled joins and emitters. */
interface RuleExec {
  plan: RulePlan;
  variants: CompiledJoin[];
  full: CompiledJoin;
  /** Aggregate rules: collected groups of the current evaluation. */
  groups: Map<string, { key: number[]; values: Set<number>[]; premises: RawPremise[]; negated: RawNegPremise[] }> | null;
}

/** Mutable state of the run in progress. */
interface RunState {
  t: number;
  eot: number;
  stores: TupleStore[][]; // stores[t][rel], t = 1..eot
  current: TupleStore[];
  next: TupleStore[] | null;
  outbox: TupleStore[];
  provenance: ProvenanceLog | null;
  deadline: number;
  started: number;
  /** The heap ceiling in bytes (limits.maxHeapBytes). */
  maxHeap: number;
}

/** Runs a compiled program; one engine per compiled program, one run at a time. */
export class Engine {
  private readonly rules: RuleExec[];
  private readonly factStores = new Map<number, TupleStore[]>();
  private readonly emptyStores: TupleStore[];
  private state: RunState | null = null;
  private readonly ctx: JoinContext;
  private readonly ticker: Ticker;
  /** Facts of relations that a run also writes, per time: inserted into each run's own store. */
  private readonly factsAt = new Map<number, { rel: number; tuple: Float64Array }[]>();
  /**
   * Per time, the fact stores of relations nothing writes during a run (no rule derives them): every run
   * reads these very stores instead of inserting the facts into its own. Nothing appends to them, so
   * the indexes a join builds on them stay valid for the next run; a transitive closure over a
   * 2000-edge graph paid about a tenth of its run re-inserting and re-indexing the edges.
   */
  private readonly sharedFactStores = new Map<number, TupleStore[]>();

  constructor(private readonly c: CompiledProgram) {
    const { plan, interner } = c;
    this.emptyStores = plan.relations.map((r) => new TupleStore(r.arity, r.id, -1));
    // Relations something writes during a run: rule heads (deduced, @next, @async deliveries) and crash.
    const written = new Set(plan.rules.map((p) => p.headRel));
    written.add(plan.crashRel);
    for (const f of c.program.facts) {
      const rel = plan.relationId.get(f.rel)!;
      const tuple = Float64Array.from(f.args.map((a) => encodeValue(a, interner)));
      let stores = this.factStores.get(f.time);
      if (!stores) this.factStores.set(f.time, (stores = plan.relations.map((r) => new TupleStore(r.arity, r.id, f.time))));
      if (stores[rel]!.insert(tuple) < 0 || !written.has(rel)) continue;
      let list = this.factsAt.get(f.time);
      if (!list) this.factsAt.set(f.time, (list = []));
      list.push({ rel, tuple });
    }
    for (const [time, stores] of this.factStores) {
      for (const s of stores) s.seal();
      const shared = stores.filter((s) => s.count > 0 && !written.has(s.rel));
      if (shared.length > 0) this.sharedFactStores.set(time, shared);
    }
    this.ctx = {
      current: [],
      storeAt: (rel, time) => {
        const st = this.state!;
        if (time === st.t) return st.current[rel]!;
        if (time >= 1 && time < st.t) return st.stores[time]![rel]!;
        return this.factStores.get(time)?.[rel] ?? this.emptyStores[rel]!;
      },
      isNode: new Uint8Array(0),
      string: (id) => interner.string(id),
      next: null,
      direct: true,
      tuples: { n: 0, max: DEFAULT_MAX_TUPLES, overflow: () => this.tooManyTuples() },
    };
    this.ticker = { n: 0, check: () => this.checkBounds() };
    this.rules = plan.rules.map((p) => this.buildRule(p));
    this.asyncHeads = [...new Set(plan.asyncRules.map((p) => p.headRel))].sort((a, b) => a - b);
  }

  /** Relations written by `@async` rules (the only ones that need an outbox). */
  private readonly asyncHeads: number[];

  /** The wall-clock and heap bounds, checked every few thousand join steps and after every round. */
  private checkBounds(): void {
    const st = this.state!;
    if (Date.now() > st.deadline) this.wallTimeout();
    if (heapUsedBytes() > st.maxHeap) this.outOfMemory();
  }

  private outOfMemory(): never {
    const st = this.state!;
    const mb = (n: number): string => `${Math.round(n / (1024 * 1024))} MB`;
    throw new DedalusLimitError(
      "memory",
      `run stopped at timestep ${st.t}: heap use of ${mb(heapUsedBytes())} passed the ceiling of ${mb(st.maxHeap)} (limits.maxHeapBytes)`,
    );
  }

  private wallTimeout(): never {
    const st = this.state!;
    throw new DedalusLimitError(
      "wall-time",
      `run stopped at timestep ${st.t}: wall-time limit of ${st.deadline - st.started} ms exceeded (limits.wallMs)`,
    );
  }

  private buildRule(p: RulePlan): RuleExec {
    const exec: RuleExec = { plan: p, variants: [], full: null as unknown as CompiledJoin, groups: p.aggregate ? new Map() : null };
    const head: DirectHead | null =
      p.aggregate || p.headTime === "async"
        ? null
        : {
            rel: p.headRel,
            next: p.headTime === "next",
            columns: p.head.map((h) => (h.kind === "expr" ? h.expr : { kind: "const", value: 0 })),
          };
    const make = (steps: RulePlan["full"]): CompiledJoin =>
      compileJoin(
        steps,
        p.nSlots,
        p.positives.length,
        p.negatives.length,
        (join) => (p.aggregate ? this.aggregateCollector(exec, join) : this.emitter(p, join)),
        this.ticker,
        head,
      );
    exec.variants = p.variants.map(make);
    exec.full = make(p.full);
    return exec;
  }

  /** The head columns of a rule as functions of a join's registers. */
  private headFns(p: RulePlan, join: CompiledJoin): (() => number)[] {
    return p.head.map((h) => (h.kind === "expr" ? compileExpr(h.expr, join.env) : () => join.env[h.slot]!));
  }

  private recordRule(p: RulePlan, join: CompiledJoin): { premises: RawPremise[]; negated: RawNegPremise[] } {
    return recordPremises(this.c.plan, p, join, this.state!.t);
  }

  private tooManyTuples(): never {
    const st = this.state!;
    throw new DedalusLimitError(
      "max-tuples",
      `run stopped at timestep ${st.t}: more than ${this.ctx.tuples.max} tuples (limits.maxTuples)`,
    );
  }

  private insert(store: TupleStore, tuple: Float64Array): number {
    const r = store.insert(tuple);
    if (r >= 0) {
      const counter = this.ctx.tuples;
      if (++counter.n > counter.max) this.tooManyTuples();
      return r;
    }
    return -r - 1;
  }

  /** The emitter of a non-aggregate rule: computes the head and writes it where its time says. */
  private emitter(p: RulePlan, join: CompiledJoin): () => void {
    const fns = this.headFns(p, join);
    const arity = fns.length;
    const rel = p.headRel;
    if (p.headTime === "async") {
      const msg = new Float64Array(arity + 1);
      const site = p.site;
      return () => {
        for (let i = 0; i < arity; i++) msg[i + 1] = fns[i]!();
        msg[0] = site.kind === "var" ? join.env[site.slot]! : site.kind === "const" ? site.value : msg[1]!;
        const st = this.state!;
        const box = st.outbox[rel]!;
        const id = this.insert(box, msg);
        if (st.provenance) st.provenance.add(box, id, { kind: "rule", rule: p, ...this.recordRule(p, join), message: null });
      };
    }
    const tuple = new Float64Array(arity);
    const next = p.headTime === "next";
    // Head columns that are plain variables are copied straight from the registers (the common case).
    const slots = Int32Array.from(p.head.map((h) => (h.kind === "expr" && h.expr.kind === "var" ? h.expr.slot : -1)));
    const allVars = slots.every((x) => x >= 0);
    const env = join.env;
    return () => {
      const st = this.state!;
      const target = next ? st.next?.[rel] : st.current[rel];
      if (!target) return; // @next at EOT: beyond the run
      if (allVars) for (let i = 0; i < arity; i++) tuple[i] = env[slots[i]!]!;
      else for (let i = 0; i < arity; i++) tuple[i] = fns[i]!();
      if (st.provenance === null) {
        // The hot path of plain runs: no id needed, only the bound on tuples.
        const counter = this.ctx.tuples;
        if (target.insert(tuple) >= 0 && ++counter.n > counter.max) this.tooManyTuples();
        return;
      }
      const id = this.insert(target, tuple);
      st.provenance.add(target, id, { kind: "rule", rule: p, ...this.recordRule(p, join), message: null });
    };
  }

  /** For aggregate rules: collect distinct (group, value) pairs; {@link finishAggregate} writes the rows. */
  private aggregateCollector(exec: RuleExec, join: CompiledJoin): () => void {
    const p = exec.plan;
    const fns = this.headFns(p, join);
    const groupCols = p.head.map((h, i) => (h.kind === "expr" ? i : -1)).filter((i) => i >= 0);
    const aggCols = p.head.map((h, i) => (h.kind === "agg" ? i : -1)).filter((i) => i >= 0);
    return () => {
      const key = groupCols.map((i) => fns[i]!());
      const k = key.join(",");
      let g = exec.groups!.get(k);
      if (!g) exec.groups!.set(k, (g = { key, values: aggCols.map(() => new Set<number>()), premises: [], negated: [] }));
      aggCols.forEach((col, a) => g.values[a]!.add(fns[col]!()));
      if (this.state!.provenance) {
        const r = this.recordRule(p, join);
        g.premises.push(...r.premises);
        g.negated.push(...r.negated);
      }
    };
  }

  private finishAggregate(exec: RuleExec): void {
    const p = exec.plan;
    const st = this.state!;
    const groups = exec.groups!;
    if (groups.size === 0) return;
    const arity = p.head.length;
    const types = this.c.plan.relations[p.headRel]!.types;
    const tuple = new Float64Array(arity);
    for (const g of groups.values()) {
      let gi = 0,
        ai = 0;
      for (let col = 0; col < arity; col++) {
        const h = p.head[col]!;
        if (h.kind === "expr") tuple[col] = g.key[gi++]!;
        else tuple[col] = this.aggregate(h.fn, [...g.values[ai++]!], types[col] === "string", p.rule.head.args[col]!.span);
      }
      if (p.headTime === "async") {
        const msg = new Float64Array(arity + 1);
        msg.set(tuple, 1);
        // The sender: the site, when it survives grouping as a head column; otherwise the receiver itself.
        const site = p.site;
        const siteCol =
          site.kind === "var" ? p.head.findIndex((h) => h.kind === "expr" && h.expr.kind === "var" && h.expr.slot === site.slot) : -1;
        msg[0] = site.kind === "const" ? site.value : siteCol >= 0 ? tuple[siteCol]! : tuple[0]!;
        const box = st.outbox[p.headRel]!;
        const id = this.insert(box, msg);
        if (st.provenance) st.provenance.add(box, id, { kind: "rule", rule: p, premises: g.premises, negated: g.negated, message: null });
        continue;
      }
      const target = p.headTime === "next" ? st.next?.[p.headRel] : st.current[p.headRel];
      if (!target) continue;
      const id = this.insert(target, tuple);
      if (st.provenance) st.provenance.add(target, id, { kind: "rule", rule: p, premises: g.premises, negated: g.negated, message: null });
    }
    groups.clear();
  }

  private aggregate(fn: string, values: number[], strings: boolean, span: Span): number {
    switch (fn) {
      case "count":
        return values.length;
      case "sum":
        return checkedSum(values, span);
      case "avg":
        return Math.trunc(checkedSum(values, span) / values.length) + 0; // + 0: no -0 (the average of -1 and 0)
      case "min":
      case "max": {
        const sign = fn === "min" ? -1 : 1;
        let best = values[0]!;
        for (const v of values) {
          const cmp = strings ? this.c.interner.string(v).localeCompare(this.c.interner.string(best)) : v - best;
          if (cmp * sign > 0) best = v;
        }
        return best;
      }
      default:
        throw new Error(`internal: unknown aggregate ${fn}`);
    }
  }

  /** Runs one rule's join over full ranges (non-recursive rules, `@next`, `@async`, aggregates). */
  private runFull(exec: RuleExec): void {
    if (!this.siteAllowed(exec.plan)) return;
    if (exec.full.prepare(this.ctx)) exec.full.run();
    if (exec.groups) this.finishAggregate(exec);
  }

  private siteAllowed(p: RulePlan): boolean {
    return p.site.kind !== "const" || this.ctx.isNode[p.site.value] === 1;
  }

  run(options: RunOptions): RunResult {
    try {
      return this.runUnnamed(options);
    } catch (e) {
      if (e instanceof DedalusRuntimeError && e.rule === null)
        throw new DedalusRuntimeError(e.reason, e.span, ruleAt(this.c.program, e.span));
      throw e;
    } finally {
      this.state = null;
    }
  }

  /** {@link run} without naming the rule of a runtime error (the errors are raised where only the span is known). */
  private runUnnamed(options: RunOptions): RunResult {
    const { plan, interner } = this.c;
    const eot = options.eot;
    if (!Number.isInteger(eot) || eot < 0 || eot > MAX_EOT)
      throw new DedalusLimitError("eot", `eot must be an integer between 0 and ${MAX_EOT}, got ${eot}`);
    checkRunOptions(options);
    const nodes = options.nodes ?? this.c.defaultNodes;
    const started = Date.now();
    const { nodeIds, isNode } = this.nodeTable(nodes);
    this.ctx.isNode = isNode;
    const failures = options.failures ?? { omissions: [], crashes: [] };
    const channel = new Channel(plan, interner, this.asyncHeads, isNode, eot, failures, options.delay);
    // crash(Observer, Crashed, CrashTime) at every node at every time (prophetic), empty without crashes.
    const crashTuples: Float64Array[] = [];
    for (const obs of nodeIds) for (const c of failures.crashes) crashTuples.push(Float64Array.of(obs, interner.intern(c.node), c.time));

    const limits = options.limits ?? {};
    const rels = plan.relations;
    const trackIds = options.provenance === true;
    const newStores = (t: number): TupleStore[] => rels.map((r) => new TupleStore(r.arity, r.id, t, trackIds));
    const st: RunState = {
      t: 0,
      eot,
      stores: [],
      current: [],
      next: null,
      outbox: [],
      provenance: options.provenance ? new ProvenanceLog() : null,
      deadline: started + (limits.wallMs ?? DEFAULT_WALL_MS),
      started,
      maxHeap: limits.maxHeapBytes ?? defaultHeapCeiling(),
    };
    this.state = st;
    this.ctx.tuples.n = 0;
    this.ctx.tuples.max = limits.maxTuples ?? DEFAULT_MAX_TUPLES;
    this.ctx.direct = st.provenance === null;
    const step: ChannelStep = {
      t: 0,
      outbox: [],
      next: null,
      stores: st.stores,
      provenance: st.provenance,
      insert: (s, tuple) => this.insert(s, tuple),
      newStores,
    };
    if (eot >= 1) st.stores[1] = newStores(1);
    for (let t = 1; t <= eot; t++) {
      st.t = t;
      const cur = st.stores[t]!;
      st.current = cur;
      this.ctx.current = cur;
      // ??=: a delayed message may already have created the store of t+1.
      st.next = t < eot ? (st.stores[t + 1] ??= newStores(t + 1)) : null;
      this.ctx.next = st.next;
      st.outbox = [];
      for (const r of this.asyncHeads) st.outbox[r] = new TupleStore(rels[r]!.arity + 1, r, t, trackIds);
      for (const shared of this.sharedFactStores.get(t) ?? []) this.shareFacts(cur, shared);
      for (const f of this.factsAt.get(t) ?? []) this.insertFact(cur[f.rel]!, f.tuple);
      for (const c of crashTuples) this.insertFact(cur[plan.crashRel]!, c);
      for (const s of cur) s.seal();

      for (let si = 0; si < plan.strata.length; si++) this.runStratum(si);
      for (const p of plan.nextRules) this.runFull(this.rules[p.rule.index]!);
      for (const p of plan.asyncRules) this.runFull(this.rules[p.rule.index]!);
      step.t = t;
      step.outbox = st.outbox;
      step.next = st.next;
      channel.deliver(step);
      this.checkBounds();
    }
    const wallMs = Date.now() - started;
    const result = new DedalusRun(this.c, eot, [...nodes], st.stores, channel.sent, st.provenance?.derivations ?? null, {
      tuples: this.ctx.tuples.n,
      wallMs,
    });
    this.state = null;
    return result;
  }

  /** The last {@link nodeTable} answer and what it was computed from. */
  private nodeCache: { nodes: readonly string[]; size: number; nodeIds: number[]; isNode: Uint8Array } | null = null;

  /**
   * The interned ids of `nodes` and a membership table over every interned id. Cached for the same
   * names (compared, not trusted by identity: a caller may reuse its array) while the interner has not grown: a classic Datalog program's default nodes are every value
   * of its first columns (a 1000-vertex graph: 1000 of them), which each run re-interned.
   */
  private nodeTable(nodes: readonly string[]): { nodeIds: number[]; isNode: Uint8Array } {
    const interner = this.c.interner;
    const cached = this.nodeCache;
    if (cached !== null && cached.size === interner.size && sameStrings(cached.nodes, nodes)) return cached;
    const nodeIds = nodes.map((n) => interner.intern(n));
    const isNode = new Uint8Array(interner.size + 1);
    for (const id of nodeIds) isNode[id] = 1;
    this.nodeCache = { nodes: [...nodes], size: interner.size, nodeIds, isNode };
    return this.nodeCache;
  }

  /** Makes the run read `shared` as its store of that relation at that time, counted as if inserted. */
  private shareFacts(cur: TupleStore[], shared: TupleStore): void {
    cur[shared.rel] = shared;
    const counter = this.ctx.tuples;
    counter.n += shared.count;
    if (counter.n > counter.max) this.tooManyTuples();
    const log = this.state!.provenance;
    if (log !== null)
      for (let id = 0; id < shared.count; id++) log.add(shared, id, { kind: "fact", rule: null, premises: [], negated: [], message: null });
  }

  private insertFact(store: TupleStore, tuple: Float64Array): void {
    const id = this.insert(store, tuple);
    this.state!.provenance?.add(store, id, { kind: "fact", rule: null, premises: [], negated: [], message: null });
  }

  private runStratum(si: number): void {
    const stratum = this.c.plan.strata[si]!;
    const cur = this.state!.current;
    for (const r of stratum.relations) cur[r]!.lo = 0;
    const recursive: RuleExec[] = [];
    for (const p of stratum.rules) {
      const exec = this.rules[p.rule.index]!;
      if (exec.variants.length === 0 || p.aggregate) this.runFull(exec);
      else recursive.push(exec);
    }
    for (;;) {
      let grew = false;
      for (const r of stratum.relations) {
        const s = cur[r]!;
        s.hi = s.count;
        if (s.lo < s.hi) grew = true;
      }
      if (!grew || recursive.length === 0) break;
      for (const exec of recursive) {
        if (!this.siteAllowed(exec.plan)) continue;
        for (const v of exec.variants) if (v.prepare(this.ctx)) v.run();
      }
      for (const r of stratum.relations) cur[r]!.lo = cur[r]!.hi;
      this.checkBounds();
    }
    for (const r of stratum.relations) cur[r]!.seal();
  }
}

/**
 * Refuses options that would silently switch a bound off or a fault into nothing: a NaN bound never
 * trips (`n > NaN` is false), a crash at time NaN never happens. Throws a RangeError naming the field.
 */
function checkRunOptions(options: RunOptions): void {
  const limits = options.limits ?? {};
  const positive = (name: string, v: unknown, integer: boolean): void => {
    if (v === undefined) return;
    if (typeof v !== "number" || Number.isNaN(v) || v <= 0 || (integer && v !== Infinity && !Number.isInteger(v))) {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- whatever the caller passed, shown as JavaScript prints it (NaN, -1, "5")
      throw new RangeError(`limits.${name} must be a positive ${integer ? "integer" : "number"}, got ${String(v)}`);
    }
  };
  positive("maxTuples", limits.maxTuples, true);
  positive("wallMs", limits.wallMs, false);
  positive("maxHeapBytes", limits.maxHeapBytes, false);
  if (options.nodes !== undefined && (!Array.isArray(options.nodes) || options.nodes.some((n) => typeof n !== "string"))) {
    throw new RangeError(`nodes must be an array of node names, got ${JSON.stringify(options.nodes)}`);
  }
  const failures = options.failures;
  if (failures === undefined) return;
  const time = (field: string, t: unknown): void => {
    if (typeof t !== "number" || !Number.isInteger(t) || t < 0) throw new RangeError(`${field} must be an integer >= 0, got ${String(t)}`);
  };
  const name = (field: string, n: unknown): void => {
    if (typeof n !== "string") throw new RangeError(`${field} must be a node name, got ${JSON.stringify(n)}`);
  };
  (failures.omissions ?? []).forEach((o, i) => {
    name(`failures.omissions[${i}].from`, o.from);
    name(`failures.omissions[${i}].to`, o.to);
    time(`failures.omissions[${i}].time`, o.time);
  });
  (failures.crashes ?? []).forEach((c, i) => {
    name(`failures.crashes[${i}].node`, c.node);
    time(`failures.crashes[${i}].time`, c.time);
  });
}

/** The text of the rule whose source holds `span` (null when none does). */
export function ruleAt(program: Program, span: Span): string | null {
  const r = program.rules.find((x) => x.span.file === span.file && x.span.start <= span.start && span.end <= x.span.end);
  return r ? r.text : null;
}

/** The sum of exact integers, or a located overflow error at the first partial sum past 2^53 - 1 (`sum` and `avg`). */
export function checkedSum(values: readonly number[], span: Span): number {
  let sum = 0;
  for (const v of values) {
    const next = sum + v;
    if (next > MAX_EXACT_INTEGER || next < -MAX_EXACT_INTEGER) throw integerOverflow(`the sum ${sum} + ${v}`, span);
    sum = next;
  }
  return sum;
}

/** Do two lists hold the same strings in the same order? */
function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
