import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { gradeNotebook } from "../../kernel/grading/gradeNotebook";
import { PROJECT_ROOT } from "../../kernel/jupyterPaths";
import { lab5Handlers } from "../../lib/labs/lab5Handlers";
import { LABS } from "../../lib/labs/registry";
import { runLab } from "../../lib/labs/runLab";
import { scratchDir, studentVariant } from "./fixtures";
import * as V from "../../bench/lab5Variants";

const dir = scratchDir("grading-lab5");
const starter = path.join(PROJECT_ROOT, "notebooks", "labs", "lab5-handlers.ipynb");
const solution = path.join(PROJECT_ROOT, "notebooks", "instructor", "lab5-handlers.ipynb");

/** The reference solution with its student cell edited. */
const variant = (name: string, edit: (source: string) => string): string =>
  studentVariant(solution, dir, name, (src) => {
    const out = edit(src);
    if (out === src) throw new Error(`lab 5 variant ${name}: the edit changed nothing (the solution changed?)`);
    return out;
  });

const byName = (r: readonly { name: string; score: number }[]): number[] =>
  lab5Handlers.tests.map((t) => r.find((x) => x.name === t.name)?.score ?? -1);

test("the reference solution scores full marks through `maze grade`, with a Gradescope results.json", () => {
  const out = path.join(dir, "results.json");
  const stdout = execFileSync(process.execPath, [path.join(PROJECT_ROOT, "bin", "maze.js"), "grade", solution, "--out", out], {
    encoding: "utf8",
  });
  expect(stdout).toMatch(/^lab5-handlers: 100 \/ 100$/m);
  const results = JSON.parse(fs.readFileSync(out, "utf8")) as {
    score: number;
    tests: { name: string; score: number; max_score: number }[];
  };
  expect(results.score).toBe(100);
  expect(results.tests.map((t) => t.name)).toEqual(LABS["lab5-handlers"]!.tests.map((t) => t.name));
  for (const t of results.tests) expect(t.score).toBe(t.max_score);
}, 240_000);

test("the unmodified starter scores zero on every graded test, naming the node, the handler and the tick", async () => {
  const r = await gradeNotebook(starter);
  expect(r.score).toBe(0);
  expect(r.max_score).toBe(100);
  for (const t of r.tests) expect(t.output).toMatch(/node a at tick 1 in onStart: threw: TODO/);
}, 240_000);

test("through the sandbox, retrying from the originator alone loses the crash certification; the feedback is the counterexample, its run tick by tick and the replay call", async () => {
  const r = await gradeNotebook(
    variant("retry-from-origin.ipynb", (src) =>
      src.replace(
        "const forward = (ctx: maze.NodeContext<Msg>, p: string) => {",
        "const forward = (ctx: maze.NodeContext<Msg>, p: string) => {\n      if (self !== maze.LAB5_ORIGIN) return;",
      ),
    ),
  );
  expect(byName(r.tests)).toEqual([10, 20, 35, 0]);
  const out = r.tests[3]!.output;
  expect(out).toMatch(/LDFI found a counterexample after \d+ executions: omit\(a,[bc],1\) crash\(a,2\) loses [bc]:msg-[0-9a-z]+\./);
  expect(out).toMatch(/tick 1: a starts, a → [bc] data ✗ lost/);
  expect(out).toMatch(/a → [bc] data ✗ a crashed/);
  expect(out).toMatch(
    /Replay it in the notebook: await maze\.show\(maze\.lab5Spacetime\(reliableBroadcast, maze\.faults\(\[\{ from: "a", to: "[bc]", time: 1 \}\], \[\{ node: "a", time: 2 \}\]\)\)\)/,
  );
}, 240_000);

describe("graded checks on other realistic answers (no notebook)", () => {
  test.each([
    ["sending once", V.sendOnce, [10, 20, 0, 0], 2, /counterexample after \d+ executions: omit\(a,[bc],1\) loses/],
    ["relaying once (the classic broadcast)", V.relayOnce, [10, 20, 0, 35], 2, /omit\(a,[bc],1\) omit\([bc],[bc],2\) loses/],
    ["retrying from the originator alone", V.retryFromOrigin, [10, 20, 35, 0], 3, /crash\(a,2\)/],
    [
      "sharing the payload through a variable (teleporting)",
      V.teleport,
      [10, 20, 0, 0],
      2,
      /node [bc] delivered "msg-5" although no message carrying it reached [bc]/,
    ],
    ["throwing in a handler", V.throwing, [0, 0, 0, 0], 0, /node b at tick 4 in onMessage: threw: b dislikes acks/],
    ["Math.random in a handler", V.usesMathRandom, [0, 0, 0, 0], 0, /node a at tick 1 in onStart: Math\.random\(\) is not allowed/],
  ] as const)(
    "%s",
    async (_what, factory, scores, failed, message) => {
      const r = await runLab(lab5Handlers, { reliableBroadcast: factory });
      expect(byName(r)).toEqual(scores);
      expect(r[failed]!.output).toMatch(message);
    },
    120_000,
  );

  test("a handler that loops is stopped after a second, naming where", async () => {
    const loops = (payload: string) => {
      const p = V.reference(payload);
      return {
        ...p,
        node: (self: string) => ({
          ...p.node(self),
          onTimer: () => {
            for (;;);
          },
        }),
      };
    };
    const r = await runLab(lab5Handlers, { reliableBroadcast: loops });
    expect(byName(r)).toEqual([0, 0, 0, 0]);
    expect(r[0]!.output).toMatch(/node a at tick 2 in onTimer: ran longer than 1 s and was stopped/);
  }, 60_000);

  test("a missing definition, a non-function, or a protocol on other nodes is reported, not thrown", async () => {
    expect((await runLab(lab5Handlers, {}))[0]!.output).toMatch(/`reliableBroadcast` is not defined in the notebook/);
    expect((await runLab(lab5Handlers, { reliableBroadcast: 42 }))[0]!.output).toMatch(
      /it is not a function \(payload\) => defineSimProtocol/,
    );
    const other = (payload: string) => ({ ...V.reference(payload), nodes: ["x", "y"] });
    expect((await runLab(lab5Handlers, { reliableBroadcast: other }))[0]!.output).toMatch(
      /it must return the result of defineSimProtocol|its nodes must be \["a","b","c"\]/,
    );
  });
});
