/**
 * Live lessons in a real browser (playwright-core driving Debian's chromium): every lesson page's
 * `mazeLive.runAll()` gives the outputs the headless Node run gave; edits run; errors are located;
 * a runaway cell is stopped; the playground answers as the CLI; from the local server and file://,
 * with no request leaving the page's origin.
 */
import * as fs from "node:fs";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { courseNotebooks, executedPath } from "../../kernel/headless/courseFiles";
import { readNotebook, type Output } from "../../kernel/headless/notebookFormat";
import { executeCourseOnce } from "./courseBuild";
import { PROJECT_ROOT } from "../../kernel/jupyterPaths";
import { buildSite } from "../../lessons/buildSite";
import { encodeFragment } from "../../lessons/live/fragment";
import type { RunResult } from "../../lessons/live/liveApi";
import { MIME_ORDER } from "../../lessons/live/protocol";
import { createSiteServer } from "../../lessons/serve";
import { dedalusJson } from "../../lib/cli/dedalusJson";
import { PROTOCOLS_DIR } from "../../lib/protocols/corpus";
import { chromiumAvailable, launchChromium } from "./browser";

const out = path.join(PROJECT_ROOT, "build", "test-live-site");

/** An output reduced to what must agree between Node and the browser: charts by kind, text exactly (timings aside). */
type Comparable = { mime: string; text?: string };

function normalise(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex -- terminal colour codes are what is removed
    .replace(/\u001b\[[0-9;]*m/g, "")
    .split(PROJECT_ROOT).join("<root>")
    .split("/maze").join("<root>")
    .replace(/\d+(\.\d+)?\s?ms\b/g, "# ms")
    .replace(/"wallMs":\s?[\d.]+/g, '"wallMs":#');
}

/** A table's timing columns (headed `ms` or `time`) hold wall times: their cells become `#`. */
function normaliseTimingColumns(html: string): string {
  return html.replace(/<table[\s\S]*?<\/table>/g, (table) => {
    const headers = [...table.matchAll(/<th>([\s\S]*?)<\/th>/g)].map((m) => m[1]);
    const timing = new Set(headers.flatMap((h, i) => (h === "ms" || h === "time" ? [i] : [])));
    if (timing.size === 0) return table;
    return table.replace(/<tr>([\s\S]*?)<\/tr>/g, (_row, cells: string) => {
      let i = -1;
      return `<tr>${cells.replace(/<td>[\s\S]*?<\/td>/g, (td) => (timing.has(++i) ? "<td>#</td>" : td))}</tr>`;
    });
  });
}

function comparable(mime: string, text: string): Comparable {
  if (mime.startsWith("application/vnd.vegalite")) return { mime: "chart" };
  return { mime, text: normalise(mime === "text/html" ? normaliseTimingColumns(text) : text) };
}

function textOf(v: unknown): string {
  return Array.isArray(v) ? v.join("") : typeof v === "string" ? v : JSON.stringify(v);
}

/** The headless Node run's outputs of every runnable cell of a notebook, in page order. */
function nodeOutputs(file: string): Comparable[][] {
  const nb = readNotebook(file);
  return nb.cells
    .filter((c) => c.cell_type === "code" && c.source.trim() !== "" && !(Array.isArray(c.metadata.tags) && c.metadata.tags.includes("remove-cell")))
    .map((c) =>
      (c.outputs ?? []).flatMap((o: Output): Comparable[] => {
        if (o.output_type === "stream") return [comparable("text/plain", textOf(o.text))];
        if (o.output_type === "error") return [];
        const mime = MIME_ORDER.find((m) => m in o.data) ?? Object.keys(o.data)[0] ?? "text/plain";
        return [comparable(mime, textOf(o.data[mime]))];
      }),
    );
}

interface Watched {
  readonly page: Page;
  readonly errors: string[];
  readonly foreign: string[];
}

async function open(browser: Browser, url: string, allowed: string): Promise<Watched> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(allowed) && !u.startsWith("blob:") && !u.startsWith("data:") && !u.startsWith("about:")) foreign.push(u);
  });
  await page.goto(url, { waitUntil: "load" });
  return { page, errors, foreign };
}

const runAll = (page: Page): Promise<RunResult[]> => page.evaluate(() => (window as unknown as { mazeLive: { runAll(): Promise<RunResult[]> } }).mazeLive.runAll());
const run = (page: Page, i: number, source?: string): Promise<RunResult> =>
  page.evaluate(([i, source]) => (window as unknown as { mazeLive: { run(i: number, o?: { source?: string }): Promise<RunResult> } }).mazeLive.run(i, source === null ? undefined : { source: source }), [i, source ?? null] as const);

const maybe = chromiumAvailable() ? describe : describe.skip;

maybe("live lessons in a headless browser", () => {
  let browser: Browser;
  let base: string;
  let server: ReturnType<typeof createSiteServer>;
  const lessons = courseNotebooks().map((f) => ({ slug: path.basename(f, ".ipynb"), executed: executedPath(f) }));

  beforeAll(async () => {
    await executeCourseOnce();
    fs.rmSync(out, { recursive: true, force: true });
    await buildSite({ outDir: out });
    browser = await launchChromium();
    server = createSiteServer(out);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  test("a page that is only read loads no runtime, and defines mazeLive by DOMContentLoaded", async () => {
    const w = await open(browser, base + "03-crdts.html", base);
    const loaded: string[] = [];
    w.page.on("request", (r) => loaded.push(r.url()));
    const info = await w.page.evaluate(() => ({
      cells: (window as unknown as { mazeLive: { cells(): number } }).mazeLive.cells(),
      scripts: [...document.scripts].map((s) => s.src).filter((s) => s.includes("/live/")),
    }));
    expect(info.scripts.map((s) => s.replace(base, ""))).toEqual(["assets/live/loader.js"]);
    expect(info.cells).toBeGreaterThan(5);
    expect(loaded).toEqual([]);
    await w.page.close();
  });

  test("runAll on every lesson page gives the headless Node run's outputs, with no console error and no foreign request", async () => {
    for (const { slug, executed } of lessons) {
      const w = await open(browser, `${base}${slug}.html`, base);
      const results = await runAll(w.page);
      const expected = nodeOutputs(executed);
      expect({ slug, cells: results.length }).toEqual({ slug, cells: expected.length });
      results.forEach((r, i) => {
        expect({ slug, cell: i, ok: r.ok, error: r.error }).toEqual({ slug, cell: i, ok: true, error: undefined });
        expect({ slug, cell: i, outputs: r.outputs.map((o) => comparable(o.mime, o.text)) }).toEqual({ slug, cell: i, outputs: expected[i] });
      });
      // Charts drawn by the site's own vega-embed.
      await w.page.waitForFunction(() => [...document.querySelectorAll(".live-chart")].every((f) => f.getAttribute("data-rendered") !== null), undefined, { timeout: 20_000 });
      const failed = await w.page.evaluate(() => document.querySelectorAll('.live-chart[data-rendered="failed"]').length);
      expect({ slug, failed, errors: w.errors, foreign: w.foreign }).toEqual({ slug, failed: 0, errors: [], foreign: [] });
      await w.page.close();
    }
  }, 300_000);

  test("an edited cell runs and its output changes: a seed in lesson 01, a program in lesson 05", async () => {
    const w1 = await open(browser, base + "01-why-it-is-hard.html", base);
    await run(w1.page, 0);
    const before = await run(w1.page, 1);
    const source1 = await w1.page.evaluate(() => document.querySelectorAll("article.notebook section.cell.code pre.source code")[1]!.textContent ?? "");
    expect(source1).toContain("gossipDemo(1)");
    const after = await run(w1.page, 1, source1.replace("gossipDemo(1)", "gossipDemo(2)"));
    expect(after.ok).toBe(true);
    expect(after.outputs.map((o) => o.text)).not.toEqual(before.outputs.map((o) => o.text));
    // The cell below sees the new `gossip`.
    expect((await run(w1.page, 2)).ok).toBe(true);
    await w1.page.close();

    const w5 = await open(browser, base + "05-dedalus.html", base);
    await run(w5.page, 0);
    const source5 = await w5.page.evaluate(() => document.querySelectorAll("article.notebook section.cell.code pre.source code")[1]!.textContent ?? "");
    // Extend the chain of links by one hop (c -> d becomes also d -> e) and see reach grow.
    const lastLink = [...source5.matchAll(/^link\(.*"c", "d"\)@1;$/gm)].at(-1)?.[0];
    expect(lastLink).toBeDefined();
    const edited = await run(w5.page, 1, source5.replace(lastLink!, `${lastLink!}\n${lastLink!.replace('"d"', '"e"').replace('"c"', '"d"')}`));
    expect(edited.ok).toBe(true);
    expect(edited.outputs[0]!.text).toMatch(/reach\((?:"\w+", )?"a", "e"\)/);
    expect((await run(w5.page, 1)).outputs[0]!.text).toMatch(/reach\((?:"\w+", )?"a", "e"\)/);
    const below = await run(w5.page, 2);
    expect(below).toMatchObject({ ok: true });
    expect(w5.errors).toEqual([]);
    await w5.page.close();
  }, 120_000);

  test("a syntax error and a type-only name used as a value are located as cell N:line L", async () => {
    const w = await open(browser, base + "00-start-here.html", base);
    await run(w.page, 0);
    expect(await run(w.page, 1, "const ok = 1;\nconst broken = ;")).toMatchObject({ ok: false, error: expect.stringMatching(/^cell 1:line 2: SyntaxError: /) });
    expect(await run(w.page, 1, "interface Point { x: number }\nconst p: Point = { x: 1 };\nconsole.log(p.x);\nPoint")).toMatchObject({
      ok: false,
      outputs: [{ mime: "text/plain", text: "1\n" }],
      error: "cell 1:line 4: ReferenceError: Point is not defined",
    });
    await w.page.close();
  }, 60_000);

  test("a cell may import maze/internals, as in Node, and no other module", async () => {
    const w = await open(browser, base + "00-start-here.html", base);
    await run(w.page, 0);
    const internals = await run(w.page, 1, 'import * as internals from "maze/internals";\nconsole.log(typeof internals.runSimulation, typeof (maze as unknown as Record<string, unknown>)["runSimulation"]);');
    expect(internals).toMatchObject({ ok: true, outputs: [{ mime: "text/plain", text: "function undefined\n" }] });
    expect(await run(w.page, 1, 'import * as fs from "fs";\nconsole.log(fs);')).toMatchObject({ ok: false, error: expect.stringContaining('cells here can import only "maze" and "maze/internals"') });
    expect(w.errors).toEqual([]);
    await w.page.close();
  }, 60_000);

  test("a cell that never yields is stopped within 2 s of its limit, and the page keeps working", async () => {
    const w = await open(browser, base + "00-start-here.html", base);
    await w.page.evaluate(() => (window as unknown as { mazeLive: { ready(): Promise<void> } }).mazeLive.ready());
    await w.page.evaluate(() => (window as unknown as { mazeLive: { setTimeLimit(ms: number): void } }).mazeLive.setTimeLimit(1500));
    const t0 = Date.now();
    const queued = w.page.evaluate(() => {
      const live = (window as unknown as { mazeLive: { run(i: number, o?: { source?: string }): Promise<RunResult> } }).mazeLive;
      return Promise.all([live.run(0, { source: "while (true) {}" }), live.run(1)]);
    });
    const [stuck, next] = await queued;
    const waited = Date.now() - t0;
    expect(stuck).toMatchObject({ ok: false, error: expect.stringMatching(/time limit/) });
    expect(next).toMatchObject({ ok: false, error: "stopped" });
    expect(waited).toBeLessThan(1500 + 2000);
    const again = await run(w.page, 1, 'console.log("alive")');
    expect(again).toMatchObject({ ok: true, outputs: [{ mime: "text/plain", text: "alive\n" }] });
    // stop() ends a running cell too.
    const running = w.page.evaluate(() => (window as unknown as { mazeLive: { run(i: number, o: { source: string }): Promise<RunResult> } }).mazeLive.run(0, { source: "await new Promise(() => {})" }));
    await w.page.waitForTimeout(200);
    await w.page.evaluate(() => (window as unknown as { mazeLive: { stop(): Promise<void> } }).mazeLive.stop());
    expect(await running).toMatchObject({ ok: false, error: "stopped" });
    await w.page.close();
  }, 60_000);

  test("edits are kept per page across reloads, and Reset restores the published code and outputs", async () => {
    const w = await open(browser, base + "00-start-here.html", base);
    const published = await w.page.evaluate(() => document.querySelectorAll("article.notebook section.cell.code")[1]!.innerHTML.length);
    await run(w.page, 1, 'console.log("my edit")');
    await w.page.reload({ waitUntil: "load" });
    expect(await w.page.evaluate(() => document.querySelectorAll("article.notebook section.cell.code pre.source code")[1]!.textContent)).toBe('console.log("my edit")');
    await w.page.click("button.live-reset");
    await w.page.waitForFunction(() => !document.querySelector(".live-edited"));
    await w.page.reload({ waitUntil: "load" });
    expect(await w.page.evaluate(() => document.querySelectorAll("article.notebook section.cell.code")[1]!.innerHTML.length)).toBe(published);
    await w.page.close();
  }, 60_000);

  test("the playground gives Node's verdicts and execution counts on the fast corpus rows", async () => {
    const expected = JSON.parse(fs.readFileSync(path.join(PROTOCOLS_DIR, "expected.json"), "utf8")) as { entries: { name: string; files: string[]; nodes?: string[]; bounds: { eot: number; eff: number; crashes: number; slow?: boolean }[] }[] };
    const cwd = process.cwd();
    process.chdir(PROTOCOLS_DIR);
    const rows: { request: Parameters<typeof dedalusJson>[0]; node: { verdict: string; executions: number } }[] = [];
    try {
      for (const e of expected.entries) {
        const files = Object.fromEntries(e.files.map((f) => [f, fs.readFileSync(f, "utf8")]));
        for (const b of e.bounds) {
          if (b.slow) continue;
          const request = { files, command: "ldfi" as const, eot: b.eot, eff: b.eff, crashes: b.crashes, ...(e.nodes ? { nodes: e.nodes } : {}) };
          const t0 = performance.now();
          const node = dedalusJson(request) as { verdict: string; executions: number };
          if (performance.now() - t0 < 1000) rows.push({ request, node });
        }
      }
    } finally {
      process.chdir(cwd);
    }
    expect(rows.length).toBeGreaterThan(5);
    const w = await open(browser, base + "playground.html", base);
    for (const r of rows) {
      const got = (await w.page.evaluate((req) => (window as unknown as { mazeLive: { dedalus(r: object): Promise<object> } }).mazeLive.dedalus(req), r.request)) as { verdict: string; executions: number };
      expect({ files: Object.keys(r.request.files), bounds: [r.request.eot, r.request.eff, r.request.crashes], verdict: got.verdict, executions: got.executions }).toEqual({
        files: Object.keys(r.request.files), bounds: [r.request.eot, r.request.eff, r.request.crashes], verdict: r.node.verdict, executions: r.node.executions,
      });
    }
    expect(w.errors).toEqual([]);
    await w.page.close();
  }, 120_000);

  test("a playground link reproduces a counterexample, from file:// too", async () => {
    const files = Object.fromEntries(["retry_delivery.ded", "delivery_assert.ded"].map((f) => [f, fs.readFileSync(path.join(PROTOCOLS_DIR, f), "utf8")]));
    const fragment = encodeFragment({ files, command: "ldfi", eot: 4, eff: 2, crashes: 1 });
    for (const [url, allowed] of [[base + "playground.html" + fragment, base], [pathToFileURL(path.join(out, "playground.html")).href + fragment, "file://"]] as const) {
      const w = await open(browser, url, allowed);
      await w.page.waitForSelector(".pg-summary", { timeout: 20_000 });
      const summary = await w.page.textContent(".pg-summary");
      expect(summary).toContain("counterexample after 3 execution(s)");
      expect(summary).toContain("omit a→b @1");
      expect(summary).toContain("crash a @2");
      await w.page.waitForFunction(() => [...document.querySelectorAll(".pg-result .maze-chart")].every((f) => f.getAttribute("data-rendered") === "live"), undefined, { timeout: 20_000 });
      expect({ errors: w.errors, foreign: w.foreign }).toEqual({ errors: [], foreign: [] });
      await w.page.close();
    }
  }, 60_000);

  test("a lesson runs from file:// with no request outside the file system", async () => {
    const w = await open(browser, pathToFileURL(path.join(out, "00-start-here.html")).href, "file://");
    const results = await runAll(w.page);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.outputs.map((o) => comparable(o.mime, o.text)))).toEqual(nodeOutputs(executedPath(path.join(PROJECT_ROOT, "notebooks", "00-start-here.ipynb"))));
    expect({ errors: w.errors, foreign: w.foreign }).toEqual({ errors: [], foreign: [] });
    await w.page.close();
  }, 60_000);

  test("pages, the editor and the playground pass axe-core's WCAG 2.1 AA rules, and work from the keyboard", async () => {
    const axe = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
    const check = async (w: Watched, what: string): Promise<void> => {
      await w.page.addScriptTag({ content: axe });
      const violations = await w.page.evaluate(async () => {
        const r = await (window as unknown as { axe: { run(d: Document, o: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        return r.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
      });
      expect({ what, violations }).toEqual({ what, violations: [] });
    };
    const index = await open(browser, base + "index.html", base);
    await check(index, "course map");
    await index.page.close();
    for (const { slug } of lessons) {
      const w = await open(browser, `${base}${slug}.html`, base);
      await w.page.waitForFunction(() => [...document.querySelectorAll(".maze-chart")].every((f) => f.getAttribute("data-rendered") !== null), undefined, { timeout: 20_000 });
      await check(w, `${slug} as published`);
      await w.page.close();
    }

    // Keyboard: Tab to a cell's Edit, Enter opens the editor, Shift+Enter in it runs the cell.
    const lesson = await open(browser, base + "00-start-here.html", base);
    await run(lesson.page, 0);
    await lesson.page.focus('section[data-live-cell="1"] button.live-edit');
    await lesson.page.keyboard.press("Enter");
    await lesson.page.waitForSelector('section[data-live-cell="1"] .cm-editor.cm-focused');
    await lesson.page.keyboard.press("Control+End");
    await lesson.page.keyboard.type('\nconsole.log("typed")');
    await lesson.page.keyboard.press("Shift+Enter");
    await lesson.page.waitForFunction(() => /typed/.test(document.querySelector('section[data-live-cell="1"] .live-outputs')?.textContent ?? ""));
    await lesson.page.waitForFunction(() => [...document.querySelectorAll(".maze-chart")].every((f) => f.getAttribute("data-rendered") !== null), undefined, { timeout: 20_000 });
    await check(lesson, "lesson with an open editor and live outputs");
    await lesson.page.close();

    const lab = await open(browser, base + "lab1-crdt.html", base);
    await runAll(lab.page);
    await check(lab, "lab after Run all");
    await lab.page.close();

    const pg = await open(browser, base + "playground.html", base);
    await pg.page.waitForSelector(".cm-editor");
    await pg.page.focus(".pg-ldfi");
    await pg.page.keyboard.press("Enter");
    await pg.page.waitForSelector(".pg-summary");
    await pg.page.waitForFunction(() => [...document.querySelectorAll(".pg-result .maze-chart")].every((f) => f.getAttribute("data-rendered") !== null), undefined, { timeout: 20_000 });
    await check(pg, "playground with a counterexample");
    await pg.page.close();
  }, 240_000);
});
