import { canonicalJson, type Json } from "../../lib/crdt/lattice";
import type { LoggedOp } from "./tracked";

/* Sequential specifications, computed from the operation log and each operation's causal past. */

type AnyOp = { op: string; by?: number; element?: string; value?: Json; key?: string; inner?: AnyOp };

/** Sum of increments minus decrements: no increment may be lost. */
export function counterSpec(log: readonly LoggedOp<AnyOp>[]): number {
  return log.reduce((sum, o) => sum + (o.op.op === "dec" ? -(o.op.by ?? 1) : (o.op.by ?? 1)), 0);
}

/** Add-wins: e is present iff some add of e was not seen by any remove of e. */
export function addWinsSpec(
  log: readonly LoggedOp<AnyOp>[],
  isAdd: (o: AnyOp) => boolean,
  isRemove: (o: AnyOp) => boolean,
  keyOf: (o: AnyOp) => string,
): string[] {
  const present = new Set<string>();
  for (const a of log) {
    if (!isAdd(a.op)) continue;
    const e = keyOf(a.op);
    const removed = log.some((r) => isRemove(r.op) && keyOf(r.op) === e && r.seen.has(a.id));
    if (!removed) present.add(e);
  }
  return [...present].sort();
}

/** 2P-Set: added, minus those removed by a remove that had seen an add (an effective remove). */
export function twoPhaseSpec(log: readonly LoggedOp<AnyOp>[]): string[] {
  const ids = new Map(log.map((o) => [o.id, o]));
  const added = new Set(log.filter((o) => o.op.op === "add").map((o) => o.op.element as string));
  const removed = log.filter(
    (r) => r.op.op === "remove" && [...r.seen].some((id) => ids.get(id)?.op.op === "add" && ids.get(id)?.op.element === r.op.element),
  );
  for (const r of removed) added.delete(r.op.element as string);
  return [...added].sort();
}

/** MV-Register: the values of the writes no other write has seen. */
export function multiValueSpec(log: readonly LoggedOp<AnyOp>[]): Json[] {
  const frontier = log.filter((w) => !log.some((o) => o.seen.has(w.id)));
  const texts = new Map(frontier.map((w) => [canonicalJson(w.op.value as Json), w.op.value as Json]));
  return [...texts.keys()].sort().map((k) => texts.get(k) as Json);
}
