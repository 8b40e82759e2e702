/**
 * The key of a message channel at a send time, (from, to, time): what an omission names, what a
 * support formula's edge is, what a spacetime diagram draws once. Every map or set keyed by it builds
 * the key here, so a broken edge, an omitted send and a drawn arrow always agree.
 */

/**
 * `from|to|time` over a run's interned node ids; over node names, the JSON triple, because a name (a
 * Dedalus string) may itself hold `|` and two channels must never share a key.
 */
export function messageKey(from: string | number, to: string | number, time: number): string {
  return typeof from === "number" && typeof to === "number" ? `${from}|${to}|${time}` : JSON.stringify([from, to, time]);
}
