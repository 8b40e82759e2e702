/**
 * Negative support must be sound, or LDFI misses counterexamples: whenever a tuple's support formula
 * still holds under a fault set's broken messages, the tuple is really there in the run with those
 * faults. Checked on random protocols with two-column relations, `notin` guards with and without
 * wildcards, joins of two relations, aggregates, and runs that already carry faults (LDFI's seeded runs), for the blocking
 * analysis and for Molly's conservative causes; and the blocking analysis must be tighter somewhere.
 */
import fc from "fast-check";
import { parseSource } from "../../lib/dedalus/load";
import { edgeKey, holds, support } from "../../lib/dedalus/provenance";
import { runProgram, type Crash, type Omission } from "../../lib/dedalus/runtime";

const NODES = ["a", "b", "c"];
const REL = 5;

type Guard = null | { rel: number; wildcard: boolean };
type Tpl =
  | { k: "async" | "next" | "same"; from: number; to: number; guard: Guard }
  | { k: "count"; from: number; to: number }
  | { k: "join"; from: number; with: number; to: number; guard: Guard };

const guardArb: fc.Arbitrary<Guard> = fc.option(fc.record({ rel: fc.nat({ max: REL - 1 }), wildcard: fc.boolean() }), { nil: null });
const tplArb: fc.Arbitrary<Tpl> = fc.oneof(
  fc.record({
    k: fc.constantFrom("async" as const, "next" as const, "same" as const),
    from: fc.nat({ max: REL - 1 }),
    to: fc.nat({ max: REL - 1 }),
    guard: guardArb,
  }),
  fc.record({ k: fc.constant("count" as const), from: fc.nat({ max: REL - 1 }), to: fc.nat({ max: REL - 1 }) }),
  // a firing that may need two new tuples at once
  fc.record({
    k: fc.constant("join" as const),
    from: fc.nat({ max: REL - 1 }),
    with: fc.nat({ max: REL - 1 }),
    to: fc.nat({ max: REL - 1 }),
    guard: guardArb,
  }),
);

function render(rules: Tpl[], persist: boolean[]): string {
  const lines = [
    ...NODES.flatMap((n) => NODES.filter((m) => m !== n).map((m) => `link("${n}", "${m}")@1;`)),
    "link(N, M)@next :- link(N, M);",
    'r0("a", "x")@1;',
    'r0("a", "y")@1;',
  ];
  rules.forEach((t, i) => {
    if (t.k === "count") {
      // an aggregate feeding back: a node that holds two values derives a marker next step
      lines.push(`n${i}(N, count<V>) :- r${t.from}(N, V);`, `r${t.to}(N, "x")@next :- n${i}(N, 2);`);
      // and as a quorum: at least two values (the count read only through a lower bound)
      lines.push(`q${i}(N, count<V>) :- r${t.from}(N, V);`, `r${t.to}(N, "q")@next :- q${i}(N, C), C >= 2;`);
      // and over a join, grouped by a column of the second atom: one value per group of r0's values
      lines.push(`j${i}(N, W, count<V>) :- r${t.from}(N, V), r0(N, W);`, `r${t.to}(N, W)@next :- j${i}(N, W, 1);`);
      return;
    }
    if (t.k === "join") {
      const guard = t.guard === null ? "" : `, notin r${t.guard.rel}(N, ${t.guard.wildcard ? "_" : "V"})`;
      lines.push(`r${t.to}(N, V)@next :- r${t.from}(N, V), r${t.with}(N, V)${guard};`);
      return;
    }
    // same-step rules climb (stratifiable); the guard reads a strictly lower relation
    let { from, to } = t;
    if (t.k === "same") {
      if (from === to) return;
      [from, to] = [Math.min(from, to), Math.max(from, to)];
    }
    const guard =
      t.guard === null || (t.k === "same" && t.guard.rel >= to) ? "" : `, notin r${t.guard.rel}(N, ${t.guard.wildcard ? "_" : "V"})`;
    if (t.k === "async") lines.push(`r${to}(M, V)@async :- r${from}(N, V), link(N, M)${guard};`);
    else if (t.k === "next") lines.push(`r${to}(N, V)@next :- r${from}(N, V)${guard};`);
    else lines.push(`r${to}(N, V) :- r${from}(N, V)${guard};`);
  });
  persist.forEach((p, i) => p && lines.push(`r${i}(N, V)@next :- r${i}(N, V);`));
  return lines.join("\n");
}

const omissionArb = fc.record({ from: fc.constantFrom(...NODES), to: fc.constantFrom(...NODES), time: fc.integer({ min: 1, max: 3 }) });
const crashArb = fc.option(fc.record({ node: fc.constantFrom(...NODES), time: fc.integer({ min: 1, max: 4 }) }), { nil: null });

const caseArb = fc.record({
  rules: fc.array(tplArb, { minLength: 1, maxLength: 7 }).map((rs): Tpl[] => [{ k: "async", from: 0, to: 1, guard: null }, ...rs]),
  persist: fc.array(fc.boolean(), { minLength: REL, maxLength: REL }),
  seed: fc.array(omissionArb, { maxLength: 2 }),
  extra: fc.array(omissionArb, { maxLength: 4 }),
  crash: crashArb,
});

function brokenEdges(omissions: Omission[], crash: Crash | null, eot: number): Set<string> {
  const broken = new Set(omissions.filter((o) => o.from !== o.to).map((o) => edgeKey({ from: o.from, to: o.to, sendTime: o.time })));
  if (crash)
    for (const n of NODES)
      for (let t = crash.time; t < eot; t++) if (n !== crash.node) broken.add(edgeKey({ from: crash.node, to: n, sendTime: t }));
  return broken;
}

type Case = { rules: Tpl[]; persist: boolean[]; seed: Omission[]; extra: Omission[]; crash: Crash | null };

/** Checks one case; returns how many goals were compared and how many only the blocking formula kept. */
function checkSound({ rules, persist, seed, extra, crash }: Case): { compared: number; tighter: number } {
  const eot = 5;
  const { program, diagnostics } = parseSource(render(rules, persist), "random.ded");
  if (diagnostics.some((d) => d.severity === "error")) return { compared: 0, tighter: 0 }; // e.g. an unstratifiable guard
  const base = runProgram(program, { eot, provenance: true, nodes: NODES, failures: { omissions: seed, crashes: [] } });
  const goals = base.facts(undefined, eot).filter((f) => f.rel !== "link");
  const omissions = [...seed, ...extra];
  const faulty = runProgram(program, { eot, nodes: NODES, failures: { omissions, crashes: crash ? [crash] : [] } });
  const broken = brokenEdges(omissions, crash, eot);
  const blocking = support(base, goals);
  const molly = support(base, goals, { negativeSupport: "molly" });
  let tighter = 0;
  goals.forEach((goal, i) => {
    const viaBlocking = holds(blocking, blocking.roots[i]!, broken);
    const viaMolly = holds(molly, molly.roots[i]!, broken);
    const there = faulty.has(goal.rel, goal.args, goal.time);
    if (viaBlocking) expect([goal.rel, goal.args, there]).toEqual([goal.rel, goal.args, true]);
    if (viaMolly) expect([goal.rel, goal.args, there]).toEqual([goal.rel, goal.args, true]);
    if (viaBlocking && !viaMolly) tighter++;
  });
  return { compared: goals.length, tighter };
}

describe("negative support", () => {
  test("is sound: a formula that holds under the faults means the tuple is there", () => {
    let tighter = 0;
    let compared = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const r = checkSound(c);
        compared += r.compared;
        tighter += r.tighter;
      }),
      { numRuns: Number(process.env["SUPPORT_RUNS"] ?? 400), seed: Number(process.env["SUPPORT_SEED"] ?? 7) },
    );
    // the analysis must actually be tighter somewhere, or it is Molly's under another name
    expect(tighter).toBeGreaterThan(0);
    expect(compared).toBeGreaterThan(500);
  });

  test("Molly's causes count, at the read step itself, a relation that reaches the pattern both within the step and through time", () => {
    // r3(a, x) is absent at 4 because r1(a, x) is there (same step), and r1 also feeds r0 and so r3
    // later; the causes once stopped at step 3 for such a relation, so the loss of both copies of
    // r1(a, x) (omit(c,a,3), crash(b,3)) let r3(a, x) appear and drop r2(c, x) unnoticed.
    const c: Case = {
      rules: [
        { k: "async", from: 0, to: 1, guard: null },
        { k: "same", from: 0, to: 3, guard: { rel: 1, wildcard: false } },
        { k: "async", from: 1, to: 0, guard: null },
        { k: "async", from: 0, to: 2, guard: { rel: 3, wildcard: false } },
      ],
      persist: [true, false, false, false, false],
      seed: [],
      extra: [{ from: "c", to: "a", time: 3 }],
      crash: { node: "b", time: 3 },
    };
    expect(checkSound(c).compared).toBeGreaterThan(0);
  });

  test("an aggregate's tuple breaks when a new input could join its group", () => {
    // r0 is relayed back only where it is absent: the crash of c loses r1 tuples, r0 gains a value at
    // a, and count<V> over r0("a", V) changes from 1 to 2 although none of its inputs was lost.
    const c: Case = {
      rules: [
        { k: "async", from: 0, to: 1, guard: null },
        { k: "async", from: 1, to: 0, guard: { rel: 0, wildcard: false } },
        { k: "count", from: 0, to: 0 },
      ],
      persist: [false, false, false, false, false],
      seed: [],
      extra: [],
      crash: { node: "c", time: 1 },
    };
    expect(checkSound(c).compared).toBeGreaterThan(0);
  });

  test("a notin breaks when a positive premise of its relation can newly appear", () => {
    // good needs q absent; q follows p, and p is held back at b only by a blocker that a sends each step
    const { program } = parseSource(
      `link("a", "b")@1; link(N, M)@next :- link(N, M);
       src("a", "x")@1; src(N, V)@next :- src(N, V);
       cand("b", "x")@1; cand(N, V)@next :- cand(N, V);
       blocker(M, V)@async :- src(N, V), link(N, M);
       p(N, V) :- cand(N, V), notin blocker(N, V);
       q(N, V) :- p(N, V);
       good(N, V) :- cand(N, V), notin q(N, V);`,
      "gain.ded",
    );
    const run = runProgram(program, { eot: 3, provenance: true, nodes: ["a", "b"] });
    const goal = { rel: "good", args: ["b", "x"], time: 3 };
    expect(run.has(goal.rel, goal.args, goal.time)).toBe(true);
    const g = support(run, [goal]);
    const lost = runProgram(program, {
      eot: 3,
      nodes: ["a", "b"],
      failures: { omissions: [{ from: "a", to: "b", time: 2 }], crashes: [] },
    });
    expect(lost.has(goal.rel, goal.args, goal.time)).toBe(false);
    expect(holds(g, g.roots[0]!, new Set([edgeKey({ from: "a", to: "b", sendTime: 2 })]))).toBe(false);
    expect(holds(g, g.roots[0]!, new Set([edgeKey({ from: "a", to: "b", sendTime: 1 })]))).toBe(true);
  });

  // Two blockers, blk1 sent by a and blk2 by c, each every step; what the goal's notin reads needs both
  // gone. Losing one of them must leave the formula whole (the goal stays, as the faulty run shows);
  // losing both must break it.
  const twoBlockers = `link("a", "b")@1; link("c", "b")@1; link(N, M)@next :- link(N, M);
    src1("a", "x")@1; src1(N, V)@next :- src1(N, V);
    src2("c", "x")@1; src2(N, V)@next :- src2(N, V);
    cand("b", "x")@1; cand(N, V)@next :- cand(N, V);
    blk1(M, V)@async :- src1(N, V), link(N, M);
    blk2(M, V)@async :- src2(N, V), link(N, M);
    good(N, V) :- cand(N, V), notin q(N, V);`;
  test.each([
    ["both blockers of one firing over present premises", "q(N, V) :- cand(N, V), notin blk1(N, V), notin blk2(N, V);"],
    ["a blocker of the firing a new premise would make", "p(N, V) :- cand(N, V), notin blk1(N, V); q(N, V) :- p(N, V), notin blk2(N, V);"],
    [
      "both new premises of one firing",
      "p1(N, V) :- cand(N, V), notin blk1(N, V); p2(N, V) :- cand(N, V), notin blk2(N, V); q(N, V) :- p1(N, V), p2(N, V);",
    ],
  ])("a notin turns false only when every condition of the firing holds: %s", (_name, rules) => {
    const { program, diagnostics } = parseSource(`${twoBlockers}\n${rules}`, "blockers.ded");
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const nodes = ["a", "b", "c"];
    const goal = { rel: "good", args: ["b", "x"], time: 3 };
    const g = support(runProgram(program, { eot: 3, provenance: true, nodes }), [goal]);
    const fromA = { from: "a", to: "b", time: 2 };
    const fromC = { from: "c", to: "b", time: 2 };
    for (const omissions of [[fromA], [fromC], [fromA, fromC]]) {
      const there = runProgram(program, { eot: 3, nodes, failures: { omissions, crashes: [] } }).has(goal.rel, goal.args, goal.time);
      const broken = new Set(omissions.map((o) => edgeKey({ from: o.from, to: o.to, sendTime: o.time })));
      expect([omissions.length, there]).toEqual([omissions.length, omissions.length === 1]);
      expect([omissions.length, holds(g, g.roots[0]!, broken)]).toEqual([omissions.length, there]);
    }
  });

  test("a count over a join changes only in the groups whose inputs are lost", () => {
    // b counts what it got per group, grp joining each sender to its group: a and d feed g1, c feeds
    // g2. The goal needs g1's count not to fall to 1, so losing a's message breaks it and losing c's
    // does not; the count's candidates once matched every group, and c's loss broke the formula too.
    const { program, diagnostics } = parseSource(
      `link("a", "b")@1; link("c", "b")@1; link("d", "b")@1; link(N, M)@next :- link(N, M);
       src("a", "x")@1; src("c", "y")@1; src("d", "z")@1; src(N, V)@next :- src(N, V);
       grp("b", "a", "g1")@1; grp("b", "d", "g1")@1; grp("b", "c", "g2")@1; grp(N, S, G)@next :- grp(N, S, G);
       cand("b")@1; cand(N)@next :- cand(N);
       got(M, N, V)@async :- src(N, V), link(N, M);
       cnt(N, G, count<V>) :- got(N, S, V), grp(N, S, G);
       alarm(N) :- cnt(N, "g1", 1);
       good(N) :- cand(N), notin alarm(N);`,
      "groups.ded",
    );
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const nodes = ["a", "b", "c", "d"];
    const goal = { rel: "good", args: ["b"], time: 3 };
    const g = support(runProgram(program, { eot: 3, provenance: true, nodes }), [goal]);
    for (const from of ["a", "c", "d"]) {
      const omissions = [{ from, to: "b", time: 2 }];
      const there = runProgram(program, { eot: 3, nodes, failures: { omissions, crashes: [] } }).has(goal.rel, goal.args, goal.time);
      expect([from, there]).toEqual([from, from === "c"]);
      expect([from, holds(g, g.roots[0]!, new Set([edgeKey({ from, to: "b", sendTime: 2 })]))]).toEqual([from, there]);
    }
  });

  test("the join budget bounds how far a new firing is joined: past it the firing is kept, coarser but sound", () => {
    // losing blk1 lets p1 appear, and q then joins big's three tuples: none is q(b, "w9"), so good stays.
    // Joined, the formula knows it; cut short after two steps (big has three tuples) the firing keeps
    // an unknown W, which could be "w9", and the loss breaks the formula instead.
    const { program } = parseSource(
      `link("a", "b")@1; link(N, M)@next :- link(N, M);
       src1("a", "x")@1; src1(N, V)@next :- src1(N, V);
       cand("b", "x")@1; cand(N, V)@next :- cand(N, V);
       big("b", "w1")@1; big("b", "w2")@1; big("b", "w3")@1; big(N, W)@next :- big(N, W);
       blk1(M, V)@async :- src1(N, V), link(N, M);
       p1(N, V) :- cand(N, V), notin blk1(N, V);
       q(N, W) :- p1(N, V), big(N, W);
       good(N) :- cand(N, _), notin q(N, "w9");`,
      "budget.ded",
    );
    const nodes = ["a", "b"];
    const goal = { rel: "good", args: ["b"], time: 3 };
    const run = runProgram(program, { eot: 3, provenance: true, nodes });
    const lost = { from: "a", to: "b", time: 2 };
    expect(runProgram(program, { eot: 3, nodes, failures: { omissions: [lost], crashes: [] } }).has(goal.rel, goal.args, goal.time)).toBe(
      true,
    );
    const broken = new Set([edgeKey({ from: lost.from, to: lost.to, sendTime: lost.time })]);
    const holdsWith = (joinBudget?: number): boolean => {
      const g = support(run, [goal], joinBudget === undefined ? {} : { joinBudget });
      return holds(g, g.roots[0]!, broken);
    };
    expect([holdsWith(), holdsWith(3), holdsWith(2), holdsWith(1)]).toEqual([true, true, false, false]);
    expect(() => support(run, [goal], { joinBudget: 0 })).toThrow(/joinBudget must be a positive integer/);
  });

  test("a notin over a same-step recursive relation falls back to Molly's causes", () => {
    // reach is recursive within a step: the blocking analysis declines and Molly's causes answer
    const { program } = parseSource(
      `link("a", "b")@1; link("b", "c")@1; link(N, M)@next :- link(N, M);
       hop(M, N)@async :- link(N, M);
       reach(X, Y) :- hop(Y, X);
       reach(X, Z) :- reach(X, Y), hop(Z, Y);
       ok(X) :- link(X, _), notin reach(X, "a");`,
      "reach.ded",
      { locality: "warn" }, // reach follows hops across nodes: classic Datalog, loaded as --allow-nonlocal
    );
    const run = runProgram(program, { eot: 3, provenance: true, nodes: ["a", "b", "c"] });
    const goal = { rel: "ok", args: ["a"], time: 3 };
    expect(run.has(goal.rel, goal.args, goal.time)).toBe(true);
    const blocking = support(run, [goal]);
    const molly = support(run, [goal], { negativeSupport: "molly" });
    const key = (from: string, to: string, sendTime: number): string => edgeKey({ from, to, sendTime });
    for (const lost of [key("a", "b", 1), key("b", "c", 1), key("a", "b", 2), key("b", "c", 2)]) {
      expect(holds(blocking, blocking.roots[0]!, new Set([lost]))).toBe(holds(molly, molly.roots[0]!, new Set([lost])));
    }
    expect(holds(blocking, blocking.roots[0]!, new Set([key("a", "b", 1)]))).toBe(false);
  });
});
