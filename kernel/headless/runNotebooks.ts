import * as fs from "node:fs";
import * as path from "node:path";
import { executeNotebook, formatFailure } from "./execute";
import { EXECUTED_DIR, courseNotebooks, executedPath, notebookHash } from "./courseFiles";
import { NotebookFormatError, serializeNotebook, writeFileAtomic } from "./notebookFormat";
import { PROJECT_ROOT } from "../jupyterPaths";

/** Options of a course run. */
export interface RunCourseOptions {
  readonly files?: readonly string[];
  readonly force?: boolean;
  readonly outDir?: string;
  readonly log?: (line: string) => void;
}

/** The outcome of a course run. */
export interface RunCourseResult {
  readonly executed: string[];
  readonly cached: string[];
  readonly failed?: { file: string; message: string };
}

const CACHE_FILE = ".hashes.json";

/**
 * Executes every notebook whose content hash (notebook + library) changed since its last successful
 * run, writing executed copies under `build/notebooks/`. Stops at the first failing notebook, whose
 * stale executed copy is removed so no page is built from outdated outputs.
 */
export async function runCourse(options: RunCourseOptions = {}): Promise<RunCourseResult> {
  const outDir = options.outDir ?? EXECUTED_DIR;
  const log = options.log ?? ((l: string) => process.stdout.write(l + "\n"));
  const files = options.files ?? courseNotebooks();
  const cachePath = path.join(outDir, CACHE_FILE);
  let cache: Record<string, string> = {};
  try {
    cache = JSON.parse(fs.readFileSync(cachePath, "utf8")) as Record<string, string>;
  } catch {
    // first run, or an unreadable cache: run everything
  }
  const executed: string[] = [];
  const cached: string[] = [];
  for (const [i, file] of files.entries()) {
    const rel = path.relative(PROJECT_ROOT, path.resolve(file));
    const out = executedPath(file, outDir);
    const prefix = `[${i + 1}/${files.length}] ${rel}`;
    let hash: string;
    try {
      hash = notebookHash(file);
    } catch (e) {
      return { executed, cached, failed: { file: rel, message: `${rel}: cannot read: ${(e as Error).message}` } };
    }
    if (!options.force && cache[rel] === hash && fs.existsSync(out)) {
      cached.push(rel);
      log(`${prefix} cached`);
      continue;
    }
    try {
      const result = await executeNotebook(file);
      if (result.failure) {
        fs.rmSync(out, { force: true });
        delete cache[rel];
        writeFileAtomic(cachePath, JSON.stringify(cache, null, 1));
        const message = formatFailure(rel, result.failure);
        log(`${prefix} FAILED ${(result.ms / 1000).toFixed(1)}s\n  ${message}`);
        return { executed, cached, failed: { file: rel, message } };
      }
      writeFileAtomic(out, serializeNotebook(result.notebook));
      cache[rel] = hash;
      writeFileAtomic(cachePath, JSON.stringify(cache, null, 1));
      executed.push(rel);
      log(`${prefix} ${(result.ms / 1000).toFixed(1)}s`);
    } catch (e) {
      const message = e instanceof NotebookFormatError ? e.message : `${rel}: ${(e as Error).message}`;
      log(`${prefix} FAILED\n  ${message}`);
      return { executed, cached, failed: { file: rel, message } };
    }
  }
  return { executed, cached };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const force = args.includes("--force");
  const unknown = args.filter((a) => a.startsWith("--") && a !== "--force");
  if (unknown.length > 0) {
    process.stderr.write(`notebooks: unknown option ${unknown.join(", ")} (usage: npm run notebooks -- [--force] [NOTEBOOK...])\n`);
    process.exit(2);
  }
  const files = args.filter((a) => !a.startsWith("--"));
  const t0 = performance.now();
  const result = await runCourse(files.length > 0 ? { files, force } : { force });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  if (result.failed) {
    process.stderr.write(`\nnotebooks: stopped at ${result.failed.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`notebooks: ${result.executed.length} executed, ${result.cached.length} cached, ${secs}s\n`);
}

if (require.main === module) void main();
