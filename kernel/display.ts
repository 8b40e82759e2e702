import { escapeHtml } from "../lib/viz/report";
import { renderSvg, type VegaLiteSpec } from "../lib/viz/render";

/** MIME type Jupyter front ends (and maze's static site) render as an interactive Vega-Lite chart. */
export const VEGALITE_MIME = "application/vnd.vegalite.v5+json";

/** One Jupyter display_data payload: a bundle of representations of the same thing. */
export type MimeBundle = Record<string, string | object>;

type DisplaySink = (data: { data: MimeBundle; metadata: object; transient: object }, update: boolean) => void;

/**
 * Where display bundles go. Inside tslab (Jupyter or maze's headless runner) this is tslab's own
 * display channel; elsewhere (plain Node, tests) bundles are collected in `displayed` instead.
 */
function sink(): DisplaySink | undefined {
  try {
    // tslab exposes single-MIME helpers only; its internal channel takes a whole bundle, which lets
    // a front end pick the richest representation it can render (Vega-Lite, else SVG, else text).
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: DisplaySink | null };
    return jupyter.lastWriteDisplayData ?? undefined;
  } catch {
    return undefined;
  }
}

/** Bundles displayed while no Jupyter kernel was listening (e.g. when called from a test). */
export const displayed: MimeBundle[] = [];

/** Sends a MIME bundle to the notebook. */
export function displayBundle(bundle: MimeBundle): void {
  displayTo(sink(), bundle);
}

/** Sends a bundle to a sink taken earlier (the cell that asked for it), or collects it. */
function displayTo(write: DisplaySink | undefined, bundle: MimeBundle): void {
  if (write) write({ data: bundle, metadata: {}, transient: {} }, false);
  else displayed.push(bundle);
}

/**
 * Charts being rendered, shared through a global symbol with the headless runner (which waits for
 * them before it closes a cell) without either importing the other.
 */
const PENDING_DISPLAYS = Symbol.for("maze.pendingDisplays");

function pendingDisplays(): Set<Promise<void>> {
  const holder = globalThis as Record<symbol, Set<Promise<void>> | undefined>;
  return (holder[PENDING_DISPLAYS] ??= new Set());
}

/**
 * Renders and displays a chart, asynchronously, into the cell that called it. The sink is taken
 * now, so `maze.show(...)` without `await` still lands in its own cell: in Jupyter tslab forwards a
 * late display to the cell that was current when the sink was taken, and the headless runner waits
 * for every pending chart (the set under {@link PENDING_DISPLAYS}) before it ends the cell. Only a
 * done-marker is registered, never a handler on the returned promise, so a failed render that is
 * not awaited still surfaces as an unhandled rejection instead of vanishing.
 */
function displayLater(render: () => Promise<MimeBundle[]>): Promise<void> {
  const write = sink();
  const pending = pendingDisplays();
  let markDone = (): void => undefined;
  const done = new Promise<void>((resolve) => (markDone = resolve));
  pending.add(done);
  return (async () => {
    try {
      for (const bundle of await render()) displayTo(write, bundle);
    } finally {
      pending.delete(done);
      markDone();
    }
  })();
}

/** A chart's title as plain text (the `text/plain` twin of a chart). */
export function chartTitle(spec: VegaLiteSpec): string {
  const t = spec.title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object") return Array.isArray(t.text) ? t.text.join(" ") : String(t.text);
  return "Vega-Lite chart";
}

/**
 * Shows a Vega-Lite chart: interactive where the front end renders Vega-Lite, and as a static SVG
 * everywhere else (classic Notebook, nbconvert, the static site without JavaScript).
 * An optional takeaway sentence is shown under it as markdown.
 */
export function show(spec: VegaLiteSpec, takeaway?: string): Promise<void> {
  return displayLater(async () => {
    const svg = await renderSvg(spec);
    const chart: MimeBundle = { [VEGALITE_MIME]: spec, "image/svg+xml": svg, "text/plain": `[chart] ${chartTitle(spec)}` };
    return takeaway ? [chart, markdownBundle(`*${takeaway}*`)] : [chart];
  });
}

/** Shows a Vega-Lite chart as static SVG only (like {@link show}, it lands in its cell without `await` too). */
export function showSvg(spec: VegaLiteSpec): Promise<void> {
  return displayLater(async () => [{ "image/svg+xml": await renderSvg(spec), "text/plain": `[chart] ${chartTitle(spec)}` }]);
}

/** Shows markdown text (rendered by the notebook front end and by the static site). */
export function markdown(text: string): void {
  displayBundle(markdownBundle(text));
}

function markdownBundle(text: string): MimeBundle {
  return { "text/markdown": text, "text/plain": text };
}

/** Shows an HTML fragment. The caller is responsible for escaping any user text in it. */
export function html(fragment: string): void {
  displayBundle({ "text/html": fragment, "text/plain": "[html]" });
}

/** The bundle of {@link table}: an HTML table with a tab-separated plain-text twin; cell values are escaped. */
export function tableBundle<T extends object>(records: readonly T[], caption?: string): MimeBundle {
  const rows = records as readonly Record<string, unknown>[];
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  // A cell holding an object shows its JSON, not "[object Object]".
  const cell = (v: unknown): string => {
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
    return v === undefined || v === null ? "" : (JSON.stringify(v) ?? typeof v);
  };
  const esc = (v: unknown): string => escapeHtml(cell(v));
  const head = `<tr>${cols.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>`;
  const body = rows.map((r) => `<tr>${cols.map((c) => `<td>${esc(r[c])}</td>`).join("")}</tr>`).join("");
  const cap = caption ? `<caption>${esc(caption)}</caption>` : "";
  const text = [cols.join("\t"), ...rows.map((r) => cols.map((c) => cell(r[c])).join("\t"))].join("\n");
  return { "text/html": `<table class="maze-table">${cap}<thead>${head}</thead><tbody>${body}</tbody></table>`, "text/plain": text };
}

/** Shows rows as a table (HTML with a plain-text twin); cell values are escaped. */
export function table<T extends object>(records: readonly T[], caption?: string): void {
  displayBundle(tableBundle(records, caption));
}

/**
 * The current notebook session's top-level names (tslab keeps them on `globalThis.__tslab__.exports`),
 * so a lab can check what the student defined: `maze.selfCheck("lab1-crdt", maze.notebookScope())`.
 */
export function notebookScope(): Readonly<Record<string, unknown>> {
  const holder = (globalThis as { __tslab__?: { exports?: Record<string, unknown> } }).__tslab__;
  return holder?.exports ?? {};
}
