import * as path from "node:path";
import { PROJECT_ROOT } from "../kernel/jupyterPaths";
import { EXECUTED_DIR, courseNotebooks, executedPath } from "../kernel/headless/courseFiles";
import { writeFileAtomic } from "../kernel/headless/notebookFormat";
import { loadCourse, type Lesson, type LessonCell } from "../lessons/lessonModel";
import { copyRevealAssets, copySiteAssets } from "../lessons/siteAssets";
import nunjucks from "nunjucks";

/** A rendered deck. */
export interface Deck {
  readonly slug: string;
  readonly file: string;
  readonly html: string;
  readonly slides: number;
}

interface SlideCell extends LessonCell {
  readonly fragment: boolean;
  readonly notes: boolean;
}

/**
 * Groups a lesson's cells into reveal.js slides by Jupyter's slideshow metadata, as nbconvert does:
 * `slide` starts a slide, `subslide` a vertical one under it, `fragment` appears on the next step,
 * `-` continues the current one, `skip` is left out, `notes` become speaker notes. Cells before the
 * first `slide` are not part of the deck.
 */
export function groupSlides(cells: readonly LessonCell[]): SlideCell[][][] {
  const slides: SlideCell[][][] = [];
  for (const c of cells) {
    const type = c.slide;
    if (type === "skip" || c.solution) continue;
    if (type === "slide") slides.push([[]]);
    const current = slides.at(-1);
    if (!current) continue;
    if (type === "subslide") current.push([]);
    current.at(-1)?.push({ ...c, fragment: type === "fragment", notes: type === "notes" });
  }
  return slides;
}

/** Renders one deck per lesson that has at least one `slide` cell. */
export async function buildDecks(lessons: readonly Lesson[]): Promise<Deck[]> {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(path.join(PROJECT_ROOT, "slides", "templates"), { noCache: true }), {
    autoescape: true,
  });
  const decks: Deck[] = [];
  for (const lesson of lessons) {
    const slides = groupSlides(lesson.cells);
    if (slides.length === 0) continue;
    decks.push({ slug: lesson.slug, file: `${lesson.slug}.html`, html: env.render("deck.njk", { lesson, slides }), slides: slides.length });
  }
  return decks;
}

/** `npm run slides`: (re)builds only the decks under site/slides/ from the executed notebooks. */
async function main(): Promise<void> {
  const siteDir = path.join(PROJECT_ROOT, "site");
  try {
    const lessons = await loadCourse(
      courseNotebooks().map((s) => ({ file: executedPath(s, EXECUTED_DIR), sourceRel: path.relative(PROJECT_ROOT, s) })),
    );
    const decks = await buildDecks(lessons);
    copySiteAssets(siteDir);
    copyRevealAssets(siteDir);
    for (const d of decks) writeFileAtomic(path.join(siteDir, "slides", d.file), d.html);
    process.stdout.write(`slides: ${decks.length} decks (${decks.reduce((n, d) => n + d.slides, 0)} slides) -> site/slides/\n`);
  } catch (e) {
    process.stderr.write(`slides: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}

if (require.main === module) void main();
