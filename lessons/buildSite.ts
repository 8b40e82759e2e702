import * as fs from "node:fs";
import * as path from "node:path";
import nunjucks from "nunjucks";
import { PROJECT_ROOT } from "../kernel/jupyterPaths";
import { EXECUTED_DIR, courseNotebooks, executedPath } from "../kernel/headless/courseFiles";
import { writeFileAtomic } from "../kernel/headless/notebookFormat";
import { COURSE, PARTS } from "./courseMap";
import { loadCourse, type Lesson } from "./lessonModel";
import { copyRevealAssets, copySiteAssets } from "./siteAssets";
import { buildLiveAssets } from "./live/build";
import { API_INDEX, buildApiDocs, type ApiDocsResult } from "./apiDocs";
import { renderPlayground } from "./playgroundPage";
import { buildDecks } from "../slides/buildSlides";

/** Where `npm run build` writes the static site. */
export const SITE_DIR = path.join(PROJECT_ROOT, "site");

/** Options of a site build. */
export interface BuildSiteOptions {
  readonly notebooks?: readonly string[];
  readonly executedDir?: string;
  readonly outDir?: string;
}

/** What a build produced. */
export interface BuildSiteResult {
  readonly pages: string[];
  readonly decks: string[];
  readonly charts: number;
  /** The API pages (`api/`): whether they came from the cache, and what they cost. */
  readonly api: ApiDocsResult;
}

/** A nunjucks environment over lessons/templates with autoescape on: user text is always escaped. */
export function templateEnv(dir = path.join(PROJECT_ROOT, "lessons", "templates")): nunjucks.Environment {
  return new nunjucks.Environment(new nunjucks.FileSystemLoader(dir, { noCache: true }), { autoescape: true, throwOnUndefined: false });
}

/**
 * Renders executed notebooks into a static site: an index with the course map, one page per
 * lesson with prev/next links, and one reveal.js deck per lesson that has slide cells. Every page
 * is rendered in memory first; nothing is written unless all of them rendered, and each file is
 * written atomically, so a failed build never leaves a half-written page that looks complete.
 */
export async function buildSite(options: BuildSiteOptions = {}): Promise<BuildSiteResult> {
  const outDir = options.outDir ?? SITE_DIR;
  const executedDir = options.executedDir ?? EXECUTED_DIR;
  const sources = options.notebooks ?? courseNotebooks();
  const stale = removeStalePages(options);
  if (stale.length > 0) {
    const which = stale.map((s) => s.notebook).join(", ");
    const removed = stale.flatMap((s) => s.removed.map((f) => path.relative(process.cwd(), f) || f));
    throw new Error(
      `no executed copy of ${which}: run \`npm run notebooks\` first (it stops at a failing notebook)` +
        (removed.length > 0 ? `; removed the stale ${removed.join(", ")} so no outdated page looks complete` : ""),
    );
  }
  const lessons = await loadCourse(
    sources.map((s) => ({ file: executedPath(s, executedDir), sourceRel: path.relative(PROJECT_ROOT, path.resolve(s)) })),
  );
  const env = templateEnv();
  const decks = await buildDecks(lessons);
  const deckOf = new Map(decks.map((d) => [d.slug, d.file]));
  const files = new Map<string, string>();

  const parts = PARTS.map((p) => ({ name: p.name, blurb: p.blurb, lessons: lessons.filter((l) => p.match(l.slug, l.lab)) }));
  const unplaced = lessons.filter((l) => !PARTS.some((p) => p.match(l.slug, l.lab)));
  if (unplaced.length > 0) parts.push({ name: "More", blurb: "", lessons: unplaced });
  files.set(
    "index.html",
    env.render("index.njk", { course: COURSE, root: "", parts: parts.filter((p) => p.lessons.length > 0), charts: 0, api: API_INDEX }),
  );

  lessons.forEach((lesson: Lesson, i) => {
    files.set(
      `${lesson.slug}.html`,
      env.render("lesson.njk", {
        course: COURSE,
        root: "",
        lesson,
        prev: lessons[i - 1],
        next: lessons[i + 1],
        charts: lesson.charts,
        math: lesson.math,
        deck: deckOf.get(lesson.slug),
      }),
    );
  });
  for (const d of decks) files.set(path.join("slides", d.file), d.html);
  files.set("playground.html", renderPlayground(env));

  copySiteAssets(outDir);
  if (decks.length > 0) copyRevealAssets(outDir);
  await buildLiveAssets(outDir);
  const api = await buildApiDocs(outDir);
  for (const [rel, html] of files) writeFileAtomic(path.join(outDir, rel), html);
  return {
    pages: [...files.keys()].filter((f) => !f.startsWith("slides")),
    decks: decks.map((d) => path.join("slides", d.file)),
    charts: lessons.reduce((n, l) => n + l.charts, 0),
    api,
  };
}

/** A notebook without an executed copy and the pages of an earlier build removed for it. */
export interface StalePage {
  readonly notebook: string;
  readonly removed: string[];
}

/**
 * Removes the page and deck of every notebook that has no executed copy (the headless runner deletes
 * the copy of a notebook that fails): a failed `npm run build` must not leave the previous,
 * complete-looking page of a notebook that no longer runs. Returns those notebooks.
 */
export function removeStalePages(options: BuildSiteOptions = {}): StalePage[] {
  const outDir = options.outDir ?? SITE_DIR;
  const executedDir = options.executedDir ?? EXECUTED_DIR;
  const out: StalePage[] = [];
  for (const source of options.notebooks ?? courseNotebooks()) {
    if (fs.existsSync(executedPath(source, executedDir))) continue;
    const slug = path.basename(source, ".ipynb");
    const removed: string[] = [];
    for (const page of [path.join(outDir, `${slug}.html`), path.join(outDir, "slides", `${slug}.html`)]) {
      if (!fs.existsSync(page)) continue;
      fs.rmSync(page, { force: true });
      removed.push(page);
    }
    out.push({ notebook: path.relative(PROJECT_ROOT, path.resolve(source)), removed });
  }
  return out;
}

async function main(): Promise<void> {
  if (process.argv.includes("--remove-stale")) {
    // `npm run build` runs this when the notebooks step failed (see package.json)
    for (const s of removeStalePages()) {
      for (const f of s.removed)
        process.stderr.write(
          `site: removed ${path.relative(process.cwd(), f)}: ${s.notebook} failed or was not run, so its page would be stale\n`,
        );
    }
    return;
  }
  const t0 = performance.now();
  try {
    const r = await buildSite();
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    process.stdout.write(
      `site: ${r.pages.length} pages, ${r.decks.length} decks, ${r.charts} charts, API pages ${r.api.cached ? "cached" : "generated"} in ${(r.api.ms / 1000).toFixed(1)}s -> ${path.relative(process.cwd(), SITE_DIR) || "."}/ (${secs}s)\n`,
    );
  } catch (e) {
    process.stderr.write(`site: build failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}

if (require.main === module) void main();
