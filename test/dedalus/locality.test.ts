/**
 * Locality (DESIGN.md section 5): only `@async` moves data between nodes. A non-local protocol rule
 * is an error by default and a warning with the same code under `locality: "warn"`
 * (--allow-nonlocal); invariant rules are exempt.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkProgram } from "../../lib/dedalus/check";
import { DedalusError } from "../../lib/dedalus/diagnostics";
import { loadProgram, parseProgram, parseSource } from "../../lib/dedalus/load";
import { checkLocality, invariantRelations } from "../../lib/dedalus/locality";
import { dedalusProgram } from "../../lib/dedalus/inlineProgram";
import { dedalusEngine } from "../../lib/ldfi/dedalusEngine";
import { dedalusTarget } from "../../lib/ldfi/dedalusTarget";
import { searchFaults } from "../../lib/ldfi/search";
import { loadExpected, PROTOCOLS } from "../ldfi/corpus";
import { runMaze } from "../cliCapture";

function found(text: string): { code: string; message: string; line: number | undefined; related: number }[] {
  const { program, diagnostics } = parseSource(text, "t.ded");
  expect(diagnostics).toEqual([]);
  return checkLocality(program).map((d) => ({ code: d.code, message: d.message, line: d.span?.line, related: d.related?.length ?? 0 }));
}

describe("the rule", () => {
  test("a join across locations names each remote atom", () => {
    expect(found(`p("a", "b")@1;\nq("b", 1)@1;\nr(X, V) :- p(X, Y), q(Y, V);\ns(X) :- r(X, _);\ns(X)@next :- s(X);`)).toEqual([
      {
        code: "non-local-join",
        message:
          "this rule runs at X (the first column of p) but reads q at Y; a node can only join what it stores: send it with @async first",
        line: 3,
        related: 1,
      },
    ]);
  });

  test("a deductive or @next head at another location is non-local; an @async head is a message", () => {
    const d = found(`p("a", "b")@1;\nq(Y, X) :- p(X, Y);\nq2(Y, X)@next :- p(X, Y);\nq3(Y, X)@async :- p(X, Y);`);
    expect(d.map((x) => [x.code, x.line])).toEqual([
      ["non-local-head", 2],
      ["non-local-head", 3],
    ]);
    expect(d[0]!.message).toBe(
      "this rule runs at X (the first column of p) but stores q at Y with a deductive head; only @async moves data between nodes: send it with @async first",
    );
    expect(d[1]!.message).toContain("stores q2 at Y with an @next head");
  });

  test("one error per rule, naming the remote atoms and the remote head together", () => {
    const d = found(`p("a", "b")@1;\nq("b", 1)@1;\nr(Y, V)@next :- p(X, Y), notin q(Y, V), q(Y, V);`);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: "non-local-join", related: 3 });
    expect(d[0]!.message).toBe(
      "this rule runs at X (the first column of p) but reads notin q at Y, q at Y and stores r at Y with an @next head; a node can only join what it stores: send it with @async first",
    );
  });

  test("same variable, same constant, equated by ==, or the crash built-in is local; a _ location is not", () => {
    expect(
      found(
        `p("a", "b")@1;\nq("a", 1)@1;\nr(X, V) :- p(X, Y), q(X, V);\nr2("a", V) :- p("a", _), q("a", V);\nr3(Z) :- p(X, _), q(Z, _), X == Z;\nk(X) :- r(X, _), r2(X, _), r3(X), notin crash(_, X, _);`,
      ),
    ).toEqual([]);
    expect(found(`p("a", "b")@1;\nq("a", 1)@1;\nr(X) :- p(X, _), notin q(_, 1);`).map((d) => d.code)).toEqual(["non-local-join"]);
    expect(found(`p("a", "b")@1;\nr(X) :- p(_, X);`).map((d) => d.message)).toEqual([
      "this rule runs at every node (the first column of p is _) but stores r at X with a deductive head; only @async moves data between nodes: send it with @async first",
    ]);
  });

  test("invariant rules (pre/post and their helpers) take a global view", () => {
    const text =
      `node("a", "b")@1;\nnode("b", "a")@1;\nlog("a", "m")@1;\nnode(N, M)@next :- node(N, M);\nlog(N, M)@next :- log(N, M);\nlog(M, P)@async :- log(N, P), node(N, M);\n` +
      `missing_log(A, P) :- log(X, P), node(X, A), notin log(A, P);\npre(X, P) :- log(X, P);\npost(X, P) :- log(X, P), notin missing_log(_, P);`;
    const { program } = parseSource(text, "t.ded");
    expect([...invariantRelations(program)].sort()).toEqual(["missing_log", "post", "pre"]);
    expect(checkLocality(program)).toEqual([]);
  });

  test("a relation only the assertion reads is protocol state when the protocol's file derives it", () => {
    // Structurally `delivered` looks like an assertion helper (only lacks/pre/post read it); it is
    // derived in the protocol's file, which states no invariant, so it is held to locality.
    const protocol = `include "delivery_setup.ded";\ngot(N, P) :- origin(N, P);\ngot(N, P)@next :- got(N, P);\ndelivered(M, P) :- got(N, P), link(N, M);\n`;
    const { program, diagnostics } = parseProgram([
      { file: path.join(PROTOCOLS, "sneaky.ded"), text: protocol },
      { file: path.join(PROTOCOLS, "delivery_assert.ded"), text: fs.readFileSync(path.join(PROTOCOLS, "delivery_assert.ded"), "utf8") },
    ]);
    expect(diagnostics).toEqual([]);
    expect(invariantRelations(program).has("delivered")).toBe(false);
    expect(invariantRelations(program).has("lacks")).toBe(true);
    expect(checkLocality(program).map((d) => [d.code, d.span?.line])).toEqual([["non-local-head", 4]]);
  });
});

describe("the switch", () => {
  const text = `p("a", "b")@1;\nq(Y, X)@next :- p(X, Y);\nq(X, Y)@next :- q(X, Y);`;

  test("errors by default everywhere a program is admitted: checker, compiler, dedalusProgram", () => {
    const { program } = parseSource(text, "s.ded");
    expect(checkProgram(program).diagnostics.map((d) => [d.code, d.severity])).toEqual([["non-local-head", "error"]]);
    expect(() => dedalusProgram(text, "s.ded")).toThrow(DedalusError);
    expect(() => dedalusProgram(text, "s.ded")).toThrow(/^s\.ded:2:1: error: this rule runs at X .*\[non-local-head\]/);
  });

  test('{ locality: "warn" } keeps the code as a warning and lets the program run', () => {
    const { program } = parseSource(text, "s.ded", { locality: "warn" });
    expect(checkProgram(program).diagnostics.map((d) => [d.code, d.severity])).toEqual([["non-local-head", "warning"]]);
    expect(dedalusProgram(text, "s.ded", { locality: "warn" }).locality).toBe("warn");
  });
});

describe("LDFI and the teleporting broadcast", () => {
  // The example: no message carries the payload, so no fault can lose it.
  const teleport = `include "delivery_setup.ded";\ndelivered(N, P) :- origin(N, P);\ndelivered(N, P)@next :- delivered(N, P);\ndelivered(M, P)@next :- origin(N, P), link(N, M);\n`;
  const files = (locality?: "warn") =>
    parseProgram(
      [
        { file: path.join(PROTOCOLS, "teleport.ded"), text: teleport },
        { file: path.join(PROTOCOLS, "delivery_assert.ded"), text: fs.readFileSync(path.join(PROTOCOLS, "delivery_assert.ded"), "utf8") },
      ],
      locality ? { locality } : {},
    ).program;

  test("strict: rejected with the located error", () => {
    const d = checkProgram(files()).diagnostics;
    expect(d.map((x) => [x.code, x.severity, x.span?.line, x.span?.col])).toEqual([["non-local-head", "error", 4, 1]]);
    expect(() => {
      const target = dedalusTarget(dedalusEngine, files(), { eot: 4 });
      searchFaults(target, { bounds: { eot: 4, eff: 3, crashes: 0, nodes: target.nodes } });
    }).toThrow(DedalusError);
  });

  test.each([
    [4, 3, 0],
    [4, 2, 1],
  ])("with the switch, certified at %i/%i/%i in one execution, as before", (eot, eff, crashes) => {
    const program = files("warn");
    const target = dedalusTarget(dedalusEngine, program, { eot });
    const r = searchFaults(target, { bounds: { eot, eff, crashes, nodes: target.nodes } });
    expect([r.verdict, r.executions]).toEqual(["certified", 1]);
  });
});

test("every corpus program and lesson program is local", () => {
  const groups = loadExpected().map((e) => e.files.map((f) => path.join(PROTOCOLS, f)));
  const lessons = path.join(PROTOCOLS, "lessons");
  for (const f of fs.readdirSync(lessons)) if (f.endsWith(".ded")) groups.push([path.join(lessons, f)]);
  const findings = groups.flatMap((g) => checkLocality(loadProgram(g).program).map((d) => `${d.span?.file}:${d.span?.line}: ${d.code}`));
  expect(findings).toEqual([]);
  expect(groups.length).toBeGreaterThan(20);
});

describe("--allow-nonlocal on run, check and ldfi", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "maze-locality-"));
    fs.writeFileSync(
      path.join(dir, "teleport.ded"),
      `include "${path.join(PROTOCOLS, "delivery_setup.ded")}";\ndelivered(N, P) :- origin(N, P);\ndelivered(N, P)@next :- delivered(N, P);\ndelivered(M, P)@next :- origin(N, P), link(N, M);\n`,
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cli = runMaze;
  const files = () => [path.join(dir, "teleport.ded"), path.join(PROTOCOLS, "delivery_assert.ded")];
  const located =
    /teleport\.ded:4:1: (error|warning): this rule runs at N \(the first column of origin\) but stores delivered at M with an @next head; only @async moves data between nodes: send it with @async first \[non-local-head\]\n4 \| delivered\(M, P\)@next :- origin\(N, P\), link\(N, M\);\n {2}\| \^+/;

  test.each(["run", "check", "ldfi"])("maze %s: a located error and exit 2 by default", async (command) => {
    const r = await cli([command, ...files(), "--eot", "4"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(located);
    expect(r.err).toContain("error:");
  });

  test("with the switch: a warning with the same code, and the program runs (ldfi certifies it, as Molly would)", async () => {
    const ldfi = await cli(["ldfi", ...files(), "--eot", "4", "--eff", "3", "--allow-nonlocal", "--json"]);
    expect(ldfi.code).toBe(0);
    expect(ldfi.err).toMatch(located);
    expect(ldfi.err).toContain("warning:");
    expect(JSON.parse(ldfi.out)).toMatchObject({ verdict: "certified", executions: 1 });
    const check = await cli(["check", ...files(), "--allow-nonlocal", "--json"]);
    expect(check.code).toBe(0);
    expect(JSON.parse(check.out).diagnostics.filter((d: { code: string }) => d.code.startsWith("non-local"))).toEqual([
      expect.objectContaining({ code: "non-local-head", severity: "warning", line: 4, col: 1 }),
    ]);
    const run = await cli(["run", ...files(), "--eot", "2", "--allow-nonlocal", "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out).facts).toContainEqual({ rel: "delivered", time: 2, args: ["b", "hello"] });
  });
});
