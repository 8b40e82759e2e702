import fc from "fast-check";
import { orSet, type ORSetState } from "../crdt/orSet";
import type { NodeHandlers } from "../sim/node";
import { runSimulation } from "../sim/simulator";
import { requireDefinition, type Lab, type LabTest, type StudentScope } from "./lab";

/** What lab 1 asks for: a PN-Counter as a state-based CRDT. States are whatever the student chooses. */
export interface StudentCounter<S> {
  bottom(): S;
  join(a: S, b: S): S;
  leq(a: S, b: S): boolean;
  increment(s: S, replica: string): S;
  decrement(s: S, replica: string): S;
  value(s: S): number;
}

/** What lab 1 asks for: an add-wins observed-remove set of strings. */
export interface StudentSet<S> {
  bottom(): S;
  join(a: S, b: S): S;
  leq(a: S, b: S): boolean;
  add(s: S, element: string, replica: string): S;
  remove(s: S, element: string, replica: string): S;
  elements(s: S): string[];
}

const REPLICAS = ["a", "b", "c"] as const;
/** Generated histories per property: enough to find the usual mistakes, cheap enough to grade fast. */
const RUNS = 150;

/** A history step: an operation at a replica, or one replica merging another's state. */
type Step = { kind: "op"; at: number; op: 0 | 1; element: string } | { kind: "merge"; from: number; to: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("op" as const), at: fc.nat(2), op: fc.constantFrom(0 as const, 1 as const), element: fc.constantFrom("x", "y", "z") }),
  fc.record({ kind: fc.constant("merge" as const), from: fc.nat(2), to: fc.nat(2) }),
);
const historyArb = fc.array(stepArb, { maxLength: 25 });

/** Replays a history on three replicas of any lattice with two operations. */
function replay<S>(bottom: () => S, join: (a: S, b: S) => S, op: (s: S, kind: 0 | 1, element: string, replica: string) => S, steps: readonly Step[]): S[] {
  const states = REPLICAS.map(() => bottom());
  for (const s of steps) {
    if (s.kind === "op") states[s.at] = op(states[s.at] as S, s.op, s.element, REPLICAS[s.at] as string);
    else states[s.to] = join(states[s.to] as S, states[s.from] as S);
  }
  return states;
}

function mergeAll<S>(join: (a: S, b: S) => S, states: readonly S[]): S {
  return states.reduce((acc, s) => join(acc, s));
}

/** Runs a fast-check property and turns a counterexample into a message for the student. */
function property<T>(arb: fc.Arbitrary<T>, pred: (t: T) => boolean, what: string): string | undefined {
  const r = fc.check(fc.property(arb, pred), { numRuns: RUNS, seed: 20261125 });
  if (!r.failed) return undefined;
  const threw = r.errorInstance && !/Property failed by returning false/.test(String((r.errorInstance as Error).message ?? r.errorInstance));
  const why = threw ? ` (it threw: ${r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance)})` : "";
  return `${what} fails for the history ${JSON.stringify(r.counterexample?.[0])}${why}`;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Three reachable states of a student's lattice, from three random histories. */
function lawTests<S>(prefix: string, get: (scope: StudentScope) => { bottom(): S; join(a: S, b: S): S; leq(a: S, b: S): boolean; value(s: S): unknown }, op: (scope: StudentScope) => (s: S, kind: 0 | 1, element: string, replica: string) => S): LabTest[] {
  const triple = fc.tuple(historyArb, historyArb, historyArb);
  return [
    {
      name: `${prefix}: join is commutative, associative and idempotent`,
      points: 10,
      description: "merging in any order, any grouping, any number of times gives the same value",
      check: (scope) => {
        const l = get(scope);
        const o = op(scope);
        return property(triple, ([h1, h2, h3]) => {
          const [a, b, c] = [h1, h2, h3].map((h) => mergeAll(l.join, replay(l.bottom, l.join, o, h))) as [S, S, S];
          return (
            sameValue(l.value(l.join(a, b)), l.value(l.join(b, a))) &&
            sameValue(l.value(l.join(l.join(a, b), c)), l.value(l.join(a, l.join(b, c)))) &&
            sameValue(l.value(l.join(a, a)), l.value(a))
          );
        }, "a lattice law");
      },
    },
    {
      name: `${prefix}: leq agrees with join`,
      points: 5,
      description: "leq(a, join(a, b)) and leq(bottom, a) hold, leq(a, b) implies join(a, b) shows b, and an update is strictly above the state it updated",
      check: (scope) => {
        const l = get(scope);
        const o = op(scope);
        return property(fc.tuple(historyArb, historyArb), ([h1, h2]) => {
          const a = mergeAll(l.join, replay(l.bottom, l.join, o, h1));
          const b = mergeAll(l.join, replay(l.bottom, l.join, o, h2));
          const j = l.join(a, b);
          const up = o(a, 0, "x", "a");
          const agrees = !l.leq(a, b) || sameValue(l.value(j), l.value(b));
          return l.leq(a, j) && l.leq(b, j) && l.leq(l.bottom(), a) && l.leq(a, a) && agrees && l.leq(a, up) && !l.leq(up, a);
        }, "leq");
      },
    },
  ];
}

/** Gossip on the simulator: lossy, duplicating, reordering, partitioned at first, then healed. */
function convergesOnNetwork<S>(l: { bottom(): S; join(a: S, b: S): S; value(s: S): unknown }, opsAt: (replica: string, s: S) => S, expected: unknown, seed: number): string | undefined {
  const states = new Map<string, S>();
  const nodes: Record<string, NodeHandlers<S>> = {};
  for (const r of REPLICAS) {
    nodes[r] = {
      onStart: (ctx) => {
        states.set(ctx.self, opsAt(ctx.self, l.bottom()));
        ctx.setTimer(10, "gossip");
      },
      onTimer: (ctx) => {
        ctx.broadcast(states.get(ctx.self) as S);
        if (ctx.now < 400) ctx.setTimer(10, "gossip");
      },
      onMessage: (ctx, m) => {
        states.set(ctx.self, l.join(states.get(ctx.self) as S, m));
      },
    };
  }
  runSimulation<S>({
    seed,
    nodes,
    network: { latency: { kind: "uniform", min: 1, max: 20 }, loss: 0.3, duplicate: 0.2, reorder: 0.5 },
    partitions: [{ at: 0, heal: 150, groups: [["a"], ["b", "c"]] }],
    limits: { maxTime: 600 },
  });
  const values = REPLICAS.map((r) => l.value(states.get(r) as S));
  if (!values.every((v) => sameValue(v, values[0]))) return `after the partition healed and gossip went on, replicas still differ: ${values.map((v, i) => `${REPLICAS[i]}=${JSON.stringify(v)}`).join(", ")}`;
  if (!sameValue(values[0], expected)) return `replicas agree on ${JSON.stringify(values[0])} but should show ${JSON.stringify(expected)}`;
  return undefined;
}

const COUNTER_HINT = "define `const pnCounter = { bottom, join, leq, increment, decrement, value }` in the student cell";
const SET_HINT = "define `const orSet = { bottom, join, leq, add, remove, elements }` in the student cell";
const counterOf = (scope: StudentScope): StudentCounter<unknown> =>
  requireDefinition<StudentCounter<unknown>>(scope, "pnCounter", ["bottom", "join", "leq", "increment", "decrement", "value"], COUNTER_HINT);
const setOf = (scope: StudentScope): StudentSet<unknown> & { value(s: unknown): unknown } => {
  const s = requireDefinition<StudentSet<unknown>>(scope, "orSet", ["bottom", "join", "leq", "add", "remove", "elements"], SET_HINT);
  return { ...s, value: (x: unknown) => [...s.elements(x)].sort() };
};
const counterOp = (scope: StudentScope) => {
  const c = counterOf(scope);
  return (s: unknown, kind: 0 | 1, _e: string, r: string): unknown => (kind === 0 ? c.increment(s, r) : c.decrement(s, r));
};
const setOp = (scope: StudentScope) => {
  const c = setOf(scope);
  return (s: unknown, kind: 0 | 1, e: string, r: string): unknown => (kind === 0 ? c.add(s, e, r) : c.remove(s, e, r));
};

/** The reference meaning of a set history: maze's own OR-Set replayed on the same history. */
function referenceSet(steps: readonly Step[]): string[][] {
  const states = replay<ORSetState>(
    () => orSet.bottom(),
    (a, b) => orSet.join(a, b),
    (s, kind, element, r) => orSet.apply(s, kind === 0 ? { op: "add", element } : { op: "remove", element }, r),
    steps,
  );
  return states.map((s) => [...orSet.value(s)].sort());
}

/** Lab 1: implement a PN-Counter and an add-wins OR-Set; graded by lattice laws, semantics and convergence. */
export const lab1Crdt: Lab = {
  id: "lab1-crdt",
  title: "Lab 1 — build two CRDTs",
  tests: [
    ...lawTests("pn-counter", (s) => counterOf(s), counterOp),
    {
      name: "pn-counter: counts every increment and decrement exactly once",
      points: 10,
      description: "after all replicas merge, the value is (#increments − #decrements), however often states were merged",
      check: (scope) => {
        const c = counterOf(scope);
        const op = counterOp(scope);
        return property(historyArb, (h) => {
          const expected = h.filter((s) => s.kind === "op").reduce((n, s) => n + (s.kind === "op" && s.op === 0 ? 1 : -1), 0);
          return c.value(mergeAll(c.join, replay(c.bottom, c.join, op, h))) === expected;
        }, "counting");
      },
    },
    {
      name: "pn-counter: replicas converge on a lossy, duplicating, partitioned network",
      points: 15,
      description: "three replicas gossiping their states through maze's simulator agree on the right value once the partition heals",
      check: (scope) => {
        const c = counterOf(scope);
        const plan: Record<string, [number, number]> = { a: [3, 1], b: [2, 0], c: [1, 4] };
        const ops = (r: string, s: unknown): unknown => {
          const [inc, dec] = plan[r] ?? [0, 0];
          for (let i = 0; i < inc; i++) s = c.increment(s, r);
          for (let i = 0; i < dec; i++) s = c.decrement(s, r);
          return s;
        };
        return convergesOnNetwork(c, ops, 1, 7);
      },
    },
    ...lawTests("or-set", (s) => setOf(s), setOp),
    {
      name: "or-set: a concurrent add wins over a remove",
      points: 15,
      description: "when one replica removes x while another concurrently adds it, x is in the set after they merge",
      check: (scope) => {
        const s = setOf(scope);
        let a = s.add(s.bottom(), "x", "a");
        let b = s.join(s.bottom(), a);
        b = s.remove(b, "x", "b");
        a = s.add(a, "x", "a");
        const merged = s.elements(s.join(a, b));
        if (!merged.includes("x")) return `a: add x; b: merge a, remove x; a: add x again (concurrently); merged set is ${JSON.stringify(merged)}, expected it to contain "x"`;
        const removed = s.elements(s.remove(s.join(a, b), "x", "c"));
        if (removed.includes("x")) return `removing x after observing every add must remove it, but the set is ${JSON.stringify(removed)}`;
        return undefined;
      },
    },
    {
      name: "or-set: matches the observed-remove semantics on random histories",
      points: 15,
      description: "on random adds, removes and merges, every replica shows exactly the elements a reference OR-Set shows",
      check: (scope) => {
        const s = setOf(scope);
        const op = setOp(scope);
        return property(historyArb, (h) => sameValue(replay(s.bottom, s.join, op, h).map((x) => s.value(x)), referenceSet(h)), "observed-remove semantics");
      },
    },
    {
      name: "or-set: replicas converge on a lossy, duplicating, partitioned network",
      points: 15,
      description: "three replicas gossiping their states through maze's simulator agree on the right set once the partition heals",
      check: (scope) => {
        const s = setOf(scope);
        const ops = (r: string, st: unknown): unknown => {
          if (r === "a") return s.remove(s.add(s.add(st, "milk", r), "eggs", r), "eggs", r);
          if (r === "b") return s.add(st, "bread", r);
          return s.add(s.add(st, "eggs", r), "jam", r);
        };
        return convergesOnNetwork(s, ops, ["bread", "eggs", "jam", "milk"], 11);
      },
    },
  ],
};
