import * as fs from "node:fs";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as esbuild from "esbuild";
import { courseNotebooks, executedPath } from "../kernel/headless/courseFiles";
import { readNotebook } from "../kernel/headless/notebookFormat";
import { PROJECT_ROOT } from "../kernel/jupyterPaths";
import { buildSite } from "../lessons/buildSite";
import { compileCell, IMPORT_FUNCTION } from "../lessons/live/cellCompiler";
import { createSiteServer } from "../lessons/serve";
import { dedalusJson, type DedalusJsonRequest } from "../lib/cli/dedalusJson";
import { PROTOCOLS_DIR } from "../lib/protocols/corpus";
import { CHROMIUM, launchChromium } from "../test/site/browser";
import { measure, printTable, type BenchSuite } from "./harness";

const gz = (file: string): number => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
const kb = (bytes: number): number => Math.round(bytes / 102.4) / 10;

/** The runnable cells of a lesson (what its page runs), from its executed copy. */
function lessonCells(file: string): string[] {
  return readNotebook(file)
    .cells.filter(
      (c) =>
        c.cell_type === "code" && c.source.trim() !== "" && !(Array.isArray(c.metadata.tags) && c.metadata.tags.includes("remove-cell")),
    )
    .map((c) => c.source);
}

/**
 * Runs a lesson's cells in Node the way the browser worker does: the same compiler, one global
 * scope (this process's), indirect eval; charts, tables and prints are collected, not rendered.
 */
async function runCellsInNode(cells: readonly string[]): Promise<void> {
  const maze = {
    ...(require("../kernel/notebook") as Record<string, unknown>),
    show: async () => undefined,
    table: () => undefined,
    markdown: () => undefined,
    html: () => undefined,
  };
  const g = globalThis as Record<string, unknown>;
  g[IMPORT_FUNCTION] = () => maze;
  const log = console.log;
  console.log = () => undefined;
  try {
    for (const [i, source] of cells.entries()) {
      const c = compileCell(source, i);
      if (!c.ok) throw new Error(`cell ${i}: ${c.message}`);
      for (const n of c.names) if (!(n in g)) g[n] = undefined;
      await (0, eval)(c.code);
    }
  } finally {
    console.log = log;
  }
}

async function bundleSize(entry: string): Promise<{ min: number; gzip: number; ms: number }> {
  const t0 = performance.now();
  const r = await esbuild.build({
    stdin: { contents: entry, resolveDir: PROJECT_ROOT, loader: "ts" },
    bundle: true,
    minify: true,
    write: false,
    platform: "browser",
    format: "iife",
    logLevel: "silent",
    external: ["fs", "path", "os", "inspector", "perf_hooks", "crypto", "module", "buffer", "source-map-support"],
  });
  const text = r.outputFiles[0]!.contents;
  return { min: text.length, gzip: zlib.gzipSync(text, { level: 9 }).length, ms: performance.now() - t0 };
}

/**
 * The live runtime: what a page ships (bundle sizes gzipped, against the vega the site already
 * had), sucrase against TypeScript's transpileModule for stripping types in the browser, time to the
 * first output, each lesson's Run all in chromium against the same cells in Node, and LDFI on the
 * Figure-12 rows in the browser against Node.
 */
export const run: BenchSuite = async ({ quick }) => {
  const site = path.join(PROJECT_ROOT, "build", "bench-live-site");
  fs.rmSync(site, { recursive: true, force: true });
  // --quick (the CI smoke run): the site of the first lesson only, Run all on it, the small Figure-12 rows once each.
  const lessons = quick ? courseNotebooks().slice(0, 1) : courseNotebooks();
  await buildSite({ outDir: site, ...(quick ? { notebooks: lessons } : {}) });
  const live = path.join(site, "assets", "live");
  const vendor = path.join(site, "assets", "vendor");
  const vega = ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js"].reduce((n, f) => n + gz(path.join(vendor, f)), 0);
  const sizes = Object.fromEntries(["loader", "runtime", "worker"].map((n) => [n, gz(path.join(live, `${n}.js`))])) as Record<
    string,
    number
  >;
  printTable(
    "Bundle sizes (gzip -9)",
    ["asset", "KB gz", "vs vega the site ships"],
    [
      ["loader.js (every lesson page)", kb(sizes["loader"]!), sizes["loader"]! / vega],
      ["runtime.js (first Edit/Run: editor, outputs)", kb(sizes["runtime"]!), sizes["runtime"]! / vega],
      ["worker.js (first Run: library, sucrase, acorn, corpus)", kb(sizes["worker"]!), sizes["worker"]! / vega],
      ["runtime + worker (target < 600 KB)", kb(sizes["runtime"]! + sizes["worker"]!), (sizes["runtime"]! + sizes["worker"]!) / vega],
      ["vega + vega-lite + vega-embed (already shipped)", kb(vega), 1],
    ],
  );

  // Stripping types in the browser: both transpilers bundled alone, then timed on every course cell.
  const cells = courseNotebooks().flatMap((f) => (fs.existsSync(executedPath(f)) ? lessonCells(executedPath(f)) : []));
  const sucraseSize = await bundleSize('import { transform } from "sucrase"; (globalThis as any).t = transform;');
  const tsSize = await bundleSize('import ts from "typescript"; (globalThis as any).t = ts.transpileModule;');
  const { transform } = require("sucrase") as typeof import("sucrase");
  const ts = require("typescript") as typeof import("typescript");
  const viaSucrase = await measure(
    "sucrase",
    () => cells.forEach((c) => transform(c, { transforms: ["typescript"], disableESTransforms: true, keepUnusedImports: true })),
    { minRuns: 3 },
  );
  const viaTs = await measure(
    "transpileModule",
    () =>
      cells.forEach((c) =>
        ts.transpileModule(c, {
          compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false },
        }),
      ),
    { minRuns: 3 },
  );
  printTable(
    `Type stripping: ${cells.length} course cells`,
    ["transpiler", "KB gz bundled", "ms for all cells", "time vs sucrase"],
    [
      ["sucrase (chosen)", kb(sucraseSize.gzip), viaSucrase.medianMs, 1],
      ["typescript transpileModule", kb(tsSize.gzip), viaTs.medianMs, viaTs.medianMs / viaSucrase.medianMs],
    ],
  );

  if (!fs.existsSync(CHROMIUM)) {
    console.log(`\n(skipping the browser figures: ${CHROMIUM} is missing)`);
    return;
  }
  require("../kernel/notebook");
  const browser = await launchChromium();
  const server = createSiteServer(site);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    // First output: press Run on the first cell of a fresh page (runtime load included), then a cell on a warm runtime.
    const page = await browser.newPage();
    await page.goto(base + "00-start-here.html", { waitUntil: "load" });
    const t0 = Date.now();
    await page.click('section[data-live-cell="0"] button.live-run');
    await page.waitForFunction(
      () =>
        document.querySelector('section[data-live-cell="0"]')?.classList.contains("live-running") === false &&
        document.querySelector('section[data-live-cell="0"] .live-outputs') !== null,
    );
    const cold = Date.now() - t0;
    const t1 = Date.now();
    await page.evaluate(() =>
      (window as unknown as { mazeLive: { run(i: number, o: { source: string }): Promise<unknown> } }).mazeLive.run(1, {
        source: 'console.log("first")',
      }),
    );
    const warm = Date.now() - t1;
    await page.close();
    printTable(
      "Time to first output",
      ["case", "ms"],
      [
        ["first Run press, runtime not loaded (loads runtime + worker)", cold],
        ["a Run once the runtime has loaded (target < 1000)", warm],
      ],
    );

    const rows: (string | number)[][] = [];
    for (const f of lessons) {
      const executed = executedPath(f);
      if (!fs.existsSync(executed)) continue;
      const slug = path.basename(f, ".ipynb");
      const p = await browser.newPage();
      await p.goto(`${base}${slug}.html`, { waitUntil: "load" });
      await p.evaluate(() => (window as unknown as { mazeLive: { ready(): Promise<void> } }).mazeLive.ready());
      const results = (await p.evaluate(() =>
        (window as unknown as { mazeLive: { runAll(): Promise<{ ok: boolean; ms: number }[]> } }).mazeLive.runAll(),
      )) as { ok: boolean; ms: number }[];
      await p.close();
      const browserMs = results.reduce((n, r) => n + r.ms, 0);
      // Node's first run of the lesson, as the browser's is (a fresh worker), once the library is loaded.
      const node = await measure(slug, () => runCellsInNode(lessonCells(executed)), { minRuns: 1, minMs: 0, maxRuns: 1 });
      rows.push([
        slug,
        results.filter((r) => r.ok).length + "/" + results.length,
        Math.round(browserMs),
        Math.round(node.medianMs),
        browserMs / node.medianMs,
      ]);
    }
    printTable(
      "Run all: chromium (sum of cell ms) against the same cells in Node (one scope, charts collected)",
      ["lesson", "ok cells", "browser ms", "node ms", "browser / node"],
      rows,
    );

    const expected = JSON.parse(fs.readFileSync(path.join(PROTOCOLS_DIR, "expected.json"), "utf8")) as {
      entries: {
        name: string;
        files: string[];
        nodes?: string[];
        bounds: { eot: number; eff: number; crashes: number; figure12?: boolean; executions?: number }[];
      }[];
    };
    const pg = await browser.newPage();
    await pg.goto(base + "playground.html", { waitUntil: "load" });
    await pg.evaluate(() => (window as unknown as { mazeLive: { ready(): Promise<void> } }).mazeLive.ready());
    const ldfiRows: (string | number)[][] = [];
    const cwd = process.cwd();
    for (const e of expected.entries) {
      for (const b of e.bounds.filter((x) => x.figure12 && (!quick || (x.executions ?? Infinity) <= 3))) {
        process.chdir(PROTOCOLS_DIR);
        const files = Object.fromEntries(e.files.map((f) => [f, fs.readFileSync(f, "utf8")]));
        const request: DedalusJsonRequest = {
          files,
          command: "ldfi",
          eot: b.eot,
          eff: b.eff,
          crashes: b.crashes,
          ...(e.nodes ? { nodes: e.nodes } : {}),
        };
        // The search's own wallMs on both sides (the browser's round trip to the worker aside), median of 5.
        const reps = quick ? 1 : 5;
        const nodeWall: number[] = [];
        for (let i = 0; i < reps; i++) nodeWall.push((dedalusJson(request) as { wallMs: number }).wallMs);
        process.chdir(cwd);
        const browserWall: number[] = [];
        let got: { verdict?: string; executions?: number; wallMs?: number } = {};
        for (let i = 0; i < reps; i++) {
          got = await pg.evaluate(
            (r) => (window as unknown as { mazeLive: { dedalus(r: object): Promise<object> } }).mazeLive.dedalus(r),
            request,
          );
          browserWall.push(got.wallMs ?? NaN);
        }
        const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
        const inBrowser = median(browserWall);
        const inNode = { medianMs: median(nodeWall) };
        ldfiRows.push([
          `${e.name} ${b.eot}/${b.eff}/${b.crashes}`,
          String(got.verdict),
          Number(got.executions),
          inBrowser,
          inNode.medianMs,
          inBrowser / inNode.medianMs,
        ]);
      }
    }
    await pg.close();
    printTable(
      `LDFI on the Figure-12 rows${quick ? " of at most 3 executions" : ""}: the search's wallMs in chromium (mazeLive.dedalus) against Node (dedalusJson), ${quick ? "once (--quick)" : "median of 5"} (target <= 2x)`,
      ["row", "verdict", "executions", "browser ms", "node ms", "browser / node"],
      ldfiRows,
    );
  } finally {
    await browser.close();
    server.close();
  }
};
