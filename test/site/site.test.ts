import * as fs from "node:fs";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { courseNotebooks, EXECUTED_DIR } from "../../kernel/headless/courseFiles";
import { runCourse } from "../../kernel/headless/runNotebooks";
import { executeCourseOnce } from "./courseBuild";
import { PROJECT_ROOT } from "../../kernel/jupyterPaths";
import { API_INDEX, buildApiDocs } from "../../lessons/apiDocs";
import { buildSite, type BuildSiteResult } from "../../lessons/buildSite";
import { createSiteServer } from "../../lessons/serve";
import { scratchDir, writeNotebook } from "../kernel/fixtures";
import { chromiumAvailable, inspectPage, launchChromium } from "./browser";

const out = path.join(PROJECT_ROOT, "build", "test-site");
let built: BuildSiteResult;

beforeAll(async () => {
  // Every course notebook goes through the headless runner (cached in build/notebooks/).
  await executeCourseOnce();
  fs.rmSync(out, { recursive: true, force: true });
  built = await buildSite({ outDir: out });
}, 600_000);

describe("static site build", () => {
  test("renders an index, a page per notebook and a deck per notebook with slides", () => {
    const slugs = courseNotebooks().map((f) => path.basename(f, ".ipynb"));
    expect(built.pages.sort()).toEqual(["index.html", "playground.html", ...slugs.map((s) => `${s}.html`)].sort());
    expect(built.decks).toContain(path.join("slides", "00-start-here.html"));
    const index = fs.readFileSync(path.join(out, "index.html"), "utf8");
    for (const s of slugs) expect(index).toContain(`href="${s}.html"`);
  });

  test("leaves the instructor's solutions out of the student build", () => {
    const all = [...built.pages, ...built.decks].map((p) => fs.readFileSync(path.join(out, p), "utf8")).join("\n");
    expect(courseNotebooks().some((f) => f.includes(`${path.sep}instructor${path.sep}`))).toBe(false);
    expect(all).toContain("lab1-crdt");
    expect(all).not.toContain("maxMerge");
  });

  test("uses only relative links and vendored scripts (no CDN)", () => {
    for (const page of [...built.pages, ...built.decks]) {
      const html = fs.readFileSync(path.join(out, page), "utf8");
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
      expect(html).not.toMatch(/(src|href)="\//);
    }
    expect(fs.existsSync(path.join(out, "assets", "vendor", "vega-embed.min.js"))).toBe(true);
    expect(fs.existsSync(path.join(out, "slides", "reveal", "reveal.js"))).toBe(true);
  });

  test("pre-renders every chart to SVG for readers without JavaScript", () => {
    const html = fs.readFileSync(path.join(out, "00-start-here.html"), "utf8");
    expect(html).toMatch(/<figure class="maze-chart"[^>]*><div class="chart-static"><svg/);
    expect(built.charts).toBeGreaterThanOrEqual(1);
  });

  test("links the API pages from the index, with maze's exports documented from their TSDoc", () => {
    expect(fs.readFileSync(path.join(out, "index.html"), "utf8")).toContain(`href="${API_INDEX}"`);
    expect(fs.existsSync(path.join(out, API_INDEX))).toBe(true);
    const modules = fs.readFileSync(path.join(out, "api", "modules.html"), "utf8");
    expect(modules).toContain('href="modules/maze.html"');
    expect(modules).toContain('href="modules/maze_internals.html"');
    // A known public export, with the first sentence of its TSDoc and its signature.
    const page = fs.readFileSync(path.join(out, "api", "functions", "maze.runProgram.html"), "utf8");
    expect(page).toContain("Runs a program once.");
    expect(page).toMatch(/runProgram<\/span>\s*<span class="tsd-signature-symbol">\(/);
    // The internals are their own section: ldfiSearch is documented there and not under maze.
    expect(fs.existsSync(path.join(out, "api", "functions", "maze_internals.ldfiSearch.html"))).toBe(true);
    expect(fs.existsSync(path.join(out, "api", "functions", "maze.ldfiSearch.html"))).toBe(false);
  });

  test("a second build with unchanged sources takes the API pages from the cache instead of running typedoc", async () => {
    expect(built.api.dir).toBe(path.join(out, "api"));
    const again = await buildApiDocs(scratchDir("site-api-cache"));
    expect(again.cached).toBe(true);
    expect(fs.existsSync(path.join(again.dir, "index.html"))).toBe(true);
  });

  test("escapes text from notebooks, and links prev/next", async () => {
    const dir = scratchDir("site-escape");
    const nb = writeNotebook(dir, "01-evil.ipynb", [
      { type: "markdown", source: '# Title <img src=x onerror="alert(1)">\n\nText <script>alert(2)</script>' },
      { type: "code", source: 'console.log("<b>not bold</b>")' },
    ]);
    const nb2 = writeNotebook(dir, "02-next.ipynb", [{ type: "markdown", source: "# Second" }]);
    const exec = path.join(dir, "executed");
    const run = await runCourse({ files: [nb, nb2], outDir: exec, log: () => undefined });
    expect(run.failed).toBeUndefined();
    const site = path.join(dir, "site");
    await buildSite({ notebooks: [nb, nb2], executedDir: exec, outDir: site });
    const page = fs.readFileSync(path.join(site, "01-evil.html"), "utf8");
    expect(page).not.toContain("<img src=x");
    expect(page).not.toContain("<script>alert");
    expect(page).toContain("&lt;b&gt;not bold&lt;/b&gt;");
    expect(page).toContain('<title>Title &lt;img src=x onerror=&quot;alert(1)&quot;&gt; — ');
    expect(page).toContain('href="02-next.html"');
    expect(fs.readFileSync(path.join(site, "02-next.html"), "utf8")).toContain('href="01-evil.html"');
  }, 120_000);

  test("refuses to build from a notebook that has no executed copy, writing nothing", async () => {
    const dir = scratchDir("site-missing");
    const nb = writeNotebook(dir, "never-run.ipynb", [{ type: "markdown", source: "# x" }]);
    const site = path.join(dir, "site");
    await expect(buildSite({ notebooks: [nb], executedDir: path.join(dir, "none"), outDir: site })).rejects.toThrow(
      /no executed copy of .*never-run\.ipynb: run `npm run notebooks` first/,
    );
    expect(fs.existsSync(site)).toBe(false);
  });
});

const maybe = chromiumAvailable() ? describe : describe.skip;

maybe("the built site in a headless browser", () => {
  let browser: Browser;
  let base: string;
  let server: ReturnType<typeof createSiteServer>;
  beforeAll(async () => {
    browser = await launchChromium();
    server = createSiteServer(out);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  test("every page and deck loads over HTTP with no console error, no foreign request, and every chart drawn", async () => {
    for (const page of [...built.pages, ...built.decks]) {
      const r = await inspectPage(browser, base + page.split(path.sep).join("/"), base);
      expect({ page, ...r }).toEqual({ page, consoleErrors: [], foreignRequests: [], charts: { total: r.charts.total, rendered: r.charts.total } });
    }
  }, 300_000);

  test("the site works from the file system (file://)", async () => {
    const url = pathToFileURL(path.join(out, "00-start-here.html")).href;
    const r = await inspectPage(browser, url, "file://");
    expect(r).toEqual({ consoleErrors: [], foreignRequests: [], charts: { total: r.charts.total, rendered: r.charts.total } });
    expect(r.charts.total).toBeGreaterThanOrEqual(1);
    // typedoc's pages too: search index and navigation are embedded scripts, icons inlined.
    const api = await inspectPage(browser, pathToFileURL(path.join(out, "api", "functions", "maze.runProgram.html")).href, "file://");
    expect(api).toEqual({ consoleErrors: [], foreignRequests: [], charts: { total: 0, rendered: 0 } });
  }, 60_000);
});

test("executed notebooks live under build/notebooks", () => {
  expect(fs.existsSync(path.join(EXECUTED_DIR, "00-start-here.ipynb"))).toBe(true);
});
