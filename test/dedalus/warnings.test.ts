import { parseSource, loadProgram } from "../../lib/dedalus/load";
import { checkWarnings, invariantRelations } from "../../lib/dedalus/warnings";
import * as path from "node:path";

function warn(text: string): { code: string; message: string; line: number | undefined; related: number }[] {
  const { program, diagnostics } = parseSource(text, "t.ded");
  expect(diagnostics).toEqual([]);
  return checkWarnings(program).map((d) => ({ code: d.code, message: d.message, line: d.span?.line, related: d.related?.length ?? 0 }));
}

describe("never-derived / never-used", () => {
  test("a relation read but never produced is always empty", () => {
    const w = warn(`p("a", 1)@1;\nq(X, Y) :- p(X, Y), notin r(X, Y);\nout(X) :- q(X, _);\nz(X) :- out(X);`);
    expect(w.filter((d) => d.code === "never-derived")).toEqual([
      { code: "never-derived", message: "relation r is read but no fact or rule produces it, so it is always empty", line: 2, related: 0 },
    ]);
  });

  test("a produced relation nobody reads is reported once, at its first production", () => {
    const w = warn(`p("a", 1)@1;\np("b", 2)@1;\nq(X, Y) :- p(X, Y);\nq(X, Y)@next :- p(X, Y);`);
    expect(w).toEqual([{ code: "never-used", message: "relation q is produced but no rule reads it", line: 3, related: 0 }]);
  });

  test("pre, post and the crash built-in are exempt", () => {
    const w = warn(`log("a", 1)@1;\nlog(N, V)@next :- log(N, V);\npre(N, V) :- log(N, V), notin crash(N, N, _);\npost(N, V) :- log(N, V);`);
    expect(w).toEqual([]);
  });
});

describe("non-local joins", () => {
  test("a join across locations is a warning naming each remote atom", () => {
    const w = warn(`p("a", "b")@1;\nq("b", 1)@1;\nr(X, V) :- p(X, Y), q(Y, V);\ns(X) :- r(X, _);\ns(X)@next :- s(X);`);
    expect(w).toEqual([
      {
        code: "non-local-join",
        message:
          "rule for r runs at X (first column of p) but also reads q at Y; a node can only join what it stores — send the remote tuples with @async first",
        line: 3,
        related: 1,
      },
    ]);
  });

  test("same variable, same constant, or equated by == is local; a _ location is not", () => {
    const ok = warn(`p("a", "b")@1;\nq("a", 1)@1;\nr(X, V) :- p(X, Y), q(X, V);\nr2(V) :- p("a", _), q("a", V);\nr3(X) :- p(X, _), q(Z, _), X == Z;\nk(X) :- r(X, _), r2(X), r3(X);`);
    expect(ok.filter((d) => d.code === "non-local-join")).toEqual([]);
    const bad = warn(`p("a", "b")@1;\nq("a", 1)@1;\nr(X) :- p(X, _), notin q(_, 1);\nk(X) :- r(X);\nk(X)@next :- k(X);`);
    expect(bad.map((d) => d.code)).toEqual(["non-local-join"]);
  });

  test("invariant rules (pre/post and their helpers) take a global view without warnings", () => {
    const text = `node("a", "b")@1;\nnode("b", "a")@1;\nlog("a", "m")@1;\nnode(N, M)@next :- node(N, M);\nlog(N, M)@next :- log(N, M);\nlog(M, P)@async :- log(N, P), node(N, M);\n` +
      `missing_log(A, P) :- log(X, P), node(X, A), notin log(A, P);\npre(X, P) :- log(X, P);\npost(X, P) :- log(X, P), notin missing_log(_, P);`;
    const { program } = parseSource(text, "t.ded");
    expect([...invariantRelations(program)].sort()).toEqual(["missing_log", "post", "pre"]);
    expect(warn(text)).toEqual([]);
  });
});

test("golden programs: the only warnings are the intended ones", () => {
  const dir = path.join(__dirname, "..", "..", "protocols", "golden");
  const codes = (f: string): string[] => checkWarnings(loadProgram([path.join(dir, f)]).program).map((d) => `${d.code}:${d.message.split(" ")[1]}`);
  expect(codes("gossip_set.ded")).toEqual([]);
  expect(codes("broadcast.ded")).toEqual([]);
  expect(codes("put_delete_race.ded")).toEqual(["never-used:boot"]);
  expect(codes("heartbeat.ded")).toEqual(["never-used:suspect"]);
});
