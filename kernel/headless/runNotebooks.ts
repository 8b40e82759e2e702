import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT } from "../../lib/cli/exitCodes";
import { NotebookPool, defaultJobs, executeNotebook, formatFailure, type ExecutionResult } from "./execute";
import { EXECUTED_DIR, courseNotebooks, executedPath, notebookHash } from "./courseFiles";
import { NotebookFormatError, serializeNotebook, writeFileAtomic } from "./notebookFormat";
import { PROJECT_ROOT } from "../jupyterPaths";

/** Options of a course run. */
export interface RunCourseOptions {
  readonly files?: readonly string[];
  readonly force?: boolean;
  readonly outDir?: string;
  readonly log?: (line: string) => void;
  /** Notebooks executed at once (default: one per core, `os.availableParallelism()`, as memory allows; see `defaultJobs`). */
  readonly jobs?: number;
  /**
   * A fresh process per notebook instead of warm workers (what a grader does; about 3 s more per
   * notebook). Ignored when `pool` is given.
   */
  readonly fresh?: boolean;
  /** Warm workers to run on, kept by the caller across runs (e.g. a watching server); not closed here. */
  readonly pool?: NotebookPool;
}

/** The outcome of a course run. */
export interface RunCourseResult {
  readonly executed: string[];
  readonly cached: string[];
  readonly failed?: { file: string; message: string };
}

const CACHE_FILE = ".hashes.json";
/** Seconds each notebook took last time, so the longest start first and the run ends sooner. */
const DURATIONS_FILE = ".durations.json";

function readJson(file: string): Record<string, string | number> {
  try {
    const v: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, string | number>) : {};
  } catch {
    // first run, or an unreadable file: start from nothing
    return {};
  }
}

/** What became of one notebook, printed as its progress line once every line before it is out. */
type Outcome = { kind: "cached" } | { kind: "executed"; secs: number } | { kind: "failed"; secs?: number; message: string };

/**
 * Executes every notebook whose content hash (notebook + library) changed since its last successful
 * run, writing executed copies under `build/notebooks/`. Notebooks run in parallel (`jobs` at once)
 * on warm workers, and their progress lines come out in course order. The run stops at the first
 * failing notebook in course order: no notebook after it is started any more, and a failing
 * notebook's stale executed copy is removed so no page is built from outdated outputs.
 */
export async function runCourse(options: RunCourseOptions = {}): Promise<RunCourseResult> {
  const outDir = options.outDir ?? EXECUTED_DIR;
  const log = options.log ?? ((l: string) => process.stdout.write(l + "\n"));
  const files = options.files ?? courseNotebooks();
  const cachePath = path.join(outDir, CACHE_FILE);
  const durationsPath = path.join(outDir, DURATIONS_FILE);
  const cache = readJson(cachePath) as Record<string, string>;
  const durations = readJson(durationsPath) as Record<string, number>;
  const rels = files.map((f) => path.relative(PROJECT_ROOT, path.resolve(f)));
  const outcomes: (Outcome | undefined)[] = files.map(() => undefined);
  const executed: string[] = [];
  const cached: string[] = [];
  let failed: { index: number; file: string; message: string } | undefined;

  // Lines are printed in course order, each as soon as it and every line before it are known.
  let printed = 0;
  const flush = (): void => {
    while (printed < files.length && (failed === undefined || printed <= failed.index)) {
      const o = outcomes[printed];
      if (!o) return;
      const prefix = `[${printed + 1}/${files.length}] ${rels[printed]}`;
      if (o.kind === "cached") log(`${prefix} cached`);
      else if (o.kind === "executed") log(`${prefix} ${o.secs.toFixed(1)}s`);
      else log(`${prefix} FAILED${o.secs !== undefined ? ` ${o.secs.toFixed(1)}s` : ""}\n  ${o.message}`);
      printed += 1;
    }
  };
  const fail = (index: number, message: string, secs?: number): void => {
    outcomes[index] = secs !== undefined ? { kind: "failed", secs, message } : { kind: "failed", message };
    if (!failed || index < failed.index) failed = { index, file: rels[index] as string, message };
  };

  const toRun: { index: number; hash: string }[] = [];
  for (const [index, file] of files.entries()) {
    const rel = rels[index] as string;
    let hash: string;
    try {
      hash = notebookHash(file);
    } catch (e) {
      fail(index, `${rel}: cannot read: ${(e as Error).message}`);
      break;
    }
    if (!options.force && cache[rel] === hash && fs.existsSync(executedPath(file, outDir))) {
      cached.push(rel);
      outcomes[index] = { kind: "cached" };
    } else toRun.push({ index, hash });
  }
  flush();
  // Longest first (by last run): the run ends when its slowest worker does.
  const queue = [...toRun].sort(
    (a, b) => (durations[rels[b.index] as string] ?? 0) - (durations[rels[a.index] as string] ?? 0) || a.index - b.index,
  );

  const jobs = Math.max(1, Math.min(options.pool?.jobs ?? options.jobs ?? defaultJobs(), queue.length));
  const pool = options.pool ?? (options.fresh || queue.length === 0 ? undefined : new NotebookPool({ jobs }));
  const execute = (file: string): Promise<ExecutionResult> => (pool ? pool.run(file) : executeNotebook(file));

  const runOne = async ({ index, hash }: { index: number; hash: string }): Promise<void> => {
    const file = files[index] as string;
    const rel = rels[index] as string;
    const out = executedPath(file, outDir);
    try {
      const result = await execute(file);
      const secs = result.ms / 1000;
      durations[rel] = Math.round(secs * 10) / 10;
      if (result.failure) {
        fs.rmSync(out, { force: true });
        delete cache[rel];
        writeFileAtomic(cachePath, JSON.stringify(cache, null, 1));
        fail(index, formatFailure(rel, result.failure), secs);
      } else {
        writeFileAtomic(out, serializeNotebook(result.notebook));
        cache[rel] = hash;
        writeFileAtomic(cachePath, JSON.stringify(cache, null, 1));
        executed.push(rel);
        outcomes[index] = { kind: "executed", secs };
      }
    } catch (e) {
      fail(index, e instanceof NotebookFormatError ? e.message : `${rel}: ${(e as Error).message}`);
    }
    flush();
  };

  try {
    // Each lane takes the next notebook until the queue is empty. Once a notebook has failed, no
    // notebook after it in course order starts (those before it still run, as they would have
    // one by one); one after it that already finished keeps its (valid) executed copy.
    const lane = async (): Promise<void> => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        if (failed === undefined || next.index < failed.index) await runOne(next);
      }
    };
    await Promise.all(Array.from({ length: jobs }, lane));
  } finally {
    if (pool && pool !== options.pool) await pool.close();
  }
  if (toRun.length > 0) writeFileAtomic(durationsPath, JSON.stringify(durations, null, 1));
  flush();
  const order = (list: string[]): string[] => list.sort((a, b) => rels.indexOf(a) - rels.indexOf(b));
  return failed
    ? { executed: order(executed), cached, failed: { file: failed.file, message: failed.message } }
    : { executed: order(executed), cached };
}

const USAGE = "usage: npm run notebooks -- [--force] [--jobs N] [--fresh] [NOTEBOOK...]";

/** Parses the runner's command line; exits with a usage message on a bad option. */
function parseArgs(args: readonly string[]): { files: string[]; force: boolean; fresh: boolean; jobs?: number } {
  const files: string[] = [];
  let force = false;
  let fresh = false;
  let jobs: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--force") force = true;
    else if (a === "--fresh") fresh = true;
    else if (a === "--jobs" || a.startsWith("--jobs=")) {
      const v = a === "--jobs" ? args[++i] : a.slice("--jobs=".length);
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) {
        process.stderr.write(
          `notebooks: --jobs needs a whole number of at least 1, got ${v === undefined ? "nothing" : `'${v}'`} (${USAGE})\n`,
        );
        process.exit(EXIT.error);
      }
      jobs = n;
    } else if (a.startsWith("--")) {
      process.stderr.write(`notebooks: unknown option ${a} (${USAGE})\n`);
      process.exit(EXIT.error);
    } else files.push(a);
  }
  return jobs === undefined ? { files, force, fresh } : { files, force, fresh, jobs };
}

async function main(): Promise<void> {
  const { files, force, fresh, jobs } = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const result = await runCourse({ force, fresh, ...(files.length > 0 ? { files } : {}), ...(jobs !== undefined ? { jobs } : {}) });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  if (result.failed) {
    process.stderr.write(`\nnotebooks: stopped at ${result.failed.message}\n`);
    process.exit(EXIT.failed);
  }
  process.stdout.write(`notebooks: ${result.executed.length} executed, ${result.cached.length} cached, ${secs}s\n`);
}

if (require.main === module) void main();
