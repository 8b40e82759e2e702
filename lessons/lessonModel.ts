import * as fs from "node:fs";
import * as path from "node:path";
import type { Cell, Notebook } from "../kernel/headless/notebookFormat";
import { readNotebook } from "../kernel/headless/notebookFormat";
import { hasMath, highlightCode, renderMarkdown } from "./markdown";
import { renderOutputs } from "./renderOutput";

/** Cell tags the course uses (Jupyter cell metadata `tags`). */
export const TAGS = {
  /** A markdown cell that poses an exercise: drawn as a boxed task. */
  exercise: "exercise",
  /** A cell holding a worked solution: collapsed behind a "Solution" toggle. */
  solution: "solution",
  /** Not shown on the site or in slides (set-up noise). */
  hide: "remove-cell",
} as const;

/** One rendered cell of a lesson page. */
export interface LessonCell {
  readonly kind: "markdown" | "code";
  readonly html: string;
  readonly outputs: string;
  readonly exercise: boolean;
  readonly solution: boolean;
  readonly slide: string;
}

/** A lesson page's content, ready for the templates. */
export interface Lesson {
  readonly slug: string;
  readonly source: string;
  readonly title: string;
  readonly summary: string;
  readonly part: string;
  readonly lab: boolean;
  readonly math: boolean;
  readonly charts: number;
  readonly cells: readonly LessonCell[];
}

function tags(c: Cell): string[] {
  return Array.isArray(c.metadata.tags) ? c.metadata.tags.filter((t): t is string => typeof t === "string") : [];
}

function firstHeading(nb: Notebook): string | undefined {
  for (const c of nb.cells) {
    if (c.cell_type !== "markdown") continue;
    const m = /^#\s+(.+)$/m.exec(c.source);
    if (m?.[1]) return m[1].trim();
  }
  return undefined;
}

/** Reads an executed notebook and renders its cells to HTML fragments. */
export async function loadLesson(file: string, sourceRel: string): Promise<Lesson> {
  const nb = readNotebook(file);
  const meta = (nb.metadata["maze"] ?? {}) as { part?: string; summary?: string };
  const slug = path.basename(file, ".ipynb");
  const cells: LessonCell[] = [];
  let charts = 0;
  let math = false;
  for (const c of nb.cells) {
    const t = tags(c);
    if (t.includes(TAGS.hide) || (c.source.trim() === "" && (c.outputs ?? []).length === 0)) continue;
    const slide = c.metadata.slideshow?.slide_type ?? "-";
    if (c.cell_type === "markdown") {
      math ||= hasMath(c.source);
      cells.push({
        kind: "markdown",
        html: renderMarkdown(c.source),
        outputs: "",
        exercise: t.includes(TAGS.exercise),
        solution: t.includes(TAGS.solution),
        slide,
      });
    } else if (c.cell_type === "code") {
      const out = await renderOutputs(c.outputs ?? []);
      charts += out.charts;
      cells.push({
        kind: "code",
        html: highlightCode(c.source, "typescript"),
        outputs: out.html,
        exercise: t.includes(TAGS.exercise),
        solution: t.includes(TAGS.solution),
        slide,
      });
    }
  }
  return {
    slug,
    source: sourceRel,
    title: firstHeading(nb) ?? slug,
    summary: meta.summary ?? "",
    part: meta.part ?? (sourceRel.includes("/labs/") ? "Labs" : "Course"),
    lab: sourceRel.includes("/labs/"),
    math,
    charts,
    cells,
  };
}

/** Reads the executed notebooks in course order; missing ones are reported, never skipped silently. */
export async function loadCourse(executed: readonly { file: string; sourceRel: string }[]): Promise<Lesson[]> {
  const missing = executed.filter((e) => !fs.existsSync(e.file));
  if (missing.length > 0) {
    throw new Error(
      `no executed copy of ${missing.map((m) => m.sourceRel).join(", ")}: run \`npm run notebooks\` first (it stops at a failing notebook)`,
    );
  }
  const out: Lesson[] = [];
  for (const e of executed) out.push(await loadLesson(e.file, e.sourceRel));
  return out;
}
