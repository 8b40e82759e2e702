/**
 * The browser twin of `node:path` for the live runtime: POSIX paths over the embedded files (the
 * corpus lives at `/maze/protocols/...`). Only what the library calls is here.
 */

/**
 * The working directory relative paths resolve against in the browser: the corpus folder, so a
 * playground program's `include "delivery_setup.ded";` finds the corpus file as the CLI run from
 * protocols/ does.
 */
export const BROWSER_CWD = "/maze/protocols";

/** The path separator (POSIX). */
export const sep = "/";

function normalizeParts(parts: readonly string[], absolute: boolean): string {
  const out: string[] = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
    } else out.push(p);
  }
  const body = out.join("/");
  return absolute ? "/" + body : body || ".";
}

/** True for paths that start at the root. */
export function isAbsolute(p: string): boolean {
  return p.startsWith("/");
}

/** Collapses `.`, `..` and repeated separators. */
export function normalize(p: string): string {
  return normalizeParts(p.split("/"), isAbsolute(p));
}

/** Joins segments and normalises the result. */
export function join(...parts: string[]): string {
  const joined = parts.filter((p) => p !== "").join("/");
  return joined === "" ? "." : normalize(joined);
}

/** Resolves segments right to left until a path is absolute, starting from {@link BROWSER_CWD}. */
export function resolve(...parts: string[]): string {
  let acc = "";
  for (let i = parts.length - 1; i >= 0 && !isAbsolute(acc); i--) {
    const p = parts[i]!;
    if (p !== "") acc = acc === "" ? p : `${p}/${acc}`;
  }
  if (!isAbsolute(acc)) acc = `${BROWSER_CWD}/${acc}`;
  return normalizeParts(acc.split("/"), true);
}

/** The directory part of a path. */
export function dirname(p: string): string {
  const trimmed = p.length > 1 ? p.replace(/\/+$/, "") : p;
  const i = trimmed.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return trimmed.slice(0, i);
}

/** The last segment of a path, without `ext` when it ends with it. */
export function basename(p: string, ext?: string): string {
  const trimmed = p.length > 1 ? p.replace(/\/+$/, "") : p;
  const base = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  return ext && base.endsWith(ext) && base !== ext ? base.slice(0, -ext.length) : base;
}

/** The extension of the last segment, dot included (`""` when there is none). */
export function extname(p: string): string {
  const base = basename(p);
  const i = base.lastIndexOf(".");
  return i <= 0 ? "" : base.slice(i);
}

/** The path from `from` to `to`. */
export function relative(from: string, to: string): string {
  const a = resolve(from).split("/").filter(Boolean);
  const b = resolve(to).split("/").filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => ".."), ...b.slice(i)].join("/");
}

/** `path.posix`, as some callers spell it. */
export const posix = { sep, isAbsolute, normalize, join, resolve, dirname, basename, extname, relative };

export default posix;
