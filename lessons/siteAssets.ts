import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../kernel/jupyterPaths";

const NM = path.join(PROJECT_ROOT, "node_modules");

/** Files copied from node_modules so pages work offline; never loaded from a CDN. */
const VENDOR: readonly [from: string, to: string][] = [
  ["vega/build/vega.min.js", "vendor/vega.min.js"],
  ["vega-lite/build/vega-lite.min.js", "vendor/vega-lite.min.js"],
  ["vega-embed/build/vega-embed.min.js", "vendor/vega-embed.min.js"],
  ["highlight.js/styles/github.min.css", "vendor/highlight.css"],
  ["katex/dist/katex.min.css", "vendor/katex/katex.min.css"],
];

function copyDir(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) copyDir(src, dst);
    else fs.copyFileSync(src, dst);
  }
}

/** Copies the site's own CSS/JS and the vendored libraries into `<outDir>/assets/`. */
export function copySiteAssets(outDir: string): void {
  const assets = path.join(outDir, "assets");
  copyDir(path.join(PROJECT_ROOT, "lessons", "assets"), assets);
  for (const [from, to] of VENDOR) {
    const dst = path.join(assets, to);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.copyFileSync(path.join(NM, from), dst);
  }
  copyDir(path.join(NM, "katex", "dist", "fonts"), path.join(assets, "vendor", "katex", "fonts"));
}

/** Copies reveal.js (core, one theme, the notes plugin) into `<outDir>/slides/reveal/`. */
export function copyRevealAssets(outDir: string): void {
  const dst = path.join(outDir, "slides", "reveal");
  fs.mkdirSync(dst, { recursive: true });
  const dist = path.join(NM, "reveal.js", "dist");
  for (const f of ["reveal.js", "reveal.css", "reset.css"]) fs.copyFileSync(path.join(dist, f), path.join(dst, f));
  fs.mkdirSync(path.join(dst, "theme"), { recursive: true });
  fs.copyFileSync(path.join(dist, "theme", "white.css"), path.join(dst, "theme", "white.css"));
  fs.copyFileSync(path.join(dist, "plugin", "notes.js"), path.join(dst, "notes.js"));
}
