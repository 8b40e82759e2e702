import * as fs from "node:fs";
import type * as NodeModule from "node:module";
import * as path from "node:path";
import type * as NodeVm from "node:vm";
import { errorMessage, HandlerGuard } from "./guard";
import { nodeBuiltin } from "../nodeBuiltins";
import { isSimProtocol, type SimProtocol } from "./protocol";

/** File extensions `maze ldfi` treats as protocol modules rather than Dedalus sources. */
export const PROTOCOL_MODULE_EXTENSIONS: readonly string[] = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];

/** Whether a path names a protocol module (by its extension). */
export function isProtocolModulePath(file: string): boolean {
  return PROTOCOL_MODULE_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

/** A protocol module that cannot be loaded: missing, a syntax error, a throwing top level, a wrong default export. */
export class ProtocolLoadError extends Error {
  override readonly name = "ProtocolLoadError";
  constructor(
    readonly file: string,
    /** 1-based line and column when the problem has a place in the source. */
    readonly line: number | undefined,
    readonly column: number | undefined,
    readonly problem: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}:${column ?? 1}` : ""}: ${problem}`);
  }
}

/** A loaded protocol and the guard that covers the realm its code runs in. */
export interface LoadedProtocol {
  readonly file: string;
  readonly protocol: SimProtocol;
  /** Pass to handlerTarget: it refuses `Math.random`/`Date.now` in the module's own realm too. */
  readonly guard: HandlerGuard;
}

/**
 * Loads a protocol module (`.ts` or `.js`; DESIGN.md section 13) and returns its default export,
 * which must come from `defineSimProtocol`. TypeScript is compiled by maze itself with
 * `ts.transpileModule` (types are stripped, not checked: the search needs the code, and an editor
 * or `tsc` checks types). Measured against ts-node's transpile-only register (lib/ldfi/README.md):
 * the same start-up within noise, and transpileModule lets the module get its own `require`, in
 * which `"maze"` is the running library wherever the file lives (a grader's temp folder has no
 * node_modules), with no process-wide hook left behind.
 *
 * The module runs in its own `vm` context, so its `Math.random` and `Date.now` can be refused
 * during handler calls however the code reaches them. Relative imports load the same way; `"maze"`
 * is this library; Node built-ins and installed packages come from the file's location.
 * `options.source` replaces the file's text (a variant of a module that keeps its relative imports).
 */
export function loadSimProtocol(file: string, options: { readonly source?: string } = {}): LoadedProtocol {
  const vm = nodeBuiltin<typeof NodeVm>("node:vm");
  const nodeModule = nodeBuiltin<typeof NodeModule>("node:module");
  const abs = path.resolve(file);
  const cache = new Map<string, { exports: unknown }>();
  const sources = new Map<string, string>(options.source !== undefined ? [[abs, options.source]] : []);
  let env: LoadEnv;
  let guard: HandlerGuard;
  if (vm && nodeModule) {
    const context = vm.createContext({ console });
    const realm = vm.runInContext("({ Math, Date })", context) as { Math: { random: () => number }; Date: { now: () => number } };
    const ts = nodeModule.createRequire(__filename)("typescript") as typeof import("typescript");
    env = {
      cache,
      sources,
      transpile: (source, f) => transpileWithTypeScript(ts, source, f),
      evaluate: (code, f) => vm.compileFunction(code, MODULE_PARAMETERS, { parsingContext: context, filename: f }) as ModuleFunction,
      outer: (f) => nodeModule.createRequire(f),
    };
    guard = new HandlerGuard(undefined, [globalThis, realm]);
  } else {
    // The browser build (lessons/live): no vm and no TypeScript, but the page registers a transpiler.
    const transpile = browserTranspiler;
    if (!transpile)
      throw new ProtocolLoadError(
        file,
        undefined,
        undefined,
        "loading a protocol module needs Node, or a transpiler registered with setProtocolTranspiler",
      );
    env = {
      cache,
      sources,
      transpile: (source, f) => ({ code: transpile(source, f) }),
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the module is the author's own protocol code, run as Node would run it
      evaluate: (code) => new Function(...MODULE_PARAMETERS, code) as ModuleFunction,
      outer: () => (spec) => {
        throw new Error(`cannot import "${spec}" here: a protocol module in the browser can import only "maze" and files next to it`);
      },
    };
    guard = new HandlerGuard();
  }
  const exportsOf = loadModule(env, abs, file);
  const candidate = (exportsOf as { default?: unknown } | null)?.default ?? exportsOf;
  if (!isSimProtocol(candidate)) {
    throw new ProtocolLoadError(
      file,
      undefined,
      undefined,
      'the default export must be a protocol built with defineSimProtocol({ nodes, node, pre, post }) from "maze"',
    );
  }
  return { file, protocol: candidate, guard };
}

/** Strips TypeScript to CommonJS where TypeScript itself cannot be loaded (the browser build registers sucrase). */
export type ProtocolTranspiler = (source: string, file: string) => string;

let browserTranspiler: ProtocolTranspiler | undefined;

/** Sets the transpiler {@link loadSimProtocol} uses where Node's `vm` and TypeScript are missing (the live lessons' worker). */
export function setProtocolTranspiler(transpile: ProtocolTranspiler | undefined): void {
  browserTranspiler = transpile;
}

const MODULE_PARAMETERS = ["exports", "require", "module", "__filename", "__dirname"];
type ModuleFunction = (...args: unknown[]) => unknown;

interface LoadEnv {
  readonly cache: Map<string, { exports: unknown }>;
  /** Texts that replace files' contents. */
  readonly sources: ReadonlyMap<string, string>;
  /** CommonJS code, or a located syntax error. */
  transpile(source: string, file: string): { code: string } | { error: string; line?: number; column?: number };
  evaluate(code: string, file: string): ModuleFunction;
  /** `require` for names that are neither "maze" nor relative, resolved from the module's file. */
  outer(file: string): (spec: string) => unknown;
}

function transpileWithTypeScript(
  ts: typeof import("typescript"),
  source: string,
  file: string,
): { code: string } | { error: string; line?: number; column?: number } {
  const out = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      sourceMap: false,
      inlineSourceMap: false,
    },
  });
  const syntax = (out.diagnostics ?? []).find((d) => d.category === ts.DiagnosticCategory.Error);
  if (!syntax) return { code: out.outputText };
  const pos = syntax.file && syntax.start !== undefined ? syntax.file.getLineAndCharacterOfPosition(syntax.start) : undefined;
  return {
    error: ts.flattenDiagnosticMessageText(syntax.messageText, "\n"),
    ...(pos ? { line: pos.line + 1, column: pos.character + 1 } : {}),
  };
}

function loadModule(env: LoadEnv, abs: string, shown: string): unknown {
  const hit = env.cache.get(abs);
  if (hit) return hit.exports;
  let source: string;
  try {
    source = env.sources.get(abs) ?? fs.readFileSync(abs, "utf8");
  } catch (e) {
    throw new ProtocolLoadError(shown, undefined, undefined, `cannot read the protocol module (${errorMessage(e)})`);
  }
  let out: { code: string } | { error: string; line?: number; column?: number };
  try {
    out = env.transpile(source, abs);
  } catch (e) {
    throw new ProtocolLoadError(shown, undefined, undefined, errorMessage(e));
  }
  if ("error" in out) throw new ProtocolLoadError(shown, out.line, out.column, out.error);
  const mod = { exports: {} as unknown };
  env.cache.set(abs, mod);
  const outer = env.outer(abs);
  const requireFn = (spec: string): unknown => {
    // The library the search runs in, so `defineSimProtocol` and `Trace` are the ones it knows.
    if (spec === "maze") return require("../../index") as unknown;
    if (spec.startsWith("./") || spec.startsWith("../")) {
      const target = resolveRelative(path.dirname(abs), spec);
      if (target === undefined) throw new ProtocolLoadError(shown, undefined, undefined, `cannot find ${JSON.stringify(spec)} next to it`);
      return loadModule(env, target, path.relative(process.cwd(), target) || target);
    }
    return outer(spec);
  };
  let fn: ModuleFunction;
  try {
    fn = env.evaluate(out.code, abs);
  } catch (e) {
    throw new ProtocolLoadError(shown, undefined, undefined, `cannot compile the module: ${errorMessage(e)}`);
  }
  try {
    fn(mod.exports, requireFn, mod, abs, path.dirname(abs));
  } catch (e) {
    if (e instanceof ProtocolLoadError) throw e;
    throw new ProtocolLoadError(shown, undefined, undefined, `the module threw while loading: ${errorMessage(e)}`);
  }
  return mod.exports;
}

function resolveRelative(dir: string, spec: string): string | undefined {
  const base = path.resolve(dir, spec);
  const stem = base.replace(/\.(c|m)?js$/, "");
  for (const candidate of [
    base,
    ...PROTOCOL_MODULE_EXTENSIONS.map((e) => stem + e),
    ...PROTOCOL_MODULE_EXTENSIONS.map((e) => path.join(base, "index" + e)),
  ]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}
