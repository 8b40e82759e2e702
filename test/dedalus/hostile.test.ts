/**
 * Issue 12: hostile and oversized inputs to the Dedalus front end, evaluator and `maze run` end in a
 * located error or a named bound — one regression test per case, with the exact message.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatRunTables } from "../../lib/cli/run";
import { DIAGNOSTIC_CODES, formatDiagnostic } from "../../lib/dedalus/diagnostics";
import { DedalusLimitError, DedalusRuntimeError, MAX_EXACT_INTEGER } from "../../lib/dedalus/limits";
import { loadProgram, MAX_PROGRAM_BYTES, parseSource } from "../../lib/dedalus/load";
import { runNaive } from "../../lib/dedalus/naive";
import { MAX_EXPRESSION_DEPTH } from "../../lib/dedalus/parser";
import { runProgram } from "../../lib/dedalus/runtime";
import { runMaze } from "../cliCapture";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "maze-hostile-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cli = runMaze;

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const TOO_DEEP = `expression nested too deeply: more than ${MAX_EXPRESSION_DEPTH} levels of parentheses or operators`;

describe("expression nesting is bounded", () => {
  test("parentheses 3000 deep are a located nested-too-deeply error, not a stack overflow", () => {
    const text = `p("a", X) :- q("a", Y), X == ${"(".repeat(3000)}Y${")".repeat(3000)};`;
    const { diagnostics } = parseSource(text, "deep.ded");
    expect(diagnostics).toHaveLength(1);
    const d = diagnostics[0]!;
    expect(d.code).toBe("nested-too-deeply");
    expect(d.message).toBe(TOO_DEEP);
    // the 1001st parenthesis is where it went too deep
    expect(d.span).toMatchObject({ line: 1, col: 30 + MAX_EXPRESSION_DEPTH });
    expect("nested-too-deeply" in DIAGNOSTIC_CODES).toBe(true);
  });

  test("an operator chain past the bound is the same error, at the operator", () => {
    const { diagnostics } = parseSource(`p("a", Y${" + 1".repeat(5000)}) :- q("a", Y);`, "chain.ded");
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([["nested-too-deeply", TOO_DEEP]]);
  });

  test("1000 levels still parse and run", () => {
    const { program, diagnostics } = parseSource(`q("a", 1)@1;\np("a", ${"(".repeat(999)}Y${" + 0)".repeat(999)}) :- q("a", Y);`);
    expect(diagnostics).toEqual([]);
    expect(runProgram(program, { eot: 1 }).has("p", ["a", 1], 1)).toBe(true);
  });

  test("maze run on such a program exits 2 with the located message", async () => {
    const file = write("deep.ded", `p("a", 1)@1;\nq(N, ${"(".repeat(3000)}1${")".repeat(3000)}) :- p(N, _);\n`);
    const r = await cli(["run", file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:2:${6 + MAX_EXPRESSION_DEPTH}: error: ${TOO_DEEP} [nested-too-deeply]`);
  });
});

describe("input size is bounded", () => {
  const tooLarge = (what: string): string =>
    `${what} is too large: a program's files and includes may hold at most ${MAX_PROGRAM_BYTES} bytes (8 MiB) together`;

  test("maze run /dev/zero stops at the bound with exit 2", async () => {
    const t0 = performance.now();
    const r = await cli(["run", "/dev/zero"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: ${tooLarge('input file "/dev/zero"')} [input-too-large]\n`);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  test("an include of /dev/zero is located at the include", () => {
    const file = write("inc.ded", `include "/dev/zero";\np("a")@1;\n`);
    const { diagnostics, program } = loadProgram([file]);
    expect(diagnostics.map((d) => formatDiagnostic(d, program.sources))).toEqual([
      `${file}:1:1: error: ${tooLarge('included file "/dev/zero"')} [input-too-large]\n1 | include "/dev/zero";\n  | ^^^^^^^^^^^^^^^^^^^^`,
    ]);
  });

  test("a regular file past the bound is refused from its size, and inputs together count", () => {
    const big = write("big.ded", " ".repeat(MAX_PROGRAM_BYTES + 1));
    expect(loadProgram([big]).diagnostics.map((d) => d.message)).toEqual([tooLarge(`input file "${big}"`)]);
    const half = write("half.ded", `${" ".repeat(MAX_PROGRAM_BYTES / 2)}p("a")@1;`);
    const half2 = write("half2.ded", `${" ".repeat(MAX_PROGRAM_BYTES / 2)}q("a")@1;`);
    expect(loadProgram([half, half2]).diagnostics.map((d) => d.code)).toEqual(["input-too-large"]);
    // the same file twice is loaded, and counted, once
    expect(loadProgram([half, half]).diagnostics).toEqual([]);
  });

  test("in-memory sources past the bound are refused too", () => {
    const { diagnostics } = parseSource(" ".repeat(MAX_PROGRAM_BYTES + 1), "mem.ded");
    expect(diagnostics.map((d) => d.message)).toEqual([tooLarge('input "mem.ded"')]);
  });

  test("a megabyte of stray characters gives at most 50 short diagnostics", () => {
    const { diagnostics } = parseSource("$ ".repeat(500_000), "junk.ded");
    expect(diagnostics.length).toBeLessThanOrEqual(50);
    const long = parseSource("$".repeat(100_000), "run.ded").diagnostics;
    expect(long.map((d) => d.message)).toEqual(["unexpected character '$$$$$$$$$$$$$$$$$$$$...'"]);
  });
});

describe("integer arithmetic past 2^53 - 1 is a located error naming the rule", () => {
  const src = `cnt("a", 3)@1;\ncnt(N, X * X)@next :- cnt(N, X);\n`;
  const message =
    "sq.ded:2:8: integer overflow: 1853020188851841 * 1853020188851841 is past 2^53 - 1 = 9007199254740991, the largest integer computed exactly, in rule cnt(N, X * X)@next :- cnt(N, X);";

  test("the runtime stops at the first value past the bound", () => {
    const { program } = parseSource(src, "sq.ded");
    expect(runProgram(program, { eot: 6 }).has("cnt", ["a", 1853020188851841], 6)).toBe(true);
    let err: unknown;
    try {
      runProgram(program, { eot: 8 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DedalusRuntimeError);
    expect((err as DedalusRuntimeError).message).toBe(message);
    expect((err as DedalusRuntimeError).span).toMatchObject({ file: "sq.ded", line: 2, col: 8 });
  });

  test("the naive oracle raises the same error", () => {
    const { program } = parseSource(src, "sq.ded");
    expect(() => runNaive(program, { eot: 8 })).toThrow(message);
  });

  test("addition, subtraction and comparisons are checked; exact values at the bound are fine", () => {
    const { program } = parseSource(
      `v("a", ${MAX_EXACT_INTEGER})@1;\nw(N, X - 1) :- v(N, X);\nu(N, X) :- v(N, X), X + 1 > X;\n`,
      "add.ded",
    );
    expect(() => runProgram(program, { eot: 1 })).toThrow(
      `add.ded:3:21: integer overflow: ${MAX_EXACT_INTEGER} + 1 is past 2^53 - 1 = ${MAX_EXACT_INTEGER}, the largest integer computed exactly, in rule u(N, X) :- v(N, X), X + 1 > X;`,
    );
    const ok = parseSource(`v("a", ${MAX_EXACT_INTEGER})@1;\nw(N, X - 1) :- v(N, X);\nm(N, 0 - X) :- v(N, X);\n`, "ok.ded").program;
    const run = runProgram(ok, { eot: 1 });
    expect(run.has("w", ["a", MAX_EXACT_INTEGER - 1], 1)).toBe(true);
    expect(run.has("m", ["a", -MAX_EXACT_INTEGER], 1)).toBe(true);
  });

  test("a sum past the bound is the same error at the aggregate", () => {
    const { program } = parseSource(`v("a", ${MAX_EXACT_INTEGER})@1;\nv("a", 1)@1;\ns(N, sum<X>) :- v(N, X);\n`, "sum.ded");
    const expected = `sum.ded:3:6: integer overflow: the sum ${MAX_EXACT_INTEGER} + 1 is past 2^53 - 1 = ${MAX_EXACT_INTEGER}, the largest integer computed exactly, in rule s(N, sum<X>) :- v(N, X);`;
    expect(() => runProgram(program, { eot: 1 })).toThrow(expected);
    expect(() => runNaive(program, { eot: 1 })).toThrow(/sum\.ded:3:6: integer overflow: the sum /);
  });

  test("maze run exits 2 with the message", async () => {
    const file = write("sq.ded", src);
    const r = await cli(["run", file, "--eot", "8"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`maze run: ${message.replace("sq.ded", file)}\n`);
  });
});

describe("maze run prints huge relations", () => {
  test("a relation of 200 000 tuples is printed as a table (no argument spread)", () => {
    const { program } = parseSource(`n("a", 0)@1;\nn(N, X + 1) :- n(N, X), X < 199999;\n`);
    const run = runProgram(program, { eot: 1 });
    const text = formatRunTables(run, program);
    expect(text).toContain("n (200000 tuples)");
    expect(text.split("\n").at(-1)).toBe("  1     a     199999");
  });

  test("the README's example at --eot 100000 prints", async () => {
    const root = path.join(__dirname, "..", "..", "protocols");
    const r = await cli([
      "run",
      path.join(root, "simple_delivery.ded"),
      path.join(root, "delivery_assert.ded"),
      "--eot",
      "100000",
      "--omit",
      "a,b,1",
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^eot 100000 · nodes /);
  }, 60_000);

  test("an evaluator bound is named, exit 2", async () => {
    const file = write("grow.ded", `n("a", 0)@1;\nn(N, X + 1) :- n(N, X);\n`);
    const r = await cli(["run", file, "--max-tuples", "1000"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("maze run: run stopped at timestep 1: more than 1000 tuples (limits.maxTuples)\n");
  });

  test("a heap ceiling stops a run with the memory limit", () => {
    const { program } = parseSource(`n("a", 0)@1;\nn(N, X + 1) :- n(N, X), X < 100000;\n`);
    let err: unknown;
    try {
      runProgram(program, { eot: 1, limits: { maxHeapBytes: 1 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DedalusLimitError);
    expect((err as DedalusLimitError).limit).toBe("memory");
    expect((err as DedalusLimitError).message).toMatch(
      /^run stopped at timestep 1: heap use of \d+ MB passed the ceiling of 0 MB \(limits\.maxHeapBytes\)$/,
    );
  });
});

describe("run options that would switch a bound or a fault off are refused", () => {
  const { program } = parseSource(`n("a", 0)@1;\nn(N, X + 1) :- n(N, X);\n`);
  test.each([
    [{ limits: { maxTuples: NaN } }, "limits.maxTuples must be a positive integer, got NaN"],
    [{ limits: { wallMs: NaN } }, "limits.wallMs must be a positive number, got NaN"],
    [{ limits: { maxHeapBytes: -1 } }, "limits.maxHeapBytes must be a positive number, got -1"],
    [{ failures: { omissions: [], crashes: [{ node: "a", time: NaN }] } }, "failures.crashes[0].time must be an integer >= 0, got NaN"],
    [{ failures: { omissions: [{ from: "a", to: 7, time: 1 }], crashes: [] } }, "failures.omissions[0].to must be a node name, got 7"],
    [{ nodes: "a" }, 'nodes must be an array of node names, got "a"'],
  ])("%j", (options, message) => {
    expect(() => runProgram(program, { eot: 1, ...(options as object) })).toThrow(new RangeError(message));
  });
});
