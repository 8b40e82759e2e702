/**
 * The Dedalus evaluator against (a) a hand-written JavaScript floor computing the same answer and
 * (b) datascript's Datalog, in one run: transitive closure on chains and random graphs (about two
 * edges per node), same-generation on binary trees; semi-naive vs naive; and one failure-free run
 * of 2PC (protocols/2pc.ded + commit_assert.ded, 4 nodes, EOT 7) as runs per second.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { Worker } from "node:worker_threads";
import type { Program } from "../lib/dedalus/ast";
import { loadProgram, parseSource } from "../lib/dedalus/load";
import { runNaive } from "../lib/dedalus/naive";
import { compileProgram, runProgram } from "../lib/dedalus/runtime";
import { Random } from "../lib/random/random";
import { renderSvg } from "../lib/viz/render";
import { measure, printTable, type BenchSuite, type Timing } from "./harness";

/** A directed graph over vertices 0..n-1. */
export interface Graph {
  n: number;
  edges: [number, number][];
}

/** The chain 0 -> 1 -> ... -> n-1: the deepest recursion for its size. */
export function chain(n: number): Graph {
  return { n, edges: Array.from({ length: n - 1 }, (_, i): [number, number] => [i, i + 1]) };
}

/** A random graph with `perNode` distinct out-edges per vertex (no self-loops), seeded. */
export function randomGraph(n: number, perNode: number, seed: number): Graph {
  const rng = new Random(seed);
  const edges: [number, number][] = [];
  for (let x = 0; x < n; x++) {
    const out = new Set<number>();
    while (out.size < Math.min(perNode, n - 1)) {
      const y = rng.int(0, n - 1);
      if (y !== x) out.add(y);
    }
    for (const y of out) edges.push([x, y]);
  }
  return { n, edges };
}

/** A complete binary tree on n vertices as parent edges (child, parent); 0 is the root. */
export function binaryTree(n: number): Graph {
  return { n, edges: Array.from({ length: n - 1 }, (_, i): [number, number] => [i + 1, Math.floor(i / 2)]) };
}

function adjacency(g: Graph): Int32Array[] {
  const lists: number[][] = Array.from({ length: g.n }, () => []);
  for (const [x, y] of g.edges) (lists[x] as number[]).push(y);
  return lists.map((l) => Int32Array.from(l));
}

/**
 * The floor for transitive closure: one BFS per source over integer adjacency arrays, a stamped
 * visited array (no clearing), and every pair written to a flat output array.
 */
export function transitiveClosureFloor(g: Graph): number {
  const adj = adjacency(g);
  const stamp = new Int32Array(g.n).fill(-1);
  const queue = new Int32Array(g.n);
  let out = new Int32Array(1 << 16); // pairs, flat; doubled when full (like any growable buffer)
  let size = 0;
  for (let s = 0; s < g.n; s++) {
    let head = 0, tail = 0;
    for (const y of adj[s] as Int32Array) if (stamp[y] !== s) ((stamp[y] = s), (queue[tail++] = y));
    while (head < tail) {
      const y = queue[head++] as number;
      if (size + 2 > out.length) {
        const bigger = new Int32Array(out.length * 2);
        bigger.set(out);
        out = bigger;
      }
      out[size++] = s;
      out[size++] = y;
      for (const z of adj[y] as Int32Array) if (stamp[z] !== s) ((stamp[z] = s), (queue[tail++] = z));
    }
  }
  return size / 2;
}

/**
 * The floor for same generation over parent edges (child, parent): start from sibling pairs, then
 * for every new pair (p, q) add every (child of p, child of q); pairs are integers in a Set.
 * This is the Datalog program's own fixpoint, hand-specialised.
 */
export function sameGenerationFloor(g: Graph): number {
  const children: number[][] = Array.from({ length: g.n }, () => []);
  for (const [c, p] of g.edges) (children[p] as number[]).push(c);
  const seen = new Uint8Array(g.n * g.n); // n^2 bytes: 4 MB at 2000 vertices, cheaper than a Set
  let size = 0;
  const work: number[] = [];
  const add = (x: number, y: number): void => {
    const k = x * g.n + y;
    if (seen[k] === 0) ((seen[k] = 1), size++, work.push(x, y));
  };
  for (const cs of children) for (const x of cs) for (const y of cs) if (x !== y) add(x, y);
  while (work.length > 0) {
    const q = work.pop() as number, p = work.pop() as number;
    for (const x of children[p] as number[]) for (const y of children[q] as number[]) add(x, y);
  }
  return size;
}

/** Datascript rules, right-recursive: the left-recursive form never terminates in datascript. */
const DATASCRIPT_RULES = {
  tc: `[[(reach ?x ?y) [?x "edge" ?y]] [(reach ?x ?y) [?x "edge" ?z] (reach ?z ?y)]]`,
  sg: `[[(sg ?x ?y) [?x "parent" ?p] [?y "parent" ?p] [(not= ?x ?y)]] [(sg ?x ?y) [?x "parent" ?p] [?y "parent" ?q] (sg ?p ?q)]]`,
} as const;

/** What datascript returned, or that it did not finish within the cap. */
export type PeerResult = { ms: number; tuples: number } | { capped: number };

/**
 * Runs one datascript query in a worker thread, so a query that runs for minutes (a 1000-node chain
 * takes about 7 minutes) can be stopped at `capMs` and reported as "> cap". Entity ids are vertex+1.
 */
export function runDatascript(kind: "tc" | "sg", g: Graph, capMs: number): Promise<PeerResult> {
  const attr = kind === "tc" ? "edge" : "parent";
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    const d = require(workerData.module);
    const tx = workerData.edges.map(([a, b]) => [":db/add", a + 1, workerData.attr, b + 1]);
    const db = d.db_with(d.empty_db({ [workerData.attr]: { ":db/cardinality": ":db.cardinality/many" } }), tx);
    const head = workerData.kind === "tc" ? "(reach ?x ?y)" : "(sg ?x ?y)";
    const t0 = performance.now();
    const r = d.q("[:find ?x ?y :in $ % :where " + head + "]", db, workerData.rules);
    parentPort.postMessage({ ms: performance.now() - t0, tuples: r.length });`;
  const worker = new Worker(code, {
    eval: true,
    workerData: { module: require.resolve("datascript"), edges: g.edges, attr, kind, rules: DATASCRIPT_RULES[kind] },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ capped: capMs });
    }, capMs);
    worker.once("message", (m: { ms: number; tuples: number }) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(m);
    });
    worker.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** The Dedalus programs of the workloads (facts at time 1, EOT 1). */
export function tcProgram(g: Graph): string {
  const facts = g.edges.map(([x, y]) => `edge("v${x}", "v${y}")@1;`);
  return `${facts.join("\n")}\nreach(X, Y) :- edge(X, Y);\nreach(X, Z) :- reach(X, Y), edge(Y, Z);\n`;
}

/** Same generation over parent(Child, Parent) facts. */
export function sgProgram(g: Graph): string {
  const facts = g.edges.map(([c, p]) => `parent("v${c}", "v${p}")@1;`);
  return `${facts.join("\n")}\nsg(X, Y) :- parent(X, P), parent(Y, P), X != Y;\nsg(X, Y) :- parent(X, P), parent(Y, Q), sg(P, Q);\n`;
}

const PROTOCOLS = path.join(__dirname, "..", "..", "protocols");

function compile(text: string): Program {
  // The graph workloads are classic Datalog (the first column is a vertex, not a node): not local.
  const { program, diagnostics } = parseSource(text, "bench.ded", { locality: "warn" });
  if (diagnostics.length > 0) throw new Error(`bench program does not parse: ${diagnostics[0]?.message}`);
  compileProgram(program); // plan once, outside the timed runs (LDFI also reuses one compiled program)
  return program;
}

type Row = { workload: string; n: number; tuples: number; floorMs: number; mazeMs: number; pairedRatio: number; peer: PeerResult };

/** Two timings taken in alternation, and the median of the ratio b/a over the adjacent pairs of runs. */
export interface AlternatingTimings {
  a: Timing;
  b: Timing;
  medianRatio: number;
}

/**
 * A full garbage collection, so that neither side of an alternating measurement pays for collecting the
 * other's garbage (maze leaves megabytes of tuple arrays behind; the floor's run right after it would pay
 * for them). Null when V8 refuses to expose `gc`.
 */
export function fullGc(): (() => void) | null {
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc: unknown = vm.runInNewContext("gc");
    return typeof gc === "function" ? () => void gc() : null;
  } catch {
    return null;
  }
}

/**
 * Times `a` and `b` in alternation (a, b, b, a, a, b, ...) until each has `minRuns` runs and together they
 * took `minMs`, at most `maxRuns` each. On a shared machine the load changes from second to second; timed
 * one after the other, a burst of someone else's work lands on one side of the ratio only, which moved the
 * 1000-node ratios by a factor of 1.5 between runs. Alternating puts both under the same conditions.
 */
export async function measureAlternating(
  label: string,
  a: () => unknown,
  b: () => unknown,
  opts: { minRuns: number; minMs: number; maxRuns: number; settle?: () => void },
): Promise<AlternatingTimings> {
  const as: number[] = [], bs: number[] = [];
  let total = 0;
  const time = async (f: () => unknown): Promise<number> => {
    opts.settle?.();
    const t0 = performance.now();
    await f();
    const dt = performance.now() - t0;
    total += dt;
    return dt;
  };
  while (as.length < opts.maxRuns && (as.length < opts.minRuns || total < opts.minMs)) {
    // Swap the order every other pair so neither side always runs right after the other's garbage.
    if (as.length % 2 === 0) (as.push(await time(a)), bs.push(await time(b)));
    else (bs.push(await time(b)), as.push(await time(a)));
  }
  const timing = (name: string, xs: number[]): Timing => {
    const sorted = [...xs].sort((x, y) => x - y);
    return { label: `${label} ${name}`, medianMs: sorted[Math.floor(sorted.length / 2)]!, minMs: sorted[0]!, runs: sorted.length };
  };
  const ratios = bs.map((x, i) => x / as[i]!).sort((x, y) => x - y);
  return { a: timing("a", as), b: timing("b", bs), medianRatio: ratios[Math.floor(ratios.length / 2)]! };
}

async function measureWorkloads(quick: boolean): Promise<Row[]> {
  const sizes = quick ? [250, 500] : [250, 500, 1000, 2000];
  const capMs = quick ? 5_000 : 30_000;
  const workloads: { name: string; kind: "tc" | "sg"; make: (n: number) => Graph }[] = [
    { name: "TC chain", kind: "tc", make: chain },
    { name: "TC random 2/node", kind: "tc", make: (n) => randomGraph(n, 2, 42) },
    { name: "same-gen binary tree", kind: "sg", make: binaryTree },
  ];
  const rows: Row[] = [];
  const settle = fullGc() ?? undefined;
  for (const w of workloads) {
    let peerCapped = false; // once a size hits the cap, larger sizes would too: don't spend the cap again
    for (const n of sizes) {
      const g = w.make(n);
      const floorFn = w.kind === "tc" ? transitiveClosureFloor : sameGenerationFloor;
      let tuples = 0;
      const program = compile(w.kind === "tc" ? tcProgram(g) : sgProgram(g));
      let got = -1;
      // Derived tuples = all tuples minus the EDB (counted from stats: facts() of millions of rows is
      // not what is being measured).
      const { a: floor, b: maze, medianRatio } = await measureAlternating(
        `${w.name} ${n}`,
        () => (tuples = floorFn(g)),
        () => (got = runProgram(program, { eot: 1 }).stats.tuples - g.edges.length),
        { minRuns: 7, minMs: 600, maxRuns: 25, settle },
      );
      if (got !== tuples) throw new Error(`${w.name} ${n}: maze derived ${got} tuples, the floor ${tuples}`);
      const peer: PeerResult = peerCapped ? { capped: capMs } : await runDatascript(w.kind, g, capMs);
      peerCapped ||= "capped" in peer;
      if (!("capped" in peer) && peer.tuples !== tuples) throw new Error(`${w.name} ${n}: datascript found ${peer.tuples} tuples, the floor ${tuples}`);
      // Times: best of the runs (interference only ever adds time). The ratio: the median over adjacent
      // pairs of runs, which a burst of other work during one side's best run cannot skew.
      rows.push({ workload: w.name, n, tuples, floorMs: floor.minMs, mazeMs: maze.minMs, pairedRatio: medianRatio, peer });
    }
  }
  return rows;
}

/** A log-log growth chart of the three engines per workload, written next to the compiled bench. */
async function writeGrowthChart(rows: Row[]): Promise<string> {
  const values = rows.flatMap((r) => [
    { workload: r.workload, nodes: r.n, engine: "JS floor", ms: r.floorMs },
    { workload: r.workload, nodes: r.n, engine: "maze", ms: r.mazeMs },
    "capped" in r.peer
      ? { workload: r.workload, nodes: r.n, engine: "datascript > cap (lower bound)", ms: r.peer.capped }
      : { workload: r.workload, nodes: r.n, engine: "datascript", ms: r.peer.ms },
  ]);
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Dedalus evaluator: time vs nodes (log-log)",
    data: { values },
    facet: { column: { field: "workload", type: "nominal", title: null } },
    spec: {
      width: 220,
      height: 200,
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "nodes", type: "quantitative", scale: { type: "log" } },
        y: { field: "ms", type: "quantitative", scale: { type: "log" }, title: "ms" },
        color: { field: "engine", type: "nominal" },
      },
    },
  };
  const file = path.join(__dirname, "dedalus-growth.svg");
  fs.writeFileSync(file, await renderSvg(spec));
  return file;
}

/** The suite: workloads vs floor vs datascript, growth chart, semi-naive vs naive, 2PC runs/s. */
export const run: BenchSuite = async ({ quick }) => {
  const rows = await measureWorkloads(quick);
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(1)}x`;
  printTable(
    "Dedalus vs JS floor vs datascript (one timestep, EDB at time 1; floor and maze timed in alternation, >= 7 runs each, a full GC before each; maze/floor = median of the ratios of adjacent runs, best/best = ratio of the fastest runs; datascript once, capped)",
    ["workload", "nodes", "tuples", "floor ms", "maze ms", "maze/floor", "best/best", "datascript", "datascript/maze"],
    rows.map((r) => [
      r.workload,
      r.n,
      r.tuples,
      r.floorMs,
      r.mazeMs,
      `${r.pairedRatio.toFixed(1)}x`,
      ratio(r.mazeMs, r.floorMs),
      "capped" in r.peer ? `> ${r.peer.capped / 1000} s` : `${r.peer.ms.toFixed(0)} ms`,
      "capped" in r.peer ? `> ${ratio(r.peer.capped, r.mazeMs)}` : ratio(r.peer.ms, r.mazeMs),
    ]),
  );
  console.log(`\ngrowth chart: ${await writeGrowthChart(rows)}`);

  // Semi-naive vs the naive oracle (lib/dedalus/naive.ts: string-keyed, re-derives everything each round).
  const naiveRows: (string | number)[][] = [];
  for (const [name, g] of [["TC chain", chain(quick ? 50 : 80)], ["TC random 2/node", randomGraph(quick ? 50 : 80, 2, 42)]] as const) {
    const program = compile(tcProgram(g));
    const semi = await measure("semi", () => runProgram(program, { eot: 1 }), { minRuns: 3, minMs: 200 });
    const t0 = performance.now();
    runNaive(program, { eot: 1 }); // sizes kept small: the oracle has no wall limit and is quadratic per round
    const naiveMs = performance.now() - t0;
    naiveRows.push([name, g.n, semi.medianMs, naiveMs, ratio(naiveMs, semi.medianMs)]);
  }
  printTable("Semi-naive (maze) vs naive (the test oracle)", ["workload", "nodes", "semi-naive ms", "naive ms", "naive/semi-naive"], naiveRows);

  // One failure-free run of 2PC, as LDFI makes them.
  const twoPc = loadProgram([path.join(PROTOCOLS, "2pc.ded"), path.join(PROTOCOLS, "commit_assert.ded")]);
  if (twoPc.diagnostics.some((d) => d.severity === "error")) throw new Error("protocols/2pc.ded does not load");
  compileProgram(twoPc.program);
  const nodes = runProgram(twoPc.program, { eot: 7 }).nodes.length;
  const plain = await measure("2pc", () => runProgram(twoPc.program, { eot: 7 }), { minRuns: 50, minMs: 1000, maxRuns: 100_000 });
  const prov = await measure("2pc+prov", () => runProgram(twoPc.program, { eot: 7, provenance: true }), { minRuns: 50, minMs: 1000, maxRuns: 100_000 });
  printTable("2PC failure-free run (protocols/2pc.ded + commit_assert.ded, EOT 7)", ["mode", "nodes", "ms/run", "runs/s"], [
    ["plain", nodes, plain.medianMs, Math.round(1000 / plain.medianMs)],
    ["with provenance", nodes, prov.medianMs, Math.round(1000 / prov.medianMs)],
  ]);
};
