import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { gradeNotebook } from "../../kernel/grading/gradeNotebook";
import { readNotebook, serializeNotebook } from "../../kernel/headless/notebookFormat";
import { PROJECT_ROOT } from "../../kernel/jupyterPaths";
import { lab3BugHunt, lab3BuggySource } from "../../lib/labs/lab3BugHunt";
import { LABS } from "../../lib/labs/registry";
import { runLab } from "../../lib/labs/runLab";
import { scratchDir } from "./fixtures";

const dir = scratchDir("grading-lab3");
const starter = path.join(PROJECT_ROOT, "notebooks", "labs", "lab3-bughunt.ipynb");
const solution = path.join(PROJECT_ROOT, "notebooks", "instructor", "lab3-bughunt.ipynb");

/** The reference fix: the template literal of the solution's `fixedProtocol` cell. */
function solutionFix(): string {
  const cell = readNotebook(solution).cells.find((c) => c.metadata.tags?.includes("student") && c.source.includes("fixedProtocol"));
  const m = /const fixedProtocol = `([\s\S]*)`;/.exec(cell?.source ?? "");
  if (!m) throw new Error("no `const fixedProtocol = `...`` in the solution");
  return m[1] as string;
}

const FOUND = { omissions: [{ from: "p", to: "b1", time: 2 }], crashes: [{ node: "p", time: 3 }] };
const byName = (r: readonly { name: string; score: number }[]): number[] =>
  lab3BugHunt.tests.map((t) => r.find((x) => x.name === t.name)?.score ?? -1);

/** A half fix: acknowledge the client once *one* backup has acknowledged. */
const halfFix = lab3BuggySource().replace(
  "done(C, V)@async :- put(P, C, V);",
  "requested(P, C, V) :- put(P, C, V);\nrequested(P, C, V)@next :- requested(P, C, V);\nsome_ack(P, V) :- rep_acked(P, _, V);\ndone(C, V)@async :- requested(P, C, V), some_ack(P, V);",
);

test("the reference solution scores full marks through `maze grade`, with a Gradescope results.json", () => {
  const out = path.join(dir, "results.json");
  const stdout = execFileSync(process.execPath, [path.join(PROJECT_ROOT, "bin", "maze.js"), "grade", solution, "--out", out], {
    encoding: "utf8",
  });
  expect(stdout).toMatch(/^lab3-bughunt: 100 \/ 100$/m);
  const results = JSON.parse(fs.readFileSync(out, "utf8")) as {
    score: number;
    tests: { name: string; score: number; max_score: number }[];
  };
  expect(results.score).toBe(100);
  expect(results.tests.map((t) => t.name)).toEqual(LABS["lab3-bughunt"]!.tests.map((t) => t.name));
}, 180_000);

test("the unmodified starter scores zero on every graded test", async () => {
  const r = await gradeNotebook(starter);
  expect(r.score).toBe(0);
  expect(r.max_score).toBe(100);
  expect(r.tests[0]!.output).toMatch(/not recorded yet/);
  for (const t of r.tests.slice(1)) expect(t.output).toMatch(/same rules as the buggy protocol/);
}, 180_000);

test("a half fix (acknowledge after one backup) loses exactly the 40 certification points", async () => {
  const nb = readNotebook(solution);
  for (const c of nb.cells)
    if (c.metadata.tags?.includes("student") && c.source.includes("fixedProtocol")) c.source = "const fixedProtocol = `" + halfFix + "`;";
  const file = path.join(dir, "half-fix.ipynb");
  fs.writeFileSync(file, serializeNotebook(nb));
  const r = await gradeNotebook(file);
  expect(byName(r.tests)).toEqual([30, 10, 20, 0]);
  expect(r.tests[3]!.output).toMatch(/still finds a counterexample .*crash\(p,\d\)/);
}, 180_000);

describe("graded checks on other realistic answers (no notebook)", () => {
  test("a 'fix' that never acknowledges is vacuously durable and loses the failure-free and certification points", async () => {
    const r = await runLab(lab3BugHunt, {
      counterexample: FOUND,
      fixedProtocol: lab3BuggySource().replace("done(C, V)@async :- put(P, C, V);", ""),
    });
    expect(byName(r)).toEqual([30, 10, 0, 0]);
    expect(r[2]!.output).toMatch(/never gets done\("cl", "v1"\)/);
  });

  test("a recorded fault set that does not break the protocol, or breaks the bounds, loses the hunt points", async () => {
    const fix = solutionFix();
    const lossOnly = await runLab(lab3BugHunt, { counterexample: { omissions: FOUND.omissions, crashes: [] }, fixedProtocol: fix });
    expect(byName(lossOnly)).toEqual([0, 10, 20, 40]);
    expect(lossOnly[0]!.output).toMatch(/replaying omit\(p,b1,2\) loses nothing/);
    const late = await runLab(lab3BugHunt, {
      counterexample: { omissions: [{ from: "p", to: "b1", time: 5 }], crashes: [] },
      fixedProtocol: fix,
    });
    expect(late[0]!.output).toMatch(/outside the bounds/);
  }, 60_000);

  test("an invalid fix is reported with its location", async () => {
    const r = await runLab(lab3BugHunt, {
      counterexample: FOUND,
      fixedProtocol: lab3BuggySource().replace("stored(P, V) :- put(P, _, V);", "stored(P, V) :- put(P, _, W);"),
    });
    expect(byName(r)).toEqual([30, 0, 0, 0]);
    expect(r[1]!.output).toMatch(/fix\.ded:\d+:\d+: error: /);
  });
});
