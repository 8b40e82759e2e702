/**
 * Draws a live cell's outputs where the static ones were: text as `<pre>`, HTML and tables as they
 * are, markdown through markdown-it (raw HTML off, as on the static site), charts with the site's
 * own vega-embed (loaded on the first chart of a page that had none).
 */
import MarkdownIt from "markdown-it";
import type { LiveOutput } from "./protocol";

const md = new MarkdownIt({ html: false, linkify: true, typographer: true });

interface VegaGlobals {
  vegaEmbed?: (el: HTMLElement, spec: object, opts: object) => Promise<unknown>;
  vega?: { View: new (runtime: unknown, opts: object) => { toSVG(): Promise<string>; finalize(): void }; parse(spec: object): unknown };
  vegaLite?: { compile(spec: object): { spec: object } };
}

let vegaLoading: Promise<void> | undefined;

/** Loads the site's vendored vega, vega-lite and vega-embed once (pages without charts do not ship them). */
export function loadVega(vendorBase: string): Promise<void> {
  const g = window as unknown as VegaGlobals;
  if (g.vegaEmbed && g.vega && g.vegaLite) return Promise.resolve();
  vegaLoading ??= ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js"].reduce(
    (p, f) =>
      p.then(
        () =>
          new Promise<void>((resolve, reject) => {
            const s = document.createElement("script");
            s.src = vendorBase + f;
            s.onload = () => resolve();
            s.onerror = () => reject(new Error(`cannot load ${f}`));
            document.head.appendChild(s);
          }),
      ),
    Promise.resolve(),
  );
  return vegaLoading;
}

/** Renders a Vega-Lite spec to SVG with the page's vega (the worker's `renderSvg` asks for this). */
export async function svgOf(spec: object, vendorBase: string): Promise<string> {
  await loadVega(vendorBase);
  const { vega, vegaLite } = window as unknown as VegaGlobals;
  // The vendored scripts can be missing from a copied site: say which, instead of a TypeError.
  if (!vega || !vegaLite)
    throw new Error(
      `the chart libraries did not load from ${vendorBase} (vega ${vega ? "ok" : "missing"}, vega-lite ${vegaLite ? "ok" : "missing"})`,
    );
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** One output as a DOM node. */
export function renderOutput(o: LiveOutput, vendorBase: string): HTMLElement {
  const bundle = o.bundle ?? {};
  if (o.mime.startsWith("application/vnd.vegalite")) {
    const fig = document.createElement("figure");
    fig.className = "maze-chart live-chart";
    const live = document.createElement("div");
    live.className = "chart-live";
    fig.append(live);
    const spec = bundle[o.mime] as object;
    const alt = typeof bundle["text/plain"] === "string" ? bundle["text/plain"] : "chart";
    fig.setAttribute("role", "img");
    fig.setAttribute("aria-label", alt.replace(/^\[chart\] /, ""));
    loadVega(vendorBase)
      .then(() => (window as unknown as VegaGlobals).vegaEmbed!(live, spec, { actions: false, renderer: "svg" }))
      .then(() => {
        // One image named by its title (the figure's label); vega's per-mark ARIA is incomplete.
        live.querySelector("svg")?.setAttribute("aria-hidden", "true");
        fig.setAttribute("data-rendered", "live");
      })
      .catch((e: unknown) => {
        live.textContent = `${alt} (the chart could not be drawn: ${e instanceof Error ? e.message : String(e)})`;
        fig.setAttribute("data-rendered", "failed");
      });
    return fig;
  }
  if (o.mime === "text/html" || o.mime === "image/svg+xml") {
    const div = document.createElement("div");
    div.className = o.mime === "text/html" ? "out out-html" : "out out-svg";
    // Library output: its helpers escape user text (maze.table, maze.html's contract).
    div.innerHTML = o.text;
    return div;
  }
  if (o.mime === "text/markdown") {
    const div = document.createElement("div");
    div.className = "out out-markdown";
    div.innerHTML = md.render(o.text);
    return div;
  }
  const pre = document.createElement("pre");
  pre.className = `out ${o.kind === "stderr" ? "out-stderr" : o.kind === "result" ? "out-result" : "out-stdout"}`;
  pre.textContent = o.text;
  return pre;
}

/** The error of a failed run, drawn like the static site's error outputs. */
export function renderError(message: string): HTMLElement {
  const pre = document.createElement("pre");
  pre.className = "out out-error";
  pre.setAttribute("role", "alert");
  pre.textContent = message;
  return pre;
}
