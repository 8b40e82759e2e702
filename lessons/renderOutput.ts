import { createHash } from "node:crypto";
import { escapeHtml } from "../lib/viz/report";
import { renderSvg, type VegaLiteSpec } from "../lib/viz/render";
import { VEGALITE_MIME } from "../kernel/display";
import type { Output } from "../kernel/headless/notebookFormat";
import { renderMarkdown } from "./markdown";

/** MIME types that are Vega-Lite specs, whatever major version a front end wrote. */
const VEGALITE_MIMES = [VEGALITE_MIME, "application/vnd.vegalite.v6+json", "application/vnd.vegalite.v4+json"];

/** Terminal colour codes (tslab and Node print them) are dropped from text outputs. */
function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex -- the escape character is exactly what is matched
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

function textOf(v: unknown): string {
  return Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "";
}

/** A chart found in outputs, for counting and tests. */
export interface RenderedOutputs {
  readonly html: string;
  readonly charts: number;
}

/**
 * Renders a cell's outputs to HTML. A Vega-Lite chart becomes a `.maze-chart` container holding
 * its SVG (pre-rendered at build time, so it shows without JavaScript) and its spec as JSON for
 * vega-embed to make interactive.
 */
export async function renderOutputs(outputs: readonly Output[]): Promise<RenderedOutputs> {
  const parts: string[] = [];
  let charts = 0;
  for (const o of outputs) {
    if (o.output_type === "stream") {
      parts.push(`<pre class="out out-${o.name}">${escapeHtml(stripAnsi(textOf(o.text)))}</pre>`);
    } else if (o.output_type === "error") {
      parts.push(`<pre class="out out-error">${escapeHtml(stripAnsi(`${o.ename}: ${o.evalue}`))}</pre>`);
    } else {
      const data = o.data;
      const vlMime = VEGALITE_MIMES.find((m) => m in data);
      if (vlMime) {
        const spec = data[vlMime] as VegaLiteSpec;
        const svg = typeof data["image/svg+xml"] === "string" ? textOf(data["image/svg+xml"]) : await renderSvg(spec);
        const id = "chart-" + createHash("sha1").update(JSON.stringify(spec)).digest("hex").slice(0, 10) + `-${charts}`;
        // The spec goes into a JSON script block; `<` is escaped so no text in it can close the tag.
        const json = JSON.stringify(spec).replace(/</g, "\\u003c");
        parts.push(
          `<figure class="maze-chart" id="${id}"><div class="chart-static">${svg}</div>` +
            `<script type="application/json" class="chart-spec">${json}</script></figure>`,
        );
        charts += 1;
      } else if ("image/svg+xml" in data) {
        parts.push(`<div class="out out-svg">${textOf(data["image/svg+xml"])}</div>`);
      } else if ("text/html" in data) {
        parts.push(`<div class="out out-html">${textOf(data["text/html"])}</div>`);
      } else if ("text/markdown" in data) {
        parts.push(`<div class="out out-markdown">${renderMarkdown(textOf(data["text/markdown"]))}</div>`);
      } else if ("image/png" in data) {
        parts.push(`<img class="out out-png" alt="output image" src="data:image/png;base64,${escapeHtml(textOf(data["image/png"]))}">`);
      } else if ("text/plain" in data) {
        parts.push(`<pre class="out out-result">${escapeHtml(stripAnsi(textOf(data["text/plain"])))}</pre>`);
      }
    }
  }
  return { html: parts.join("\n"), charts };
}
