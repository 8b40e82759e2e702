import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { gradeNotebook } from "../../kernel/grading/gradeNotebook";
import { PROJECT_ROOT } from "../../kernel/jupyterPaths";
import { parseSource } from "../../lib/dedalus/load";
import { LAB4_GIVEN_PROGRAM, lab4Calm, unsealedPoints } from "../../lib/labs/lab4Calm";
import { LABS } from "../../lib/labs/registry";
import { runLab } from "../../lib/labs/runLab";
import { scratchDir, studentTemplate, studentVariant } from "./fixtures";

const dir = scratchDir("grading-lab4");
const starter = path.join(PROJECT_ROOT, "notebooks", "labs", "lab4-calm.ipynb");
const solution = path.join(PROJECT_ROOT, "notebooks", "instructor", "lab4-calm.ipynb");

/** The reference solution's program: the text of the template literal in its student cell. */
const solutionProgram = (): string => studentTemplate(solution, "program");

/** The reference solution with its student cell rewritten. */
const variant = (name: string, edit: (source: string) => string): string => studentVariant(solution, dir, name, edit);

const scores = (r: { tests: { name: string; score: number }[] }): Record<string, number> =>
  Object.fromEntries(r.tests.map((t) => [t.name.split(":")[0], t.score]));

test("the reference solution scores full marks through `maze grade`, with a Gradescope results.json", () => {
  const out = path.join(dir, "results.json");
  const stdout = execFileSync(process.execPath, [path.join(PROJECT_ROOT, "bin", "maze.js"), "grade", solution, "--out", out], {
    encoding: "utf8",
  });
  expect(stdout).toMatch(/^lab4-calm: 100 \/ 100$/m);
  const results = JSON.parse(fs.readFileSync(out, "utf8")) as {
    score: number;
    tests: { name: string; score: number; max_score: number }[];
  };
  expect(results.score).toBe(100);
  expect(results.tests.map((t) => t.name)).toEqual(LABS["lab4-calm"]!.tests.map((t) => t.name));
  for (const t of results.tests) expect(t.score).toBe(t.max_score);
}, 120_000);

test("the unmodified starter (the given program) scores zero on every graded test", async () => {
  const r = await gradeNotebook(starter);
  expect(r.score).toBe(0);
  expect(r.max_score).toBe(100);
  expect(r.tests.find((t) => t.name.startsWith("calm"))?.output).toMatch(
    /2 unsealed coordination points:\n.*program\.ded:18:12: count<I> \(deriving size\)[\s\S]*program\.ded:25:30: notin blocked \(deriving ship\)/,
  );
  expect(r.tests.find((t) => t.name.startsWith("behaviour"))?.output).toMatch(
    /2 distinct outcomes\. Against the failure-free run: 49 schedule\(s\) give \+ship\("w", "o1"\) \(replay: maze\.scheduleDelay\(4, \d+, 3\)\)/,
  );
}, 120_000);

test("a seal that does not seal (the manifest's arrival alone) passes the CALM check but loses exactly the behaviour points", async () => {
  const file = variant("manifest-only.ipynb", (src) =>
    src
      .replace("sealed_order(W, O) :- manifest(W, O, N), received(W, O, N);", "sealed_order(W, O) :- manifest(W, O, _);")
      .replace(/received\(W, O, count<I>\) :- want\(W, O, I\);\n/, ""),
  );
  const r = await gradeNotebook(file);
  expect(scores(r)).toEqual({ calm: 30, behaviour: 0, answer: 30 });
  expect(r.tests.find((t) => t.name.startsWith("behaviour"))?.output).toMatch(/ship\("w", "o1"\)/);
}, 120_000);

describe("the checks on programs directly", () => {
  const solutionText = solutionProgram();
  const grade = async (program: unknown) => scores({ tests: await runLab(lab4Calm, program === undefined ? {} : { program }) });

  test("a monotone rewrite that forgets a condition keeps the CALM and behaviour points and loses the answer points", async () => {
    const wrong = solutionText.replace("priority(W, O) :- want(W, O, I), want(W, O, J), I != J;", "priority(W, O) :- want(W, O, I);");
    expect(wrong).not.toBe(solutionText);
    expect(await grade(wrong)).toEqual({ calm: 30, behaviour: 40, answer: 0 });
    const out = (await runLab(lab4Calm, { program: wrong })).find((t) => t.name.startsWith("answer"))!.output;
    expect(out).toMatch(/wrongly derived: priority\("w", "o2"\)/);
  });

  test("deleting the problem is not solving it: an empty program scores nothing", async () => {
    expect(await grade("")).toEqual({ calm: 0, behaviour: 0, answer: 0 });
    expect((await runLab(lab4Calm, { program: "" }))[0]!.output).toMatch(/derives no ship, backorder, priority at all/);
  });

  test("hiding the asynchrony is not tolerating it: order lines moved without a message score nothing", async () => {
    const teleport = LAB4_GIVEN_PROGRAM.replace(
      "want(W, O, I)@async :- line(S, O, I), warehouse(S, W);",
      "want(W, O, I) :- line(S, O, I), warehouse(S, W);\nline(S, O, I)@next :- line(S, O, I);",
    );
    expect(teleport).not.toBe(LAB4_GIVEN_PROGRAM);
    expect(await grade(teleport)).toEqual({ calm: 0, behaviour: 0, answer: 0 });
    expect((await runLab(lab4Calm, { program: teleport }))[0]!.output).toMatch(
      /program\.ded:15:1: error: this rule runs at S \(the first column of line\) but stores want at W with a deductive head; .*\[non-local-head\]/,
    );
  });

  test("an invalid program is reported with file:line:col and a caret; a missing or non-string program is named", async () => {
    const results = await runLab(lab4Calm, {
      program: solutionText.replace("ship(W, O)@next :- ship(W, O);", "ship(W, O)@next :- ship(W, O)"),
    });
    expect(results.every((t) => t.score === 0)).toBe(true);
    expect(results[0]!.output).toMatch(/not valid Dedalus:\nprogram\.ded:\d+:\d+: error: [\s\S]*\^/);
    expect((await runLab(lab4Calm, {}))[0]!.output).toMatch(/`program` is not defined in the notebook/);
    expect((await runLab(lab4Calm, { program: 42 }))[0]!.output).toMatch(/must be a string/);
  });

  test("seal recognition: a point is sealed when its rule reads a sealed… relation or only feeds one", () => {
    const given = parseSource(LAB4_GIVEN_PROGRAM, "given.ded").program;
    expect(
      unsealedPoints(given)
        .map((p) => p.rule.head.rel)
        .sort(),
    ).toEqual(["ship", "size"]);
    const sol = parseSource(solutionText, "program.ded").program;
    expect(unsealedPoints(sol)).toEqual([]);
    // The same count, also read by a rule that is not part of a seal, is no longer excused.
    const leaky = parseSource(solutionText + "big(W, O) :- received(W, O, N), N >= 2;\n", "program.ded").program;
    expect(unsealedPoints(leaky).map((p) => p.rule.head.rel)).toEqual(["received"]);
  });
});
