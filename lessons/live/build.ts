/**
 * Builds the live runtime into `<site>/assets/live/` with esbuild (run by `npm run build` through
 * lessons/siteAssets.ts):
 * - `loader.js`, on every lesson page (a few KB): Edit / Run buttons and `window.mazeLive`; it loads
 *   the rest on the first Edit or Run, so a page that is only read stays as light as before;
 * - `runtime.js`: the page side (CodeMirror editor, output rendering, the worker's lifecycle, the
 *   playground);
 * - `worker.js`: the library for the browser (the notebook surface, sucrase, the Dedalus corpus as
 *   data) as a string the page turns into a blob: Worker, which is how a worker starts from file://.
 * Node-only modules get browser twins (lessons/live/twins/); vega is not bundled: the page reuses
 * the site's vendored copy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { writeFileAtomic } from "../../kernel/headless/notebookFormat";
import { PROJECT_ROOT } from "../../kernel/jupyterPaths";

const LIVE = path.join(PROJECT_ROOT, "lessons", "live");
const TWINS = path.join(LIVE, "twins");

/** What the live build wrote, for reports and the bench. */
export interface LiveBuildResult {
  readonly files: Record<"loader" | "runtime" | "worker", { readonly file: string; readonly bytes: number }>;
}

/** The files embedded in the worker's file system: the Dedalus corpus, lesson programs and the handler twins (protocols/handlers), keyed by path under the project root. */
export function embeddedFiles(root = PROJECT_ROOT): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== "golden") walk(p);
      } else if (
        e.name.endsWith(".ded") ||
        e.name === "expected.json" ||
        (path.basename(dir) === "handlers" && (e.name.endsWith(".ts") || e.name === "twins.json"))
      ) {
        out["/maze/" + path.relative(root, p).split(path.sep).join("/")] = fs.readFileSync(p, "utf8");
      }
    }
  };
  walk(path.join(root, "protocols"));
  return out;
}

/** esbuild plugin: node:fs, node:path, node:util, logic-solver and the SVG renderer resolve to their browser twins; the corpus is a virtual module. */
function twinsPlugin(): esbuild.Plugin {
  return {
    name: "maze-browser-twins",
    setup(build) {
      build.onResolve({ filter: /^(node:)?fs$/ }, () => ({ path: path.join(TWINS, "fs.ts") }));
      build.onResolve({ filter: /^(node:)?path$/ }, () => ({ path: path.join(TWINS, "path.ts") }));
      build.onResolve({ filter: /^(node:)?util$/ }, () => ({ path: path.join(TWINS, "util.ts") }));
      build.onResolve({ filter: /(^|\/)render$/ }, (args) => {
        const target = path.resolve(args.resolveDir, args.path);
        return target === path.join(PROJECT_ROOT, "lib", "viz", "render") && args.importer !== path.join(TWINS, "render.ts")
          ? { path: path.join(TWINS, "render.ts") }
          : undefined;
      });
      build.onResolve({ filter: /^logic-solver$/ }, () => ({ path: path.join(TWINS, "logicSolver.ts") }));
      build.onResolve({ filter: /^maze-embedded-files$/ }, () => ({ path: "maze-embedded-files", namespace: "maze-embedded" }));
      build.onLoad({ filter: /.*/, namespace: "maze-embedded" }, () => ({
        contents: `export const EMBEDDED_FILES = ${JSON.stringify(embeddedFiles())};`,
        loader: "js",
      }));
    },
  };
}

const COMMON: esbuild.BuildOptions = {
  bundle: true,
  write: false,
  minify: true,
  format: "iife",
  platform: "browser",
  target: ["es2022"],
  legalComments: "none",
  logLevel: "silent",
};

function outputText(r: esbuild.BuildResult): string {
  const text = r.outputFiles?.[0]?.text;
  if (text === undefined) throw new Error("esbuild produced no output");
  return text;
}

/** Bundles the worker (the library for the browser) to JavaScript text. */
export async function bundleWorker(): Promise<string> {
  const r = await esbuild.build({
    ...COMMON,
    entryPoints: [path.join(LIVE, "worker.ts")],
    plugins: [twinsPlugin()],
    inject: [path.join(TWINS, "process.ts")],
    define: { __dirname: JSON.stringify("/maze/lib/protocols"), global: "globalThis" },
    // kernel/display.ts looks tslab up inside a try; the browser twin never calls that lookup.
    external: ["tslab/*"],
  });
  return outputText(r);
}

async function bundlePage(entry: string): Promise<string> {
  const r = await esbuild.build({ ...COMMON, entryPoints: [path.join(LIVE, entry)] });
  return outputText(r);
}

/** Builds the three live assets into `<outDir>/assets/live/`. */
export async function buildLiveAssets(outDir: string): Promise<LiveBuildResult> {
  const dir = path.join(outDir, "assets", "live");
  fs.mkdirSync(dir, { recursive: true });
  const [loader, runtime, worker] = await Promise.all([bundlePage("loader.ts"), bundlePage("runtime.ts"), bundleWorker()]);
  // The worker travels as a string: a page opened from file:// may start a blob: worker, not a file one.
  const texts = { loader, runtime, worker: `window.__mazeLiveWorkerSource=${JSON.stringify(worker)};\n` };
  const files = {} as Record<"loader" | "runtime" | "worker", { file: string; bytes: number }>;
  for (const [name, text] of Object.entries(texts) as ["loader" | "runtime" | "worker", string][]) {
    const file = path.join(dir, `${name}.js`);
    writeFileAtomic(file, text);
    files[name] = { file, bytes: Buffer.byteLength(text) };
  }
  return { files };
}
