/**
 * The Dedalus evaluator against (a) a hand-written JavaScript floor computing the same answer and
 * (b) three peers in-process: DuckDB's recursive CTE, clingo (WebAssembly) and datascript's Datalog, in
 * one run, every answer checked as a set against a reference: transitive closure on chains, random
 * graphs and random DAGs (about two edges per node), same-generation on binary trees, with a growth
 * chart of all five; semi-naive vs naive; and one failure-free run of 2PC (protocols/2pc.ded +
 * commit_assert.ded, 4 nodes, EOT 7) as runs per second.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { Worker } from "node:worker_threads";
import type { Program } from "../lib/dedalus/ast";
import { loadChecked } from "../lib/dedalus/load";
import { runNaive } from "../lib/dedalus/naive";
import { compileProgram, runProgram } from "../lib/dedalus/runtime";
import { Random } from "../lib/random/random";
import { renderSvg } from "../lib/viz/render";
import type { PeerAnswer, PeerEngine, PeerJob } from "./dedalusPeerWorker";
import { measure, printTable, repetitions, type BenchSuite, type Timing } from "./harness";

/** A directed graph over vertices 0..n-1. */
export interface Graph {
  n: number;
  edges: [number, number][];
}

/** The chain 0 → 1 → ... → n-1: the deepest recursion for its size. */
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
    let head = 0,
      tail = 0;
    for (const y of adj[s] as Int32Array)
      if (stamp[y] !== s) {
        stamp[y] = s;
        queue[tail++] = y;
      }
    while (head < tail) {
      const y = queue[head++] as number;
      if (size + 2 > out.length) {
        const bigger = new Int32Array(out.length * 2);
        bigger.set(out);
        out = bigger;
      }
      out[size++] = s;
      out[size++] = y;
      for (const z of adj[y] as Int32Array)
        if (stamp[z] !== s) {
          stamp[z] = s;
          queue[tail++] = z;
        }
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
    if (seen[k] === 0) {
      seen[k] = 1;
      size++;
      work.push(x, y);
    }
  };
  for (const cs of children) for (const x of cs) for (const y of cs) if (x !== y) add(x, y);
  while (work.length > 0) {
    const q = work.pop() as number,
      p = work.pop() as number;
    for (const x of children[p] as number[]) for (const y of children[q] as number[]) add(x, y);
  }
  return size;
}

/** A random DAG: every vertex x gets `perNode` distinct out-edges to vertices above it (fewer near the top), seeded. */
export function randomDag(n: number, perNode: number, seed: number): Graph {
  const rng = new Random(seed);
  const edges: [number, number][] = [];
  for (let x = 0; x < n - 1; x++) {
    const out = new Set<number>();
    while (out.size < Math.min(perNode, n - 1 - x)) out.add(rng.int(x + 1, n - 1));
    for (const y of out) edges.push([x, y]);
  }
  return { n, edges };
}

/**
 * The answer every engine must return, as a bitmap over (x, y) (n^2 bytes) and its size, computed by the
 * floors' algorithms in their plainest form: the check is set equality, not equal counts.
 */
export function referencePairs(kind: "tc" | "sg", g: Graph): { member: Uint8Array; size: number } {
  const member = new Uint8Array(g.n * g.n);
  let size = 0;
  const add = (x: number, y: number): boolean => (member[x * g.n + y] === 0 ? ((member[x * g.n + y] = 1), size++, true) : false);
  if (kind === "tc") {
    const adj = adjacency(g);
    for (let s = 0; s < g.n; s++) {
      const todo = [s];
      while (todo.length > 0) for (const y of adj[todo.pop() as number] as Int32Array) if (add(s, y)) todo.push(y);
    }
  } else {
    const children: number[][] = Array.from({ length: g.n }, () => []);
    for (const [c, p] of g.edges) (children[p] as number[]).push(c);
    const todo: [number, number][] = [];
    for (const cs of children) for (const x of cs) for (const y of cs) if (x !== y && add(x, y)) todo.push([x, y]);
    for (let pq = todo.pop(); pq !== undefined; pq = todo.pop())
      for (const x of children[pq[0]] as number[]) for (const y of children[pq[1]] as number[]) if (add(x, y)) todo.push([x, y]);
  }
  return { member, size };
}

/** Throws unless the flat (x, y) pairs are exactly the reference set: same size, no duplicates, all members. */
export function checkSameSet(what: string, ref: { member: Uint8Array; size: number }, n: number, pairs: Int32Array): void {
  if (pairs.length / 2 !== ref.size) throw new Error(`${what}: ${pairs.length / 2} tuples, the reference ${ref.size}`);
  const seen = new Uint8Array(n * n);
  for (let i = 0; i < pairs.length; i += 2) {
    const x = pairs[i] as number,
      y = pairs[i + 1] as number;
    const k = x * n + y;
    if (!(x >= 0 && x < n && y >= 0 && y < n) || ref.member[k] === 0) throw new Error(`${what}: (${x}, ${y}) is not in the answer`);
    if (seen[k] === 1) throw new Error(`${what}: (${x}, ${y}) twice`);
    seen[k] = 1;
  }
}

/** The peers, in table order. */
const PEERS: readonly PeerEngine[] = ["duckdb", "clingo", "datascript"];

/**
 * A peer's figures at one size, or that its first run did not finish within the cap, or that the engine
 * gave up (out of memory, say): recorded, not fatal, so one engine's limit does not lose the whole run.
 * A wrong answer is fatal: it means the peer's query is not the workload.
 */
export type PeerResult = { ms: number; ratio: number; runs: number } | { capped: number } | { failed: string };

/** An engine's own error reported by its worker, or a run that stopped answering: recorded, not fatal. */
class PeerFailure extends Error {}

/** A loaded peer engine in its worker (bench/dedalusPeerWorker.ts). */
interface PeerSession {
  /** Runs the query once; null when it did not answer within `capMs` (the worker is then terminated). */
  run(wantPairs: boolean, capMs: number): Promise<PeerAnswer | null>;
  close(): Promise<void>;
}

/** Starts `engine` on the workload in a worker and waits until it has loaded the graph. */
async function startPeer(engine: PeerEngine, kind: "tc" | "sg", g: Graph): Promise<PeerSession> {
  const edges = Int32Array.from(g.edges.flat());
  const worker = new Worker(path.join(__dirname, "dedalusPeerWorker.js"), { workerData: { engine, kind, edges } satisfies PeerJob });
  const next = <T>(capMs: number): Promise<T | null> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        void worker.terminate();
        resolve(null);
      }, capMs);
      const onMessage = (m: T | { error: string }): void => {
        cleanup();
        if (typeof m === "object" && m !== null && "error" in m) reject(new PeerFailure(`${engine}: ${m.error}`));
        else resolve(m);
      };
      const onError = (e: Error): void => (cleanup(), reject(new PeerFailure(`${engine}: ${e.message}`)));
      const cleanup = (): void => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
    });
  if ((await next<{ ready: true }>(120_000)) === null) throw new Error(`${engine}: did not load within 120 s`);
  return {
    run: (wantPairs, capMs) => {
      worker.postMessage({ pairs: wantPairs });
      return next<PeerAnswer>(capMs);
    },
    close: async () => void (await worker.terminate()),
  };
}

/**
 * One peer at one size. Datascript, minutes where the others take milliseconds, runs once (capped) and
 * that run is its figure. The others first run once under the cap, untimed (it warms the engine up:
 * clingo's WebAssembly is compiled lazily); then peer and maze run in alternation, a full GC of the
 * bench's heap before each, and the ratio is the median of maze/peer over adjacent pairs. The peer's
 * time is what it measured inside its worker, so message passing is not charged to it. A last run
 * returns the pairs, checked against the reference (outside the timed runs: printing millions of atoms
 * is not clingo's evaluation).
 */
async function measurePeer(
  engine: PeerEngine,
  w: { name: string; kind: "tc" | "sg" },
  g: Graph,
  ref: { member: Uint8Array; size: number },
  maze: () => unknown,
  opts: { capMs: number; settle: (() => void) | undefined; mazeBestMs: number },
): Promise<PeerResult> {
  const what = `${w.name} ${g.n}: ${engine}`;
  let started: PeerSession | null = null;
  try {
    const session = (started = await startPeer(engine, w.kind, g));
    if (engine === "datascript") {
      const only = await session.run(true, opts.capMs);
      if (only === null) return { capped: opts.capMs };
      checkSameSet(what, ref, g.n, only.pairs as Int32Array);
      return { ms: only.ms, ratio: opts.mazeBestMs / only.ms, runs: 1 };
    }
    const first = await session.run(false, opts.capMs);
    if (first === null) return { capped: opts.capMs };
    if (first.tuples !== null && first.tuples !== ref.size)
      throw new Error(`${what} found ${first.tuples} tuples, the reference ${ref.size}`);
    const peerMs: number[] = [],
      ratios: number[] = [];
    let total = 0;
    const reps = repetitions({ minRuns: first.ms > 2_000 ? 1 : 3, minMs: 600, maxRuns: 9 });
    while (peerMs.length < reps.maxRuns && (peerMs.length < reps.minRuns || total < reps.minMs)) {
      const timePeer = async (): Promise<number> => {
        opts.settle?.();
        const answer = await session.run(false, opts.capMs * 2);
        if (answer === null) throw new PeerFailure(`${what} finished once within the cap, then not within twice the cap`);
        if (answer.tuples !== null && answer.tuples !== ref.size)
          throw new Error(`${what} found ${answer.tuples} tuples, the reference ${ref.size}`);
        return answer.ms;
      };
      const timeMaze = (): number => {
        opts.settle?.();
        const t0 = performance.now();
        maze();
        return performance.now() - t0;
      };
      // Swap the order every other pair, as measureAlternating does.
      let p: number, m: number;
      if (peerMs.length % 2 === 0) {
        p = await timePeer();
        m = timeMaze();
      } else {
        m = timeMaze();
        p = await timePeer();
      }
      peerMs.push(p);
      ratios.push(m / p);
      total += p + m;
    }
    const checked = await session.run(true, opts.capMs * 10);
    if (checked === null) throw new PeerFailure(`${what} did not return its answer within ten times the cap`);
    checkSameSet(what, ref, g.n, checked.pairs as Int32Array);
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    return { ms: Math.min(...peerMs), ratio: median(ratios), runs: peerMs.length };
  } catch (e) {
    if (e instanceof PeerFailure) return { failed: e.message };
    throw e;
  } finally {
    await started?.close();
  }
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
  const { program, errors } = loadChecked([{ file: "bench.ded", text }], { locality: "warn" });
  if (errors.length > 0) throw new Error(`bench program does not load: ${errors[0]?.message}`);
  compileProgram(program); // plan once, outside the timed runs (LDFI also reuses one compiled program)
  return program;
}

type Row = {
  workload: string;
  n: number;
  tuples: number;
  floorMs: number;
  mazeMs: number;
  pairedRatio: number;
  peers: Record<PeerEngine, PeerResult>;
};

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
    return typeof gc === "function" ? () => void (gc as () => void)() : null;
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
  const as: number[] = [],
    bs: number[] = [];
  const reps = repetitions(opts);
  let total = 0;
  const time = async (f: () => unknown): Promise<number> => {
    opts.settle?.();
    const t0 = performance.now();
    await f();
    const dt = performance.now() - t0;
    total += dt;
    return dt;
  };
  while (as.length < reps.maxRuns && (as.length < reps.minRuns || total < reps.minMs)) {
    // Swap the order every other pair so neither side always runs right after the other's garbage.
    if (as.length % 2 === 0) {
      as.push(await time(a));
      bs.push(await time(b));
    } else {
      bs.push(await time(b));
      as.push(await time(a));
    }
  }
  const timing = (name: string, xs: number[]): Timing => {
    const sorted = [...xs].sort((x, y) => x - y);
    return { label: `${label} ${name}`, medianMs: sorted[Math.floor(sorted.length / 2)]!, minMs: sorted[0]!, runs: sorted.length };
  };
  const ratios = bs.map((x, i) => x / as[i]!).sort((x, y) => x - y);
  return { a: timing("a", as), b: timing("b", bs), medianRatio: ratios[Math.floor(ratios.length / 2)]! };
}

async function measureWorkloads(quick: boolean): Promise<Row[]> {
  const sizes = quick ? [50] : [250, 500, 1000, 2000];
  const capMs = quick ? 1_000 : 30_000;
  const workloads: { name: string; kind: "tc" | "sg"; make: (n: number) => Graph }[] = [
    { name: "TC chain", kind: "tc", make: chain },
    { name: "TC random 2/node", kind: "tc", make: (n) => randomGraph(n, 2, 42) },
    { name: "TC random DAG 2/node", kind: "tc", make: (n) => randomDag(n, 2, 42) },
    { name: "same-gen binary tree", kind: "sg", make: binaryTree },
  ];
  const rows: Row[] = [];
  const settle = fullGc() ?? undefined;
  // --quick: one workload of each kind (every peer still starts once per workload).
  for (const w of quick ? workloads.filter((x) => x.name === "TC chain" || x.kind === "sg") : workloads) {
    const stopped = new Map<PeerEngine, PeerResult>(); // once a size hits the cap or fails, larger sizes would too
    for (const n of sizes) {
      const g = w.make(n);
      const ref = referencePairs(w.kind, g);
      const floorFn = w.kind === "tc" ? transitiveClosureFloor : sameGenerationFloor;
      let tuples = 0;
      const program = compile(w.kind === "tc" ? tcProgram(g) : sgProgram(g));
      let got = -1;
      // Derived tuples = all tuples minus the EDB (counted from stats: facts() of millions of rows is
      // not what is being measured).
      const mazeRun = (): number => (got = runProgram(program, { eot: 1 }).stats.tuples - g.edges.length);
      const {
        a: floor,
        b: maze,
        medianRatio,
      } = await measureAlternating(`${w.name} ${n}`, () => (tuples = floorFn(g)), mazeRun, {
        minRuns: 7,
        minMs: 600,
        maxRuns: 25,
        settle,
      });
      if (tuples !== ref.size) throw new Error(`${w.name} ${n}: the floor derived ${tuples} tuples, the reference ${ref.size}`);
      if (got !== tuples) throw new Error(`${w.name} ${n}: maze derived ${got} tuples, the floor ${tuples}`);
      const head = w.kind === "tc" ? "reach" : "sg";
      // Same size and every reference pair present: the same set (listing millions of facts costs more).
      const answer = runProgram(program, { eot: 1 });
      for (let k = 0; k < n * n; k++)
        if (ref.member[k] === 1 && !answer.has(head, [`v${Math.floor(k / n)}`, `v${k % n}`], 1))
          throw new Error(`${w.name} ${n}: maze lacks ${head}(v${Math.floor(k / n)}, v${k % n})`);
      const peers = {} as Record<PeerEngine, PeerResult>;
      for (const engine of PEERS) {
        peers[engine] = stopped.get(engine) ?? (await measurePeer(engine, w, g, ref, mazeRun, { capMs, settle, mazeBestMs: maze.minMs }));
        if (!("ms" in peers[engine])) stopped.set(engine, peers[engine]);
      }
      // Times: best of the runs (interference only ever adds time). The ratio: the median over adjacent
      // pairs of runs, which a burst of other work during one side's best run cannot skew.
      rows.push({ workload: w.name, n, tuples, floorMs: floor.minMs, mazeMs: maze.minMs, pairedRatio: medianRatio, peers });
    }
  }
  return rows;
}

/** The chart's and the table's name of each peer. */
const PEER_NAMES: Record<PeerEngine, string> = { duckdb: "DuckDB", clingo: "clingo", datascript: "datascript" };

/**
 * A log-log growth chart of every engine per workload. A full run writes it into the source tree's bench/
 * (committed with the figures of lib/dedalus/README.md) with the rows as JSON beside it; a quick run only
 * next to the compiled bench, so a smoke run leaves the committed figures alone.
 */
async function writeGrowthChart(rows: Row[], quick: boolean): Promise<string> {
  const point = (r: Row, engine: string, ms: number, capped = false) => ({
    workload: r.workload,
    nodes: r.n,
    engine,
    ms,
    time: capped ? "> cap (lower bound)" : "measured",
  });
  const values = rows.flatMap((r) => [
    point(r, "JS floor", r.floorMs),
    point(r, "maze", r.mazeMs),
    ...PEERS.flatMap((e) => {
      const p = r.peers[e];
      return "capped" in p ? [point(r, PEER_NAMES[e], p.capped, true)] : "ms" in p ? [point(r, PEER_NAMES[e], p.ms)] : [];
    }),
  ]);
  const x = { field: "nodes", type: "quantitative", scale: { type: "log" } };
  const y = { field: "ms", type: "quantitative", scale: { type: "log" }, title: "ms" };
  const color = { field: "engine", type: "nominal", sort: ["JS floor", "maze", ...PEERS.map((e) => PEER_NAMES[e])] };
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Dedalus evaluator and its peers: time vs nodes (log-log, best of the runs)",
    data: { values },
    facet: { column: { field: "workload", type: "nominal", title: null } },
    spec: {
      width: 200,
      height: 200,
      // Lines join measured times only; a run stopped at the cap is a lone mark of its own shape at the cap.
      layer: [
        { transform: [{ filter: "datum.time === 'measured'" }], mark: "line", encoding: { x, y, color } },
        {
          mark: { type: "point", size: 50, filled: true },
          encoding: {
            x,
            y,
            color,
            shape: {
              field: "time",
              type: "nominal",
              title: null,
              scale: { domain: ["measured", "> cap (lower bound)"], range: ["circle", "triangle-up"] },
            },
          },
        },
      ],
    },
  };
  const dir = quick ? __dirname : path.join(__dirname, "..", "..", "bench");
  const file = path.join(dir, "dedalus-growth.svg");
  fs.writeFileSync(file, await renderSvg(spec));
  if (!quick) fs.writeFileSync(path.join(dir, "dedalus-growth.json"), `${JSON.stringify(rows, null, 1)}\n`);
  return file;
}

/** The suite: workloads vs floor vs peers, growth chart, semi-naive vs naive, 2PC runs/s. */
export const run: BenchSuite = async ({ quick }) => {
  const rows = await measureWorkloads(quick);
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(1)}x`;
  const small = (x: number): string => (x >= 0.1 ? x.toFixed(2) : x.toPrecision(2));
  printTable(
    `Dedalus vs JS floor (one timestep, EDB at time 1; floor and maze timed in alternation, ${quick ? "once each (--quick)" : ">= 7 runs each"}, a full GC before each; maze/floor = median of the ratios of adjacent runs, best/best = ratio of the fastest runs)`,
    ["workload", "nodes", "tuples", "floor ms", "maze ms", "maze/floor", "best/best"],
    rows.map((r) => [r.workload, r.n, r.tuples, r.floorMs, r.mazeMs, `${r.pairedRatio.toFixed(1)}x`, ratio(r.mazeMs, r.floorMs)]),
  );
  printTable(
    "Peers (same answers, checked as sets; ms = best run inside the peer's worker; maze/peer = median over adjacent maze and peer runs, < 1 means maze is faster; datascript once, capped)",
    ["workload", "nodes", "maze ms", ...PEERS.flatMap((e) => [`${PEER_NAMES[e]} ms`, `maze/${PEER_NAMES[e]}`])],
    rows.map((r) => [
      r.workload,
      r.n,
      r.mazeMs,
      ...PEERS.flatMap((e) => {
        const p = r.peers[e];
        if ("failed" in p) return ["failed", "-"];
        return "capped" in p ? [`> ${p.capped / 1000} s`, `< ${small(r.mazeMs / p.capped)}x`] : [p.ms, `${small(p.ratio)}x`];
      }),
    ]),
  );
  for (const r of rows) for (const e of PEERS) if ("failed" in r.peers[e]) console.log(`${r.workload} ${r.n}: ${r.peers[e].failed}`);
  console.log(`\ngrowth chart: ${await writeGrowthChart(rows, quick)}`);

  // Semi-naive vs the naive oracle (lib/dedalus/naive.ts: string-keyed, re-derives everything each round).
  const naiveRows: (string | number)[][] = [];
  for (const [name, g] of [
    ["TC chain", chain(quick ? 20 : 80)],
    ["TC random 2/node", randomGraph(quick ? 20 : 80, 2, 42)],
  ] as const) {
    const program = compile(tcProgram(g));
    const semi = await measure("semi", () => runProgram(program, { eot: 1 }), { minRuns: 3, minMs: 200 });
    const t0 = performance.now();
    runNaive(program, { eot: 1 }); // sizes kept small: the oracle has no wall limit and is quadratic per round
    const naiveMs = performance.now() - t0;
    naiveRows.push([name, g.n, semi.medianMs, naiveMs, ratio(naiveMs, semi.medianMs)]);
  }
  printTable(
    "Semi-naive (maze) vs naive (the test oracle)",
    ["workload", "nodes", "semi-naive ms", "naive ms", "naive/semi-naive"],
    naiveRows,
  );

  // One failure-free run of 2PC, as LDFI makes them.
  const twoPc = loadChecked([path.join(PROTOCOLS, "2pc.ded"), path.join(PROTOCOLS, "commit_assert.ded")]);
  if (twoPc.errors.length > 0) throw new Error("protocols/2pc.ded does not load");
  compileProgram(twoPc.program);
  const nodes = runProgram(twoPc.program, { eot: 7 }).nodes.length;
  const plain = await measure("2pc", () => runProgram(twoPc.program, { eot: 7 }), { minRuns: 50, minMs: 1000, maxRuns: 100_000 });
  const prov = await measure("2pc+prov", () => runProgram(twoPc.program, { eot: 7, provenance: true }), {
    minRuns: 50,
    minMs: 1000,
    maxRuns: 100_000,
  });
  printTable(
    "2PC failure-free run (protocols/2pc.ded + commit_assert.ded, EOT 7)",
    ["mode", "nodes", "ms/run", "runs/s"],
    [
      ["plain", nodes, plain.medianMs, Math.round(1000 / plain.medianMs)],
      ["with provenance", nodes, prov.medianMs, Math.round(1000 / prov.medianMs)],
    ],
  );
};
