import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { NotebookPool, executeNotebook, formatFailure } from "../../kernel/headless/execute";
import { runCourse } from "../../kernel/headless/runNotebooks";
import { NotebookFormatError, parseNotebook, readNotebook } from "../../kernel/headless/notebookFormat";
import { jsonErrorOffset } from "../../kernel/headless/jsonErrorOffset";
import { PROJECT_ROOT } from "../../kernel/jupyterPaths";
import { scratchDir, writeNotebook } from "./fixtures";

// The runner executes compiled code (dist/kernel/headless/worker.js and the `maze` package's
// dist/ entry), so these tests need `npm run compile` first; `npm test` runs it through `pretest`.
const dir = scratchDir("runner");

// The tests of executeNotebook each start a fresh process, so they run concurrently (the slow part
// of this file is tslab's start-up in each); the warm-worker tests below share one worker in order.

describe("headless notebook execution", () => {
  test.concurrent("captures printed text, last-expression values and Vega-Lite charts with an SVG twin", async () => {
    const file = writeNotebook(dir, "ok.ipynb", [
      { type: "markdown", source: "# A title" },
      { type: "code", source: 'import * as maze from "maze";\nconsole.log("seeded", new maze.Random(7).int(1, 100));' },
      { type: "code", source: "interface P { x: number }\nconst p: P = { x: 2 };\np.x * 21" },
      {
        type: "code",
        source:
          'await maze.show({ title: "t", data: { values: [{ a: 1 }, { a: 2 }] }, mark: "point", encoding: { x: { field: "a", type: "quantitative" } } });',
      },
    ]);
    const r = await executeNotebook(file);
    expect(r.failure).toBeUndefined();
    const [, c1, c2, c3] = r.notebook.cells;
    expect(c1?.outputs).toEqual([{ output_type: "stream", name: "stdout", text: expect.stringMatching(/^seeded \d+\n$/) }]);
    expect(c2?.outputs?.[0]).toMatchObject({ output_type: "execute_result", data: { "text/plain": "42" } });
    const display = c3?.outputs?.[0];
    expect(display?.output_type).toBe("display_data");
    const data = (display as { data: Record<string, unknown> }).data;
    expect(data["application/vnd.vegalite.v5+json"]).toMatchObject({ title: "t", mark: "point" });
    expect(String(data["image/svg+xml"])).toMatch(/^<svg[\s\S]*aria-roledescription="point"/);
  });

  test.concurrent("the worker opens no file watchers (TypeScript's, 162 of them, failed under load and took notebooks down)", async () => {
    const file = writeNotebook(dir, "watchers.ipynb", [
      {
        type: "code",
        source:
          'const fsWatchers = (): number =>\n  (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().filter((r) => r === "FSEventWrap").length;',
      },
      // A second cell: by then tslab has compiled against the library and its declarations.
      { type: "code", source: 'import { pnCounter } from "maze";\nconsole.log(typeof pnCounter, fsWatchers());' },
    ]);
    const r = await executeNotebook(file);
    expect(r.failure).toBeUndefined();
    expect(r.notebook.cells[1]?.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "object 0\n" }]);
  });

  test.concurrent("stops at the first failing cell and names its cell and line", async () => {
    const file = writeNotebook(dir, "throws.ipynb", [
      { type: "code", source: "const a = 1;" },
      { type: "code", source: 'type T = number;\nconst t: T = 1;\nfunction f(): number {\n  throw new Error("boom " + t);\n}\nf();' },
      { type: "code", source: 'console.log("never runs");' },
    ]);
    const r = await executeNotebook(file);
    expect(r.failure).toEqual({ cell: 2, line: 4, message: "Error: boom 1" });
    expect(formatFailure("throws.ipynb", r.failure!)).toBe("throws.ipynb:cell 2:line 4: Error: boom 1");
    expect(r.notebook.cells[2]?.outputs).toEqual([]);
  });

  test.concurrent("reports a type error with its line and column", async () => {
    const file = writeNotebook(dir, "types.ipynb", [{ type: "code", source: "const n: number = 1;\nconst s: string = n;" }]);
    const r = await executeNotebook(file);
    expect(r.failure).toMatchObject({ cell: 1, line: 2, column: 7 });
    expect(r.failure?.message).toMatch(/not assignable to type 'string'/);
  });

  test.concurrent("kills a cell that never finishes and reports the time limit", async () => {
    const file = writeNotebook(dir, "loops.ipynb", [{ type: "code", source: "while (true) {}" }]);
    const r = await executeNotebook(file, { cellTimeoutMs: 4000 });
    expect(r.failure).toEqual({ cell: 1, message: "cell timed out after 4 s (killed)" });
  });
});

describe("issue 12: what a cell shows and prints reaches its own cell", () => {
  const chart = (title: string): string =>
    `maze.show({ title: "${title}", data: { values: [{ a: 1 }] }, mark: "point", encoding: { x: { field: "a", type: "quantitative" } } });`;

  test.concurrent("maze.show without await lands in the cell that called it, the last cell included", async () => {
    const file = writeNotebook(dir, "no-await.ipynb", [
      { type: "code", source: 'import * as maze from "maze";' },
      { type: "code", source: `void ${chart("first")}` },
      { type: "code", source: 'console.log("between");' },
      { type: "code", source: `void ${chart("last")}` },
    ]);
    const r = await executeNotebook(file);
    expect(r.failure).toBeUndefined();
    const titles = r.notebook.cells.map((c) =>
      (c.outputs ?? [])
        .filter((o) => o.output_type === "display_data")
        .map((o) => ((o as { data: Record<string, { title?: string }> }).data["application/vnd.vegalite.v5+json"] ?? {}).title),
    );
    expect(titles).toEqual([[], ["first"], [], ["last"]]);
  });

  test.concurrent("a last cell that prints 400 KB completes; past 1 MB the rest is dropped with a note", async () => {
    const file = writeNotebook(dir, "prints.ipynb", [
      { type: "code", source: 'console.log("x".repeat(400000));' },
      { type: "code", source: 'for (let i = 0; i < 15; i++) console.log("y".repeat(100000));' },
    ]);
    const r = await executeNotebook(file);
    expect(r.failures).toEqual([]);
    const [first, last] = r.notebook.cells;
    expect(first?.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "x".repeat(400000) + "\n" }]);
    const outs = (last?.outputs ?? []) as { name: string; text: string }[];
    expect(outs.map((o) => [o.name, o.text.length])).toEqual([
      ["stdout", 1_000_000],
      ["stderr", expect.any(Number)],
    ]);
    expect(outs[1]?.text).toBe("\n[maze] cell 2 printed more than 1000000 bytes; the rest was dropped\n");
  });
});

// One warm worker for the tests below that do not test parallelism: it pays tslab's start-up once.
const pool = new NotebookPool({ jobs: 1 });
afterAll(() => pool.close());

describe("warm workers", () => {
  test("one worker runs notebook after notebook, each with fresh top-level names and the outputs a fresh process gives", async () => {
    const a = writeNotebook(dir, "warm-a.ipynb", [
      { type: "code", source: 'import * as maze from "maze";\nconst shared = new maze.Random(7).int(1, 100);\nconsole.log("a", shared);' },
      { type: "code", source: "shared * 2" },
    ]);
    const b = writeNotebook(dir, "warm-b.ipynb", [{ type: "code", source: "const n: number = 1;\nconsole.log(shared + n);" }]);
    const fresh = await executeNotebook(a);
    const first = await pool.run(a);
    const other = await pool.run(b);
    const again = await pool.run(a);
    expect(first.failure).toBeUndefined();
    expect(first.notebook.cells.map((c) => c.outputs)).toEqual(fresh.notebook.cells.map((c) => c.outputs));
    expect(again.notebook.cells.map((c) => c.outputs)).toEqual(fresh.notebook.cells.map((c) => c.outputs));
    // `shared` was a top-level name of the previous notebook only: a type error, located as in a fresh process.
    expect(other.failure).toMatchObject({ cell: 1, line: 2, message: "Cannot find name 'shared'." });
    expect(pool.started).toBe(1);
  });

  test("runtime errors keep their cell and line; jest's globals are not notebook globals", async () => {
    const file = writeNotebook(dir, "warm-errors.ipynb", [
      { type: "code", source: 'type T = number;\nconst t: T = 1;\nfunction f(): number {\n  throw new Error("boom " + t);\n}\nf();' },
    ]);
    expect((await pool.run(file)).failure).toEqual({ cell: 1, line: 4, message: "Error: boom 1" });
    const jestGlobals = writeNotebook(dir, "warm-jest.ipynb", [{ type: "code", source: 'describe("x", () => undefined);' }]);
    expect((await pool.run(jestGlobals)).failure).toMatchObject({
      cell: 1,
      line: 1,
      message: expect.stringMatching(/^Cannot find name 'describe'\./),
    });
  });

  test("a notebook importing a file next to it type-checks and runs on a worker of its own folder", async () => {
    const sub = path.join(dir, "sub");
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, "helper.ts"), "export function twice(n: number): number {\n  return 2 * n;\n}\n");
    const file = writeNotebook(sub, "relative.ipynb", [
      { type: "code", source: 'import { twice } from "./helper";\nconsole.log(twice(21));' },
    ]);
    const r = await pool.run(file);
    expect(r.failure).toBeUndefined();
    expect(r.notebook.cells[0]?.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "42\n" }]);
    // The pool has one slot: the worker of the other folder made room, and comes back for the next.
    const before = pool.started;
    expect((await pool.run(writeNotebook(dir, "warm-back.ipynb", [{ type: "code", source: "1 + 1" }]))).failure).toBeUndefined();
    expect(pool.started).toBe(before + 1);
  });

  test("a worker killed for a cell that never finishes is replaced by a fresh one", async () => {
    const loops = writeNotebook(dir, "warm-loops.ipynb", [{ type: "code", source: "while (true) {}" }]);
    const before = pool.started;
    expect((await pool.run(loops, { cellTimeoutMs: 3000 })).failure).toEqual({ cell: 1, message: "cell timed out after 3 s (killed)" });
    const ok = writeNotebook(dir, "warm-after.ipynb", [{ type: "code", source: 'console.log("still here")' }]);
    expect((await pool.run(ok)).notebook.cells[0]?.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "still here\n" }]);
    expect(pool.started).toBe(before + 1);
  });
});

describe("notebook validation", () => {
  test("invalid JSON is located by line and column", () => {
    expect(() => parseNotebook("bad.ipynb", '{\n "cells": [,]\n}')).toThrow(/^bad\.ipynb:2:\d+: invalid JSON/);
  });
  test("an unknown cell type names the cell", () => {
    const text = JSON.stringify({
      cells: [
        { cell_type: "markdown", source: "x", metadata: {} },
        { cell_type: "widget", source: "", metadata: {} },
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    });
    expect(() => parseNotebook("w.ipynb", text)).toThrow(
      new NotebookFormatError("w.ipynb", "unknown cell type 'widget' (expected code, markdown or raw)", 2),
    );
  });
  test("a file that is not a notebook says so", () => {
    expect(() => parseNotebook("x.ipynb", "[1, 2]")).toThrow(/no `cells` array/);
    expect(() => readNotebook(path.join(dir, "missing.ipynb"))).toThrow(/cannot read/);
  });
});

describe("course runs with a content-hash cache", () => {
  test("re-runs only changed notebooks and removes the stale copy of a failing one", async () => {
    const out = path.join(dir, "out");
    const a = writeNotebook(dir, "a.ipynb", [{ type: "code", source: 'console.log("a")' }]);
    const b = writeNotebook(dir, "b.ipynb", [{ type: "code", source: 'console.log("b")' }]);
    const lines: string[] = [];
    const log = (l: string): void => void lines.push(l);
    const first = await runCourse({ files: [a, b], outDir: out, log, pool });
    expect(first).toMatchObject({ executed: [expect.stringMatching(/a\.ipynb$/), expect.stringMatching(/b\.ipynb$/)], cached: [] });
    expect(lines[0]).toMatch(/^\[1\/2\] \S+a\.ipynb \d+\.\ds$/);

    const second = await runCourse({ files: [a, b], outDir: out, log, pool });
    expect(second.executed).toEqual([]);
    expect(second.cached).toHaveLength(2);

    writeNotebook(dir, "b.ipynb", [{ type: "code", source: 'throw new Error("now broken")' }]);
    const third = await runCourse({ files: [a, b], outDir: out, log, pool });
    expect(third.cached).toHaveLength(1);
    expect(third.failed?.message).toMatch(/b\.ipynb:cell 1:line 1: Error: now broken$/);
    expect(fs.existsSync(path.join(out, "b.ipynb"))).toBe(false);
    expect(fs.existsSync(path.join(out, "a.ipynb"))).toBe(true);
  });
});

describe("parallel course runs", () => {
  test("print progress in course order however the notebooks finish, and start nothing after a failing one", async () => {
    const out = path.join(dir, "parallel-out");
    const slow = writeNotebook(dir, "p1-slow.ipynb", [{ type: "code", source: "await new Promise((r) => setTimeout(r, 1500));" }]);
    const quick = writeNotebook(dir, "p2-quick.ipynb", [{ type: "code", source: 'console.log("quick")' }]);
    const broken = writeNotebook(dir, "p3-broken.ipynb", [{ type: "code", source: "const s: string = 1;" }]);
    const later = writeNotebook(dir, "p4-later.ipynb", [{ type: "code", source: 'console.log("later")' }]);
    const lines: string[] = [];
    const r = await runCourse({ files: [slow, quick, broken, later], outDir: out, jobs: 2, log: (l) => void lines.push(l) });
    expect(lines.map((l) => l.split("\n")[0]?.replace(/ [\d.]+s$/, ""))).toEqual([
      expect.stringMatching(/^\[1\/4\] \S+p1-slow\.ipynb$/),
      expect.stringMatching(/^\[2\/4\] \S+p2-quick\.ipynb$/),
      expect.stringMatching(/^\[3\/4\] \S+p3-broken\.ipynb FAILED$/),
    ]);
    expect(lines[2]).toMatch(/p3-broken\.ipynb:cell 1:line 1: Type 'number' is not assignable to type 'string'\.$/);
    expect(r.executed).toEqual([expect.stringMatching(/p1-slow/), expect.stringMatching(/p2-quick/)]);
    expect(r.failed?.file).toMatch(/p3-broken\.ipynb$/);
    expect(fs.existsSync(path.join(out, "p4-later.ipynb"))).toBe(false);
  });
});

describe("the notebooks command line", () => {
  const cli = path.join(PROJECT_ROOT, "dist", "kernel", "headless", "runNotebooks.js");
  test.each([
    [["--jobs", "0"], /--jobs needs a whole number of at least 1, got '0'/],
    [["--jobs"], /--jobs needs a whole number of at least 1, got nothing/],
    [["--jobs=two"], /got 'two'/],
    [["--quick"], /unknown option --quick \(usage: npm run notebooks -- \[--force\] \[--jobs N\]/],
  ])("%j is refused with a usage message and exit code 2", (args, message) => {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe("JSON error offsets", () => {
  test.each([
    ['{"a": 1}', -1],
    ["[1, 2, 3]", -1],
    ['{"a": [1, {"b": "x\\"y"}], "c": null, "d": -1.5e3}', -1],
    ["[1,]", 3],
    ['{"a" 1}', 5],
    ["[1, 2", 5],
    ['{"cells": [tru]}', 11],
    ["[1] x", 4],
  ])("%s -> %d", (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
  });
});
