/**
 * The browser twin of kernel/display.ts: the same helpers (`maze.show`, `maze.table`,
 * `maze.markdown`, `maze.html`, ...), with bundles sent to the page that runs the cell instead of
 * tslab's display channel. A chart goes as its Vega-Lite spec only: the page draws it with the
 * vega-embed the site already ships, so the worker never renders SVG for `show`.
 */
import { chartTitle, tableBundle, VEGALITE_MIME, type MimeBundle } from "../../../kernel/display";
import { renderSvg, type VegaLiteSpec } from "../../../lib/viz/render";

export { VEGALITE_MIME, type MimeBundle };

type Sink = (bundle: MimeBundle) => void;

let sink: Sink | undefined;

/** Bundles displayed while no page listened (kept for parity with the Node helpers). */
export const displayed: MimeBundle[] = [];

/** Points displays at the running cell (the worker calls this once). */
export function setDisplaySink(s: Sink): void {
  sink = s;
}

/** Sends a MIME bundle to the page. */
export function displayBundle(bundle: MimeBundle): void {
  if (sink) sink(bundle);
  else displayed.push(bundle);
}

/** Shows a Vega-Lite chart (drawn by the page) with an optional takeaway sentence under it. */
export async function show(spec: VegaLiteSpec, takeaway?: string): Promise<void> {
  displayBundle({ [VEGALITE_MIME]: spec, "text/plain": `[chart] ${chartTitle(spec)}` });
  if (takeaway) markdown(`*${takeaway}*`);
}

/** Shows a Vega-Lite chart as static SVG (rendered by the page's vega). */
export async function showSvg(spec: VegaLiteSpec): Promise<void> {
  displayBundle({ "image/svg+xml": await renderSvg(spec), "text/plain": `[chart] ${chartTitle(spec)}` });
}

/** Shows markdown text. */
export function markdown(text: string): void {
  displayBundle({ "text/markdown": text, "text/plain": text });
}

/** Shows an HTML fragment. The caller is responsible for escaping any user text in it. */
export function html(fragment: string): void {
  displayBundle({ "text/html": fragment, "text/plain": "[html]" });
}

/** Shows rows as a table (HTML with a plain-text twin); cell values are escaped. */
export function table<T extends object>(records: readonly T[], caption?: string): void {
  displayBundle(tableBundle(records, caption));
}

/** The page scope's top-level names: the live runtime keeps them on the worker's global object. */
export function notebookScope(): Readonly<Record<string, unknown>> {
  const holder = (globalThis as { __mazeScope__?: Record<string, unknown> }).__mazeScope__;
  return holder ?? {};
}
