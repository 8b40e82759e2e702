/**
 * The browser twin of lib/viz/render.ts. The worker bundles no vega (the site already ships it,
 * and shipping it twice would double the runtime): `renderSvg` asks the page, which renders the
 * spec with its own vega, and waits for the SVG.
 */
export type { VegaLiteSpec } from "../../../lib/viz/render";
import type { VegaLiteSpec } from "../../../lib/viz/render";

type Renderer = (spec: VegaLiteSpec) => Promise<string>;

let renderer: Renderer | undefined;

/** Installs the page round trip (the worker calls this once). */
export function setSvgRenderer(r: Renderer): void {
  renderer = r;
}

/** Renders a Vega-Lite spec to SVG through the page's vega. */
export function renderSvg(spec: VegaLiteSpec): Promise<string> {
  if (!renderer) return Promise.reject(new Error("renderSvg: no page is listening to render the chart"));
  return renderer(spec);
}
