/**
 * Node built-ins the handler search uses when it runs in Node (`vm` for the call guard and the
 * module loader, `module` for `createRequire`), looked up at run time with
 * `process.getBuiltinModule` so that the browser build of the library (lessons/live), which has no
 * such modules, bundles this code unchanged: there the lookup answers undefined and callers fall back.
 */
export function nodeBuiltin<T>(id: "node:vm" | "node:module"): T | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return typeof p?.getBuiltinModule === "function" ? (p.getBuiltinModule(id) as T | undefined) : undefined;
}
