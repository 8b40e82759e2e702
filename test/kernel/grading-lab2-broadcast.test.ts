import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { gradeNotebook } from "../../kernel/grading/gradeNotebook";
import { PROJECT_ROOT } from "../../kernel/jupyterPaths";
import { lab2Broadcast } from "../../lib/labs/lab2Broadcast";
import { LABS } from "../../lib/labs/registry";
import { runLab } from "../../lib/labs/runLab";
import { scratchDir, studentTemplate, studentVariant } from "./fixtures";

const dir = scratchDir("grading-lab2");
const starter = path.join(PROJECT_ROOT, "notebooks", "labs", "lab2-broadcast.ipynb");
const solution = path.join(PROJECT_ROOT, "notebooks", "instructor", "lab2-broadcast.ipynb");

/** The reference solution's Dedalus program: the template literal in its student cell. */
const solutionProgram = (): string => studentTemplate(solution, "broadcast");

/** The reference solution with its student cell's program rewritten. */
const variant = (name: string, edit: (program: string) => string): string =>
  studentVariant(solution, dir, name, () => "const broadcast = `" + edit(solutionProgram()) + "`;");

const byName = (r: readonly { name: string; score: number }[]): number[] =>
  lab2Broadcast.tests.map((t) => r.find((x) => x.name === t.name)?.score ?? -1);

/** Relay once on first receipt (the classic broadcast): tolerates crashes, not loss. */
const relayOnce = (p: string): string =>
  p.replace(
    "gossip(M, N, P)@async :- holds(N, P), link(N, M), notin confirmed(N, M, P);",
    "sent(N, P)@next :- holds(N, P);\nsent(N, P)@next :- sent(N, P);\ngossip(M, N, P)@async :- holds(N, P), link(N, M), notin sent(N, P);",
  );

test("the reference solution scores full marks through `maze grade`, with a Gradescope results.json", () => {
  const out = path.join(dir, "results.json");
  const stdout = execFileSync(process.execPath, [path.join(PROJECT_ROOT, "bin", "maze.js"), "grade", solution, "--out", out], {
    encoding: "utf8",
  });
  expect(stdout).toMatch(/^lab2-broadcast: 100 \/ 100$/m);
  const results = JSON.parse(fs.readFileSync(out, "utf8")) as {
    score: number;
    tests: { name: string; score: number; max_score: number }[];
  };
  expect(results.score).toBe(100);
  expect(results.tests.map((t) => t.name)).toEqual(LABS["lab2-broadcast"]!.tests.map((t) => t.name));
  for (const t of results.tests) expect(t.score).toBe(t.max_score);
}, 180_000);

test("the unmodified starter scores zero on every graded test, with the located syntax error", async () => {
  const r = await gradeNotebook(starter);
  expect(r.score).toBe(0);
  expect(r.max_score).toBe(100);
  for (const t of r.tests) expect(t.output).toMatch(/broadcast\.ded:4:1: error: .*'TODO'/);
}, 180_000);

test("relaying once (the classic broadcast) loses exactly the 35 points of the message-loss certification", async () => {
  const r = await gradeNotebook(variant("relay-once.ipynb", relayOnce));
  expect(byName(r.tests)).toEqual([10, 20, 0, 35]);
  expect(r.tests[2]!.output).toMatch(/LDFI found a counterexample after \d+ executions: omit\(/);
}, 180_000);

describe("graded checks on other realistic answers (no notebook)", () => {
  test("retrying from the originator only loses exactly the crash certification", async () => {
    const retryOnly = fs.readFileSync(path.join(PROJECT_ROOT, "protocols", "retry_delivery.ded"), "utf8").replace(/^include .*$/m, "");
    const r = await runLab(lab2Broadcast, { broadcast: retryOnly });
    expect(byName(r)).toEqual([10, 20, 35, 0]);
    expect(r[3]!.output).toMatch(/crash\(a,\d\)/);
  }, 60_000);

  test("a rule that stores its head at another node is rejected with its location", async () => {
    const teleport = `delivered(N, P) :- origin(N, P);\ndelivered(M, P) :- origin(N, P), link(N, M);\n`;
    const r = await runLab(lab2Broadcast, { broadcast: teleport });
    expect(byName(r)).toEqual([0, 0, 0, 0]);
    expect(r[0]!.output).toMatch(
      /broadcast\.ded:2:1: error: this rule runs at N \(the first column of origin\) but stores delivered at M with a deductive head; only @async moves data between nodes: send it with @async first \[non-local-head\]/,
    );
  });

  test("defining the invariant yourself, or delivering nothing, earns nothing beyond validity", async () => {
    const cheat = await runLab(lab2Broadcast, { broadcast: `post(N, P) :- origin(N, P);\n` });
    expect(cheat[0]!.output).toMatch(/broadcast\.ded:1:1: error: `post` is fixed by the lab/);
    const silent = await runLab(lab2Broadcast, { broadcast: `delivered(N, P) :- origin(N, P);\n` });
    expect(byName(silent)).toEqual([10, 0, 0, 0]);
    expect(silent[2]!.output).toMatch(/vacuously fault tolerant/);
  });

  test("a missing definition or a non-string is reported, not thrown", async () => {
    expect((await runLab(lab2Broadcast, {}))[0]!.output).toMatch(/`broadcast` is not defined/);
    expect((await runLab(lab2Broadcast, { broadcast: 42 }))[0]!.output).toMatch(/expected a string/);
  });
});
