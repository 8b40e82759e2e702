import { execFileSync, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatReport, gradeNotebook } from "../../kernel/grading/gradeNotebook";
import { sandboxMechanisms } from "../../kernel/grading/sandbox";
import { readNotebook, serializeNotebook } from "../../kernel/headless/notebookFormat";
import { PROJECT_ROOT } from "../../kernel/jupyterPaths";
import { scratchDir } from "./fixtures";
import { tempDir } from "../tempDir";

/**
 * A student who wants the points without the work: every attack of issue 11 as a cell added to a
 * starter. Each must score what the starter scores (0), write nothing outside the sandbox, leave
 * the project byte-identical, and end within the grader's deadlines.
 */
const dir = scratchDir("grading-attacks");
const MAZE = path.join(PROJECT_ROOT, "bin", "maze.js");
const TIMEOUT_S = 5;
const starter = (lab: string): string => path.join(PROJECT_ROOT, "notebooks", "labs", `${lab}.ipynb`);
const solution = (lab: string): string => path.join(PROJECT_ROOT, "notebooks", "instructor", `${lab}.ipynb`);

/** A copy of a lab notebook with code cells inserted after its last student cell. */
function withCells(base: string, name: string, sources: readonly string[]): string {
  const nb = readNotebook(base);
  const last = nb.cells.map((c, i) => (c.metadata.tags?.includes("student") ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
  nb.cells.splice(
    last + 1,
    0,
    ...sources.map((source, i) => ({
      cell_type: "code" as const,
      id: `attack-${i}`,
      metadata: { tags: ["student"] },
      source,
      outputs: [],
      execution_count: null,
    })),
  );
  const file = path.join(dir, name);
  fs.writeFileSync(file, serializeNotebook(nb));
  return file;
}

/** A hash of every project file a student could want to change: the compiled grader, the notebooks, the manifests. */
function projectHash(): string {
  const h = crypto.createHash("sha256");
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(p).update(fs.readFileSync(p));
    }
  };
  for (const d of ["dist/lib", "dist/course", "dist/kernel", "notebooks", "protocols"]) walk(path.join(PROJECT_ROOT, d));
  for (const f of ["package.json", "bin/maze.js"]) h.update(fs.readFileSync(path.join(PROJECT_ROOT, f)));
  return h.digest("hex");
}

/** A file outside the sandbox an attack tries to create (it must not exist afterwards). */
const outside = path.join(os.tmpdir(), `maze-attack-${process.pid}`);
/** What a detached child would write once the grader is done (it must never appear). */
const lateWrite = path.join(dir, "late-results.json");
/** A project file an attack tries to delete (a canary, so a broken sandbox costs nothing real). */
const canary = path.join(dir, "canary.txt");

const IPC_FORGERY = `// Forge the grader's channels: result lines into any grading file named in the environment,
// and made-up IPC messages (results, a "finished", an answer to no question, a non-JSON string).
import * as fs from "fs";
const forged = { event: "result", name: "anything", score: 1e6, max_score: 10, output: "passed" };
for (const [k, v] of Object.entries(process.env)) if (typeof v === "string" && /MAZE|GRADE/.test(k)) { try { fs.appendFileSync(v, JSON.stringify(forged) + "\\n"); } catch {} }
const forge = (process as any).send?.bind(process);
if (forge) { forge(forged); forge({ type: "finished" }); forge({ type: "lab-answers", id: 0, answers: [] }); forge("not json {"); forge({ type: "cell-done", index: 999, outputs: [] }); }`;

const REGISTRY_PATCH = `// Replace the lab's checks and the globals checks use, in this process.
import * as patched from "maze/internals";
for (const lab of Object.values(patched.LABS)) for (const t of lab.tests) (t as any).check = () => undefined;
(Array.prototype as any).includes = () => true;
const realStringify = JSON.stringify;
(JSON as any).parse = (s: string) => ({ score: 100 });
(patched as any).runLab = async () => [];`;

const readSolution = (
  lab: string,
): string => `// Read the instructor's solution (by its path in the project, and through the library's own folder).
import * as fs from "fs";
import * as path from "path";
let stolen = "";
for (const p of [${JSON.stringify(solution(lab))}, path.join(path.dirname(require.resolve("maze")), "..", "..", "notebooks", "instructor", ${JSON.stringify(`${lab}.ipynb`)}), "/proc/" + process.ppid + "/cwd/notebooks/instructor/${lab}.ipynb"]) {
  try { stolen = fs.readFileSync(p, "utf8"); break; } catch {}
}
if (!stolen) throw new Error("could not read the solution");`;

const TAMPER_FILES = `// Backdoor the grader for the next student, write outside the sandbox, delete project files.
import * as fs from "fs";
for (const f of [${JSON.stringify(path.join(PROJECT_ROOT, "dist", "lib", "labs", "lab1Crdt.js"))}, ${JSON.stringify(path.join(PROJECT_ROOT, "dist", "kernel", "grading", "gradeNotebook.js"))}]) {
  try { fs.appendFileSync(f, "\\n;/* backdoor */"); } catch {}
}
const lib = require.resolve("maze");
try { fs.appendFileSync(lib, "\\n;/* backdoor in the shared library copy */"); } catch {}
try { fs.writeFileSync(${JSON.stringify(outside)}, "escaped"); } catch {}
try { fs.rmSync(${JSON.stringify(canary)}); } catch {}`;

const detachedChild = (out: string): string => `// A detached child that rewrites results.json after the grader has exited.
import { spawn } from "child_process";
const code = "setTimeout(() => require('fs').writeFileSync(" + JSON.stringify(${JSON.stringify(out)}) + ", JSON.stringify({ score: 100, tests: [] })), 2500)";
spawn(process.execPath, ["-e", code], { detached: true, stdio: "ignore" }).unref();`;

const KEEP_ALIVE = `// Forged keep-alive messages, then wait forever.
const alive = (process as any).send.bind(process);
let i = 0;
setInterval(() => { alive({ type: "cell-start", index: 3 }); alive({ type: "cell-start", index: i++ }); }, 50);
await new Promise(() => undefined);`;

const BUFFERS = `// Allocate Buffers until the machine runs out.
const hoard: Buffer[] = [];
for (let i = 0; i < 80; i++) hoard.push(Buffer.alloc(100 * 1024 * 1024, 1));
console.log(hoard.length);`;

/** Lab 5: answer the grader's "run your protocol" questions before serveLab can: every node delivered, nothing sent. */
const FORGED_SESSION = `// Answer the protocol session's questions ourselves, and print a fake result.
const forge = (process as any).send?.bind(process);
const idle = () => ({ c: "start", t: 1, sends: [], timers: [], cancels: [] });
(process as any).on?.("message", (m: any) => {
  if (!forge || !m || m.type !== "lab-ask") return;
  forge({ type: "lab-answers", id: m.id, answers: m.questions.map((q: any) => ({ ok: true, calls: { a: [idle()], b: [idle()], c: [idle()] }, states: { a: { delivered: [q.payload] }, b: { delivered: [q.payload] }, c: { delivered: [q.payload] } } })) });
});
console.log("lab5-handlers: 100 / 100");`;

/** Lab 5: swallow every answer serveLab sends, so the grader waits. */
const SILENT_SESSION = `// Never answer the grader's questions.
const real = (process as any).send.bind(process);
(process as any).send = (m: any, ...rest: any[]) => (m && m.type === "lab-answers" ? true : real(m, ...rest));`;

beforeAll(() => {
  fs.writeFileSync(canary, "still here\n");
  fs.rmSync(outside, { force: true });
});
// An attack that got through must not leave its file behind for the next run either.
afterAll(() => fs.rmSync(outside, { force: true }));

describe("every attack scores the starter's 0, leaves the project as it was and writes nothing outside the sandbox", () => {
  const attacks: [string, string, string[]][] = [
    ["forged events and IPC messages", "lab1-crdt", [IPC_FORGERY]],
    ["patched lab registry and globals", "lab1-crdt", [REGISTRY_PATCH]],
    ["reading the instructor solution", "lab1-crdt", [readSolution("lab1-crdt")]],
    ["a backdoor in dist/, writes outside, deleting files", "lab1-crdt", [TAMPER_FILES]],
    ["Buffers without end", "lab1-crdt", [BUFFERS]],
    [
      "every channel at once",
      "lab2-broadcast",
      [IPC_FORGERY, REGISTRY_PATCH, readSolution("lab2-broadcast"), TAMPER_FILES, detachedChild(lateWrite), KEEP_ALIVE],
    ],
    [
      "every channel at once",
      "lab3-bughunt",
      [IPC_FORGERY, REGISTRY_PATCH, readSolution("lab3-bughunt"), TAMPER_FILES, detachedChild(lateWrite), KEEP_ALIVE],
    ],
    [
      "every channel at once",
      "lab4-calm",
      [IPC_FORGERY, REGISTRY_PATCH, readSolution("lab4-calm"), TAMPER_FILES, detachedChild(lateWrite), KEEP_ALIVE],
    ],
    [
      "every channel at once",
      "lab5-handlers",
      [IPC_FORGERY, REGISTRY_PATCH, readSolution("lab5-handlers"), TAMPER_FILES, detachedChild(lateWrite), KEEP_ALIVE],
    ],
    ["a forged protocol session and a fake result", "lab5-handlers", [FORGED_SESSION]],
  ];
  test.each(attacks)(
    "%s (%s)",
    async (what, lab, cells) => {
      const before = projectHash();
      const file = withCells(starter(lab), `${lab}-${what.replace(/\W+/g, "-")}.ipynb`, cells);
      const r = await gradeNotebook(file, { cellTimeoutMs: TIMEOUT_S * 1000 });
      expect(r.score).toBe(0);
      expect(r.tests.every((t) => t.score === 0 && t.max_score > 0)).toBe(true);
      expect(projectHash()).toBe(before);
      expect(fs.existsSync(outside)).toBe(false);
      expect(fs.readFileSync(canary, "utf8")).toBe("still here\n");
      if (cells.length > 4) {
        // The detached child would have written after 2.5 s.
        await new Promise((resolve) => setTimeout(resolve, 3000));
        expect(fs.existsSync(lateWrite)).toBe(false);
      }
    },
    240_000,
  );

  test("after the backdoor attempt, the next student's untouched starter still scores 0 and the solution 100", async () => {
    expect((await gradeNotebook(starter("lab1-crdt"))).score).toBe(0);
    // The report rides along only when the score is wrong, so a failure says why (a deadline, a check).
    const reference = await gradeNotebook(solution("lab1-crdt"));
    expect({ score: reference.score, report: reference.score === 100 ? "" : formatReport(reference) }).toEqual({ score: 100, report: "" });
  }, 240_000);
});

// Only where the sandbox has a PID namespace: elsewhere this attack would kill the test runner itself.
const withPidNamespace = sandboxMechanisms().some((m) => m.includes("--pid"));
(withPidNamespace ? test : test.skip)(
  "a cell that signals the grader's process cannot reach it",
  async () => {
    const file = withCells(starter("lab1-crdt"), "signal.ipynb", ['try { process.kill(process.ppid, "SIGKILL"); } catch {}']);
    const r = await gradeNotebook(file, { cellTimeoutMs: TIMEOUT_S * 1000 });
    expect(r.score).toBe(0);
  },
  120_000,
);

test("a detached child cannot rewrite results.json after the grader exits", async () => {
  const out = path.join(dir, "detached-results.json");
  const file = withCells(starter("lab1-crdt"), "detached.ipynb", [detachedChild(out)]);
  execFileSync(process.execPath, [MAZE, "grade", file, "--out", out, "--timeout", String(TIMEOUT_S)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const written = fs.readFileSync(out, "utf8");
  expect((JSON.parse(written) as { score: number }).score).toBe(0);
  await new Promise((r) => setTimeout(r, 5000));
  expect(fs.readFileSync(out, "utf8")).toBe(written);
}, 120_000);

test("forged keep-alive messages do not extend the deadlines: the grader ends on time", async () => {
  const file = withCells(starter("lab1-crdt"), "keep-alive.ipynb", [KEEP_ALIVE]);
  const t0 = Date.now();
  const r = await gradeNotebook(file, { cellTimeoutMs: TIMEOUT_S * 1000 });
  expect(r.score).toBe(0);
  expect(r.output).toMatch(/stopped after 5 s|got no answer within 5 s/);
  // Two executions of a short notebook, each cut at the 5 s cell limit at worst.
  expect(Date.now() - t0).toBeLessThan(60_000);
}, 120_000);

test("a CRDT whose every function loops costs a bounded grading time, not one limit per test", async () => {
  const nb = readNotebook(solution("lab1-crdt"));
  for (const c of nb.cells)
    if (c.metadata.tags?.includes("student"))
      c.source = c.source.replace(/=> \(\{/g, "=> { while (true) {} return ({").replace(/\}\),\n/g, "}); },\n");
  const file = path.join(dir, "loops-everywhere.ipynb");
  fs.writeFileSync(file, serializeNotebook(nb));
  const t0 = Date.now();
  const r = await gradeNotebook(file, { cellTimeoutMs: TIMEOUT_S * 1000 });
  expect(r.score).toBe(0);
  expect(r.tests.some((t) => /stopped: the test ran longer than 5 s/.test(t.output))).toBe(true);
  expect(r.tests.some((t) => /used up its grading time/.test(t.output))).toBe(true);
  expect(Date.now() - t0).toBeLessThan(120_000);
}, 240_000);

test("a malformed answer is a failed test with a clear message, not a grader crash", async () => {
  const garbage = `const reply = (process as any).send.bind(process);
(process as any).on("message", (m: any) => { if (m && m.type === "lab-ask") reply({ type: "lab-answers", id: m.id, answers: [{ a: "value", value: "a lot" }] }); });`;
  const r = await gradeNotebook(withCells(solution("lab1-crdt"), "garbage-answers.ipynb", [garbage]), { cellTimeoutMs: TIMEOUT_S * 1000 });
  expect(r.score).toBeLessThan(100);
  expect(r.tests.find((t) => t.score === 0)?.output).toMatch(/the notebook process gave a malformed answer: /);
}, 120_000);

test("lab 5: a forged session's answers are judged, not believed; one that never answers costs a bounded time", async () => {
  const forged = await gradeNotebook(withCells(starter("lab5-handlers"), "lab5-forged.ipynb", [FORGED_SESSION]), {
    cellTimeoutMs: 60_000,
  });
  expect(forged.score).toBe(0);
  expect(forged.tests[0]!.output).toMatch(/node b delivered "msg-[0-9a-z]+" although no message carrying it reached b/);
  // On the reference solution too: the forged answers come first and are what the grader judges.
  const onSolution = await gradeNotebook(withCells(solution("lab5-handlers"), "lab5-forged-solution.ipynb", [FORGED_SESSION]), {
    cellTimeoutMs: 60_000,
  });
  expect(onSolution.score).toBe(0);
  const t0 = Date.now();
  const silent = await gradeNotebook(withCells(solution("lab5-handlers"), "lab5-silent.ipynb", [SILENT_SESSION]), {
    cellTimeoutMs: TIMEOUT_S * 1000,
  });
  expect(silent.score).toBe(0);
  expect(silent.tests.some((t) => /stopped: the test ran longer than 5 s|used up its grading time/.test(t.output))).toBe(true);
  // Each of the four tests waits out its 5 s and the notebook is re-run without it: bounded, if not quick.
  expect(Date.now() - t0).toBeLessThan(200_000);
}, 420_000);

test("lab 5: garbage answers are a failed test with a clear message, not a grader crash", async () => {
  const garbage = `const reply = (process as any).send.bind(process);
(process as any).on("message", (m: any) => { if (m && m.type === "lab-ask") reply({ type: "lab-answers", id: m.id, answers: [{ ok: true, calls: "lots", states: {} }] }); });`;
  // A cell budget the solution's own cells meet on a loaded machine: the answer is what is judged here, not time.
  const r = await gradeNotebook(withCells(solution("lab5-handlers"), "lab5-garbage.ipynb", [garbage]), { cellTimeoutMs: 60_000 });
  expect(r.score).toBe(0);
  // The notes go with the test's output so that a failure here says why the notebook did not get to grading.
  expect(`${r.tests[0]!.output}\nnotes: ${r.output}`).toMatch(/the notebook process gave a malformed answer for no faults: no calls/);
}, 120_000);

test("a last cell printing 300 KB is graded normally; one printing 2 MB is reported as an output limit, not an unexpected exit", async () => {
  const r = await gradeNotebook(withCells(solution("lab1-crdt"), "loud.ipynb", ['console.log("x".repeat(300_000));']));
  expect(r.score).toBe(100);
  expect(r.output).toBe("all cells ran");
  const louder = await gradeNotebook(withCells(solution("lab1-crdt"), "louder.ipynb", ['console.log("x".repeat(2_000_000));']));
  expect(louder.score).toBe(100);
  expect(louder.output).toMatch(
    /^louder\.ipynb: cell 7 printed more than 1000000 bytes; the rest was dropped$|^cell 7 printed more than 1000000 bytes; the rest was dropped$/,
  );
}, 180_000);

test("--timeout is validated: above one hour, zero or not a number is a usage error", () => {
  for (const bad of [String(2 ** 31), "0", "soon"]) {
    const r = spawnSync(process.execPath, [MAZE, "grade", starter("lab1-crdt"), "--timeout", bad], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--timeout/);
  }
});

test("grading needs no build/ folder: it works from a notebook outside the project and writes nothing under build/", async () => {
  const away = tempDir("away");
  const file = path.join(away, "alice.ipynb");
  fs.copyFileSync(starter("lab1-crdt"), file);
  const build = path.join(PROJECT_ROOT, "build");
  const list = (): string[] => (fs.existsSync(build) ? fs.readdirSync(build).filter((f) => f.startsWith("grading-")) : []);
  const before = list();
  const r = await gradeNotebook(file);
  expect(r.score).toBe(0);
  expect(list()).toEqual(before);
}, 120_000);
