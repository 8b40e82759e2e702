/**
 * Fuzz (issue 12): the CRDT and simulator entry points over valid, corrupted and garbage inputs.
 * Only typed errors may come out — CrdtStateError (naming its invariant) or CrdtOpError for CRDTs,
 * SimConfigError (naming its field) or SimHandlerError for the simulator — and every case ends within
 * its limit. A state that decodes is well formed and round-trips. Fixed seeds: CI draws the same cases.
 */
import fc from "fast-check";
import { gCounter, lwwRegister, mvRegister, orSet, pnCounter, rga, twoPhaseSet, type Crdt } from "../../lib/index";
import {
  CrdtOpError,
  CrdtStateError,
  gSet,
  orMap,
  runReplicas,
  runSimulation,
  SimConfigError,
  SimHandlerError,
  type NodeHandlers,
} from "../../lib/internals";

const CRDT_CASES = process.env["CI"] ? 2000 : 600;
const SIM_CASES = process.env["CI"] ? 600 : 200;
/** One entry-point call on a state of at most a few dozen operations takes microseconds; a second means a hang. */
const MAX_MS_PER_CASE = 1000;

type AnyCrdt = Crdt<unknown, unknown, unknown>;
const TYPES: AnyCrdt[] = [
  gCounter,
  pnCounter,
  gSet,
  twoPhaseSet,
  lwwRegister,
  mvRegister,
  orSet,
  orMap(pnCounter),
  orMap(orSet),
  rga,
] as never;

const replica = fc.oneof(
  { arbitrary: fc.constantFrom("a", "b", "c"), weight: 6 },
  fc.constantFrom("__proto__", "constructor", "", "a:1", "toString"),
);
const element = fc.oneof(fc.constantFrom("x", "y", "z", "__proto__", ""), fc.string({ maxLength: 4 }));
/** Operations: mostly of the kinds the types have, with fields that are right, wrong or missing. */
const op = fc.record(
  {
    op: fc.constantFrom("inc", "dec", "add", "remove", "set", "update", "insert", "delete", "mul", ""),
    by: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom(NaN, Infinity, 2 ** 60, 1.5), fc.constant(undefined)),
    element,
    value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined), fc.constant(NaN)),
    ts: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constant(NaN)),
    key: element,
    inner: fc.oneof(fc.constant({ op: "inc" }), fc.constant({ op: "add", element: "e" }), fc.constant({ op: "mul" }), fc.constant(null)),
    after: fc.oneof(fc.constant(null), fc.constantFrom("a:1", "b:2", "zz", ""), fc.integer()),
    text: fc.oneof(fc.string({ maxLength: 3 }), fc.constant(7)),
    id: fc.oneof(fc.constantFrom("a:1", "b:1", "a:2", "bogus"), fc.integer()),
  },
  { requiredKeys: ["op"] },
);

/** Builds a state by applying drawn operations, keeping those the type accepts. */
function build(crdt: AnyCrdt, ops: readonly { op: unknown; r: string }[]): unknown {
  let s = crdt.bottom();
  for (const { op: o, r } of ops) {
    try {
      s = crdt.apply(s, o, r);
      // what apply accepts leaves the state well formed
      const broken = crdt.check(s);
      if (broken) throw new Error(`${crdt.name}.apply(${JSON.stringify(o)}) made an ill-formed state: ${broken.message}`);
    } catch (e) {
      if (!(e instanceof CrdtStateError || e instanceof CrdtOpError)) throw e;
    }
  }
  return s;
}

/** Corrupts a JSON value at one random place (a key dropped, a value replaced). */
function corrupt(json: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || json === null || typeof json !== "object") return replacement;
  const [k, ...rest] = path as [number, ...number[]];
  if (Array.isArray(json)) {
    if (json.length === 0) return replacement;
    const copy = [...json];
    copy[k % copy.length] = corrupt(copy[k % copy.length], rest, replacement);
    return copy;
  }
  const keys = Object.keys(json);
  if (keys.length === 0) return replacement;
  const key = keys[k % keys.length]!;
  const copy: Record<string, unknown> = { ...(json as Record<string, unknown>) };
  if (rest.length === 0 && k % 3 === 0) delete copy[key];
  else copy[key] = corrupt(copy[key], rest, replacement);
  return copy;
}

const garbage = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.constantFrom(null, undefined, 42, "raw", NaN, new Map([["a", NaN]]), new Map([["a", -1]]), new Set([1]), { p: 1, n: 2 }),
);

const crdtCase = fc.record({
  type: fc.nat({ max: TYPES.length - 1 }),
  opsA: fc.array(fc.record({ op, r: replica }), { maxLength: 12 }),
  opsB: fc.array(fc.record({ op, r: replica }), { maxLength: 12 }),
  call: fc.constantFrom(
    "join",
    "joinInto",
    "leq",
    "value",
    "equals",
    "encode",
    "decode",
    "clone",
    "apply",
    "applyInPlace",
    "delta",
    "check",
  ),
  /** What the second argument is: a valid state, a corrupted encoding decoded, or garbage. */
  form: fc.constantFrom("valid", "valid", "corrupt", "garbage"),
  corruptPath: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  replacement: garbage,
  garbage,
  callOp: op,
  r: replica,
});

test("CRDT entry points: only CrdtStateError or CrdtOpError, decoded states are well formed, bounded time", () => {
  let count = 0,
    longest = 0,
    typed = 0;
  fc.assert(
    fc.property(crdtCase, (c) => {
      const crdt = TYPES[c.type]!;
      const t0 = performance.now();
      const a = build(crdt, c.opsA);
      const b = build(crdt, c.opsB);
      let other: unknown = b;
      if (c.form === "garbage") other = c.garbage;
      if (c.form === "corrupt") {
        const json = corrupt(JSON.parse(JSON.stringify(crdt.encode(b))), c.corruptPath, c.replacement);
        try {
          other = crdt.decode(json);
          // a corrupted encoding that decodes is a well-formed state that round-trips
          if (crdt.check(other) !== undefined) throw new Error(`decode accepted an ill-formed state: ${JSON.stringify(json)}`);
          if (!crdt.equals(crdt.decode(JSON.parse(JSON.stringify(crdt.encode(other)))), other))
            throw new Error(`no round trip: ${JSON.stringify(json)}`);
        } catch (e) {
          if (!(e instanceof CrdtStateError)) throw e;
          typed++;
          other = json; // then feed the raw JSON itself to the call
        }
      }
      try {
        const result = ((): unknown => {
          switch (c.call) {
            case "join":
              return crdt.join(a, other);
            case "joinInto":
              return crdt.joinInto(crdt.clone(a), other);
            case "leq":
              return crdt.leq(other, a);
            case "value":
              return crdt.value(other);
            case "equals":
              return crdt.equals(other, a);
            case "encode":
              return crdt.encode(other);
            case "decode":
              return crdt.decode(other);
            case "clone":
              return crdt.clone(other);
            case "apply":
              return crdt.apply(other, c.callOp, c.r);
            case "applyInPlace":
              return crdt.applyInPlace(other, c.callOp, c.r);
            case "delta":
              return crdt.delta(other, c.callOp, c.r);
            case "check":
              return crdt.check(other);
          }
        })();
        if (c.call === "leq" && typeof result !== "boolean") throw new Error(`leq returned ${String(result)}`);
        if (c.call === "join" && c.form === "valid" && crdt.check(result) !== undefined)
          throw new Error("a join of valid states is ill formed");
      } catch (e) {
        if (e instanceof CrdtStateError) {
          if (!e.invariant || !/\(invariant [\w-]+\)$/.test(e.message))
            throw new Error(`a CrdtStateError without its invariant: ${e.message}`, { cause: e });
          typed++;
        } else if (e instanceof CrdtOpError) typed++;
        else
          throw new Error(`${crdt.name}.${c.call} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} (form ${c.form})`, {
            cause: e,
          });
      }
      const ms = performance.now() - t0;
      longest = Math.max(longest, ms);
      count++;
      if (ms > MAX_MS_PER_CASE) throw new Error(`${crdt.name}.${c.call} took ${ms.toFixed(0)} ms`);
    }),
    { seed: 20261213, numRuns: CRDT_CASES },
  );
  process.stdout.write(`crdt fuzz: ${count} cases, ${typed} typed errors, longest ${longest.toFixed(1)} ms\n`);
  expect(count).toBe(CRDT_CASES);
  expect(typed).toBeGreaterThan(CRDT_CASES / 10);
});

/** A node's behaviour, drawn as data so a failing case prints readably. */
const behaviour = fc.record({
  startSends: fc.array(
    fc.oneof({ arbitrary: fc.constantFrom("a", "b", "c"), weight: 5 }, fc.constantFrom("nowhere", "", "*", "__proto__")),
    { maxLength: 3 },
  ),
  timer: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 20 }), weight: 5 }, fc.constantFrom(-1, NaN, Infinity, 0.5)),
  echo: fc.boolean(),
  broadcastOnTimer: fc.boolean(),
  throwOn: fc.oneof({ arbitrary: fc.constant(null), weight: 12 }, fc.constantFrom("start", "message", "timer")),
  cancel: fc.integer({ min: -1, max: 3 }),
});

function handlers(b: {
  startSends: string[];
  timer: number;
  echo: boolean;
  broadcastOnTimer: boolean;
  throwOn: string | null;
  cancel: number;
}): NodeHandlers<string> {
  return {
    onStart(ctx) {
      if (b.throwOn === "start") throw new Error("boom at start");
      for (const to of b.startSends) ctx.send(to, `hello from ${ctx.self}`);
      ctx.setTimer(b.timer, "t");
      ctx.cancelTimer(b.cancel);
    },
    onMessage(ctx, m, from) {
      if (b.throwOn === "message") throw new Error("boom on message");
      if (b.echo && m.length < 60) ctx.send(from, m + "!");
      ctx.observe("got", m);
    },
    onTimer(ctx) {
      if (b.throwOn === "timer") throw new Error("boom on timer");
      if (b.broadcastOnTimer) ctx.broadcast("tick");
    },
  };
}

const probability = fc.oneof(
  { arbitrary: fc.double({ min: 0, max: 1, noNaN: true }), weight: 40 },
  fc.constantFrom(-0.1, 1.5, NaN, "0.5" as unknown as number),
);
const latency = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("constant"), ms: fc.integer({ min: 0, max: 20 }) }), weight: 20 },
  {
    arbitrary: fc.record({ kind: fc.constant("uniform"), min: fc.integer({ min: 0, max: 5 }), max: fc.integer({ min: 0, max: 30 }) }),
    weight: 20,
  },
  fc.record({ kind: fc.constant("exponential"), mean: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constant(-1)) }),
  fc.record({ kind: fc.constant("normal"), mean: fc.integer({ min: -5, max: 10 }), sd: fc.integer({ min: -1, max: 5 }) }),
  fc.record({ kind: fc.constantFrom("warp", ""), ms: fc.integer() }),
  fc.constantFrom(null, 7, "fast"),
);
const time = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 100 }), weight: 40 }, fc.constantFrom(-5, NaN, Infinity));
const nodeName = fc.oneof({ arbitrary: fc.constantFrom("a", "b", "c"), weight: 40 }, fc.constantFrom("zz", "*", ""));

const simCase = fc.record({
  seed: fc.oneof({ arbitrary: fc.integer(), weight: 40 }, fc.constantFrom(NaN, Infinity, "1" as unknown as number)),
  names: fc.oneof(
    { arbitrary: fc.constantFrom(["a", "b", "c"], ["a", "b"], ["a"]), weight: 40 },
    fc.constantFrom([], ["a", "__proto__"], ["", "a"], ["*"]),
  ),
  behaviours: fc.array(behaviour, { minLength: 3, maxLength: 3 }),
  network: fc.option(fc.record({ latency, loss: probability, duplicate: probability, reorder: probability }, { requiredKeys: [] }), {
    nil: undefined,
  }),
  // absent half the time: a random partition or crash names a node the run lacks more often than not
  partitions: fc.option(
    fc.array(
      fc.record({
        at: time,
        heal: fc.option(time, { nil: undefined }),
        groups: fc.array(fc.array(nodeName, { maxLength: 3 }), { minLength: 1, maxLength: 3 }),
      }),
      { maxLength: 2 },
    ),
    { nil: undefined, freq: 2 },
  ),
  crashes: fc.option(fc.array(fc.record({ node: nodeName, at: time, recover: fc.option(time, { nil: undefined }) }), { maxLength: 2 }), {
    nil: undefined,
    freq: 2,
  }),
  maxEvents: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 400 }), weight: 40 }, fc.constantFrom(0, -1, 1.5, NaN)),
  maxTime: fc.option(time, { nil: undefined }),
});

test("simulator entry points: only SimConfigError or SimHandlerError, bounded time", () => {
  let count = 0,
    longest = 0,
    configErrors = 0,
    handlerErrors = 0,
    traces = 0;
  fc.assert(
    fc.property(simCase, (c) => {
      const nodes: Record<string, NodeHandlers<string>> = {};
      // defineProperty: a node may be called "__proto__"
      c.names.forEach((n, i) => Object.defineProperty(nodes, n, { value: handlers(c.behaviours[i % 3]!), enumerable: true }));
      const config = {
        seed: c.seed,
        nodes,
        ...(c.network ? { network: c.network } : {}),
        ...(c.partitions ? { partitions: c.partitions } : {}),
        ...(c.crashes ? { crashes: c.crashes } : {}),
        limits: { maxEvents: c.maxEvents, ...(c.maxTime !== undefined ? { maxTime: c.maxTime } : {}) },
      };
      const t0 = performance.now();
      try {
        runSimulation(config as never);
        traces++;
      } catch (e) {
        if (e instanceof SimConfigError) {
          if (!e.field) throw new Error(`a SimConfigError without its field: ${e.message}`, { cause: e });
          configErrors++;
          if (process.env["FUZZ_DEBUG"]) process.stdout.write(`config: ${e.message}\n`);
        } else if (e instanceof SimHandlerError) handlerErrors++;
        else
          throw new Error(
            `runSimulation threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} for ${JSON.stringify(config)}`,
            { cause: e },
          );
      }
      const ms = performance.now() - t0;
      longest = Math.max(longest, ms);
      count++;
      if (ms > MAX_MS_PER_CASE) throw new Error(`runSimulation took ${ms.toFixed(0)} ms`);
    }),
    { seed: 20261214, numRuns: SIM_CASES },
  );
  process.stdout.write(
    `sim fuzz: ${count} cases (${traces} traces, ${configErrors} config errors, ${handlerErrors} handler errors), longest ${longest.toFixed(1)} ms\n`,
  );
  expect(count).toBe(SIM_CASES);
  for (const n of [traces, configErrors, handlerErrors]) expect(n).toBeGreaterThan(0);
});

test("anti-entropy over random replicas and operations: typed errors only, bounded time", () => {
  let count = 0,
    longest = 0;
  fc.assert(
    fc.property(
      fc.nat({ max: TYPES.length - 1 }),
      fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom(["a", "__proto__"], ["a", "a"], [], 0)),
      fc.array(fc.record({ at: time, replica: replica, op }), { maxLength: 8 }),
      fc.constantFrom("state", "delta", "delta-interval", "bogus"),
      (t, replicas, ops, mode) => {
        const t0 = performance.now();
        try {
          runReplicas({ crdt: TYPES[t]!, replicas: replicas, ops: ops, mode: mode as never, seed: 5, limits: { maxEvents: 3000 } });
        } catch (e) {
          if (!(e instanceof CrdtStateError || e instanceof CrdtOpError || e instanceof SimConfigError || e instanceof SimHandlerError)) {
            throw new Error(`runReplicas threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
          }
        }
        const ms = performance.now() - t0;
        longest = Math.max(longest, ms);
        count++;
        if (ms > MAX_MS_PER_CASE) throw new Error(`runReplicas took ${ms.toFixed(0)} ms`);
      },
    ),
    { seed: 20261215, numRuns: SIM_CASES / 2 },
  );
  process.stdout.write(`anti-entropy fuzz: ${count} cases, longest ${longest.toFixed(1)} ms\n`);
});
