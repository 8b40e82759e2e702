/**
 * Issue 12: every named limit of an LDFI search ends it as inconclusive (exit 3) with the limit
 * named, including bounds hit inside one of its runs; a bad `--report` path is a clear error (exit 2).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../lib/cli/main";
import { loadProgram, parseSource } from "../../lib/dedalus/load";
import { dedalusEngine } from "../../lib/ldfi/dedalusEngine";
import { dedalusTarget } from "../../lib/ldfi/dedalusTarget";
import type { FaultTarget, Observation } from "../../lib/ldfi/observation";
import { SEARCH_LIMITS, type SearchLimit } from "../../lib/ldfi/result";
import { SatLimitError } from "../../lib/ldfi/sat";
import { searchFaults } from "../../lib/ldfi/search";
import { PROTOCOLS } from "./corpus";

async function cli(args: string[]): Promise<{ code: number; out: string; err: string; ms: number }> {
  let out = "",
    err = "";
  const o = jest.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = jest.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  const t0 = performance.now();
  try {
    const code = await main(args);
    return { code, out, err, ms: performance.now() - t0 };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** A local program whose failure-free run never ends: `big` grows without bound at b from time 2. */
const EXPLODING = `node("a", "b")@1;
node("b", "a")@1;
node(X, Y)@next :- node(X, Y);
msg(Y, X)@async :- node(X, Y);
got(N, X) :- msg(N, X);
got(N, X)@next :- got(N, X);
big(N, 0) :- got(N, _);
big(N, K + 1) :- big(N, K);
pre(X) :- node(X, _);
post(X) :- node(X, Y), got(Y, X);
`;

let dir: string;
let exploding: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "maze-ldfi-limits-"));
  exploding = path.join(dir, "exploding.ded");
  fs.writeFileSync(exploding, EXPLODING);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const BOUNDS = { eot: 3, eff: 2, crashes: 0, nodes: ["a", "b"] };
const explodingTarget = () => dedalusTarget(dedalusEngine, parseSource(EXPLODING, "exploding.ded").program, { eot: 3 });

describe("limits inside a run end the search as inconclusive", () => {
  test("--timeout 1 stops a run that explodes within a second of its value, exit 3, limit timeout", async () => {
    const r = await cli(["ldfi", exploding, "--timeout", "1", "--json"]);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.out);
    expect(j).toEqual({
      schemaVersion: 1,
      verdict: "inconclusive",
      executions: 0,
      wallMs: expect.any(Number),
      counterexample: null,
      limit: "timeout",
    });
    expect(j.wallMs).toBeGreaterThanOrEqual(1000);
    expect(j.wallMs).toBeLessThan(2000);
    expect(r.ms).toBeLessThan(2500);
  });

  test("--max-tuples: a run past it ends the search with limit max-tuples, exit 3", async () => {
    const r = await cli(["ldfi", exploding, "--max-tuples", "5000", "--json"]);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out)).toMatchObject({ verdict: "inconclusive", executions: 0, counterexample: null, limit: "max-tuples" });
    const text = await cli(["ldfi", exploding, "--max-tuples", "5000"]);
    expect(text.out.split("\n")[0]).toBe("inconclusive (limit: max-tuples) for EOT 3, EFF 2, crashes 0 on nodes a,b");
  });

  test("a run longer than runLimits.wallMs (within the search's time) is run-wall-time", () => {
    const r = searchFaults(explodingTarget(), { bounds: BOUNDS, timeoutMs: 30_000, runLimits: { wallMs: 200 } });
    expect(r).toMatchObject({ verdict: "inconclusive", limit: "run-wall-time", executions: 0 });
    expect(r.wallMs).toBeLessThan(2000);
  });

  test("a heap ceiling ends the search with limit memory", () => {
    const r = searchFaults(explodingTarget(), { bounds: BOUNDS, maxHeapBytes: 1 });
    expect(r).toMatchObject({ verdict: "inconclusive", limit: "memory", counterexample: null });
  });

  test("the heap ceiling is checked between runs too", () => {
    const program = loadProgram([path.join(PROTOCOLS, "simple_delivery.ded"), path.join(PROTOCOLS, "delivery_assert.ded")]).program;
    const real = dedalusTarget(dedalusEngine, program, { eot: 4 });
    // the runs themselves get no ceiling (Infinity is above any heap), only the search's own check
    const target: FaultTarget = { nodes: real.nodes, execute: (f, b) => real.execute(f, b ? { ...b, maxHeapBytes: Infinity } : b) };
    const r = searchFaults(target, { bounds: { eot: 4, eff: 2, crashes: 0, nodes: ["a", "b", "c"] }, maxHeapBytes: 1 });
    expect(r).toMatchObject({ verdict: "inconclusive", limit: "memory", executions: 1 });
  });

  test("the solver's clause bound, wherever it is hit, is limit sat-clauses", () => {
    const target: FaultTarget = {
      nodes: ["a", "b"],
      execute: (f): Observation => {
        const obs = { faults: f, post: new Set(['post("a")']), pre: new Set(['post("a")']), firstSend: new Map([["a", 1]]), messages: [] };
        return {
          ...obs,
          lineage: () => {
            throw new SatLimitError(400_001);
          },
        };
      },
    };
    for (const strategy of ["ldfi"] as const) {
      expect(searchFaults(target, { bounds: BOUNDS, strategy })).toMatchObject({
        verdict: "inconclusive",
        limit: "sat-clauses",
        executions: 1,
      });
    }
  });

  test("random and exhaustive searches end the same way", () => {
    for (const strategy of ["random", "exhaustive"] as const) {
      expect(searchFaults(explodingTarget(), { bounds: BOUNDS, strategy, runLimits: { maxTuples: 2000 } })).toMatchObject({
        verdict: "inconclusive",
        limit: "max-tuples",
      });
    }
  });
});

describe("the limit names", () => {
  test("are DESIGN.md section 6's list, and lib/ldfi/README.md's table is SEARCH_LIMITS", () => {
    const names: SearchLimit[] = ["max-runs", "timeout", "sat-clauses", "max-tuples", "run-wall-time", "memory"];
    expect(Object.keys(SEARCH_LIMITS)).toEqual(names);
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "lib", "ldfi", "README.md"), "utf8");
    const table = readme.split("<!-- limits:start -->\n")[1]!.split("\n<!-- limits:end -->")[0];
    expect(table).toBe(
      ["| limit | when |", "|---|---|", ...Object.entries(SEARCH_LIMITS).map(([k, v]) => `| \`${k}\` | ${v} |`)].join("\n"),
    );
  });
});

describe("--report paths", () => {
  const args = (report: string) => [
    "ldfi",
    path.join(PROTOCOLS, "simple_delivery.ded"),
    path.join(PROTOCOLS, "delivery_assert.ded"),
    "--report",
    report,
  ];

  test("an existing file is a clear error, exit 2, before any search", async () => {
    const file = path.join(dir, "a-file.txt");
    fs.writeFileSync(file, "x");
    const r = await cli(args(file));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`maze ldfi: --report ${file}: exists and is not a directory (the report is written to DIR/index.html)\n`);
    expect(r.out).toBe("");
  });

  test("an empty path is a clear error, exit 2", async () => {
    const r = await cli(args(""));
    expect(r.code).toBe(2);
    expect(r.err).toBe("maze ldfi: --report expects a directory path, got an empty one\n");
  });

  test("a path under a file cannot be created: exit 2 naming the cause", async () => {
    const file = path.join(dir, "a-file.txt");
    fs.writeFileSync(file, "x");
    const r = await cli(args(path.join(file, "sub")));
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `maze ldfi: --report ${path.join(file, "sub")}: cannot create the report directory (ENOTDIR: not a directory, mkdir '${path.join(file, "sub")}')\n`,
    );
  });

  test("a new directory is created and gets the report", async () => {
    const out = path.join(dir, "new", "report");
    const r = await cli([...args(out), "--eot", "4"]);
    expect(r.code).toBe(1);
    expect(fs.existsSync(path.join(out, "index.html"))).toBe(true);
  }, 60_000);
});

describe("--nodes", () => {
  test("a node named twice is an error, exit 2", async () => {
    const r = await cli([
      "ldfi",
      path.join(PROTOCOLS, "simple_delivery.ded"),
      path.join(PROTOCOLS, "delivery_assert.ded"),
      "--nodes",
      "a,a,a",
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toBe("maze ldfi: --nodes names 'a' more than once (got 'a,a,a')\n");
  });
});
