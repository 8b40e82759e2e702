/** The checker's hard errors: each is located and names what is wrong. */
import { checkProgram } from "../../lib/dedalus/check";
import { diagnosticCodeTable, formatDiagnostic } from "../../lib/dedalus/diagnostics";
import { parseSource } from "../../lib/dedalus/load";

function check(text: string) {
  const { program, diagnostics } = parseSource(text, "c.ded");
  expect(diagnostics).toEqual([]);
  const r = checkProgram(program);
  return { ...r, printed: r.diagnostics.map((d) => formatDiagnostic(d, program.sources)).join("\n") };
}

const codes = (text: string): string[] => check(text).diagnostics.map((d) => d.code);

describe("checker", () => {
  test("a well-formed protocol has no errors and its strata follow dependencies", () => {
    const r = check(`
      node("a", "b")@1;
      log(N, P) :- bcast(N, P);
      log(B, P)@async :- bcast(A, P), node(A, B);
      log(N, P)@next :- log(N, P);
      missing(A, P) :- log(X, P), node(X, A), notin log(A, P);
      pre(N, P) :- log(N, P);
      post(N, P) :- log(N, P), notin missing(_, P);
      bcast("a", "x")@1;`);
    expect(r.diagnostics).toEqual([]);
    const order = r.info.strata.map((s) => s.relations.join(","));
    expect(order.indexOf("log")).toBeLessThan(order.indexOf("missing"));
    expect(r.info.relations.get("log")!.types).toEqual(["string", "string"]);
  });

  test("arity mismatch names both places", () => {
    const r = check('p("a", "b")@1; q(X) :- p(X);');
    expect(r.printed).toContain("c.ded:1:24: error: relation 'p' is used with 1 column here but 2 at c.ded:1:1 [arity]");
  });

  test("column types, through variables, and the location column", () => {
    expect(check('p("a", 1)@1; p("b", "x")@1;').printed).toContain("column 2 of 'p' holds strings here but integers at c.ded:1:8");
    expect(codes('p("a", 1)@1; q(X, Y) :- p(X, Y); q("a", "s")@2;')).toContain("column-type");
    expect(check("p(1, 2)@1;").printed).toContain("the first column of 'p' is its location and must hold strings");
    expect(codes('p("a", 1)@1; q(X, Y + 1) :- p(X, Y);')).toEqual([]);
    expect(codes('p("a", "s")@1; q(X, Y + 1) :- p(X, Y);')).toContain("column-type");
  });

  test("safety: head, negated and compared variables must be bound", () => {
    expect(check('p("a")@1; q(X, Y) :- p(X);').printed).toContain(
      "variable Y in the head of 'q' is not bound by a positive body atom [unsafe-variable]",
    );
    expect(codes('p("a")@1; r("a", "b")@1; q(X) :- p(X), notin r(X, Y), Y != X;')).toEqual(["unsafe-variable", "unsafe-variable"]);
    expect(codes('p("a", 1)@1; q(X) :- p(X, _), Z > 1;')).toEqual(["unsafe-variable"]);
    // A variable used once, inside notin, is existential (Molly/C4 behaviour).
    expect(codes('p("a")@1; r("a", "b")@1; q(X) :- p(X), notin r(X, Y);')).toEqual([]);
    expect(codes('p("a")@1; q(X, _) :- p(X);')).toContain("head-wildcard");
  });

  test("negation inside a same-timestep cycle names the cycle and its rules", () => {
    const r = check('e("a")@1; p(X) :- e(X), notin q(X); q(X) :- p(X);');
    expect(r.diagnostics.map((d) => d.code)).toEqual(["unstratifiable"]);
    const d = r.diagnostics[0]!;
    expect(d.message).toBe(
      "negation inside a same-timestep cycle: q -/-> p -> q (break the cycle with @next, or move the negation out of it)",
    );
    expect(d.related!.map((x) => x.message)).toEqual(["q -/-> p: p(X) :- e(X), notin q(X);", "p -> q: q(X) :- p(X);"]);
    expect(r.printed).toContain("c.ded:1:11: note: q -/-> p");
  });

  test("negation and aggregation through @next/@async are fine; aggregation in a cycle is not", () => {
    expect(codes('e("a")@1; p(X)@next :- e(X), notin q(X); q(X) :- p(X);')).toEqual([]);
    expect(codes('e("a", 1)@1; c(X, count<Y>) :- e(X, Y); e(X, N) :- c(X, N);')).toEqual(["unstratifiable"]);
    expect(codes('e("a", 1)@1; c(X, count<Y>) :- e(X, Y); e(X, N)@next :- c(X, N);')).toEqual([]);
  });

  test("reserved names and the read-only crash built-in", () => {
    expect(codes('clock("a")@1;')).toContain("reserved-name");
    expect(codes('p_vars("a")@1;')).toContain("reserved-name");
    expect(codes('p_prov3("a")@1;')).toContain("reserved-name");
    expect(codes('p("a")@1; crash(X, X, 1) :- p(X);')).toContain("crash-derived");
    expect(codes('p("a")@1; q(X) :- p(X), crash(X, X);')).toContain("arity");
    expect(codes('p("a")@1; q(X, T) :- p(X), crash(X, X, T), T > 1;')).toEqual([]);
  });

  test("arithmetic inside a body atom is reported, not silently dropped", () => {
    expect(codes('p("a", 1)@1; q(X) :- p(X, 1 + 1);')).toContain("body-arithmetic");
  });
});

test("README's table of error codes is the registry's", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require("node:fs") as typeof import("node:fs");
  const readme = fs.readFileSync(require.resolve("../../lib/dedalus/README.md"), "utf8");
  const between = readme.split("<!-- codes:start -->\n")[1]!.split("\n<!-- codes:end -->")[0];
  expect(between).toBe(diagnosticCodeTable());
});
