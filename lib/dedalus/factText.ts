/**
 * Values, tuples and facts printed as Dedalus source writes them: a string quoted (`"a"`), an
 * integer as itself; and a message edge as the lineage charts label it. The one printing the CLI, the reports, the charts' labels, the LDFI search's
 * goal keys and the labs share, so a tuple reads the same wherever it appears.
 */

/** `"a"` or `3`: a value as Dedalus source. */
export function formatValue(v: string | number): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/** `post("b", "hello")`: a tuple printed as Dedalus source (the key the LDFI search uses for a goal). */
export function formatTuple(rel: string, args: readonly (string | number)[]): string {
  return `${rel}(${args.map(formatValue).join(", ")})`;
}

/** `post("b", "hello")@4`: a tuple at a time. */
export function formatFact(f: { readonly rel: string; readonly time: number; readonly args: readonly (string | number)[] }): string {
  return `${formatTuple(f.rel, f.args)}@${f.time}`;
}

/** `a→b @1`: a message edge (from, to, send time), as the lineage charts label it. */
export function formatEdge(e: { readonly from: string; readonly to: string; readonly sendTime: number }): string {
  return `${e.from}→${e.to} @${e.sendTime}`;
}
