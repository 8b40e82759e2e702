// The parser behind eslint does not resolve import attributes in type positions; tsc checks these.
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
type VegaModule = typeof import("vega", { with: { "resolution-mode": "import" } });
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
type VegaLiteModule = typeof import("vega-lite", { with: { "resolution-mode": "import" } });

let modules: Promise<{ vega: VegaModule; vl: VegaLiteModule }> | undefined;

/**
 * vega and vega-lite are ESM-only with top-level await, so CommonJS code (tslab cells, the CLI) can
 * reach them only through dynamic import(); the promise is cached so the ~170 ms load is paid once.
 */
function loadVega(): Promise<{ vega: VegaModule; vl: VegaLiteModule }> {
  // Sequential on purpose: jest's ESM loader fails on concurrent imports that share modules.
  modules ??= import("vega").then(async (vega) => ({ vega, vl: await import("vega-lite") }));
  return modules;
}

/**
 * A Vega-Lite specification (v5/v6 schema) as produced by maze's chart builders: plain JSON.
 * Deliberately structural rather than vega-lite's own `TopLevelSpec`, so the published declarations
 * stay readable by tslab's bundled TypeScript 5.0 (vega-lite's types need ESM resolution).
 */
export interface VegaLiteSpec {
  readonly $schema?: string;
  readonly title?: string | { readonly text: string | readonly string[]; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/**
 * Renders a Vega-Lite spec to a standalone SVG string, headless, in Node. Used by the static site
 * (charts stay visible without JavaScript), the LDFI report and `display.svg` in notebooks.
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, vl } = await loadVega();
  // Errors still throw; warnings (e.g. vega-lite merging legend settings of layered marks) would
  // otherwise be printed on stdout of every CLI run and notebook cell that draws a chart.
  const logger = vega.logger(vega.Error);
  const compiled = vl.compile(spec as unknown as Parameters<VegaLiteModule["compile"]>[0], { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logger });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
