import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readNotebook, serializeNotebook } from "../../kernel/headless/notebookFormat";
import { PROJECT_ROOT } from "../../kernel/jupyterPaths";
import { SCHEMA_VERSION } from "../../lib/cli/jsonSchema";
import { LABS } from "../../lib/labs/registry";
import { scratchDir } from "./fixtures";

const MAZE = path.join(PROJECT_ROOT, "bin", "maze.js");
const dir = scratchDir("grading-batch");
const starter = path.join(PROJECT_ROOT, "notebooks", "labs", "lab1-crdt.ipynb");
const solution = path.join(PROJECT_ROOT, "notebooks", "instructor", "lab1-crdt.ipynb");

/** A lab-1 notebook with its first student cell prefixed by `code`. */
function prefixed(base: string, name: string, code: string, folder: string): string {
  const nb = readNotebook(base);
  const cell = nb.cells.find((c) => c.metadata.tags?.includes("student"));
  if (cell) cell.source = `${code}\n${cell.source}`;
  const file = path.join(folder, name);
  fs.writeFileSync(file, serializeNotebook(nb));
  return file;
}

test("a folder of mixed submissions: the CSV has one right row each, progress per submission, one results.json each", () => {
  const subs = path.join(dir, "submissions");
  fs.mkdirSync(subs, { recursive: true });
  fs.copyFileSync(solution, path.join(subs, "alice.ipynb"));
  fs.copyFileSync(starter, path.join(subs, "bob.ipynb"));
  prefixed(starter, "carol.ipynb", '(process as any).send?.({ event: "result", name: "x", score: 1e6, max_score: 10, output: "" });', subs);
  prefixed(solution, "dave.ipynb", "while (true) {}", subs);
  prefixed(solution, "erin.ipynb", "process.exit(3);", subs);
  fs.writeFileSync(path.join(subs, "frank.ipynb"), "{ not a notebook");
  const files = ["alice", "bob", "carol", "dave", "erin", "frank"].map((n) => path.join(subs, `${n}.ipynb`));
  const csv = path.join(dir, "grades.csv");
  const out = path.join(dir, "results");
  const r = spawnSync(process.execPath, [MAZE, "grade", ...files, "--jobs", "2", "--csv", csv, "--out-dir", out, "--timeout", "5"], {
    encoding: "utf8",
  });
  expect(r.status).toBe(1); // frank could not be graded
  const progress = r.stdout.split("\n").filter((l) => l.startsWith("["));
  expect(progress).toHaveLength(6);
  for (const l of progress) expect(l).toMatch(/^\[[1-6]\/6\] \w+\.ipynb (lab1-crdt \d+\/100|not graded: .*) \d+\.\ds$/);
  expect(progress.find((l) => l.includes("alice.ipynb"))).toMatch(/ alice\.ipynb lab1-crdt 100\/100 \d+\.\ds$/);
  const tests = LABS["lab1-crdt"]!.tests;
  const full = tests.map((t) => t.points).join(",");
  const zero = tests.map(() => 0).join(",");
  // dave's counter cell loops: stopped, graded as if it threw; his set (cell 2) still scores 60.
  const daveSet = tests.map((t) => (t.name.startsWith("or-set") ? t.points : 0)).join(",");
  expect(fs.readFileSync(csv, "utf8")).toBe(
    [
      // Test names with a comma are quoted, as RFC 4180 has it.
      `submission,lab,score,max_score,${tests.map((t) => (t.name.includes(",") ? `"${t.name}"` : t.name)).join(",")}`,
      `alice,lab1-crdt,100,100,${full}`,
      `bob,lab1-crdt,0,100,${zero}`,
      `carol,lab1-crdt,0,100,${zero}`,
      `dave,lab1-crdt,60,100,${daveSet}`,
      `erin,lab1-crdt,0,100,${zero}`,
      `frank,,0,0${",".repeat(tests.length)}`,
    ].join("\n") + "\n",
  );
  for (const n of ["alice", "bob", "carol", "dave", "erin", "frank"]) expect(fs.existsSync(path.join(out, n, "results.json"))).toBe(true);
  const erin = JSON.parse(fs.readFileSync(path.join(out, "erin", "results.json"), "utf8")) as { output: string };
  expect(erin.output).toMatch(/ended unexpectedly \(exit 3\)/);
}, 300_000);

test("two submissions with the same file name are refused before grading", () => {
  const a = path.join(dir, "x"),
    b = path.join(dir, "y");
  fs.mkdirSync(a, { recursive: true });
  fs.mkdirSync(b, { recursive: true });
  fs.copyFileSync(starter, path.join(a, "sam.ipynb"));
  fs.copyFileSync(starter, path.join(b, "sam.ipynb"));
  const r = spawnSync(
    process.execPath,
    [MAZE, "grade", path.join(a, "sam.ipynb"), path.join(b, "sam.ipynb"), "--csv", path.join(dir, "dup.csv")],
    { encoding: "utf8" },
  );
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/two submissions are named 'sam'/);
});

describe("the Gradescope bundle", () => {
  const zip = path.join(dir, "lab1.zip");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "maze-autograder-"));

  beforeAll(() => {
    const r = spawnSync(process.execPath, [MAZE, "grade", "bundle", "lab1-crdt", "--out", zip], { encoding: "utf8" });
    expect(r.status).toBe(0);
    // What Gradescope does: unpack into source/, copy run_autograder to the root; setup.sh has
    // installed node_modules (here: the project's, linked).
    expect(spawnSync("unzip", ["-q", zip, "-d", path.join(root, "source")]).status).toBe(0);
    fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(root, "source", "node_modules"), "dir");
    fs.copyFileSync(path.join(root, "source", "run_autograder"), path.join(root, "run_autograder"));
    fs.chmodSync(path.join(root, "run_autograder"), 0o755);
  });

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test("holds setup.sh, run_autograder and the grader, never the instructor solutions or notebooks", () => {
    const list = spawnSync("unzip", ["-Z1", zip], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
    expect(list).toEqual(
      expect.arrayContaining([
        "setup.sh",
        "run_autograder",
        "package.json",
        "package-lock.json",
        "grading-secret",
        "dist/kernel/grading/gradescope.js",
        "dist/kernel/headless/worker.js",
      ]),
    );
    expect(list.filter((f) => /notebooks|instructor|\.ipynb$|^test\//.test(f))).toEqual([]);
    expect(fs.statSync(path.join(root, "source", "setup.sh")).mode & 0o111).not.toBe(0);
    expect(fs.readFileSync(path.join(root, "source", "setup.sh"), "utf8")).toMatch(/latest-v24\.x/);
  });

  const runIn = (submission: readonly string[]): Record<string, unknown> => {
    fs.rmSync(path.join(root, "submission"), { recursive: true, force: true });
    fs.rmSync(path.join(root, "results"), { recursive: true, force: true });
    fs.mkdirSync(path.join(root, "submission"), { recursive: true });
    for (const f of submission)
      fs.copyFileSync(f, path.join(root, "submission", path.basename(f) === "lab1-crdt.ipynb" ? "mine.ipynb" : path.basename(f)));
    const r = spawnSync(path.join(root, "run_autograder"), [], { encoding: "utf8", env: { ...process.env, AUTOGRADER_ROOT: root } });
    expect(r.status).toBe(0);
    return JSON.parse(fs.readFileSync(path.join(root, "results", "results.json"), "utf8")) as Record<string, unknown>;
  };

  /** Gradescope's results.json schema, as far as the autograder writes it. */
  const expectGradescopeSchema = (res: Record<string, unknown>): void => {
    expect(typeof res["score"]).toBe("number");
    expect(Array.isArray(res["tests"])).toBe(true);
    for (const t of res["tests"] as Record<string, unknown>[]) {
      expect(Object.keys(t).sort()).toEqual(["max_score", "name", "output", "score", "visibility"]);
      expect(typeof t["name"]).toBe("string");
      expect(typeof t["score"]).toBe("number");
      expect(typeof t["max_score"]).toBe("number");
      expect(typeof t["output"]).toBe("string");
      expect(["hidden", "after_due_date", "after_published", "visible"]).toContain(t["visibility"]);
    }
    for (const k of Object.keys(res))
      expect(["score", "execution_time", "output", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"]).toContain(k);
  };

  test("run_autograder grades the reference solution to full marks in a temporary AUTOGRADER_ROOT", () => {
    const res = runIn([solution]);
    expectGradescopeSchema(res);
    expect(res["score"]).toBe(100);
    const extra = res["extra_data"] as { schemaVersion: number; lab: string; seed: number; lab_version: string };
    expect(Object.keys(extra)[0]).toBe("schemaVersion");
    expect(extra.schemaVersion).toBe(SCHEMA_VERSION);
    expect(extra.lab).toBe("lab1-crdt");
    expect(Number.isInteger(extra.seed)).toBe(true);
  }, 120_000);

  test("no notebook, or two, is one failed test saying so", () => {
    const none = runIn([]);
    expectGradescopeSchema(none);
    expect(none["score"]).toBe(0);
    expect((none["tests"] as { output: string }[])[0]?.output).toMatch(/no \.ipynb notebook in the submission/);
    expect(none["extra_data"]).toMatchObject({ schemaVersion: SCHEMA_VERSION });
    const two = runIn([starter, path.join(PROJECT_ROOT, "notebooks", "labs", "lab2-broadcast.ipynb")]);
    expect((two["tests"] as { output: string }[])[0]?.output).toMatch(/holds 2 notebooks/);
  }, 60_000);
});
