/**
 * One peer engine of the Dedalus bench (datascript, DuckDB or clingo) loaded with one graph, in a worker
 * thread of the bench's process: the engine stays in-process, and a query that would run for minutes can
 * still be stopped at the bench's cap by terminating the worker.
 *
 * Protocol: the worker loads `workerData` (untimed: building a database or a program text is not the
 * query) and posts `{ ready: true }`; each `{ pairs }` message runs the query once and answers
 * `{ ms, tuples }`, with the derived pairs as a flat Int32Array when `pairs` is set (for the equality
 * check, outside the timed part). Vertices are the integers 0..n-1 in every engine.
 */
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";

/** The engines this worker can load. */
export type PeerEngine = "datascript" | "duckdb" | "clingo";

/** What the bench hands the worker: the engine, the workload and its edges as flat (from, to) pairs. */
export interface PeerJob {
  engine: PeerEngine;
  /** Transitive closure over edge(X, Y), or same generation over parent(Child, Parent). */
  kind: "tc" | "sg";
  edges: Int32Array;
}

/** One answer of the worker to a run request. */
export interface PeerAnswer {
  /** The query's time as measured inside the worker (no message passing, no result transfer). */
  ms: number;
  /** The answer's size; null when the engine was asked to print nothing (clingo's timed runs). */
  tuples: number | null;
  pairs?: Int32Array<ArrayBuffer>;
}

/** A loaded engine: `query` runs the workload once. */
type Loaded = (wantPairs: boolean) => Promise<PeerAnswer>;

/** Datascript rules, right-recursive: the left-recursive form never terminates in datascript. */
const DATASCRIPT_RULES = {
  tc: `[[(reach ?x ?y) [?x "edge" ?y]] [(reach ?x ?y) [?x "edge" ?z] (reach ?z ?y)]]`,
  sg: `[[(sg ?x ?y) [?x "parent" ?p] [?y "parent" ?p] [(not= ?x ?y)]] [(sg ?x ?y) [?x "parent" ?p] [?y "parent" ?q] (sg ?p ?q)]]`,
} as const;

interface DatascriptApi {
  empty_db(schema: object): unknown;
  db_with(db: unknown, tx: unknown[]): unknown;
  q(query: string, ...inputs: unknown[]): [number, number][];
}

function loadDatascript(job: PeerJob): Loaded {
  // Entity ids start at 1 in datascript: vertex v is entity v + 1.
  const d = require("datascript") as DatascriptApi;
  const attr = job.kind === "tc" ? "edge" : "parent";
  const tx: unknown[] = [];
  for (let i = 0; i < job.edges.length; i += 2) tx.push([":db/add", job.edges[i]! + 1, attr, job.edges[i + 1]! + 1]);
  const db = d.db_with(d.empty_db({ [attr]: { ":db/cardinality": ":db.cardinality/many" } }), tx);
  const head = job.kind === "tc" ? "(reach ?x ?y)" : "(sg ?x ?y)";
  return async (wantPairs) => {
    const t0 = performance.now();
    const r = d.q(`[:find ?x ?y :in $ % :where ${head}]`, db, DATASCRIPT_RULES[job.kind]);
    const ms = performance.now() - t0;
    return { ms, tuples: r.length, ...(wantPairs ? { pairs: Int32Array.from(r.flatMap(([x, y]) => [x - 1, y - 1])) } : {}) };
  };
}

/**
 * DuckDB's recursive CTE with UNION (set semantics: each round keeps only rows not seen before, so it is
 * semi-naive and terminates on cycles), materialised into a table as maze materialises its store.
 */
const DUCKDB_QUERIES = {
  tc: `CREATE OR REPLACE TABLE result AS
         WITH RECURSIVE reach(x, y) AS (
           SELECT x, y FROM edge
           UNION
           SELECT r.x, e.y FROM reach r JOIN edge e ON r.y = e.x)
         SELECT x, y FROM reach`,
  sg: `CREATE OR REPLACE TABLE result AS
         WITH RECURSIVE sg(x, y) AS (
           SELECT a.x, b.x FROM edge a JOIN edge b ON a.y = b.y WHERE a.x <> b.x
           UNION
           SELECT a.x, b.x FROM sg s JOIN edge a ON a.y = s.x JOIN edge b ON b.y = s.y)
         SELECT x, y FROM sg`,
} as const;

async function loadDuckdb(job: PeerJob): Promise<Loaded> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  // Same table for both workloads: edge(x, y) is (from, to) for TC and (child, parent) for SG.
  await conn.run("CREATE TABLE edge (x INTEGER NOT NULL, y INTEGER NOT NULL)");
  const appender = await conn.createAppender("edge");
  for (let i = 0; i < job.edges.length; i += 2) {
    appender.appendInteger(job.edges[i]!);
    appender.appendInteger(job.edges[i + 1]!);
    appender.endRow();
  }
  appender.closeSync();
  return async (wantPairs) => {
    const t0 = performance.now();
    await conn.run(DUCKDB_QUERIES[job.kind]);
    const count = await conn.runAndReadAll("SELECT count(*)::INTEGER FROM result");
    const ms = performance.now() - t0;
    const tuples = Number(count.getRows()[0]![0]);
    if (!wantPairs) return { ms, tuples };
    const rows = (await conn.runAndReadAll("SELECT x, y FROM result")).getColumns() as number[][];
    const pairs = new Int32Array(2 * tuples);
    for (let i = 0; i < tuples; i++) {
      pairs[2 * i] = rows[0]![i]!;
      pairs[2 * i + 1] = rows[1]![i]!;
    }
    return { ms, tuples, pairs };
  };
}

interface ClingoOutcome {
  Result: string;
  Error?: string;
  Call?: { Witnesses: { Value: string[] }[] }[];
  Time?: { Total: number };
}

/**
 * clingo's grounder evaluates these stratified programs completely (the solver then has nothing to
 * choose), so its time is the grounding. The package's own entry runs clingo in a worker of its own; its synchronous runner (dist/run.js)
 * is loaded directly instead so the query runs in this worker and the cap can stop it. Its subpath is not
 * exported, so it is imported by file URL.
 */
async function loadClingo(job: PeerJob): Promise<Loaded> {
  const root = path.dirname(require.resolve("clingo-wasm/package.json"));
  const { init } = (await import(pathToFileURL(path.join(root, "dist", "run.js")).href)) as {
    init: (params: { singleThreaded: boolean }) => Promise<(program: string, models: number) => ClingoOutcome>;
  };
  // The grounder is single-threaded either way; the threaded build would only add a pthread pool.
  const run = await init({ singleThreaded: true });
  const [edb, head] = job.kind === "tc" ? ["edge", "reach"] : ["parent", "sg"];
  const facts: string[] = [];
  for (let i = 0; i < job.edges.length; i += 2) facts.push(`${edb}(${job.edges[i]},${job.edges[i + 1]}).`);
  const rules =
    job.kind === "tc"
      ? "reach(X,Y) :- edge(X,Y).\nreach(X,Z) :- reach(X,Y), edge(Y,Z).\n"
      : "sg(X,Y) :- parent(X,P), parent(Y,P), X != Y.\nsg(X,Y) :- parent(X,P), parent(Y,Q), sg(P,Q).\n";
  // Printing a model of two million atoms costs clingo several times its grounding (and a #count
  // aggregate over them two to three times), and maze prints nothing: timed runs show nothing (the
  // grounder derives every atom regardless of #show), the checked run shows the atoms themselves.
  const base = `${facts.join("\n")}\n${rules}`;
  const shown = `${base}#show ${head}/2.\n`;
  const quiet = `${base}#show.\n`;
  const solve = (program: string): string[] => {
    const out = run(program, 1);
    if (out.Result === "ERROR" || out.Call === undefined) throw new Error(`clingo failed: ${out.Error ?? out.Result}`);
    return out.Call[0]?.Witnesses[0]?.Value ?? [];
  };
  return async (wantPairs) => {
    const t0 = performance.now();
    const atoms = solve(wantPairs ? shown : quiet);
    const ms = performance.now() - t0;
    if (!wantPairs) return { ms, tuples: null };
    const pairs = new Int32Array(2 * atoms.length);
    const open = head.length + 1;
    for (const [i, a] of atoms.entries()) {
      const comma = a.indexOf(",", open);
      pairs[2 * i] = Number(a.slice(open, comma));
      pairs[2 * i + 1] = Number(a.slice(comma + 1, -1));
    }
    return { ms, tuples: atoms.length, pairs };
  };
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error("dedalusPeerWorker runs as a worker thread");
  const job = workerData as PeerJob;
  const query = job.engine === "datascript" ? loadDatascript(job) : job.engine === "duckdb" ? await loadDuckdb(job) : await loadClingo(job);
  port.on("message", (m: { pairs: boolean }) => {
    query(m.pairs).then(
      (a) => port.postMessage(a, a.pairs ? [a.pairs.buffer] : []),
      (e: unknown) => port.postMessage({ error: e instanceof Error ? e.message : String(e) }),
    );
  });
  port.postMessage({ ready: true });
}

void main().catch((e: unknown) => parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) }));
