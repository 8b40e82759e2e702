/**
 * Goldens of the CLI's contracts (lib/cli/README.md): every `--json` shape, one per command and
 * outcome (certified, counterexample, inconclusive with its limit named, parse error, check
 * error), the same for protocol modules and for the playground's error answers; the readable
 * error output (located `file:line:col` errors with their carets, the limit messages, bad flags);
 * and the `why`/`support` trees of the Dedalus provenance that LDFI reads.
 *
 * Each golden in test/cli/golden/ holds the command, its exit code, stdout and stderr. Files are
 * named relative to the repository root (the test runs there), so no path needs rewriting. The
 * fields that vary between runs are normalised by name below, each after checking that it is
 * there and has its type, so a golden never hides a missing field. UPDATE=1 rewrites the goldens.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { dedalusJson, type DedalusJsonRequest } from "../../lib/cli/dedalusJson";
import { SCHEMA_VERSION } from "../../lib/cli/jsonSchema";
import { loadProgram } from "../../lib/dedalus/load";
import { support, why, type Derivation } from "../../lib/dedalus/provenance";
import { runProgram, type Fact } from "../../lib/dedalus/runtime";
import { dedalusEngine, crashReading } from "../../lib/ldfi/dedalusEngine";
import { dedalusTarget } from "../../lib/ldfi/dedalusTarget";
import { runMaze } from "../cliCapture";

const ROOT = path.join(__dirname, "..", "..");
const GOLDEN = path.join(__dirname, "golden");
const INPUTS = "test/cli/golden/inputs";

let cwd: string;
beforeAll(() => {
  cwd = process.cwd();
  process.chdir(ROOT);
});
afterAll(() => process.chdir(cwd));

function expectGolden(name: string, text: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env["UPDATE"] === "1") fs.writeFileSync(file, text);
  expect(text).toBe(fs.readFileSync(file, "utf8"));
}

/** A `wallMs` field: present, a non-negative number, then written as a placeholder. */
function normalizeWallMs(j: Record<string, unknown>): Record<string, unknown> {
  expect(typeof j["wallMs"]).toBe("number");
  expect(j["wallMs"] as number).toBeGreaterThanOrEqual(0);
  return { ...j, wallMs: "<wallMs>" };
}

/** The readable `maze ldfi` summary's time ("in 12 ms"): present once, then a placeholder. */
function normalizeSearchTime(text: string): string {
  expect(text).toMatch(/ in \d+ ms/);
  return text.replace(/ in \d+ ms/, " in <ms> ms");
}

/** The execution count of a search stopped by its clock, which depends on the machine's speed. */
function normalizeTimedExecutions(text: string): string {
  expect(text).toMatch(/^\d+ executions? /m);
  return text.replace(/^\d+ executions? /m, "<n> executions ");
}

/**
 * `maze ldfi`'s progress lines ("maze ldfi: run 3: ..."), printed only when a search outlasts a
 * second (lib/cli/progress.ts), so on a loaded machine: dropped by their exact form.
 */
function withoutProgress(stderr: string): string {
  return stderr.replace(/^maze ldfi: run \d+( \(completion\))?: .* -> .*\n/gm, "");
}

/** One CLI call as a golden: the command, exit code, stdout (JSON pretty-printed) and stderr. */
function render(args: readonly string[], r: { code: number; out: string; err: string }, stdout: string): string {
  return [`$ maze ${args.join(" ")}`, `exit ${r.code}`, "--- stdout", stdout, "--- stderr", withoutProgress(r.err)].join("\n");
}

const delivery = (proto: string): string[] => [`protocols/${proto}.ded`, "protocols/delivery_assert.ded"];
const twin = (proto: string): string => `protocols/handlers/${proto}.ts`;

/** `--json` cases: name, arguments, expected exit code. */
const JSON_CASES: [string, string[], number][] = [
  ["run.json", ["run", ...delivery("simple_delivery"), "--eot", "3", "--json"], 0],
  ["run-parse-error.json", ["run", `${INPUTS}/parse_error.ded`, "--json"], 2],
  ["run-check-error.json", ["run", `${INPUTS}/unsafe.ded`, "--json"], 2],
  ["run-protocol.json", ["run", twin("retry_delivery"), "--eot", "4", "--omit", "a,b,1", "--crash", "a,2", "--json"], 0],
  ["check.json", ["check", "protocols/golden/heartbeat.ded", "--json"], 0],
  ["check-schedules.json", ["check", "protocols/golden/gossip_set.ded", "--json", "--schedules", "4", "--eot", "4"], 0],
  ["check-parse-error.json", ["check", `${INPUTS}/parse_error.ded`, "--json"], 2],
  ["check-check-error.json", ["check", `${INPUTS}/unsafe.ded`, "--json"], 2],
  ["ldfi-certified.json", ["ldfi", ...delivery("retry_delivery"), "--eot", "4", "--eff", "2", "--json"], 0],
  ["ldfi-counterexample.json", ["ldfi", ...delivery("simple_delivery"), "--eot", "4", "--eff", "2", "--json"], 1],
  [
    "ldfi-inconclusive-max-runs.json",
    [
      "ldfi",
      "protocols/2pc_timeout.ded",
      "protocols/commit_assert_optimist.ded",
      "--eot",
      "6",
      "--eff",
      "0",
      "--crashes",
      "1",
      "--max-runs",
      "5",
      "--json",
    ],
    3,
  ],
  ["ldfi-inconclusive-max-tuples.json", ["ldfi", `${INPUTS}/exploding.ded`, "--max-tuples", "5000", "--json"], 3],
  ["ldfi-parse-error.json", ["ldfi", `${INPUTS}/parse_error.ded`, "--json"], 2],
  ["ldfi-check-error.json", ["ldfi", `${INPUTS}/unsafe.ded`, "--json"], 2],
  ["ldfi-protocol-certified.json", ["ldfi", twin("2pc_timeout_optimist"), "--eot", "6", "--eff", "0", "--crashes", "1", "--json"], 0],
  ["ldfi-protocol-counterexample.json", ["ldfi", twin("retry_delivery"), "--eot", "4", "--eff", "2", "--crashes", "1", "--json"], 1],
  ["ldfi-protocol-inconclusive-max-runs.json", ["ldfi", twin("2pc"), "--eot", "7", "--eff", "3", "--max-runs", "20", "--json"], 3],
];

describe("every --json shape, per command and outcome", () => {
  test.each(JSON_CASES)("%s", async (name, args, exit) => {
    const r = await runMaze(args);
    expect(r.code).toBe(exit);
    let stdout = "";
    if (r.out !== "") {
      // One object per call: one line for run and ldfi, indented for check (as printed today).
      expect(r.out.endsWith("\n")).toBe(true);
      const j = JSON.parse(r.out) as Record<string, unknown>;
      expect(Object.keys(j)[0]).toBe("schemaVersion");
      expect(j["schemaVersion"]).toBe(SCHEMA_VERSION);
      stdout = JSON.stringify(args[0] === "ldfi" ? normalizeWallMs(j) : j, null, 2);
    } else {
      // A program or flag error prints no object, only the located error (exit 2).
      expect(exit).toBe(2);
    }
    expectGolden(name, render(args, r, stdout));
  });
});

describe("the playground's answers (mazeLive.dedalus) when a request cannot run", () => {
  const files = (f: string): Record<string, string> => ({ [`${f}.ded`]: fs.readFileSync(path.join(ROOT, INPUTS, `${f}.ded`), "utf8") });
  test.each([
    ["playground-run-parse-error.json", { command: "run", files: files("parse_error") }],
    ["playground-ldfi-check-error.json", { command: "ldfi", files: files("unsafe") }],
    ["playground-bad-flag.json", { command: "ldfi", files: files("unsafe"), eot: 1.5 }],
  ] as [string, DedalusJsonRequest][])("%s", (name, req) => {
    const j = dedalusJson(req) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual(["schemaVersion", "error", "diagnostics"]);
    expectGolden(name, JSON.stringify({ request: { ...req, files: Object.keys(req.files) }, answer: j }, null, 2) + "\n");
  });
});

/** Readable output cases: name, arguments, expected exit, the normalisations the output needs. */
const TEXT_CASES: [string, string[], number, ((s: string) => string)[]][] = [
  ["run-parse-error.txt", ["run", `${INPUTS}/parse_error.ded`], 2, []],
  ["run-check-error.txt", ["run", `${INPUTS}/unsafe.ded`], 2, []],
  ["check-errors.txt", ["check", `${INPUTS}/parse_error.ded`], 2, []],
  ["ldfi-check-error.txt", ["ldfi", `${INPUTS}/unsafe.ded`], 2, []],
  ["run-limit-max-tuples.txt", ["run", `${INPUTS}/count.ded`, "--max-tuples", "500"], 2, []],
  ["ldfi-counterexample.txt", ["ldfi", ...delivery("simple_delivery"), "--eot", "4", "--eff", "2"], 1, [normalizeSearchTime]],
  [
    "ldfi-limit-max-runs.txt",
    [
      "ldfi",
      "protocols/2pc_timeout.ded",
      "protocols/commit_assert_optimist.ded",
      "--eot",
      "6",
      "--eff",
      "0",
      "--crashes",
      "1",
      "--max-runs",
      "5",
    ],
    3,
    [normalizeSearchTime],
  ],
  ["ldfi-limit-max-tuples.txt", ["ldfi", `${INPUTS}/exploding.ded`, "--max-tuples", "5000"], 3, [normalizeSearchTime]],
  [
    "ldfi-limit-timeout.txt",
    ["ldfi", "protocols/2pc.ded", "protocols/commit_assert.ded", "--eot", "7", "--eff", "3", "--timeout", "0.001"],
    3,
    [normalizeSearchTime, normalizeTimedExecutions],
  ],
  ["ldfi-bad-bounds.txt", ["ldfi", ...delivery("simple_delivery"), "--eot", "3", "--eff", "4"], 2, []],
  ["ldfi-bad-flag.txt", ["ldfi", ...delivery("simple_delivery"), "--crashes", "x"], 2, []],
];

describe("readable output: located errors, limit messages, bad flags", () => {
  test.each(TEXT_CASES)("%s", async (name, args, exit, normalize) => {
    const r = await runMaze(args);
    expect(r.code).toBe(exit);
    const stdout = normalize.reduce((s, f) => f(s), r.out);
    expectGolden(name, render(args, r, stdout.trimEnd()));
  });
});

/** A derivation tree: why() of the goal, then of each premise, down to EDB facts (each tuple expanded once). */
function whyTree(result: ReturnType<typeof runProgram>, goal: Fact): string {
  const key = (f: Fact): string => `${f.rel}(${f.args.map((a) => JSON.stringify(a)).join(", ")})@${f.time}`;
  const seen = new Set<string>();
  const lines: string[] = [];
  const visit = (f: Fact, depth: number): void => {
    const pad = "  ".repeat(depth);
    if (seen.has(key(f))) return void lines.push(`${pad}${key(f)} (above)`);
    seen.add(key(f));
    const ds: Derivation[] = why(result, f);
    if (ds.length === 0) lines.push(`${pad}${key(f)} (does not hold)`);
    for (const d of ds) {
      if (d.kind === "fact") {
        lines.push(`${pad}${key(f)} fact`);
        continue;
      }
      const via = d.kind === "message" ? ` via ${d.message.from}->${d.message.to}@${d.message.sendTime}` : "";
      const neg = d.negated
        .map((n) => ` notin ${n.rel}(${n.args.map((a) => (a === null ? "_" : JSON.stringify(a))).join(", ")})@${n.time}`)
        .join("");
      lines.push(`${pad}${key(f)} by rule ${d.rule.index} (${d.rule.span.file}:${d.rule.span.line}) ${d.rule.text}${via}${neg}`);
      for (const p of d.premises) visit(p, depth + 1);
    }
  };
  visit(goal, 0);
  return lines.join("\n");
}

describe("why/support trees", () => {
  // kafka_isr's lineage holds `alive` nodes: its post reads what crashed nodes no longer send.
  test.each([
    ["simple_delivery", delivery("simple_delivery"), 3],
    ["retry_delivery", delivery("retry_delivery"), 4],
    ["kafka_isr", ["protocols/kafka_isr.ded"], 6],
  ] as const)("%s: why(post), support(every post at EOT) and LDFI's lineage", (proto, files, eot) => {
    const { program, diagnostics } = loadProgram([...files]);
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const result = runProgram(program, { eot, provenance: true });
    const posts = result.facts().filter((f) => f.rel === "post" && f.time === eot);
    expect(posts.length).toBeGreaterThan(0);
    const goal = (posts.find((f) => f.args[0] === "c") ?? posts[0]) as Fact;
    const graph = support(result, posts);
    const target = dedalusTarget(dedalusEngine, program, { eot, ...crashReading(program) });
    const observation = target.execute({ omissions: [], crashes: [] });
    const lineage = observation.lineage([...observation.post].sort());
    const text = [
      `# ${files.join(" ")} at EOT ${eot}`,
      "",
      `## why ${goal.rel}(${goal.args.map((a) => JSON.stringify(a)).join(", ")})@${eot}`,
      whyTree(result, goal),
      "",
      `## support of ${posts.map((p) => `${p.rel}(${p.args.map((a) => JSON.stringify(a)).join(", ")})`).join(", ")}`,
      `roots ${JSON.stringify(graph.roots)}`,
      ...graph.nodes.map((n, i) => `${i}: ${JSON.stringify(n)}`),
      "",
      // What LDFI itself reads: the failure-free run's lineage of every post tuple, through its target.
      `## LDFI lineage of ${[...observation.post].sort().join(", ")}`,
      `roots ${JSON.stringify(lineage.roots)}`,
      ...lineage.nodes.map((n, i) => `${i}: ${JSON.stringify(n)}`),
      "",
    ].join("\n");
    expectGolden(`${proto}.why-support.txt`, text);
  });
});
