/**
 * Node built-ins LDFI uses when it runs in Node — the handler search's `vm` (the call guard, the
 * module loader) and `module` (`createRequire`), the pool's `worker_threads`, `os` (cores, load)
 * and `fs` (/proc/stat) — looked up at run time with `process.getBuiltinModule` so that the
 * browser build of the library (lessons/live), which has no such modules, bundles this code
 * unchanged: there the lookup answers undefined and callers fall back.
 */
export function nodeBuiltin<T>(id: "node:vm" | "node:module" | "node:worker_threads" | "node:os" | "node:fs"): T | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return typeof p?.getBuiltinModule === "function" ? (p.getBuiltinModule(id) as T | undefined) : undefined;
}
