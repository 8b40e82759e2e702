import * as fs from "node:fs";
import type * as NodeModule from "node:module";
import * as path from "node:path";
import type * as NodeVm from "node:vm";
import { errorMessage, HandlerGuard } from "./guard";
import { nodeBuiltin } from "./nodeBuiltins";
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
 */
export function loadSimProtocol(file: string): LoadedProtocol {
  const vm = nodeBuiltin<typeof NodeVm>("node:vm");
  const nodeModule = nodeBuiltin<typeof NodeModule>("node:module");
  if (!vm || !nodeModule) throw new ProtocolLoadError(file, undefined, undefined, "loading a protocol module needs Node (in a browser, build the protocol with defineSimProtocol in a cell)");
  const abs = path.resolve(file);
  const context = vm.createContext({ console });
  const realm = vm.runInContext("({ Math, Date })", context) as { Math: { random: () => number }; Date: { now: () => number } };
  const cache = new Map<string, { exports: unknown }>();
  const exportsOf = loadModule({ vm, nodeModule, context, cache }, abs, file);
  const candidate = (exportsOf as { default?: unknown } | null)?.default ?? exportsOf;
  if (!isSimProtocol(candidate)) {
    throw new ProtocolLoadError(file, undefined, undefined, 'the default export must be a protocol built with defineSimProtocol({ nodes, node, pre, post }) from "maze"');
  }
  return { file, protocol: candidate, guard: new HandlerGuard(undefined, [globalThis, realm]) };
}

interface LoadEnv {
  readonly vm: typeof NodeVm;
  readonly nodeModule: typeof NodeModule;
  readonly context: NodeVm.Context;
  readonly cache: Map<string, { exports: unknown }>;
}

function loadModule(env: LoadEnv, abs: string, shown: string): unknown {
  const { vm, nodeModule, context, cache } = env;
  const hit = cache.get(abs);
  if (hit) return hit.exports;
  let source: string;
  try {
    source = fs.readFileSync(abs, "utf8");
  } catch (e) {
    throw new ProtocolLoadError(shown, undefined, undefined, `cannot read the protocol module (${errorMessage(e)})`);
  }
  // Loaded on first use: TypeScript costs ~200 ms to load, which `import "maze"` must not pay.
  const ts = nodeModule.createRequire(__filename)("typescript") as typeof import("typescript");
  const out = ts.transpileModule(source, {
    fileName: abs,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false, inlineSourceMap: false },
  });
  const syntax = (out.diagnostics ?? []).find((d) => d.category === ts.DiagnosticCategory.Error);
  if (syntax) {
    const pos = syntax.file && syntax.start !== undefined ? syntax.file.getLineAndCharacterOfPosition(syntax.start) : undefined;
    throw new ProtocolLoadError(shown, pos ? pos.line + 1 : undefined, pos ? pos.character + 1 : undefined, ts.flattenDiagnosticMessageText(syntax.messageText, "\n"));
  }
  const mod = { exports: {} as unknown };
  cache.set(abs, mod);
  const outer = nodeModule.createRequire(abs);
  const requireFn = (spec: string): unknown => {
    // The library the search runs in, so `defineSimProtocol` and `Trace` are the ones it knows.
    if (spec === "maze") return require("../../index") as unknown;
    if (spec.startsWith("./") || spec.startsWith("../")) {
      const target = resolveRelative(path.dirname(abs), spec);
      if (target === undefined) throw new ProtocolLoadError(shown, undefined, undefined, `cannot find ${JSON.stringify(spec)} next to it`);
      return loadModule(env, target, path.relative(process.cwd(), target) || target);
    }
    return outer(spec) as unknown;
  };
  let fn: (...args: unknown[]) => unknown;
  try {
    fn = vm.compileFunction(out.outputText, ["exports", "require", "module", "__filename", "__dirname"], { parsingContext: context, filename: abs }) as (...args: unknown[]) => unknown;
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
  for (const candidate of [base, ...PROTOCOL_MODULE_EXTENSIONS.map((e) => stem + e), ...PROTOCOL_MODULE_EXTENSIONS.map((e) => path.join(base, "index" + e))]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}
