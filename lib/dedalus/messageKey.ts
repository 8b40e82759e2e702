/**
 * The key of a message channel at a send time, (from, to, time): what an omission names, what a
 * support formula's edge is, what a spacetime diagram draws once. Every map or set keyed by it builds
 * the key here, so a broken edge, an omitted send and a drawn arrow always agree.
 */

/** `from|to|time`, over node names or over a run's interned node ids. */
export function messageKey(from: string | number, to: string | number, time: number): string {
  return `${from}|${to}|${time}`;
}
