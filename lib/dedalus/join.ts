/**
 * Compiles a planned join (plan.ts) into a chain of closures, once per program: each step calls the
 * next for every binding it produces, and the last calls the rule's emitter. The closures read their
 * stores and ranges from small mutable state objects that {@link CompiledJoin.prepare} fills before
 * each evaluation, so no allocation happens per tuple.
 */
import type { ArithOp, CompareOp, Span } from "./ast";
import { DedalusRuntimeError } from "./limits";
import type { ExprPlan, Operand, Step } from "./plan";
import { lowerBound, TupleStore, type ColumnIndex } from "./store";

/** Stores with fewer tuples than this are scanned instead of probed through an index. */
const SCAN_BELOW = 16;

/** What a join reads at evaluation time; owned and updated by the runtime. */
export interface JoinContext {
  /** Stores of the current timestep, by relation id. */
  current: TupleStore[];
  /** The store a `p(...)@N` atom reads. */
  storeAt(rel: number, time: number): TupleStore;
  /** 1 at the interned id of every node of the run. */
  isNode: Uint8Array;
  /** Decodes interned strings for ordered string comparisons. */
  string(id: number): string;
}

/** Per-step runtime state of an atom or negation step. */
interface AtomState {
  store: TupleStore | null;
  index: ColumnIndex | null;
  from: number;
  to: number;
  /** Current key values (negations: the pattern checked, for provenance). */
  key: Float64Array;
}

/** A compiled join: `prepare` then `run`; premises of the current binding are readable by the emitter. */
export interface CompiledJoin {
  /** Variable registers of the current binding. */
  env: Float64Array;
  /** For each positive atom (written order): the store and tuple id of the current binding. */
  premiseStores: (TupleStore | null)[];
  premiseIds: Int32Array;
  /** For each negated atom (written order): the store read and the key columns/values that were absent. */
  negStates: { rel: number; store: TupleStore | null; keyCols: number[]; key: Float64Array }[];
  /** Resolves stores, ranges and indexes for the current timestep. Returns false when a read range is empty. */
  prepare(ctx: JoinContext): boolean;
  run(): void;
}

/** Builds a function computing an integer expression over the registers. */
export function compileExpr(e: ExprPlan, env: Float64Array): () => number {
  switch (e.kind) {
    case "const": {
      const v = e.value;
      return () => v;
    }
    case "var": {
      const s = e.slot;
      return () => env[s]!;
    }
    case "arith": {
      const l = compileExpr(e.left, env), r = compileExpr(e.right, env);
      return arith(e.op, l, r, e.span);
    }
  }
}

function arith(op: ArithOp, l: () => number, r: () => number, span: Span): () => number {
  switch (op) {
    case "+":
      return () => l() + r();
    case "-":
      return () => l() - r();
    case "*":
      return () => l() * r();
    case "/":
      return () => {
        const d = r();
        if (d === 0) throw new DedalusRuntimeError("integer division by zero", span);
        return Math.trunc(l() / d);
      };
  }
}

function compare(op: CompareOp, a: number | string, b: number | string): boolean {
  switch (op) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case "<":
      return a < b;
    case ">":
      return a > b;
    case "<=":
      return a <= b;
    case ">=":
      return a >= b;
  }
}

/** Compiles `steps` for a rule with `nSlots` registers, `nPos` positive and `nNeg` negated atoms. */
export function compileJoin(steps: Step[], nSlots: number, nPos: number, nNeg: number, makeEmit: (join: CompiledJoin) => () => void, ticker: Ticker): CompiledJoin {
  const env = new Float64Array(Math.max(1, nSlots));
  const premiseStores: (TupleStore | null)[] = new Array<TupleStore | null>(nPos).fill(null);
  const premiseIds = new Int32Array(Math.max(1, nPos));
  const negStates: CompiledJoin["negStates"] = new Array(nNeg);
  const states: { step: Step; state: AtomState }[] = [];
  let ctxRef: JoinContext | null = null;
  const self: CompiledJoin = {
    env,
    premiseStores,
    premiseIds,
    negStates,
    prepare(ctx) {
      ctxRef = ctx;
      let nonEmpty = true;
      for (const { step, state } of states) {
        if (step.kind !== "atom" && step.kind !== "neg") continue;
        const store = step.time === null ? ctx.current[step.rel]! : ctx.storeAt(step.rel, step.time);
        state.store = store;
        // Small stores are scanned: building a hash index would cost more than it saves.
        state.index = step.keyCols.length > 0 && store.count >= SCAN_BELOW ? store.index(step.keyCols) : null;
        if (step.kind === "atom") {
          premiseStores[step.ordinal] = store;
          const range = step.range;
          state.from = range === "delta" ? store.lo : 0;
          state.to = range === "old" ? store.lo : store.hi;
          if (state.from >= state.to) nonEmpty = false;
        } else {
          negStates[step.ordinal]!.store = store;
        }
      }
      return nonEmpty;
    },
    run() {
      head();
    },
  };
  let head: () => void = makeEmit(self);
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    const next = head;
    switch (step.kind) {
      case "atom": {
        const state: AtomState = { store: null, index: null, from: 0, to: 0, key: new Float64Array(step.keyCols.length) };
        states.push({ step, state });
        head = atomStep(step, state, next, env, premiseIds, ticker);
        break;
      }
      case "neg": {
        const state: AtomState = { store: null, index: null, from: 0, to: 0, key: new Float64Array(step.keyCols.length) };
        states.push({ step, state });
        negStates[step.ordinal] = { rel: step.rel, store: null, keyCols: step.keyCols, key: state.key };
        head = negStep(step.keySrc, Int32Array.from(step.keyCols), state, next, env);
        break;
      }
      case "cmp": {
        const l = compileExpr(step.left, env), r = compileExpr(step.right, env);
        const op = step.op;
        if (step.strings) head = () => compare(op, ctxRef!.string(l()), ctxRef!.string(r())) && void next();
        else head = () => compare(op, l(), r()) && void next();
        break;
      }
      case "site": {
        const s = step.slot;
        head = () => {
          if (ctxRef!.isNode[env[s]!] === 1) next();
        };
        break;
      }
    }
  }
  return self;
}

function fillKey(src: Operand[], key: Float64Array, env: Float64Array): void {
  for (let k = 0; k < src.length; k++) {
    const o = src[k]!;
    key[k] = o.kind === "const" ? o.value : env[o.slot]!;
  }
}

/** Counts join steps; `check` runs every {@link TICK_MASK} + 1 of them (the wall-time bound). */
export interface Ticker {
  n: number;
  check(): void;
}

/**
 * Mask for the wall-clock check: the ticker calls `check` (which reads Date.now()) once every 4096 join
 * steps, often enough to stop within milliseconds of the deadline and rare enough to cost nothing.
 */
export const TICK_MASK = 4095;

function atomStep(step: Extract<Step, { kind: "atom" }>, st: AtomState, next: () => void, env: Float64Array, premiseIds: Int32Array, ticker: Ticker): () => void {
  const bindCols = Int32Array.from(step.binds.map((b) => b.col));
  const bindSlots = Int32Array.from(step.binds.map((b) => b.slot));
  const checkCols = Int32Array.from(step.checks.map((b) => b.col));
  const checkSlots = Int32Array.from(step.checks.map((b) => b.slot));
  const nb = bindCols.length, nc = checkCols.length;
  const ordinal = step.ordinal;
  const keySrc = step.keySrc;
  const key = st.key;
  // The body of every loop below: bind the atom's fresh variables from tuple `id`, check repeated ones
  // (a variable occurring twice in the atom must equal the value its first occurrence just bound), then
  // continue the join. Written out in each loop: a shared helper closure cost a call per tuple.
  if (keySrc.length === 0) {
    return () => {
      const store = st.store!;
      const to = st.to, arity = store.arity;
      outer: for (let id = st.from; id < to; id++) {
        if ((++ticker.n & TICK_MASK) === 0) ticker.check();
        const d = store.data, base = id * arity;
        for (let b = 0; b < nb; b++) env[bindSlots[b]!] = d[base + bindCols[b]!]!;
        for (let c = 0; c < nc; c++) if (env[checkSlots[c]!] !== d[base + checkCols[c]!]) continue outer;
        premiseIds[ordinal] = id;
        next();
      }
    };
  }
  const keyCols = Int32Array.from(step.keyCols);
  const nk = keyCols.length;
  return () => {
    if ((++ticker.n & TICK_MASK) === 0) ticker.check();
    fillKey(keySrc, key, env);
    const index = st.index;
    const store = st.store!;
    const to = st.to, arity = store.arity;
    if (index === null) {
      outer: for (let id = st.from; id < to; id++) {
        const d = store.data, base = id * arity;
        for (let k = 0; k < nk; k++) if (d[base + keyCols[k]!] !== key[k]) continue outer;
        for (let b = 0; b < nb; b++) env[bindSlots[b]!] = d[base + bindCols[b]!]!;
        for (let c = 0; c < nc; c++) if (env[checkSlots[c]!] !== d[base + checkCols[c]!]) continue outer;
        premiseIds[ordinal] = id;
        next();
      }
      return;
    }
    const exact = index.exact;
    const list = index.get(exact ? key[0]! : TupleStore.keyFor(index, key));
    if (list === undefined) return;
    let p = st.from === 0 ? 0 : lowerBound(list, st.from);
    outer: for (; p < list.length; p++) {
      const id = list[p]!;
      if (id >= to) break;
      if (!exact && !store.matches(index, id, key)) continue;
      const d = store.data, base = id * arity;
      for (let b = 0; b < nb; b++) env[bindSlots[b]!] = d[base + bindCols[b]!]!;
      for (let c = 0; c < nc; c++) if (env[checkSlots[c]!] !== d[base + checkCols[c]!]) continue outer;
      premiseIds[ordinal] = id;
      next();
    }
  };
}

function negStep(keySrc: Operand[], keyCols: Int32Array, st: AtomState, next: () => void, env: Float64Array): () => void {
  const key = st.key;
  const nk = keyCols.length;
  if (keySrc.length === 0) {
    return () => {
      if (st.store!.count === 0) next();
    };
  }
  return () => {
    fillKey(keySrc, key, env);
    const index = st.index;
    if (index === null) {
      const store = st.store!;
      outer: for (let id = 0; id < store.count; id++) {
        const base = id * store.arity;
        for (let k = 0; k < nk; k++) if (store.data[base + keyCols[k]!] !== key[k]) continue outer;
        return;
      }
      next();
      return;
    }
    const list = index.get(index.exact ? key[0]! : TupleStore.keyFor(index, key));
    if (list !== undefined) {
      if (index.exact) return;
      const store = st.store!;
      for (let p = 0; p < list.length; p++) if (store.matches(index, list[p]!, key)) return;
    }
    next();
  };
}
