import { SequentialCounter } from "./cardinality";
import { messageKey } from "../dedalus/messageKey";
import { faultAtoms, faultCount, faultKey, faultSet, type CrashFault, type FaultBounds, type FaultSet, type OmissionFault } from "./faults";
import type { SupportGraph } from "./lineage";
import { CdclSat } from "./cdcl";
import type { Literal, SatSolver } from "./sat";

/** What one solver query needs besides the lineage. */
export interface HypothesisQuery {
  readonly bounds: FaultBounds;
  /**
   * First cross-node send time of each node in the run the lineage comes from. A crash before a
   * node's first send loses exactly what a crash at its first send loses, so earlier crash times
   * would only be duplicate hypotheses.
   */
  readonly firstSend: ReadonlyMap<string, number>;
  /** Faults already injected in that run: every hypothesis extends them (Molly's "seed"). */
  readonly seed: FaultSet;
  /** Stop after this many hypotheses (the caller cannot run more anyway). */
  readonly maxHypotheses?: number;
  /** Polled between solver calls; true stops the enumeration (wall-time limit). */
  readonly shouldStop?: () => boolean;
  /** Backend factory (default: the in-process CDCL solver; logic-solver fits too), for tests and measurements. */
  readonly makeSolver?: () => SatSolver;
}

/** The minimal fault sets that break at least one goal, smallest first. */
export interface HypothesisResult {
  readonly hypotheses: FaultSet[];
  /** True when `maxHypotheses` or `shouldStop` cut the enumeration short. */
  readonly truncated: boolean;
  /** True when the seed alone breaks some goal's lineage (the graph disagrees with its run). */
  readonly seedBreaks: boolean;
  /** Size of the CNF handed to the solver. */
  readonly clauses: number;
  readonly variables: number;
}

/**
 * Encodes "some fault set within the bounds, extending the seed, breaks this goal's lineage" as
 * CNF and enumerates its minimal models smallest first, for each goal root, then keeps the fault
 * sets that are minimal across all goals (a superset of another hypothesis can only lose more).
 *
 * Encoding (one direction of Tseitin suffices, because only "broken" is ever required):
 *   broken(or)   → broken(child) for every child     (every alternative derivation breaks)
 *   broken(and)  → broken(c1) or ... or broken(cn)   (a derivation breaks when a premise does)
 *   broken(edge (F,T,S)) → omit(F,T,S) [if S less than EFF] or crash(F,C) for firstSend(F) ≤ C ≤ S
 *   broken(alive N) → crash(N,C) for some C
 *   broken(true) is impossible; broken(false) is free.
 * Crash variables: at most one crash time per node, at most `crashes` crashed nodes. All of these
 * side constraints are closed under removing faults, so a model at the smallest satisfiable
 * cardinality level that is not a superset of an earlier model is a minimal fault set; a blocking
 * clause then excludes its supersets.
 */
export function enumerateHypotheses(graph: SupportGraph, roots: readonly number[], q: HypothesisQuery): HypothesisResult {
  return finishEnumeration(enumerateFound(graph, roots, q), q.maxHypotheses ?? Infinity);
}

/**
 * The enumeration of {@link enumerateHypotheses} before its minimality filter: every fault set in
 * the order the solver found it, with what the enumeration looked like after each one, so that
 * {@link finishEnumeration} can give the result of any smaller `maxHypotheses` without solving again
 * (the worker pool enumerates once with a generous cap; the loop applies its own cap when it
 * commits the run, which is what keeps a parallel search equal to the sequential one).
 */
export interface FoundHypotheses {
  /** The fault sets found, distinct, in discovery order. */
  readonly found: readonly FaultSet[];
  /** clausesAt[i]: the solver's clause count right after found[i] was added. */
  readonly clausesAt: readonly number[];
  /** variablesAt[i]: the variables allocated right after found[i] was added. */
  readonly variablesAt: readonly number[];
  /** How many had been found when the seed alone first broke a goal, or -1. */
  readonly seedBreaksAt: number;
  /** How many had been found when `shouldStop` ended the enumeration, or -1. */
  readonly stoppedAt: number;
  /** Clauses and variables when the enumeration ended (by the cap, `shouldStop` or completion). */
  readonly clauses: number;
  readonly variables: number;
  /** The cap it ran under: `found.length >= cap` means it may have stopped there. */
  readonly cap: number;
}

/**
 * What {@link enumerateHypotheses} returns for `maxHypotheses = cap`, from an enumeration found
 * under a cap at least as large (or one that ended before reaching its own cap).
 */
export function finishEnumeration(r: FoundHypotheses, maxHypotheses: number): HypothesisResult {
  // the enumeration checks its cap after adding a hypothesis, so it always keeps at least one
  const cap = Math.max(1, maxHypotheses);
  if (cap > r.cap && r.found.length >= r.cap) throw new RangeError(`finishEnumeration: cap ${cap} exceeds the ${r.cap} it was found under`);
  // The enumeration ends at whichever comes first: the stop polled (before `cap` were found), the
  // cap reached (right after the cap-th was added, before anything else), or its end.
  if (r.stoppedAt >= 0 && r.stoppedAt < cap) {
    return {
      hypotheses: minimalSorted(r.found),
      truncated: true,
      seedBreaks: r.seedBreaksAt >= 0,
      clauses: r.clauses,
      variables: r.variables,
    };
  }
  if (r.found.length >= cap) {
    const seedBreaks = r.seedBreaksAt >= 0 && r.seedBreaksAt < cap;
    return {
      hypotheses: minimalSorted(r.found.slice(0, cap)),
      truncated: true,
      seedBreaks,
      clauses: r.clausesAt[cap - 1] as number,
      variables: r.variablesAt[cap - 1] as number,
    };
  }
  return {
    hypotheses: minimalSorted(r.found),
    truncated: false,
    seedBreaks: r.seedBreaksAt >= 0,
    clauses: r.clauses,
    variables: r.variables,
  };
}

/** A fault variable of the encoding, with the fault it stands for. */
interface FaultVariable {
  readonly v: number;
  readonly omission?: OmissionFault;
  readonly crash?: CrashFault;
}

/**
 * The CNF of one query (see {@link enumerateHypotheses} for the encoding): omission and crash
 * variables made on demand, in the order the lineage asks for them (the solver's variable order,
 * so the order of calls is part of the search's behaviour), and the Tseitin "broken" variables.
 */
class FaultEncoding {
  variables = 0;
  private readonly omitVars = new Map<string, { v: number; fault: OmissionFault }>();
  // Crash variables exist only for nodes whose sends the lineage depends on (or the seed crashed).
  private readonly crashVars = new Map<string, { time: number; v: number }[]>();
  private readonly seedCrash: ReadonlyMap<string, number>;
  private readonly brokenVar = new Map<number, number>();
  private readonly clauses: Literal[][] = [];

  constructor(
    readonly sat: SatSolver,
    private readonly graph: SupportGraph,
    private readonly q: HypothesisQuery,
  ) {
    this.seedCrash = new Map(q.seed.crashes.map((c) => [c.node, c.time]));
  }

  newVar(): number {
    this.variables += 1;
    return this.sat.newVar();
  }

  /** The variable of `omit(from, to, time)`, or undefined outside the bounds (self-sends, time ≥ EFF). */
  omitVar(from: string, to: string, time: number): number | undefined {
    if (from === to || time >= this.q.bounds.eff || time < 1) return undefined;
    const key = messageKey(from, to, time);
    let e = this.omitVars.get(key);
    if (!e) {
      e = { v: this.newVar(), fault: { from, to, time } };
      this.omitVars.set(key, e);
    }
    return e.v;
  }

  /** The crash variables of `node`, one per crash time from its first send to EOT − 1 (and the seed's). */
  crashTimes(node: string): { time: number; v: number }[] {
    let vs = this.crashVars.get(node);
    if (vs) return vs;
    vs = [];
    const { bounds, firstSend } = this.q;
    if (bounds.crashes > 0) {
      const first = Math.max(1, firstSend.get(node) ?? 1);
      const times = new Set<number>();
      for (let t = first; t <= bounds.eot - 1; t++) times.add(t);
      const s = this.seedCrash.get(node);
      if (s !== undefined) times.add(s);
      for (const time of [...times].sort((a, b) => a - b)) vs.push({ time, v: this.newVar() });
    }
    this.crashVars.set(node, vs);
    return vs;
  }

  /** The "broken" variable of lineage node `i`, with its clauses (Tseitin, positive direction). */
  readonly broken = (i: number): number => {
    const hit = this.brokenVar.get(i);
    if (hit !== undefined) return hit;
    const b = this.newVar();
    this.brokenVar.set(i, b);
    const n = this.graph.nodes[i];
    if (n === undefined) throw new RangeError(`support graph: no node ${i}`);
    switch (n.kind) {
      case "true":
        this.clauses.push([-b]);
        break;
      case "false":
        break;
      case "edge": {
        const { from, to, sendTime } = n.edge;
        const causes: number[] = [];
        if (from !== to && sendTime < this.q.bounds.eot) {
          const o = this.omitVar(from, to, sendTime);
          if (o !== undefined) causes.push(o);
          for (const c of this.crashTimes(from)) if (c.time <= sendTime) causes.push(c.v);
        }
        this.clauses.push([-b, ...causes]);
        break;
      }
      case "alive":
        this.clauses.push([-b, ...this.crashTimes(n.node).map((c) => c.v)]);
        break;
      case "and":
        this.clauses.push([-b, ...n.of.map(this.broken)]);
        break;
      case "or":
        for (const c of n.of) this.clauses.push([-b, this.broken(c)]);
        break;
    }
    return b;
  };

  /** Hands the lineage's clauses to the solver (once every root is encoded). */
  flushClauses(): void {
    for (const c of this.clauses) this.sat.addClause(c);
    this.clauses.length = 0;
  }

  /** At most one crash time per node, at most `crashes` crashed nodes. */
  addCrashConstraints(): void {
    const crashedVars: number[] = [];
    for (const [, vs] of this.crashVars) {
      if (vs.length === 0) continue;
      const crashed = this.newVar();
      crashedVars.push(crashed);
      for (const a of vs) this.sat.addClause([-a.v, crashed]);
      for (let i = 0; i < vs.length; i++)
        for (let j = i + 1; j < vs.length; j++) this.sat.addClause([-(vs[i] as { v: number }).v, -(vs[j] as { v: number }).v]);
    }
    if (crashedVars.length > 0) {
      const bound = new SequentialCounter(this.sat, crashedVars).atMost(this.q.bounds.crashes);
      if (bound !== null) this.sat.addClause([bound]);
    }
  }

  /** Every fault variable, omissions then crashes, in a fixed order for the counter and for reading models. */
  faultVariables(): FaultVariable[] {
    const out: FaultVariable[] = [];
    for (const [, e] of this.omitVars) out.push({ v: e.v, omission: e.fault });
    for (const [node, vs] of this.crashVars) for (const c of vs) out.push({ v: c.v, crash: { node, time: c.time } });
    return out;
  }

  /**
   * The literals every hypothesis must make true: each seed omission, and for each seed crash
   * "that node crashes at the seed's time or earlier" (an earlier crash loses every message the
   * seed's crash lost, and more: a run whose crash left one of its node's sends in the lineage is
   * broken by crashing that node before the send, which no later fault can do).
   */
  seedLiterals(): Literal[] {
    const { seed, bounds } = this.q;
    const lits: Literal[] = [];
    for (const o of seed.omissions) {
      const v = this.omitVar(o.from, o.to, o.time);
      if (v === undefined) throw new RangeError(`seed omission outside the bounds: ${o.from}->${o.to}@${o.time}`);
      lits.push(v);
    }
    for (const c of seed.crashes) {
      const times = this.crashTimes(c.node);
      if (!times.some((x) => x.time === c.time))
        throw new RangeError(`seed crash outside the bounds: ${c.node}@${c.time} (crashes bound ${bounds.crashes})`);
      const atOrBefore = this.newVar();
      this.sat.addClause([-atOrBefore, ...times.filter((x) => x.time <= c.time).map((x) => x.v)]);
      lits.push(atOrBefore);
    }
    return lits;
  }
}

/** The enumeration of {@link enumerateHypotheses}, every fault set kept in discovery order (see {@link FoundHypotheses}). */
export function enumerateFound(graph: SupportGraph, roots: readonly number[], q: HypothesisQuery): FoundHypotheses {
  const enc = new FaultEncoding((q.makeSolver ?? (() => new CdclSat()))(), graph, q);
  for (const c of q.seed.crashes) enc.crashTimes(c.node);
  for (const o of q.seed.omissions) enc.omitVar(o.from, o.to, o.time);
  // Iterative warm-up in post-order so deep DAGs do not overflow the stack in `broken`.
  warmUp(graph, roots, enc.broken);
  const rootVars = roots.map(enc.broken);
  enc.flushClauses();
  enc.addCrashConstraints();
  const faultVars = enc.faultVariables();
  const counter = new SequentialCounter(
    enc.sat,
    faultVars.map((f) => f.v),
  );
  return enumerateModels(enc, rootVars, faultVars, counter, enc.seedLiterals(), q);
}

/**
 * For each goal root in turn, the models at the smallest satisfiable cardinality level, each
 * blocked once found (so later models are not supersets), until the cap, the stop or the end.
 */
function enumerateModels(
  enc: FaultEncoding,
  rootVars: readonly number[],
  faultVars: readonly FaultVariable[],
  counter: SequentialCounter,
  seedLits: readonly Literal[],
  q: HypothesisQuery,
): FoundHypotheses {
  const { sat } = enc;
  const maxHypotheses = q.maxHypotheses ?? Infinity;
  const found: FaultSet[] = [];
  const clausesAt: number[] = [];
  const variablesAt: number[] = [];
  const foundKeys = new Set<string>([faultKey(q.seed)]);
  let seedBreaksAt = -1;
  let stoppedAt = -1;
  const seedSize = seedLits.length;
  const seedCrashAt = new Map(q.seed.crashes.map((c) => [c.node, c.time]));
  goals: for (const root of rootVars) {
    const act = enc.newVar();
    sat.addClause([-act, root]);
    let k = seedSize;
    for (;;) {
      if (q.shouldStop?.()) {
        stoppedAt = found.length;
        break goals;
      }
      const bound = counter.atMost(k);
      const model = sat.solve(bound === null ? [act, ...seedLits] : [act, ...seedLits, bound]);
      if (model) {
        const trueVars = faultVars.filter((f) => model.isTrue(f.v));
        // The seed alone breaks this goal's recorded lineage: the graph disagrees with the run it
        // came from, so this goal offers no extension (and must not block the seed's supersets).
        // (A model of the seed's size with a seed crash moved earlier is a hypothesis like any other.)
        if (trueVars.length === seedSize && trueVars.every((f) => !f.crash || seedCrashAt.get(f.crash.node) === f.crash.time)) {
          if (seedBreaksAt < 0) seedBreaksAt = found.length;
          break;
        }
        sat.addClause(trueVars.map((f) => -f.v));
        const fs = faultSet(
          trueVars.flatMap((f) => (f.omission ? [f.omission] : [])),
          trueVars.flatMap((f) => (f.crash ? [f.crash] : [])),
        );
        const key = faultKey(fs);
        if (!foundKeys.has(key)) {
          foundKeys.add(key);
          found.push(fs);
          clausesAt.push(sat.clauseCount);
          variablesAt.push(enc.variables);
          if (found.length >= maxHypotheses) break goals;
        }
        continue;
      }
      if (bound === null || sat.solve([act, ...seedLits]) === null) break;
      k += 1;
    }
    sat.addClause([-act]);
  }
  return { found, clausesAt, variablesAt, seedBreaksAt, stoppedAt, clauses: sat.clauseCount, variables: enc.variables, cap: maxHypotheses };
}

/** The fault sets of `found` that are minimal among them (a superset of another can only lose more), smallest first, then by key. */
function minimalSorted(found: readonly FaultSet[]): FaultSet[] {
  const atoms = found.map((f) => new Set(faultAtoms(f)));
  const minimal = found.filter(
    (f, i) =>
      !found.some(
        (g, j) => j !== i && faultCount(g) < faultCount(f) && [...(atoms[j] as Set<string>)].every((a) => (atoms[i] as Set<string>).has(a)),
      ),
  );
  const keyOf = new Map(minimal.map((f) => [f, faultKey(f)]));
  minimal.sort(
    (a, b) =>
      faultCount(a) - faultCount(b) ||
      ((keyOf.get(a) as string) < (keyOf.get(b) as string) ? -1 : (keyOf.get(a) as string) > (keyOf.get(b) as string) ? 1 : 0),
  );
  return minimal;
}

function warmUp(graph: SupportGraph, roots: readonly number[], visit: (i: number) => number): void {
  const done = new Set<number>();
  const open = new Set<number>();
  const stack: { i: number; expanded: boolean }[] = roots.map((i) => ({ i, expanded: false }));
  while (stack.length > 0) {
    const top = stack.pop() as { i: number; expanded: boolean };
    if (done.has(top.i)) continue;
    const n = graph.nodes[top.i];
    if (top.expanded || n === undefined || (n.kind !== "and" && n.kind !== "or")) {
      done.add(top.i);
      open.delete(top.i);
      visit(top.i);
      continue;
    }
    if (open.has(top.i)) throw new RangeError(`support graph has a cycle through node ${top.i}`);
    open.add(top.i);
    stack.push({ i: top.i, expanded: true });
    for (const c of n.of) if (!done.has(c)) stack.push({ i: c, expanded: false });
  }
}
