import * as path from "node:path";
import { parseSource, loadProgram } from "../../lib/dedalus/load";
import { analyzeCalm, classifyRule, formatCalm } from "../../lib/dedalus/calm";

function calm(text: string) {
  const { program, diagnostics } = parseSource(text, "t.ded");
  expect(diagnostics).toEqual([]);
  return analyzeCalm(program);
}

const golden = (f: string) => analyzeCalm(loadProgram([path.join(__dirname, "..", "..", "protocols", "golden", f)]).program);

describe("rule classification", () => {
  test("negation, aggregation and deletion are told apart; joins, @next and @async alone are monotone", () => {
    const a = calm(
      [
        `p("a", 1)@1;`,
        `q(X, V) :- p(X, V);`,
        `q(X, V)@next :- q(X, V);`,
        `m(Y, V)@async :- p(X, V), q(X, Y);`,
        `n(X) :- p(X, _), notin m(X, _);`,
        `c(X, count<V>) :- q(X, V);`,
        `q(X, V)@next :- q(X, V), notin d(X, V);`,
        `d(X, V) :- p(X, V), V > 3;`,
      ].join("\n"),
    );
    expect(a.rules.map((r) => [r.rule.head.rel, r.monotone, r.reasons.map((x) => x.kind)])).toEqual([
      ["q", true, []],
      ["q", true, []],
      ["m", true, []],
      ["n", false, ["negation"]],
      ["c", false, ["aggregation"]],
      ["q", false, ["deletion"]],
      ["d", true, []],
    ]);
    expect(a.monotone).toBe(false);
  });

  test("a notin in a @next rule that does not carry its own head is negation, not deletion", () => {
    const { program } = parseSource(`p("a")@1;\nr(X)@next :- p(X), notin s(X);\ns(X) :- p(X);`, "t.ded");
    expect(classifyRule(program.rules[0]!).reasons.map((r) => r.kind)).toEqual(["negation"]);
  });
});

describe("relation classification", () => {
  test("non-monotonicity flows downstream through positive reads; async-fed relations are marked", () => {
    const a = calm(`p("a", 1)@1;\nm(X, V)@async :- p(X, V);\nn(X) :- p(X, _), notin m(X, _);\no(X) :- n(X);\nu(X) :- p(X, _);`);
    const byRel = new Map(a.relations.map((r) => [r.rel, r]));
    expect(byRel.get("n")?.monotone).toBe(false);
    expect(byRel.get("o")?.monotone).toBe(false);
    expect(byRel.get("o")?.why).toMatch(/^built from n, which is not monotone/);
    expect(byRel.get("u")?.monotone).toBe(true);
    expect(byRel.get("p")?.why).toBe("input facts only");
    expect([...byRel.values()].filter((r) => r.asyncFed).map((r) => r.rel)).toEqual(["m", "n", "o"]);
  });
});

describe("coordination points", () => {
  test("non-monotone reasoning over local data needs no coordination", () => {
    const a = golden("aggregates.ded");
    expect(a.monotone).toBe(false);
    expect(a.points).toEqual([]);
    expect(formatCalm(a)).toMatch(/no coordination point/);
  });

  test("a monotone protocol has none and says so", () => {
    for (const f of ["gossip_set.ded", "broadcast.ded", "reach.ded"]) {
      const a = golden(f);
      expect(a.monotone).toBe(true);
      expect(a.points).toEqual([]);
      expect(formatCalm(a)).toMatch(/outcome does not depend on message delays/);
    }
  });

  test("deletion after async (put/delete race) is one point, located at the notin, with the async rule named", () => {
    const a = golden("put_delete_race.ded");
    expect(a.points.length).toBe(1);
    const p = a.points[0]!;
    expect([p.reason.kind, p.input, p.span.line, p.span.col]).toEqual(["deletion", "del", 13, 34]);
    expect(p.chain.map((h) => [h.rel, h.rule.head.time])).toEqual([["del", "async"]]);
    expect(p.explanation).toContain("put_delete_race.ded:13:1");
    expect(p.explanation).toContain("put_delete_race.ded:11:1: del(S, K)@async :- wdel(C, K), srv(C, S);");
    expect(p.explanation).toMatch(/depends on delivery order/);
  });

  test("2PC: the missing vote and the commit built on it are points; the chain goes through missing", () => {
    const a = golden("twopc.ded");
    expect(a.points.map((p) => [p.rule.head.rel, p.reason.kind, p.input, p.chain.map((h) => h.rel).join(">")])).toEqual([
      ["missing", "negation", "vote", "vote"],
      ["decide", "negation", "missing", "vote>missing"],
    ]);
    // `notin can` in the voting rule reads local state only: not a point.
    expect(a.rules.filter((r) => !r.monotone).length).toBe(3);
  });

  test("an aggregate over a relation fed by messages is a point (once per aggregate)", () => {
    const a = calm(
      `peer("a", "b")@1;\nv(M, N)@async :- peer(N, M);\nv(N, M)@next :- v(N, M);\nn(N, count<M>) :- v(N, M), peer(N, M);\nok(N) :- n(N, C), C >= 1;`,
    );
    expect(a.points.map((p) => [p.rule.head.rel, p.reason.kind, p.input])).toEqual([["n", "aggregation", "v"]]);
    expect(a.points[0]!.explanation).toMatch(/count<M> over v/);
  });

  test("the heartbeat failure detector is flagged: a late heartbeat looks like a dead peer", () => {
    const a = golden("heartbeat.ded");
    expect(a.points.map((p) => [p.rule.head.rel, p.input])).toEqual([["suspect", "hb"]]);
    expect(a.points[0]!.explanation).toMatch(/merely late looks exactly like one that will never come/);
  });
});
