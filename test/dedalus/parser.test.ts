/**
 * Parser unit tests: the dialect of DESIGN.md section 5, spans, and error goldens (message, location,
 * caret excerpt, recovery to report several errors).
 */
import { formatDiagnostic } from "../../lib/dedalus/diagnostics";
import { parseProgram, parseSource } from "../../lib/dedalus/load";
import type { BodyAtom, Comparison, Rule } from "../../lib/dedalus/ast";

function parseOk(text: string) {
  const r = parseSource(text, "t.ded");
  expect(r.diagnostics).toEqual([]);
  return r.program;
}

/** Every diagnostic of `text`, formatted as printed by the CLI. */
function errorsOf(text: string): string {
  const r = parseSource(text, "t.ded");
  return r.diagnostics.map((d) => formatDiagnostic(d, r.program.sources)).join("\n");
}

describe("parser: statements", () => {
  test("facts with @N, strings and integers", () => {
    const p = parseOk('node("a", "b")@1; count("a", 42)@3;');
    expect(p.facts.map((f) => [f.rel, f.args, f.time])).toEqual([
      ["node", ["a", "b"], 1],
      ["count", ["a", 42], 3],
    ]);
  });

  test("deductive, @next and @async rules", () => {
    const p = parseOk(`
      p(X, Y) :- q(X, Z), r(Z, Y);
      p(X)@next :- p(X), notin del(X);
      got(D, V)@async :- out(S, V), peer(S, D);`);
    expect(p.rules.map((r) => r.head.time)).toEqual(["same", "next", "async"]);
    expect(p.rules.map((r) => r.index)).toEqual([0, 1, 2]);
    const neg = p.rules[1]!.body[1] as BodyAtom;
    expect(neg.negated).toBe(true);
    expect(neg.rel).toBe("del");
    expect(p.rules[2]!.text).toBe("got(D, V)@async :- out(S, V), peer(S, D);");
  });

  test("wildcards, comparisons and arithmetic with precedence", () => {
    const p = parseOk('ok(X, N + 1 * 2)@next :- v(X, N, _), N >= 2, X != "z", N * 2 == (N + N);');
    const r = p.rules[0]!;
    expect(r.text).toBe('ok(X, N + 1 * 2)@next :- v(X, N, _), N >= 2, X != "z", N * 2 == N + N;');
    const headArg = r.head.args[1]!;
    expect(headArg.kind === "binary" && headArg.op).toBe("+");
    expect(headArg.kind === "binary" && headArg.right.kind === "binary" && headArg.right.op).toBe("*");
    expect((r.body[1] as Comparison).op).toBe(">=");
    expect((r.body[0] as BodyAtom).args[2]!.kind).toBe("wildcard");
  });

  test("aggregates in heads", () => {
    const p = parseOk("c(X, count<Y>) :- e(X, Y); s(X, sum<Y>, min<Y>, max<Y>, avg<Y>) :- e(X, Y);");
    expect(p.rules[0]!.head.args[1]).toMatchObject({ kind: "aggregate", fn: "count", variable: { name: "Y" } });
    expect(p.rules[1]!.head.args.slice(1).map((a) => a.kind === "aggregate" && a.fn)).toEqual(["sum", "min", "max", "avg"]);
  });

  test("body atoms with an absolute time", () => {
    const p = parseOk("pre(X) :- log(X), notin bcast(X)@1, crash(X, X, _);");
    expect((p.rules[0]!.body[1] as BodyAtom).time).toBe(1);
    expect((p.rules[0]!.body[0] as BodyAtom).time).toBeNull();
  });

  test("both comment styles, including // on the last line without a newline", () => {
    const p = parseOk('/* block\n comment */ a("x")@1; // trailing\nb("y")@2; /* inline */ c("z")@3; // end');
    expect(p.facts.map((f) => f.rel)).toEqual(["a", "b", "c"]);
  });

  test("spans: file, offsets, 1-based line and column", () => {
    const p = parseOk('\n\n  p("a")@1;\nq(X) :- p(X);');
    expect(p.facts[0]!.span).toMatchObject({ file: "t.ded", line: 3, col: 3, start: 4 });
    expect(p.rules[0]!.span).toMatchObject({ line: 4, col: 1 });
    const text = p.sources.get("t.ded")!;
    const r = p.rules[0]!;
    expect(text.slice(r.span.start, r.span.end)).toBe("q(X) :- p(X);");
  });

  test("include: relative to the including file, once, with in-memory sources", () => {
    const r = parseProgram([
      { file: "/v/main.ded", text: 'include "lib/a.ded"; include "lib/a.ded"; m("x")@1;' },
      { file: "/v/lib/a.ded", text: 'include "b.ded"; a("x")@1;' },
      { file: "/v/lib/b.ded", text: 'b("x")@1;' },
    ]);
    expect(r.diagnostics).toEqual([]);
    expect(r.program.facts.map((f) => f.rel).sort()).toEqual(["a", "b", "m"]);
    expect(r.program.files).toEqual(["/v/main.ded", "/v/lib/a.ded", "/v/lib/b.ded"]);
  });

  test("include falls back to the first input's directory", () => {
    const r = parseProgram([
      { file: "/v/main.ded", text: 'm("x")@1;' },
      { file: "/w/assert.ded", text: 'include "edb.ded";' },
      { file: "/v/edb.ded", text: 'e("x")@1;' },
    ]);
    expect(r.diagnostics).toEqual([]);
    expect(r.program.facts.map((f) => f.rel)).toEqual(["m", "e"]);
  });

  test("a missing include is a located error", () => {
    expect(errorsOf('include "nope.ded";')).toContain('t.ded:1:1: error: cannot read included file "nope.ded"');
  });
});

describe("parser: negative integer literals (accepted beyond DESIGN.md section 5, as Molly's programs use them)", () => {
  test('in facts: p("a", -3)@1', () => {
    const p = parseOk('p("a", -3)@1; p("a", -0)@2;');
    expect(p.facts.map((f) => f.args)).toEqual([
      ["a", -3],
      ["a", 0],
    ]);
    // -0 is read as 0 (Object.is tells them apart).
    expect(Object.is(p.facts[1]!.args[1], 0)).toBe(true);
    expect(p.facts[0]!.argSpans[1]).toMatchObject({ start: 7, end: 9, col: 8 });
  });

  test("in comparisons, body atom arguments and head arithmetic", () => {
    const p = parseOk("x(L, N) :- y(L, N), N > -1; z(L) :- y(L, -7); w(L, N * -2) :- y(L, N), -4 < N;");
    expect(p.rules.map((r) => r.text)).toEqual(["x(L, N) :- y(L, N), N > -1;", "z(L) :- y(L, -7);", "w(L, N * -2) :- y(L, N), -4 < N;"]);
    expect((p.rules[0]!.body[1] as Comparison).right).toMatchObject({ kind: "const", value: -1 });
    expect((p.rules[1]!.body[0] as BodyAtom).args[1]).toMatchObject({ kind: "const", value: -7 });
    expect(p.rules[2]!.head.args[1]).toMatchObject({ kind: "binary", op: "*", right: { kind: "const", value: -2 } });
    expect((p.rules[2]!.body[1] as Comparison).left).toMatchObject({ kind: "const", value: -4 });
  });

  test("after an operand '-' is subtraction: A-1, A -1 and A - 1 agree; A - -1 subtracts minus one", () => {
    const heads = ["A-1", "A -1", "A - 1", "A - -1", "A--1", "(-1)", "-1 - A"].map(
      (e) => parseOk(`h("l", ${e}) :- v("l", A);`).rules[0]!.head.args[1]!,
    );
    const sub = { kind: "binary", op: "-", left: { kind: "var", name: "A" }, right: { kind: "const", value: 1 } };
    expect(heads[0]).toMatchObject(sub);
    expect(heads[1]).toMatchObject(sub);
    expect(heads[2]).toMatchObject(sub);
    expect(heads[3]).toMatchObject({ kind: "binary", op: "-", left: { kind: "var", name: "A" }, right: { kind: "const", value: -1 } });
    expect(heads[4]).toMatchObject({ kind: "binary", op: "-", left: { kind: "var", name: "A" }, right: { kind: "const", value: -1 } });
    expect(heads[5]).toMatchObject({ kind: "const", value: -1 });
    expect(heads[6]).toMatchObject({ kind: "binary", op: "-", left: { kind: "const", value: -1 }, right: { kind: "var", name: "A" } });
  });

  test("formatted rules parse back to the same terms", () => {
    const p = parseOk('h("l", A - -1, -2 * A) :- v("l", A), A != -3;');
    const again = parseOk(p.rules[0]!.text);
    const strip = (x: unknown): unknown =>
      JSON.parse(JSON.stringify(x, (k, v: unknown) => (k === "span" || k === "relSpan" ? undefined : v)));
    expect(strip(again.rules[0]!.head)).toEqual(strip(p.rules[0]!.head));
    expect(strip(again.rules[0]!.body)).toEqual(strip(p.rules[0]!.body));
  });

  test("a '-' not touching digits is not a literal: a located error that says how to write one", () => {
    expect(errorsOf('p("a", - 3)@1;')).toBe(
      [
        "t.ded:1:8: error: expected a variable, '_', a string or an integer (a negative integer is written -N, the '-' touching the digits), found '-' [syntax]",
        '1 | p("a", - 3)@1;',
        "  |        ^",
      ].join("\n"),
    );
    expect(errorsOf("p(X) :- q(X), X > -Y;")).toContain("found '-' [syntax]");
    expect(errorsOf('p("a", 1)@-1;')).toContain("expected 'next', 'async' or a timestep number after '@', found '-'");
  });
});

describe("parser: error goldens", () => {
  test("a fact without @N", () => {
    expect(errorsOf('node("a", "b");')).toBe(
      ["t.ded:1:1: error: fact 'node' needs a timestep: write node(...)@1; [fact-without-time]", '1 | node("a", "b");', "  | ^^^^"].join(
        "\n",
      ),
    );
  });

  test("a missing comma: says what was expected and what was found", () => {
    expect(errorsOf("p(X) :- q(X) r(X);")).toBe(
      ["t.ded:1:14: error: expected ',' or ';' after a body item, found 'r' [syntax]", "1 | p(X) :- q(X) r(X);", "  |              ^"].join(
        "\n",
      ),
    );
  });

  test("head @N and body @next are errors", () => {
    const out = errorsOf("p(X)@2 :- q(X);\nr(X) :- q(X)@next;");
    expect(out).toBe(
      [
        "t.ded:1:5: error: a rule head cannot carry @2: use @next or @async (facts carry @N) [head-time]",
        "1 | p(X)@2 :- q(X);",
        "  |     ^^",
        "t.ded:2:13: error: a body atom cannot carry @next (only @N, an absolute timestep) [body-time]",
        "2 | r(X) :- q(X)@next;",
        "  |             ^^^^^",
      ].join("\n"),
    );
  });

  test("recovery: several errors in one file, each with its own line", () => {
    const r = parseSource('a("x")@1;\np(X :- q(X);\nb("y");\nc(X) :- d(X), ;\nok("z")@2;', "t.ded");
    expect(r.diagnostics.map((d) => [d.code, d.span?.line])).toEqual([
      ["syntax", 2],
      ["fact-without-time", 3],
      ["syntax", 4],
    ]);
    expect(r.program.facts.map((f) => f.rel)).toEqual(["a", "ok"]);
  });

  test("unterminated string and comment, stray characters", () => {
    expect(parseSource('p("abc)@1;', "t.ded").diagnostics.map((d) => d.code)).toContain("unterminated-string");
    expect(parseSource('p("a")@1; /* never closed', "t.ded").diagnostics.map((d) => d.code)).toEqual(["unterminated-comment"]);
    const stray = parseSource('p("a")@1; # q("b")@1;', "t.ded");
    expect(stray.diagnostics[0]).toMatchObject({ code: "bad-character", span: { line: 1, col: 11 } });
  });

  test("lower-case names as terms, upper-case relation names", () => {
    expect(errorsOf("p(x) :- q(x);")).toContain(
      "expected a variable (upper-case), '_', a string or an integer (lower-case names are relations), found 'x'",
    );
    expect(errorsOf("P(X) :- q(X);")).toContain("expected a relation name (relation names start with a lower-case letter)");
  });

  test("an unknown aggregate and a non-ground fact", () => {
    expect(errorsOf("p(X, median<Y>) :- q(X, Y);")).toContain(
      "expected an aggregate function (count, sum, min, max or avg), found 'median'",
    );
    expect(errorsOf("p(X)@1;")).toContain("a fact's arguments must be constants");
  });

  test("the parser never throws, whatever the text", () => {
    const junk = ["", ";;;;", "p(", ":-", "@@@", '"', "/*", "p(X) :- ", "notin p(X);", "p(X)@next;", "include;", "p(1 + )@1;", "count<X>"];
    for (const t of junk) {
      const r = parseSource(t, "t.ded");
      expect(Array.isArray(r.diagnostics)).toBe(true);
      if (t.trim() !== "" && t !== ";;;;") expect(r.diagnostics.length).toBeGreaterThan(0);
    }
  });
});

test("rules carry their index across files in load order", () => {
  const r = parseProgram([
    { file: "a.ded", text: "p(X) :- q(X);" },
    { file: "b.ded", text: "r(X) :- p(X); s(X) :- r(X);" },
  ]);
  expect(r.program.rules.map((x: Rule) => [x.span.file, x.index])).toEqual([
    ["a.ded", 0],
    ["b.ded", 1],
    ["b.ded", 2],
  ]);
});
