/**
 * Compiles a planned join (plan.ts) into one JavaScript function per rule variant, once per program.
 *
 * Each positive atom becomes a loop over its candidate tuples (an index bucket, or a range scan with a
 * key check when the store is too small to index); each variable becomes a local; negations,
 * comparisons and the site check become `continue`s of the innermost loop; in plain runs the innermost
 * body inserts the head tuple itself ({@link DirectHead}), otherwise (provenance, aggregates, `@async`)
 * it copies the bindings into the registers and calls the rule's emitter. Generated code beats a chain of
 * closures by about a third on transitive closure: locals instead of register reads, no call per level.
 * The generated text depends only on the plan (no program strings are spliced in: constants are
 * numbers, relation and rule identities are indexes), so it cannot be injected into.
 *
 * Stores, ranges and indexes change per timestep; {@link CompiledJoin.prepare} puts them in small state
 * objects the function reads, so nothing is allocated per tuple.
 */
import type { ArithOp, CompareOp, Span } from "./ast";
import { DedalusRuntimeError, integerOverflow, MAX_EXACT_INTEGER } from "./limits";
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
  /** Stores of the next timestep (null at EOT), where `@next` heads go. */
  next: TupleStore[] | null;
  /** True in plain runs: joins with a {@link DirectHead} insert their head tuples themselves, without the emitter. */
  direct: boolean;
  /** The run's tuple count and its bound. */
  tuples: TupleCounter;
}

/** The number of tuples of a run and the bound on it (limits.maxTuples). */
export interface TupleCounter {
  n: number;
  max: number;
  /** Throws the max-tuples limit error. */
  overflow(): never;
}

/**
 * A head the generated code inserts itself in plain runs (same-timestep or `@next`, no aggregate): the
 * emitter's call, register copies and tuple copy per binding were a third of a transitive closure.
 */
export interface DirectHead {
  rel: number;
  next: boolean;
  columns: ExprPlan[];
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

/** Per-step runtime state of an atom or negation step. */
interface AtomState {
  store: TupleStore | null;
  index: ColumnIndex | null;
  from: number;
  to: number;
  /** Current key values (negations: the pattern checked, for provenance). */
  key: Float64Array;
  keyCols: Int32Array;
}

/**
 * What {@link CompiledJoin.prepare} needs of one atom or negation step. Every step gets an object of this
 * one shape: prepare reading the plan's steps themselves (four kinds, four shapes) was megamorphic and
 * took a seventh of a 2PC run.
 */
interface StoreRead {
  state: AtomState;
  rel: number;
  /** Absolute time (`p(X)@N`) or null for the current timestep. */
  time: number | null;
  keyCols: number[];
  /** Premise position of a positive atom, -1 for a negation. */
  atomOrdinal: number;
  /** Position of a negation, -1 for a positive atom. */
  negOrdinal: number;
  /** The atom reads the delta range [lo, hi) (else from 0). */
  fromDelta: boolean;
  /** The atom reads the old range [0, lo) (else up to hi). */
  toOld: boolean;
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
  /** The generated function's source (what `MAZE_DUMP_JOINS=1` prints; test/dedalus/joins.golden.txt pins three rules'). */
  readonly source: string;
}

/**
 * Everything the generated function reads besides its own locals, passed as one object: the atom
 * states, the registers and premise ids the emitter reads, the emitter, the run's context, the
 * ticker, the store helpers, the checked arithmetic, the spans its errors are located at, and the
 * direct head's target. The function destructures it once, when it is built, so the loops read
 * closure constants exactly as they read positional parameters before.
 */
interface JoinBindings {
  S: AtomState[];
  env: Float64Array;
  premiseIds: Int32Array;
  emit: () => void;
  ctx: () => JoinContext;
  str: (id: number) => string;
  ticker: Ticker;
  lowerBound: typeof lowerBound;
  keyFor: typeof TupleStore.keyFor;
  exists: typeof exists;
  divide: typeof divide;
  plus: typeof plus;
  minus: typeof minus;
  times: typeof times;
  spans: Span[];
  H: { target: TupleStore | null; tuple: Float64Array };
}

/** The names the generated code knows its bindings by, in the order of {@link JoinBindings}. */
const BINDING_NAMES = [
  "S",
  "env",
  "premiseIds",
  "emit",
  "ctx",
  "str",
  "ticker",
  "lowerBound",
  "keyFor",
  "exists",
  "divide",
  "plus",
  "minus",
  "times",
  "spans",
  "H",
] as const satisfies readonly (keyof JoinBindings)[];

/** Builds a function computing an integer expression over the registers (used for heads). */
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
      const l = compileExpr(e.left, env),
        r = compileExpr(e.right, env);
      return arith(e.op, l, r, e.span);
    }
  }
}

function arith(op: ArithOp, l: () => number, r: () => number, span: Span): () => number {
  switch (op) {
    case "+":
      return () => plus(l(), r(), span);
    case "-":
      return () => minus(l(), r(), span);
    case "*":
      return () => times(l(), r(), span);
    case "/":
      return () => divide(l(), r(), span);
  }
}

/*
 * Checked integer arithmetic (the policy is on MAX_EXACT_INTEGER in limits.ts). Operands are always
 * exact (literals are bounded by the lexer, every computed value by these checks), so only a result
 * can leave the exact range, and two comparisons on it are the whole cost: V8 inlines these into the
 * generated joins.
 */

/** `a + b`, or a located overflow error past 2^53 - 1. */
function plus(a: number, b: number, span: Span): number {
  const r = a + b;
  if (r > MAX_EXACT_INTEGER || r < -MAX_EXACT_INTEGER) throw integerOverflow(`${a} + ${b}`, span);
  return r;
}

/** `a - b`, or a located overflow error past 2^53 - 1. */
function minus(a: number, b: number, span: Span): number {
  const r = a - b;
  if (r > MAX_EXACT_INTEGER || r < -MAX_EXACT_INTEGER) throw integerOverflow(`${a} - ${b}`, span);
  return r;
}

/** `a * b`, or a located overflow error past 2^53 - 1; never -0 (0 * -1 is 0: Dedalus integers have no negative zero). */
function times(a: number, b: number, span: Span): number {
  const r = a * b + 0;
  if (r > MAX_EXACT_INTEGER || r < -MAX_EXACT_INTEGER) throw integerOverflow(`${a} * ${b}`, span);
  return r;
}

/** Integer division truncating towards zero; division by zero is a located runtime error. */
function divide(a: number, b: number, span: Span): number {
  if (b === 0) throw new DedalusRuntimeError("integer division by zero", span);
  return Math.trunc(a / b) + 0; // -1 / 2 truncates to -0; + 0 makes it 0
}

/** Is there a tuple matching the negation's key (its state's key values in its key columns)? */
function exists(st: AtomState): boolean {
  const store = st.store!;
  const key = st.key,
    cols = st.keyCols,
    nk = cols.length;
  if (nk === 0) return store.count > 0;
  const index = st.index;
  if (index === null) {
    const d = store.data,
      a = store.arity;
    outer: for (let id = 0; id < store.count; id++) {
      for (let k = 0; k < nk; k++) if (d[id * a + cols[k]!] !== key[k]) continue outer;
      return true;
    }
    return false;
  }
  const list = index.get(index.exact ? key[0]! : TupleStore.keyFor(index, key));
  if (list === undefined) return false;
  if (index.exact) return list.length > 0;
  for (let p = 0; p < list.length; p++) if (store.matches(index, list[p]!, key)) return true;
  return false;
}

/** The checked arithmetic helper the generated code calls for each operator (see {@link plus}). */
const ARITH_FUNCTIONS: Record<ArithOp, string> = { "+": "plus", "-": "minus", "*": "times", "/": "divide" };

const JS_OPS: Record<CompareOp, string> = { "==": "===", "!=": "!==", "<": "<", ">": ">", "<=": "<=", ">=": ">=" };

/** Compiles `steps` for a rule with `nSlots` registers, `nPos` positive and `nNeg` negated atoms. */
export function compileJoin(
  steps: Step[],
  nSlots: number,
  nPos: number,
  nNeg: number,
  makeEmit: (join: CompiledJoin) => () => void,
  ticker: Ticker,
  head: DirectHead | null = null,
): CompiledJoin {
  const env = new Float64Array(Math.max(1, nSlots));
  const premiseStores: (TupleStore | null)[] = new Array<TupleStore | null>(nPos).fill(null);
  const premiseIds = new Int32Array(Math.max(1, nPos));
  const negStates: CompiledJoin["negStates"] = new Array<CompiledJoin["negStates"][number]>(nNeg);
  const states: AtomState[] = [];
  const spans: Span[] = [];
  let ctxRef: JoinContext | null = null;
  /** The direct head's target for the current run (null: every binding goes to the emitter). */
  const direct: { target: TupleStore | null; tuple: Float64Array } = {
    target: null,
    tuple: new Float64Array(head ? head.columns.length : 0),
  };

  const reads: StoreRead[] = [];
  for (const step of steps) {
    if (step.kind !== "atom" && step.kind !== "neg") continue;
    const st: AtomState = {
      store: null,
      index: null,
      from: 0,
      to: 0,
      key: new Float64Array(step.keyCols.length),
      keyCols: Int32Array.from(step.keyCols),
    };
    states.push(st);
    if (step.kind === "neg") negStates[step.ordinal] = { rel: step.rel, store: null, keyCols: step.keyCols, key: st.key };
    const atom = step.kind === "atom";
    reads.push({
      state: st,
      rel: step.rel,
      time: step.time,
      keyCols: step.keyCols,
      atomOrdinal: atom ? step.ordinal : -1,
      negOrdinal: atom ? -1 : step.ordinal,
      fromDelta: atom && step.range === "delta",
      toOld: atom && step.range === "old",
    });
  }

  // ---- code generation -------------------------------------------------------------------------
  const bound = new Set<number>();
  const v = (slot: number): string => `v${slot}`;
  const operand = (o: Operand): string => (o.kind === "const" ? String(o.value) : v(o.slot));
  const expr = (e: ExprPlan): string => {
    if (e.kind !== "arith") return operand(e);
    const l = expr(e.left),
      r = expr(e.right);
    spans.push(e.span);
    return `${ARITH_FUNCTIONS[e.op]}(${l}, ${r}, spans[${spans.length - 1}])`;
  };
  const lines: string[] = [];
  /** Declarations at the top of the function, before the loops. */
  const preamble: string[] = [];
  /** The premises of a binding, recorded only on the emitter's path (provenance reads them there). */
  const premiseWrites: string[] = [];
  const emitLine = (depth: number, text: string): void => void lines.push("  ".repeat(depth + 1) + text);
  let stateIndex = 0;
  const loops: string[] = [];
  const fail = (): string => (loops.length > 0 ? `continue ${loops[loops.length - 1]};` : "return;");
  let depth = 0;
  steps.forEach((step, i) => {
    switch (step.kind) {
      case "atom": {
        const si = stateIndex++;
        const keys = step.keySrc.map(operand);
        const label = `L${i}`;
        // The state is read once per run: prepare sets it, and a store's data array, even when a
        // later insert replaces it, keeps every tuple of the read range (growth copies, never reuses).
        preamble.push(
          `const st${i} = S[${si}], s${i} = st${i}.store, d${i} = s${i}.data, a${i} = s${i}.arity, to${i} = st${i}.to, x${i} = st${i}.index, from${i} = st${i}.from;`,
        );
        // One key column means an exact index (the key is the value): no key array to fill.
        if (keys.length > 1) keys.forEach((k, j) => emitLine(depth, `st${i}.key[${j}] = ${k};`));
        emitLine(depth, `let l${i} = null, p${i} = from${i}, e${i} = to${i};`);
        if (keys.length > 0) {
          emitLine(depth, `if (x${i} !== null) {`);
          emitLine(depth + 1, `l${i} = x${i}.get(${keys.length === 1 ? keys[0] : `keyFor(x${i}, st${i}.key)`});`);
          emitLine(depth + 1, `if (l${i} === undefined) ${fail()}`);
          emitLine(depth + 1, `p${i} = p${i} === 0 ? 0 : lowerBound(l${i}, p${i}); e${i} = l${i}.length;`);
          emitLine(depth, `}`);
        }
        emitLine(depth, `${label}: for (; p${i} < e${i}; p${i}++) {`);
        depth++;
        loops.push(label);
        emitLine(depth, `if ((++tk & ${TICK_MASK}) === 0) ticker.check();`);
        if (keys.length > 0) {
          emitLine(depth, `const id${i} = l${i} === null ? p${i} : l${i}[p${i}];`);
          emitLine(depth, `if (id${i} >= to${i}) break;`);
          emitLine(depth, `const b${i} = id${i} * a${i};`);
          const keyCheck = step.keyCols.map((c, j) => `d${i}[b${i} + ${c}] !== ${keys[j]}`).join(" || ");
          emitLine(
            depth,
            `if (${keys.length === 1 ? `l${i} === null` : `(l${i} === null || !x${i}.exact)`} && (${keyCheck})) continue ${label};`,
          );
        } else {
          emitLine(depth, `const id${i} = p${i}, b${i} = id${i} * a${i};`);
        }
        const fresh = new Set<number>();
        for (const b of step.binds) {
          emitLine(depth, `const ${v(b.slot)} = d${i}[b${i} + ${b.col}];`);
          fresh.add(b.slot);
        }
        for (const c of step.checks) emitLine(depth, `if (d${i}[b${i} + ${c.col}] !== ${v(c.slot)}) continue ${label};`);
        for (const s of fresh) bound.add(s);
        premiseWrites.push(`premiseIds[${step.ordinal}] = id${i};`);
        break;
      }
      case "neg": {
        const si = stateIndex++;
        step.keySrc.forEach((k, j) => emitLine(depth, `S[${si}].key[${j}] = ${operand(k)};`));
        emitLine(depth, `if (exists(S[${si}])) ${fail()}`);
        break;
      }
      case "cmp": {
        const l = expr(step.left),
          r = expr(step.right);
        const test = step.strings ? `str(${l}) ${JS_OPS[step.op]} str(${r})` : `${l} ${JS_OPS[step.op]} ${r}`;
        emitLine(depth, `if (!(${test})) ${fail()}`);
        break;
      }
      case "site":
        emitLine(depth, `if (isNode[${v(step.slot)}] !== 1) ${fail()}`);
        break;
    }
  });
  const headVars = new Set<number>();
  const collectVars = (e: ExprPlan): void => {
    if (e.kind === "var") headVars.add(e.slot);
    else if (e.kind === "arith") {
      collectVars(e.left);
      collectVars(e.right);
    }
  };
  head?.columns.forEach(collectVars);
  const useDirect = head !== null && [...headVars].every((s) => bound.has(s));
  if (useDirect) {
    emitLine(depth, "if (T !== null) {");
    if (head.columns.length === 2) {
      emitLine(depth + 1, `if (T.insertPair(${expr(head.columns[0]!)}, ${expr(head.columns[1]!)}) >= 0 && ++C.n > C.max) C.overflow();`);
    } else {
      head.columns.forEach((c, k) => emitLine(depth + 1, `hd[${k}] = ${expr(c)};`));
      emitLine(depth + 1, "if (T.insert(hd) >= 0 && ++C.n > C.max) C.overflow();");
    }
    emitLine(depth + 1, loops.length > 0 ? `continue ${loops[loops.length - 1]};` : "return;");
    emitLine(depth, "}");
  }
  for (const w of premiseWrites) emitLine(depth, w);
  for (const s of bound) emitLine(depth, `env[${s}] = ${v(s)};`);
  emitLine(depth, "emit();");
  while (depth > 0) {
    depth--;
    emitLine(depth, "}");
  }
  // The step counter lives in a local while the loops run (a field write per step cost a few percent)
  // and goes back to the shared ticker at the end; the only early exits come before the first loop.
  const body = `"use strict";\nconst { ${BINDING_NAMES.join(", ")} } = J;\nreturn function run() {\n  const isNode = ctx().isNode, C = ctx().tuples, T = H.target, hd = H.tuple;\n  let tk = ticker.n;\n${preamble.map((l) => "  " + l + "\n").join("")}${lines.join("\n")}\n  ticker.n = tk;\n};`;
  if (process.env["MAZE_DUMP_JOINS"]) process.stderr.write(body + "\n");
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from the plan only (see the module comment)
  const factory = new Function("J", body) as (bindings: JoinBindings) => () => void;

  const self: CompiledJoin = {
    env,
    premiseStores,
    premiseIds,
    negStates,
    prepare(ctx) {
      ctxRef = ctx;
      direct.target = useDirect && ctx.direct ? (head.next ? (ctx.next?.[head.rel] ?? null) : ctx.current[head.rel]!) : null;
      for (let k = 0; k < reads.length; k++) {
        const r = reads[k]!,
          state = r.state;
        const store = r.time === null ? ctx.current[r.rel]! : ctx.storeAt(r.rel, r.time);
        state.store = store;
        // Small stores are scanned: building a hash index would cost more than it saves.
        state.index = r.keyCols.length > 0 && store.count >= SCAN_BELOW ? store.index(r.keyCols) : null;
        if (r.atomOrdinal >= 0) {
          premiseStores[r.atomOrdinal] = store;
          state.from = r.fromDelta ? store.lo : 0;
          state.to = r.toOld ? store.lo : store.hi;
          // An empty range (most often the delta, which comes first) means no binding: the steps after it
          // need no state, since run() is not called.
          if (state.from >= state.to) return false;
        } else {
          negStates[r.negOrdinal]!.store = store;
        }
      }
      return true;
    },
    run: () => run(),
    source: body,
  };
  const emit = makeEmit(self);
  const run = factory({
    S: states,
    env,
    premiseIds,
    emit,
    ctx: () => ctxRef!,
    str: (id: number) => ctxRef!.string(id),
    ticker,
    lowerBound,
    keyFor: TupleStore.keyFor,
    exists,
    divide,
    plus,
    minus,
    times,
    spans,
    H: direct,
  });
  return self;
}
