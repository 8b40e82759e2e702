/**
 * The site's API pages: typedoc over the TSDoc of `maze` (kernel/notebook.ts: the public library,
 * the course's code and the display helpers) and `maze/internals` (lib/internals.ts), written to
 * `<site>/api/`. typedoc type-checks the whole library, about 10 s of CPU, so the pages are generated
 * once per content hash of what they document (build/api/<hash>/) and linked into each site build:
 * an unchanged library costs a hash of its sources and a tree of hard links. The pages need no server: typedoc embeds its search index and
 * navigation as scripts and inlines its icons, so they work from file:// like the rest of the site.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../kernel/jupyterPaths";
import { filesUnder } from "../kernel/headless/courseFiles";

import type * as Typedoc from "typedoc" with { "resolution-mode": "import" };

/** The two entries documented, by the module name a reader imports. */
export const API_ENTRIES: readonly { readonly name: string; readonly file: string }[] = [
  { name: "maze", file: "kernel/notebook.ts" },
  { name: "maze/internals", file: "lib/internals.ts" },
];

/** Where generated API pages are kept between builds, one folder per content hash. */
export const API_CACHE_DIR = path.join(PROJECT_ROOT, "build", "api");

/** The page a reader opens first (also what the site's index links to). */
export const API_INDEX = "api/index.html";

const README = path.join(PROJECT_ROOT, "lessons", "apiReadme.md");

/** What one call produced. */
export interface ApiDocsResult {
  /** The folder the pages were copied to (`<outDir>/api`). */
  readonly dir: string;
  /** True when the pages came from the cache and typedoc did not run. */
  readonly cached: boolean;
  readonly ms: number;
}

/**
 * A hash of everything the pages depend on: the sources they document (lib/, course/, kernel/), the
 * compiler settings, this builder and its front page, and the typedoc and TypeScript versions.
 */
export function apiDocsHash(): string {
  const h = crypto.createHash("sha256");
  const files = [
    ...["lib", "course", "kernel"].flatMap((d) => filesUnder(path.join(PROJECT_ROOT, d), [".ts"])),
    ...["tsconfig.json", "tsconfig.build.json", "lessons/apiDocs.ts", "lessons/apiReadme.md"].map((f) => path.join(PROJECT_ROOT, f)),
  ];
  for (const f of files) h.update(path.relative(PROJECT_ROOT, f)).update(fs.readFileSync(f));
  for (const pkg of ["typedoc", "typescript"]) h.update(fs.readFileSync(path.join(PROJECT_ROOT, "node_modules", pkg, "package.json")));
  return h.digest("hex").slice(0, 16);
}

/** Runs typedoc into `dir`. Throws when typedoc reports an error (a broken entry, a failed render). */
async function generate(dir: string): Promise<void> {
  const typedoc: typeof Typedoc = await import("typedoc");
  const app = await typedoc.Application.bootstrap({
    entryPoints: API_ENTRIES.map((e) => path.join(PROJECT_ROOT, e.file)),
    tsconfig: path.join(PROJECT_ROOT, "tsconfig.build.json"),
    name: "maze API",
    readme: README,
    // `npm run compile` type-checks; typedoc only reads the declarations.
    skipErrorChecking: true,
    // Source links would point at a repository host: the site is offline.
    disableSources: true,
    hideGenerator: true,
    navigationLinks: { Course: "../index.html" },
    // Option and row types of course/ modules are named in signatures without being exported: shown by name.
    validation: { notExported: false, invalidLink: false, notDocumented: false },
    // Prose mentions Dedalus's `@async` and `@next`, which typedoc would report as unknown tags.
    logLevel: typedoc.LogLevel.Error,
  });
  const project = await app.convert();
  if (!project || app.logger.hasErrors()) throw new Error("typedoc could not convert the API entries");
  // typedoc names a module by its path (kernel/notebook); readers know it by what they import.
  for (const child of project.children ?? []) {
    const entry = API_ENTRIES.find((e) => e.file.replace(/\.ts$/, "") === child.name);
    if (entry) child.name = entry.name;
  }
  await app.generateDocs(project, dir);
  if (app.logger.hasErrors()) throw new Error("typedoc could not write the API pages");
  inlineIconReferences(dir);
}

/**
 * typedoc's pages point their icons at `assets/icons.svg#icon-x`, which a browser refuses to load
 * from file:// (a console error per icon), and then swap them for `#icon-x` once icons.js has
 * inlined the sprite. Writing `#icon-x` from the start gives the same icons over HTTP and from
 * file://, without the errors.
 */
function inlineIconReferences(dir: string): void {
  for (const file of filesUnder(dir, [".html"])) {
    const html = fs.readFileSync(file, "utf8");
    const fixed = html.replace(/href="(?:\.\.\/)*assets\/icons\.svg#/g, 'href="#');
    if (fixed !== html) fs.writeFileSync(file, fixed);
  }
}

/**
 * Writes the API pages into `<outDir>/api/`, from the cache when the documented sources did not change.
 * Older cache folders are removed once a new one is complete.
 */
export async function buildApiDocs(outDir: string): Promise<ApiDocsResult> {
  const t0 = performance.now();
  const hash = apiDocsHash();
  const cached = path.join(API_CACHE_DIR, hash);
  const hit = fs.existsSync(path.join(cached, "index.html"));
  if (!hit) {
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    await generate(tmp);
    fs.rmSync(cached, { recursive: true, force: true });
    try {
      fs.renameSync(tmp, cached);
    } catch (e) {
      // Another build (a parallel test) finished the same pages first: keep its copy.
      if (!fs.existsSync(path.join(cached, "index.html"))) throw e;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    for (const e of fs.readdirSync(API_CACHE_DIR))
      if (e !== hash && !e.endsWith(".tmp")) fs.rmSync(path.join(API_CACHE_DIR, e), { recursive: true, force: true });
  }
  const dir = path.join(outDir, "api");
  fs.rmSync(dir, { recursive: true, force: true });
  linkOrCopyTree(cached, dir);
  return { dir, cached: hit, ms: performance.now() - t0 };
}

/**
 * Puts the cached pages into the site as hard links (the cache is never written to after it is
 * complete, so sharing the files is safe, and about 600 links cost a fraction of copying 7 MB);
 * copies where the site is on another file system.
 */
function linkOrCopyTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) linkOrCopyTree(src, dst);
    else {
      try {
        fs.linkSync(src, dst);
      } catch {
        fs.copyFileSync(src, dst);
      }
    }
  }
}
