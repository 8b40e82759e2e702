/**
 * Provenance: why() lists every derivation; support() is the formula over cross-node messages that
 * LDFI reads — exact for monotone programs, conservative (Molly's negative support) under notin, and
 * always a well-founded DAG.
 */
import fc from "fast-check";
import type { LocalityMode } from "../../lib/dedalus/ast";
import { loadChecked } from "../../lib/dedalus/load";
import { edgeKey, holds, ProvenanceNotRecordedError, support, why, type SupportGraph } from "../../lib/dedalus/provenance";
import { runProgram, type RunOptions } from "../../lib/dedalus/runtime";

/** Parses a program; `"warn"` loads it as --allow-nonlocal does. */
function prog(text: string, locality: LocalityMode = "error") {
  const { program, errors } = loadChecked([{ file: "p.ded", text }], { locality });
  expect(errors).toEqual([]);
  return program;
}

function show(g: SupportGraph, i: number): string {
  const n = g.nodes[i]!;
  switch (n.kind) {
    case "true":
    case "false":
      return n.kind;
    case "edge":
      return `${n.edge.from}->${n.edge.to}@${n.edge.sendTime}`;
    case "alive":
      return `alive(${n.node})`;
    default:
      return `${n.kind}(${n.of.map((j) => show(g, j)).join(", ")})`;
  }
}

function assertAcyclic(g: SupportGraph): void {
  const state = new Uint8Array(g.nodes.length);
  const visit = (i: number): void => {
    if (state[i] === 2) return;
    expect(state[i]).not.toBe(1);
    state[i] = 1;
    const n = g.nodes[i]!;
    if (n.kind === "and" || n.kind === "or") n.of.forEach(visit);
    state[i] = 2;
  };
  g.roots.forEach(visit);
}

const BCAST = `
  node("a", "b")@1; node("a", "c")@1;
  bcast("a", "m")@1;
  node(N, M)@next :- node(N, M);
  bcast(N, P)@next :- bcast(N, P);
  log(M, P)@async :- bcast(N, P), node(N, M);
  log(N, P) :- bcast(N, P);
  log(N, P)@next :- log(N, P);
`;

describe("why", () => {
  test("EDB facts, rule firings, persistence, messages and negated premises", () => {
    const r = runProgram(
      prog(`
        p("a", "x")@1; q("a", "x")@1; blocked("a", "y")@1;
        both(N, V) :- p(N, V); both(N, V) :- q(N, V);
        keep(N, V)@next :- both(N, V), notin blocked(N, V);
        out(M, V)@async :- keep(N, V), peer(N, M); peer("a", "b")@2;`),
      { eot: 3, provenance: true, nodes: ["a", "b"] },
    );
    expect(why(r, { rel: "p", args: ["a", "x"], time: 1 })).toEqual([{ kind: "fact", fact: { rel: "p", time: 1, args: ["a", "x"] } }]);
    const both = why(r, { rel: "both", args: ["a", "x"], time: 1 });
    expect(both.map((d) => d.kind === "rule" && d.rule.text)).toEqual(["both(N, V) :- p(N, V);", "both(N, V) :- q(N, V);"]);
    const keep = why(r, { rel: "keep", args: ["a", "x"], time: 2 });
    expect(keep).toHaveLength(1);
    expect(keep[0]).toMatchObject({
      kind: "rule",
      premises: [{ rel: "both", time: 1, args: ["a", "x"] }],
      negated: [{ rel: "blocked", time: 1, args: ["a", "x"] }],
    });
    const out = why(r, { rel: "out", args: ["b", "x"], time: 3 });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      kind: "message",
      message: { from: "a", to: "b", sendTime: 2 },
      premises: [
        { rel: "keep", time: 2 },
        { rel: "peer", time: 2 },
      ],
    });
    expect(why(r, { rel: "out", args: ["b", "nope"], time: 3 })).toEqual([]);
  });

  test("asking a run recorded without provenance is a typed error", () => {
    const r = runProgram(prog(BCAST), { eot: 2 });
    expect(() => why(r, { rel: "log", args: ["b", "m"], time: 2 })).toThrow(ProvenanceNotRecordedError);
    expect(() => support(r, [])).toThrow(ProvenanceNotRecordedError);
  });
});

describe("support", () => {
  test("a retrying broadcast: one alternative per send time", () => {
    const r = runProgram(prog(BCAST), { eot: 4, provenance: true, nodes: ["a", "b", "c"] });
    const g = support(r, [
      { rel: "log", args: ["b", "m"], time: 4 },
      { rel: "log", args: ["a", "m"], time: 4 },
      { rel: "log", args: ["c", "m"], time: 1 },
    ]);
    expect(show(g, g.roots[0]!)).toBe("or(a->b@1, a->b@2, a->b@3)");
    expect(show(g, g.roots[1]!)).toBe("true");
    expect(show(g, g.roots[2]!)).toBe("false"); // not derived at all
    assertAcyclic(g);
  });

  test("a re-delivery through a deductive rule counts although the tuple was already persisted", () => {
    // log(b)@3 is first carried over from time 2, then re-derived from the message that arrived at 3:
    // data cannot depend on log within a step, so that later derivation is a real alternative.
    const text = BCAST.replace("log(M, P)@async :-", "data(M, P)@async :-") + "log(M, P) :- data(M, P);";
    const r = runProgram(prog(text), { eot: 4, provenance: true, nodes: ["a", "b", "c"] });
    const g = support(r, [{ rel: "log", args: ["b", "m"], time: 4 }]);
    expect(show(g, g.roots[0]!)).toBe("or(a->b@1, a->b@2, a->b@3)");
    assertAcyclic(g);
  });

  test("notin crash(_, N, _) holds while N stays alive, with or without negative support", () => {
    const r = runProgram(prog(BCAST + `ok(N, P) :- log(N, P), notin crash(N, N, _); any(N, P) :- log(N, P), notin crash(N, _, _);`), {
      eot: 3,
      provenance: true,
      nodes: ["a", "b", "c"],
    });
    for (const negativeSupport of [true, false]) {
      const g = support(
        r,
        [
          { rel: "ok", args: ["b", "m"], time: 3 },
          { rel: "any", args: ["b", "m"], time: 3 },
        ],
        { negativeSupport },
      );
      expect(show(g, g.roots[0]!)).toBe("and(or(a->b@1, a->b@2), alive(b))");
      expect(show(g, g.roots[1]!)).toBe("and(or(a->b@1, a->b@2), alive(b), alive(a), alive(c))"); // shared nodes keep creation order
      expect(holds(g, g.roots[0]!, new Set(), new Set(["c"]))).toBe(true);
      expect(holds(g, g.roots[0]!, new Set(), new Set(["b"]))).toBe(false);
      expect(holds(g, g.roots[1]!, new Set(), new Set(["c"]))).toBe(false);
    }
  });

  test("a count read only as a lower bound is a quorum: any two of three votes keep it", () => {
    const program = prog(`
        voter("b")@1; voter("c")@1; voter("d")@1;
        vote("a", V)@async :- voter(V);
        tally(N, count<V>) :- vote(N, V);
        decided(N) :- tally(N, C), C >= 2;
        exact(N) :- tally(N, 3);`);
    const r = runProgram(program, { eot: 3, provenance: true, nodes: ["a", "b", "c", "d"] });
    const g = support(r, [
      { rel: "decided", args: ["a"], time: 2 },
      { rel: "exact", args: ["a"], time: 2 },
    ]);
    const lose = (...from: string[]) => new Set(from.map((f) => edgeKey({ from: f, to: "a", sendTime: 1 })));
    expect(holds(g, g.roots[0]!, lose("b"))).toBe(true);
    expect(holds(g, g.roots[0]!, lose("d"))).toBe(true);
    expect(holds(g, g.roots[0]!, lose("b", "c"))).toBe(false);
    // the same tally read as an exact value needs every vote
    expect(holds(g, g.roots[1]!, lose("b"))).toBe(false);
    for (const lost of [[], ["b"], ["b", "c"]]) {
      const faulty = runProgram(program, {
        eot: 3,
        nodes: ["a", "b", "c", "d"],
        failures: { omissions: lost.map((f) => ({ from: f, to: "a", time: 1 })), crashes: [] },
      });
      expect(faulty.has("decided", ["a"], 2)).toBe(holds(g, g.roots[0]!, lose(...lost)));
    }
  });

  test("a max survives the loss of smaller inputs", () => {
    const program = prog(`
        voter("b", 1)@1; voter("c", 5)@1; voter("d", 3)@1;
        bid("a", X)@async :- voter(V, X);
        best(N, max<X>) :- bid(N, X);`);
    const r = runProgram(program, { eot: 3, provenance: true, nodes: ["a", "b", "c", "d"] });
    const g = support(r, [{ rel: "best", args: ["a", 5], time: 2 }]);
    const lose = (...from: string[]) => new Set(from.map((f) => edgeKey({ from: f, to: "a", sendTime: 1 })));
    expect(holds(g, g.roots[0]!, lose("b", "d"))).toBe(true);
    expect(holds(g, g.roots[0]!, lose("c"))).toBe(false);
  });

  test("shared sub-formulas appear once", () => {
    const r = runProgram(prog(BCAST + `both(N, P) :- log(N, P), log(N, P);`), { eot: 3, provenance: true, nodes: ["a", "b", "c"] });
    const g = support(r, [
      { rel: "log", args: ["b", "m"], time: 3 },
      { rel: "both", args: ["b", "m"], time: 3 },
    ]);
    expect(g.roots[0]).toBe(g.roots[1]);
    const keys = g.nodes.map((n) => JSON.stringify(n));
    expect(new Set(keys).size).toBe(keys.length);
  });

  test("negative support (Molly): a notin premise breaks when a message upstream of it breaks", () => {
    const r = runProgram(
      prog(`
        node("a", "b")@1; node("a", "c")@1; node("b", "a")@1; node("c", "a")@1; bcast("a", "m")@1;
        node(N, M)@next :- node(N, M);
        log(N, P)@next :- log(N, P);
        log(M, P)@async :- bcast(N, P), node(N, M);
        log(N, P) :- bcast(N, P);
        missing(A, P) :- log(X, P), node(X, A), notin log(A, P);
        post(X, P) :- log(X, P), notin missing(_, P);`),
      { eot: 4, provenance: true },
    );
    const g = support(r, [{ rel: "post", args: ["a", "m"], time: 4 }]);
    // post(a) itself needs no message, but missing's causes include the logs delivered to b and c.
    expect(show(g, g.roots[0]!)).toBe("and(a->b@1, a->c@1)");
    expect(holds(g, g.roots[0]!, new Set([edgeKey({ from: "a", to: "b", sendTime: 1 })]))).toBe(false);
    expect(holds(g, g.roots[0]!, new Set([edgeKey({ from: "b", to: "a", sendTime: 1 })]))).toBe(true);
    // the positive lineage alone: post(a) rests on no message
    const positive = support(r, [{ rel: "post", args: ["a", "m"], time: 4 }], { negativeSupport: false });
    expect(show(positive, positive.roots[0]!)).toBe("true");
  });

  test("cyclic same-time derivations are recorded but support stays well-founded", () => {
    const r = runProgram(
      prog(`
        src("b", "a")@1; r(A, B)@async :- src(B, A);
        q(X, Y) :- r(X, Y); s(X, Y) :- q(X, Y); q(X, Y) :- s(X, Y);`),
      { eot: 3, provenance: true, nodes: ["a", "b"] },
    );
    const q = { rel: "q", args: ["a", "b"], time: 2 };
    expect(why(r, q).map((d) => d.kind === "rule" && d.rule.text)).toEqual(["q(X, Y) :- r(X, Y);", "q(X, Y) :- s(X, Y);"]);
    const g = support(r, [q, { rel: "s", args: ["a", "b"], time: 2 }]);
    expect(show(g, g.roots[0]!)).toBe("b->a@1");
    expect(show(g, g.roots[1]!)).toBe("b->a@1");
    assertAcyclic(g);
  });

  test("deep derivation chains do not exhaust the stack", () => {
    const n = 5000;
    let text = `seed("z", "n0")@1; start(X)@async :- seed(_, X); reach(X) :- start(X); reach(Y) :- reach(X), e(X, Y);\n`;
    for (let i = 0; i + 1 < n; i++) text += `e("n${i}", "n${i + 1}")@2;\n`;
    // A chain of vertices as locations: classic Datalog, loaded as --allow-nonlocal.
    const r = runProgram(prog(text, "warn"), { eot: 2, provenance: true });
    const g = support(r, [{ rel: "reach", args: [`n${n - 1}`], time: 2 }]);
    // '_' site: the message goes from the receiver to itself, so the goal needs no cross-node edge.
    expect(show(g, g.roots[0]!)).toBe("true");
    const r2 = runProgram(prog(text.replace("seed(_, X)", "seed(S, X)"), "warn"), { eot: 2, provenance: true });
    const g2 = support(r2, [{ rel: "reach", args: [`n${n - 1}`], time: 2 }]);
    expect(show(g2, g2.roots[0]!)).toBe("z->n0@1");
  });

  test("messages to self and sends at EOT are never edges", () => {
    const r = runProgram(prog(`p("a")@1; p(N)@next :- p(N); me(N)@async :- p(N); me(N)@next :- me(N);`), { eot: 3, provenance: true });
    const g = support(r, [{ rel: "me", args: ["a"], time: 3 }]);
    expect(show(g, g.roots[0]!)).toBe("true");
    expect(g.nodes.some((n) => n.kind === "edge")).toBe(false);
  });

  test("for monotone programs the formula is exact: it holds iff the goal survives the omissions", () => {
    // A flooding protocol over a random graph: every node forwards what it has to its neighbours each step.
    const nodes = ["a", "b", "c", "d"];
    const arb = fc.record({
      links: fc.uniqueArray(
        fc.tuple(fc.constantFrom(...nodes), fc.constantFrom(...nodes)).filter(([x, y]) => x !== y),
        { minLength: 1, maxLength: 8, selector: (l) => l.join() },
      ),
      omissions: fc.uniqueArray(
        fc.record({ from: fc.constantFrom(...nodes), to: fc.constantFrom(...nodes), time: fc.integer({ min: 1, max: 3 }) }),
        { maxLength: 6, selector: (o) => `${o.from}${o.to}${o.time}` },
      ),
      crash: fc.option(fc.record({ node: fc.constantFrom("b", "c", "d"), time: fc.integer({ min: 1, max: 4 }) }), { nil: null }),
    });
    fc.assert(
      fc.property(arb, ({ links, omissions, crash }) => {
        const text =
          links.map(([x, y]) => `link("${x}", "${y}")@1;`).join(" ") +
          nodes.map((n) => ` here("${n}")@1;`).join("") +
          ` has("a", "v")@1; link(X, Y)@next :- link(X, Y); here(X)@next :- here(X);
            has(X, V)@next :- has(X, V); has(Y, V)@async :- has(X, V), link(X, Y);
            got(X, V) :- has(X, V), here(X);`;
        const program = prog(text);
        const eot = 4;
        const ff = runProgram(program, { eot, provenance: true });
        const goals = ff.facts("got", eot);
        const g = support(ff, goals);
        assertAcyclic(g);
        const options: RunOptions = { eot, failures: { omissions: omissions, crashes: crash ? [crash] : [] } };
        const faulty = runProgram(program, options);
        // Edges broken by this fault spec: omissions (not to self), and every send of the crashed node from its crash time.
        const broken = new Set(omissions.filter((o) => o.from !== o.to).map((o) => edgeKey({ from: o.from, to: o.to, sendTime: o.time })));
        if (crash)
          for (const n of nodes)
            for (let t = crash.time; t < eot; t++) if (n !== crash.node) broken.add(edgeKey({ from: crash.node, to: n, sendTime: t }));
        goals.forEach((goal, i) => {
          expect(holds(g, g.roots[i]!, broken)).toBe(faulty.has(goal.rel, goal.args, goal.time));
        });
      }),
      { numRuns: 120 },
    );
  });
});
