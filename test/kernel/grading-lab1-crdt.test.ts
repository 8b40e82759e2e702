import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { gradeNotebook } from "../../kernel/grading/gradeNotebook";
import { PROJECT_ROOT } from "../../kernel/jupyterPaths";
import { LABS } from "../../lib/labs/registry";
import { scratchDir, studentVariant } from "./fixtures";

const dir = scratchDir("grading");
const starter = path.join(PROJECT_ROOT, "notebooks", "labs", "lab1-crdt.ipynb");
const solution = path.join(PROJECT_ROOT, "notebooks", "instructor", "lab1-crdt.ipynb");

/** The reference solution with its student cells (tagged `student`) rewritten. */
const variant = (name: string, edit: (source: string, index: number) => string): string => studentVariant(solution, dir, name, edit);

const points = (r: { tests: { name: string; score: number }[] }, prefix: string): number =>
  r.tests.filter((t) => t.name.startsWith(prefix)).reduce((n, t) => n + t.score, 0);

test("the reference solution scores full marks through `maze grade`, with a Gradescope results.json", () => {
  const out = path.join(dir, "results.json");
  const stdout = execFileSync(process.execPath, [path.join(PROJECT_ROOT, "bin", "maze.js"), "grade", solution, "--out", out], {
    encoding: "utf8",
  });
  expect(stdout).toMatch(/^lab1-crdt: 100 \/ 100$/m);
  const results = JSON.parse(fs.readFileSync(out, "utf8")) as {
    score: number;
    tests: { name: string; score: number; max_score: number; output: string }[];
  };
  expect(results.score).toBe(100);
  expect(results.tests.map((t) => t.name)).toEqual(LABS["lab1-crdt"]!.tests.map((t) => t.name));
  for (const t of results.tests)
    expect(t).toEqual({ name: t.name, score: t.max_score, max_score: t.max_score, output: expect.stringMatching(/^passed: /) });
}, 120_000);

test("the unmodified starter scores zero on every graded test", async () => {
  const r = await gradeNotebook(starter);
  expect(r.score).toBe(0);
  expect(r.max_score).toBe(100);
  expect(r.tests.every((t) => /TODO/.test(t.output))).toBe(true);
}, 120_000);

test("a student cell that throws is reported and the rest is still graded", async () => {
  const file = variant("throws.ipynb", (src, i) => (i === 1 ? `throw new Error("half-done set");\n${src}` : src));
  const r = await gradeNotebook(file);
  expect(points(r, "pn-counter")).toBe(40);
  expect(points(r, "or-set")).toBe(0);
  expect(r.output).toMatch(/throws\.ipynb:cell 6:line 1: Error: half-done set/);
  expect(r.tests.find((t) => t.name.startsWith("or-set"))?.output).toMatch(/`orSet` is not defined in the notebook/);
}, 120_000);

test("a student cell that loops forever is stopped and reported, not hung on", async () => {
  const file = variant("loops.ipynb", (src, i) => (i === 1 ? `while (true) {}\n${src}` : src));
  const r = await gradeNotebook(file, { cellTimeoutMs: 5000 });
  expect(points(r, "pn-counter")).toBe(40);
  expect(points(r, "or-set")).toBe(0);
  expect(r.output).toMatch(/loops\.ipynb:cell 6: stopped after 5 s/);
  expect(r.attempts).toBe(2);
}, 120_000);

test("a graded test that never returns is stopped and the other tests still count", async () => {
  const file = variant("hangs.ipynb", (src, i) =>
    i === 1
      ? src.replace(
          /leq: \(a: ORState, b: ORState\): boolean =>/,
          "leq: (a: ORState, b: ORState): boolean => { while (true) {} },\n  leqUnused: (a: ORState, b: ORState): boolean =>",
        )
      : src,
  );
  const r = await gradeNotebook(file, { cellTimeoutMs: 5000 });
  // Both tests that call leq hang; each is stopped on its own and every other test still scores.
  for (const name of ["or-set: leq agrees with join", "or-set: every function leaves the states it is given unchanged"]) {
    const hung = r.tests.find((t) => t.name === name);
    expect(hung?.score).toBe(0);
    expect(hung?.output).toMatch(/stopped: the test ran longer than 5 s/);
  }
  expect(r.score).toBe(90);
}, 120_000);
