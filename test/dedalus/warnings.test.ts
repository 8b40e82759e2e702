import { parseSource, loadProgram } from "../../lib/dedalus/load";
import { checkWarnings } from "../../lib/dedalus/warnings";
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

test("golden programs: the only warnings are the intended ones", () => {
  const dir = path.join(__dirname, "..", "..", "protocols", "golden");
  const codes = (f: string): string[] =>
    checkWarnings(loadProgram([path.join(dir, f)]).program).map((d) => `${d.code}:${d.message.split(" ")[1]}`);
  expect(codes("gossip_set.ded")).toEqual([]);
  expect(codes("broadcast.ded")).toEqual([]);
  expect(codes("put_delete_race.ded")).toEqual(["never-used:boot"]);
  expect(codes("heartbeat.ded")).toEqual(["never-used:suspect"]);
});
