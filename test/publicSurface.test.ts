/**
 * The public surface of `maze` is a decision, not an accident: the names a notebook's
 * `import * as maze from "maze"` gives are the committed list in publicSurface.json, each documented, each used by a
 * notebook or a protocol module (or public for the reason written beside it), and none of them also
 * in `maze/internals`. Adding an export to lib/index.ts, course/index.ts or kernel/notebook.ts
 * without adding it to the list fails here; so does a public name nothing uses any more.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
// The package itself, through node_modules/maze (kernel/linkSelf.js) and package.json `exports`: dist/, as tslab and the CLI load it.
import * as mazePackage from "maze";
import * as internalsPackage from "maze/internals";

const ROOT = path.join(__dirname, "..");
const SURFACE = JSON.parse(fs.readFileSync(path.join(__dirname, "publicSurface.json"), "utf8")) as {
  maze: string[];
  publicWithoutUse: Record<string, string>;
};

interface Entry {
  readonly names: string[];
  readonly undocumented: string[];
  readonly values: string[];
}

/** The exported names of each entry file, from the type checker (types included, which `Object.keys` of the module would miss). */
function exportsOf(files: readonly string[]): Entry[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, "tsconfig.json"),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  );
  if (!config) throw new Error("tsconfig.json did not parse");
  const program = ts.createProgram(
    files.map((f) => path.join(ROOT, f)),
    { ...config.options, noEmit: true, incremental: false },
  );
  const checker = program.getTypeChecker();
  return files.map((f) => {
    const sf = program.getSourceFile(path.join(ROOT, f));
    const module = sf && checker.getSymbolAtLocation(sf);
    if (!module) throw new Error(`${f}: not a module`);
    const symbols = checker.getExportsOfModule(module);
    const target = (s: ts.Symbol): ts.Symbol => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
    return {
      names: symbols.map((s) => s.name).sort(),
      undocumented: symbols
        .filter((s) => ts.displayPartsToString(target(s).getDocumentationComment(checker)).trim() === "")
        .map((s) => s.name),
      values: symbols
        .filter((s) => target(s).flags & ts.SymbolFlags.Value)
        .map((s) => s.name)
        .sort(),
    };
  });
}

/** Every `maze.x` in the notebooks (code and prose) and every name protocol modules import from "maze". */
function usedNames(): Set<string> {
  const used = new Set<string>();
  const walk = (dir: string, visit: (file: string) => void): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, visit);
      else visit(p);
    }
  };
  walk(path.join(ROOT, "notebooks"), (file) => {
    if (!file.endsWith(".ipynb")) return;
    const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells: { source: string | string[] }[] };
    for (const cell of nb.cells)
      for (const m of [cell.source]
        .flat()
        .join("")
        .matchAll(/\bmaze\.([A-Za-z_$][\w$]*)/g))
        used.add(m[1] ?? "");
  });
  walk(path.join(ROOT, "protocols"), (file) => {
    if (!file.endsWith(".ts")) return;
    for (const m of fs.readFileSync(file, "utf8").matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+"maze"/g)) {
      for (const spec of (m[1] ?? "").split(","))
        used.add(
          spec
            .trim()
            .replace(/^type\s+/, "")
            .split(/\s+as\s+/)[0] ?? "",
        );
    }
  });
  return used;
}

const [maze, internals] = exportsOf(["kernel/notebook.ts", "lib/internals.ts"]) as [Entry, Entry];

test("maze exports exactly the committed public names", () => {
  // To grow (or shrink) the public surface, edit test/publicSurface.json in the same change.
  expect(maze.names).toEqual([...SURFACE.maze].sort());
});

test("every public name and every internal one is documented", () => {
  expect(maze.undocumented).toEqual([]);
  expect(internals.undocumented).toEqual([]);
});

test("every public name is used by a notebook or a protocol module, or public for a stated reason", () => {
  const used = usedNames();
  expect(maze.names.filter((n) => !used.has(n) && !(n in SURFACE.publicWithoutUse))).toEqual([]);
  // A reason for a name the notebooks now use, or one no longer exported, is stale.
  expect(Object.keys(SURFACE.publicWithoutUse).filter((n) => used.has(n) || !maze.names.includes(n))).toEqual([]);
});

test("every maze.x a notebook calls and every name a protocol module imports is exported by maze", () => {
  // Otherwise the cell fails at run time, after the kernel has compiled it against a type it cannot see.
  expect([...usedNames()].filter((n) => !maze.names.includes(n)).sort()).toEqual([]);
});

test("maze/internals holds the rest, disjoint from maze", () => {
  expect(internals.names.filter((n) => maze.names.includes(n))).toEqual([]);
  expect(internals.names.length).toBeGreaterThan(maze.names.length);
});

test("the package's entries resolve through package.json exports to the same names", () => {
  // The namespace objects of a CommonJS import carry a `default` besides the module's own names.
  const own = (m: object): string[] =>
    Object.keys(m)
      .filter((k) => k !== "default")
      .sort();
  expect(own(mazePackage)).toEqual(maze.values);
  expect(own(internalsPackage)).toEqual(internals.values);
});
