import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { NotebookPool } from "../kernel/headless/execute";
import { runCourse } from "../kernel/headless/runNotebooks";
import { PROJECT_ROOT } from "../kernel/jupyterPaths";
import { SITE_DIR, buildSite, removeStalePages } from "./buildSite";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
};

/** Creates a static file server for a built site; it only serves files inside `root`. */
export function createSiteServer(root: string = SITE_DIR): http.Server {
  const base = path.resolve(root);
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    let rel = decodeURIComponent(url.pathname);
    if (rel.endsWith("/")) rel += "index.html";
    const file = path.resolve(base, "." + rel);
    if (file !== base && !file.startsWith(base + path.sep)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${rel}`);
        return;
      }
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" }).end(data);
    });
  });
}

/** Runs the notebooks (cached, in parallel, on `pool`) and renders site/; returns false when a notebook failed. */
async function build(pool: NotebookPool): Promise<boolean> {
  const t0 = performance.now();
  const run = await runCourse({ pool });
  const notebookSecs = (performance.now() - t0) / 1000;
  process.stdout.write(`notebooks: ${run.executed.length} executed, ${run.cached.length} cached, ${notebookSecs.toFixed(1)}s\n`);
  if (run.failed) {
    process.stderr.write(`\nnotebooks: stopped at ${run.failed.message}\n`);
    for (const s of removeStalePages()) {
      for (const f of s.removed)
        process.stderr.write(
          `site: removed ${path.relative(process.cwd(), f)}: ${s.notebook} failed or was not run, so its page would be stale\n`,
        );
    }
    return false;
  }
  const t1 = performance.now();
  const site = await buildSite();
  process.stdout.write(
    `site: ${site.pages.length} pages, ${site.decks.length} decks, ${site.charts} charts -> site/ (${((performance.now() - t1) / 1000).toFixed(1)}s)\n`,
  );
  return true;
}

/**
 * Rebuilds whenever a notebook under notebooks/ changes, on the same warm workers: only the changed
 * notebook runs again (the cache), so an author sees an edit in about the time its cells take.
 * Library changes need a restart: the workers hold the compiled library they loaded.
 */
function watchNotebooks(pool: NotebookPool): void {
  const dir = path.join(PROJECT_ROOT, "notebooks");
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const rebuild = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const t0 = performance.now();
        const ok = await build(pool).catch((e: unknown) => {
          process.stderr.write(`site: build failed: ${e instanceof Error ? e.message : String(e)}\n`);
          return false;
        });
        process.stdout.write(
          ok ? `rebuilt in ${((performance.now() - t0) / 1000).toFixed(1)} s\n` : "rebuild stopped; fix the notebook and save it again\n",
        );
      } while (again);
    } finally {
      running = false;
    }
  };
  try {
    fs.watch(dir, { recursive: true }, (_event, name) => {
      if (!name || !String(name).endsWith(".ipynb") || String(name).includes(".ipynb_checkpoints")) return;
      if (timer) clearTimeout(timer);
      // Editors write a file in several steps: build once they are done.
      timer = setTimeout(() => void rebuild(), 300);
    });
    process.stdout.write("Watching notebooks/: a saved notebook is rebuilt.\n");
  } catch (e) {
    process.stderr.write(`not watching notebooks/ (${e instanceof Error ? e.message : String(e)}): restart npm start after an edit\n`);
  }
}

/**
 * `npm start`: with `--build`, builds the course first (notebooks through the cache on every core,
 * then site/) in this process, then serves site/ on localhost (PORT, default 8000) and prints the
 * URL with how long the build took; with `--watch` too, rebuilds when a notebook changes.
 */
async function main(): Promise<void> {
  const port = Number(process.env["PORT"] ?? 8000);
  const t0 = performance.now();
  const building = process.argv.includes("--build");
  const watching = building && process.argv.includes("--watch");
  const pool = building ? new NotebookPool() : undefined;
  if (pool) {
    try {
      if (!(await build(pool))) process.exit(1);
    } catch (e) {
      process.stderr.write(`site: build failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    }
    if (!watching) await pool.close();
  }
  const built = building ? ` (built in ${((performance.now() - t0) / 1000).toFixed(1)} s)` : "";
  if (!fs.existsSync(path.join(SITE_DIR, "index.html"))) {
    process.stderr.write("site/ is not built: run `npm run build` first\n");
    process.exit(1);
  }
  const server = createSiteServer();
  server.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EADDRINUSE")
      process.stderr.write(`port ${port} is in use: run \`PORT=${port + 1} npm start\` (or stop what uses it)\n`);
    else process.stderr.write(`cannot serve site/: ${e.message}\n`);
    process.exit(1);
  });
  server.listen(port, "127.0.0.1", () => {
    process.stdout.write(`\nThe course is at http://localhost:${port}/${built}  (also works offline: open site/index.html)\n`);
    if (watching && pool) watchNotebooks(pool);
    process.stdout.write("Press Ctrl+C to stop.\n");
  });
}

if (require.main === module) void main();
