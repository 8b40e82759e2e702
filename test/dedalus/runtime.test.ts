/**
 * Evaluator semantics (DESIGN.md sections 5-6): time, sites, timed atoms, aggregates, the channel layer
 * with omissions and crashes, the crash built-in, and the explicit bounds.
 */
import type { LocalityMode } from "../../lib/dedalus/ast";
import { parseSource } from "../../lib/dedalus/load";
import { DedalusLimitError, DedalusRuntimeError } from "../../lib/dedalus/limits";
import { runNaive } from "../../lib/dedalus/naive";
import { runProgram, type Fact, type RunOptions } from "../../lib/dedalus/runtime";
import { DedalusError } from "../../lib/dedalus/diagnostics";
import { why } from "../../lib/dedalus/provenance";

/** Parses a program; `"warn"` loads it as --allow-nonlocal does (Molly's semantics for non-local rules). */
function prog(text: string, locality: LocalityMode = "error") {
  const { program, diagnostics } = parseSource(text, "r.ded", { locality });
  expect(diagnostics).toEqual([]);
  return program;
}

/** Runs with the semi-naive runtime and checks the naive oracle agrees on every tuple and message. */
function run(text: string, options: RunOptions, locality: LocalityMode = "error") {
  const program = prog(text, locality);
  const result = runProgram(program, options);
  const naive = runNaive(program, options);
  const key = (f: Fact) => JSON.stringify([f.rel, f.time, f.args]);
  expect(new Set(result.facts().map(key))).toEqual(new Set(naive.facts.map(key)));
  expect(new Set(result.messages.map((m) => JSON.stringify(m)))).toEqual(new Set(naive.messages.map((m) => JSON.stringify(m))));
  return result;
}

const rows = (r: { facts(rel?: string, time?: number): Fact[] }, rel: string, time: number) => r.facts(rel, time).map((f) => f.args);

describe("time", () => {
  test("a fact holds only at its time; @next persists explicitly; deletion with notin", () => {
    const r = run(
      `kv("a", "k")@1; del("a", "k")@3;
       kv(N, K)@next :- kv(N, K), notin del(N, K);`,
      { eot: 5 },
    );
    expect([1, 2, 3, 4, 5].map((t) => r.has("kv", ["a", "k"], t))).toEqual([true, true, true, false, false]);
    expect(r.has("del", ["a", "k"], 4)).toBe(false);
  });

  test("head arithmetic counts time; integer division truncates", () => {
    const r = run(`tick("a", 0)@1; tick(N, T + 1)@next :- tick(N, T); half(N, T / 2) :- tick(N, T);`, { eot: 4 });
    expect(rows(r, "tick", 4)).toEqual([["a", 3]]);
    expect(rows(r, "half", 4)).toEqual([["a", 1]]);
  });

  test("division by zero is a located runtime error", () => {
    const program = prog(`v("a", 0)@1; w(N, 1 / X) :- v(N, X);`);
    expect(() => runProgram(program, { eot: 1 })).toThrow(DedalusRuntimeError);
    expect(() => runProgram(program, { eot: 1 })).toThrow(/r\.ded:1:19: integer division by zero/);
  });

  test("a body atom @N reads the relation at absolute time N, at every step", () => {
    const r = run(`seed("a", "x")@1; v(N, X) :- seed(N, X)@1; w(N, X) :- seed(N, X);`, { eot: 3 });
    expect([1, 2, 3].map((t) => r.has("v", ["a", "x"], t))).toEqual([true, true, true]);
    expect([1, 2, 3].map((t) => r.has("w", ["a", "x"], t))).toEqual([true, false, false]);
  });

  test("@N reads derived tuples of the past, and facts of the future", () => {
    const r = run(
      `p("a", 1)@1; p("a", 9)@3;
       q(N, X) :- p(N, X); q(N, X)@next :- q(N, X);
       past(N, X) :- q(N, X)@2; future(N, X) :- p(N, X)@3;`,
      { eot: 4 },
    );
    expect(r.has("past", ["a", 1], 1)).toBe(false); // q@2 does not exist yet at time 1
    expect(r.has("past", ["a", 1], 3)).toBe(true);
    expect(r.has("future", ["a", 9], 1)).toBe(true);
  });

  test("comparisons over strings and integers", () => {
    const r = run(`v("a", "b", 3)@1; v("a", "c", 5)@1; lt(N, X) :- v(N, X, _), X < "c"; big(N, X) :- v(N, X, K), K >= 4, K != 7;`, {
      eot: 1,
    });
    expect(rows(r, "lt", 1)).toEqual([["a", "b"]]);
    expect(rows(r, "big", 1)).toEqual([["a", "c"]]);
  });
});

describe("aggregates", () => {
  test("count over distinct values, grouped by the other columns; sum/min/max/avg", () => {
    const r = run(
      `e("a", "x", 1)@1; e("a", "y", 1)@1; e("a", "z", 4)@1; e("b", "x", 7)@1;
       c(N, count<V>) :- e(N, _, V);
       s(N, sum<V>, min<V>, max<V>, avg<V>) :- e(N, _, V);
       k(N, count<K>) :- e(N, K, _);`,
      { eot: 1 },
    );
    expect(rows(r, "c", 1)).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
    expect(rows(r, "s", 1)).toEqual([
      ["a", 5, 1, 4, 2],
      ["b", 7, 7, 7, 7],
    ]);
    expect(rows(r, "k", 1)).toEqual([
      ["a", 3],
      ["b", 1],
    ]);
  });

  test("an empty group yields no row", () => {
    const r = run(`e("a", 1)@1; c(N, count<V>) :- e(N, V), V > 5;`, { eot: 1 });
    expect(rows(r, "c", 1)).toEqual([]);
  });
});

describe("sites and nodes", () => {
  test("nodes default to the first columns of the facts; a rule fires only at nodes", () => {
    const text = `at("a", "n")@1; at("b", "n")@1; ghost("zz", "n")@1;
      seen(X, V) :- at(X, V); g(X, V) :- ghost(X, V);`;
    const r1 = run(text, { eot: 1 });
    expect(r1.nodes).toEqual(["a", "b", "zz"]);
    expect(rows(r1, "g", 1)).toEqual([["zz", "n"]]);
    const r2 = run(text, { eot: 1, nodes: ["a", "b"] });
    expect(rows(r2, "seen", 1)).toEqual([
      ["a", "n"],
      ["b", "n"],
    ]);
    expect(rows(r2, "g", 1)).toEqual([]);
  });

  test("the site is the first body atom's first column even when negated; '_' fires everywhere", () => {
    const r = run(
      `p("a", "x")@1; p("zz", "y")@1;
       q(N, V) :- notin blocked(N), p(N, V); blocked("q")@1;
       any(N, V) :- p(_, V), p(N, V);`,
      { eot: 1, nodes: ["a", "q"] },
      "warn",
    );
    // blocked's first column N is the site: N must be a node.
    expect(rows(r, "q", 1)).toEqual([["a", "x"]]);
    expect(rows(r, "any", 1)).toEqual([
      ["a", "x"],
      ["zz", "y"],
    ]);
  });

  test("under --allow-nonlocal, deductive and @next heads may name any location (Molly's semantics)", () => {
    const r = run(`p("a", "b")@1; q(Y, X) :- p(X, Y); q2(Y, X)@next :- p(X, Y);`, { eot: 2, nodes: ["a"] }, "warn");
    expect(rows(r, "q", 1)).toEqual([["b", "a"]]);
    expect(rows(r, "q2", 2)).toEqual([["b", "a"]]);
  });

  test("by default a non-local rule stops the run with a located error", () => {
    const program = prog(`p("a", "b")@1; q2(Y, X)@next :- p(X, Y); q2(X, Y)@next :- q2(X, Y);`);
    expect(() => runProgram(program, { eot: 2 })).toThrow(DedalusError);
    try {
      runProgram(program, { eot: 2 });
    } catch (e) {
      expect((e as DedalusError).diagnostics.map((d) => [d.code, d.span?.line, d.span?.col])).toEqual([["non-local-head", 1, 16]]);
      expect((e as Error).message).toMatch(
        /^r\.ded:1:16: error: this rule runs at X \(the first column of p\) but stores q2 at Y with an @next head; only @async moves data between nodes: send it with @async first \[non-local-head\]/,
      );
    }
  });
});

const BCAST = `
  node("a", "b")@1; node("a", "c")@1; node("a", "self")@1;
  bcast("a", "m")@1;
  node(N, M)@next :- node(N, M);
  log(M, P)@async :- bcast(N, P), node(N, M);
  log(N, P)@async :- bcast(N, P);
  log(N, P)@next :- log(N, P);
`;

describe("the channel layer", () => {
  test("messages arrive at send time + 1; every send is recorded", () => {
    const r = run(BCAST, { eot: 3, nodes: ["a", "b", "c"] });
    expect(rows(r, "log", 1)).toEqual([]);
    expect(rows(r, "log", 2)).toEqual([
      ["a", "m"],
      ["b", "m"],
      ["c", "m"],
    ]);
    const sends = r.messages.map((m) => `${m.from}->${m.to}@${m.sendTime}:${m.lost}`).sort();
    expect(sends).toEqual(["a->a@1:null", "a->b@1:null", "a->c@1:null", "a->self@1:not-a-node"]);
  });

  test("an omission loses exactly the messages from -> to at that time, never to self", () => {
    const r = run(BCAST, {
      eot: 3,
      nodes: ["a", "b", "c"],
      failures: {
        omissions: [
          { from: "a", to: "b", time: 1 },
          { from: "a", to: "a", time: 1 },
        ],
        crashes: [],
      },
    });
    expect(rows(r, "log", 3)).toEqual([
      ["a", "m"],
      ["c", "m"],
    ]);
    expect(r.messages.find((m) => m.to === "b")!.lost).toBe("omission");
    expect(r.messages.find((m) => m.to === "a")!.lost).toBeNull();
  });

  test("a crashed node is mute to others from its crash time on, still computes and sends to itself", () => {
    const text = `
      tick("a", 0)@1; peer("a", "b")@1; tick("b", 0)@1;
      tick(N, T + 1)@next :- tick(N, T);
      peer(N, M)@next :- peer(N, M);
      ping(M, T)@async :- tick(N, T), peer(N, M);
      mine(N, T)@async :- tick(N, T);
      ping(N, T)@next :- ping(N, T);`;
    const r = run(text, { eot: 5, failures: { omissions: [], crashes: [{ node: "a", time: 3 }] } });
    // b heard pings sent at 1 and 2 (values 0 and 1); sends at 3 and 4 were muted.
    expect(rows(r, "ping", 5)).toEqual([
      ["b", 0],
      ["b", 1],
    ]);
    expect(rows(r, "tick", 5)).toEqual([
      ["a", 4],
      ["b", 4],
    ]); // a keeps computing
    expect(r.has("mine", ["a", 3], 5)).toBe(true); // and hears itself
    expect(r.messages.filter((m) => m.rel === "ping").map((m) => m.lost)).toEqual([null, null, "crash", "crash", "after-eot"]);
  });

  test("sends at EOT arrive too late", () => {
    const r = run(`p("a")@1; p(N)@next :- p(N); q(N)@async :- p(N);`, { eot: 2 });
    expect(r.messages.map((m) => [m.sendTime, m.lost])).toEqual([
      [1, null],
      [2, "after-eot"],
    ]);
  });

  test("crash(Observer, Crashed, CrashTime) is prophetic, at every node, and empty without crashes", () => {
    const text = `n("a")@1; n("b")@1; n(N)@next :- n(N); down(N, C, T) :- n(N), crash(N, C, T); ok(N) :- n(N), notin crash(N, N, _);`;
    const ff = run(text, { eot: 3 });
    expect(ff.facts("crash")).toEqual([]);
    expect(rows(ff, "ok", 1)).toEqual([["a"], ["b"]]);
    const cr = run(text, { eot: 3, failures: { omissions: [], crashes: [{ node: "b", time: 2 }] } });
    for (const t of [1, 2, 3]) {
      expect(rows(cr, "crash", t)).toEqual([
        ["a", "b", 2],
        ["b", "b", 2],
      ]);
      expect(rows(cr, "down", t)).toEqual([
        ["a", "b", 2],
        ["b", "b", 2],
      ]);
      expect(rows(cr, "ok", t)).toEqual([["a"]]);
    }
  });
});

describe("Molly compatibility details", () => {
  test("a variable used once, inside notin, is existential like _", () => {
    const r = run(`p("a")@1; p("b")@1; r("a", "x")@1; q(X) :- p(X), notin r(X, Y); q2(X) :- p(X), notin r(X, _);`, { eot: 1 });
    expect(rows(r, "q", 1)).toEqual([["b"]]);
    expect(rows(r, "q2", 1)).toEqual([["b"]]);
  });

  test("an @async rule whose site is '_' sends from the receiver itself, so it is never lost", () => {
    const r = run(
      `go("a", "b")@1; got(Y, X)@async :- go(_, X), go(_, Y);`,
      { eot: 2, nodes: ["a", "b"], failures: { omissions: [{ from: "a", to: "b", time: 1 }], crashes: [{ node: "a", time: 1 }] } },
      "warn",
    );
    expect(r.messages.map((m) => [m.from, m.to, m.lost])).toEqual([["b", "b", null]]);
    expect(rows(r, "got", 2)).toEqual([["b", "b"]]);
  });
});

describe("facts of relations nothing writes (one store shared by every run)", () => {
  // edge has facts and no rule; reach has facts and rules. A run reads the engine's own edge store.
  const text = `edge("a", "b")@1; edge("b", "c")@1; edge("c", "d")@1; edge("a", "b")@1;
    reach("a", "a")@1;
    reach(X, Y) :- edge(X, Y);
    reach(X, Z) :- reach(X, Y), edge(Y, Z);`;

  test("repeated runs, plain and recorded, see the same facts and count them once", () => {
    const program = prog(text, "warn");
    const first = runProgram(program, { eot: 1 });
    const recorded = runProgram(program, { eot: 1, provenance: true });
    const again = runProgram(program, { eot: 1 });
    const key = (f: Fact) => JSON.stringify([f.rel, f.time, f.args]);
    for (const r of [recorded, again]) expect(r.facts().map(key).sort()).toEqual(first.facts().map(key).sort());
    // 3 distinct edges + reach(a,a) + 6 reach pairs.
    expect([first, recorded, again].map((r) => r.stats.tuples)).toEqual([10, 10, 10]);
    expect(rows(again, "reach", 1)).toHaveLength(7);
    // The shared facts are still facts to provenance: one derivation each, the duplicate fact once.
    expect(why(recorded, { rel: "edge", args: ["a", "b"], time: 1 })).toEqual([
      { kind: "fact", fact: { rel: "edge", time: 1, args: ["a", "b"] } },
    ]);
  });

  test("they count against max tuples", () => {
    const program = prog(text, "warn");
    expect(() => runProgram(program, { eot: 1, limits: { maxTuples: 2 } })).toThrow(expect.objectContaining({ limit: "max-tuples" }));
    expect(runProgram(program, { eot: 1 }).stats.tuples).toBe(10);
  });

  test("a later timestep does not see them (facts hold at their own time)", () => {
    const program = prog(
      `${text}
 reach(X, Y)@next :- reach(X, Y);`,
      "warn",
    );
    const r = runProgram(program, { eot: 2 });
    expect(rows(r, "edge", 2)).toEqual([]);
    expect(rows(r, "reach", 2)).toHaveLength(7);
  });
});

describe("bounds", () => {
  test("max tuples is a typed error naming the bound", () => {
    const program = prog(`n("a", 0)@1; n(X, N + 1) :- n(X, N);`);
    try {
      runProgram(program, { eot: 1, limits: { maxTuples: 1000 } });
      throw new Error("expected a limit error");
    } catch (e) {
      expect(e).toBeInstanceOf(DedalusLimitError);
      expect((e as DedalusLimitError).limit).toBe("max-tuples");
      expect((e as Error).message).toContain("limits.maxTuples");
    }
  });

  test("wall time is a typed error naming the bound", () => {
    const program = prog(`n("a", 0)@1; n(X, N + 1) :- n(X, N);`);
    const started = Date.now();
    expect(() => runProgram(program, { eot: 1, limits: { wallMs: 50 } })).toThrow(expect.objectContaining({ limit: "wall-time" }));
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test("eot out of range; an invalid program is a DedalusError with every error", () => {
    expect(() => runProgram(prog('p("a")@1;'), { eot: -1 })).toThrow(expect.objectContaining({ limit: "eot" }));
    const bad = prog('p("a")@1; q(X, Y) :- p(X); r(X) :- p(X, X);');
    try {
      runProgram(bad, { eot: 1 });
      throw new Error("expected DedalusError");
    } catch (e) {
      expect(e).toBeInstanceOf(DedalusError);
      expect((e as DedalusError).diagnostics.map((d) => d.code).sort()).toEqual(["arity", "unsafe-variable"]);
    }
  });

  test("runs of one program are independent (state is not shared between runs)", () => {
    const program = prog(BCAST);
    const a = runProgram(program, {
      eot: 3,
      nodes: ["a", "b", "c"],
      failures: { omissions: [{ from: "a", to: "b", time: 1 }], crashes: [] },
    });
    const b = runProgram(program, { eot: 3, nodes: ["a", "b", "c"] });
    expect(a.has("log", ["b", "m"], 3)).toBe(false);
    expect(b.has("log", ["b", "m"], 3)).toBe(true);
    expect(a.has("log", ["b", "m"], 3)).toBe(false);
  });
});

test("transitive closure: recursion within a timestep", () => {
  const edges = [
    ["a", "b"],
    ["b", "c"],
    ["c", "d"],
    ["d", "b"],
  ];
  const text = edges.map(([x, y]) => `e("${x}", "${y}")@1;`).join("\n") + "\ntc(X, Y) :- e(X, Y); tc(X, Z) :- tc(X, Y), e(Y, Z);";
  const r = run(text, { eot: 1 }, "warn"); // classic Datalog: the first column is a vertex, not a node
  expect(rows(r, "tc", 1).map((x) => x.join(""))).toEqual(["ab", "ac", "ad", "bb", "bc", "bd", "cb", "cc", "cd", "db", "dc", "dd"]);
});
