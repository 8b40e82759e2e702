/**
 * The failure model of DESIGN.md section 6: message omissions before EFF and crashes (permanent
 * send-omission towards other nodes) of at most `crashes` nodes.
 */
import { messageKey } from "../dedalus/messageKey";

/** Every message from `from` to `to` sent at `time` is lost. */
export interface OmissionFault {
  readonly from: string;
  readonly to: string;
  readonly time: number;
}

/** From send time `time` on, `node` sends nothing to other nodes (it still computes and receives). */
export interface CrashFault {
  readonly node: string;
  readonly time: number;
}

/** One hypothesis: the faults injected into one run. Canonical when built by {@link faultSet}. */
export interface FaultSet {
  readonly omissions: readonly OmissionFault[];
  readonly crashes: readonly CrashFault[];
}

/** The bounds of a search: last timestep, end of finite failures, most nodes that may crash. */
export interface FaultBounds {
  readonly eot: number;
  readonly eff: number;
  readonly crashes: number;
  readonly nodes: readonly string[];
}

/** The empty fault set (the failure-free run). */
export const NO_FAULTS: FaultSet = { omissions: [], crashes: [] };

/** Thrown for bounds that cannot describe a search (EFF greater than EOT, negative crashes, ...). */
export class FaultBoundsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FaultBoundsError";
  }
}

/** Checks bounds; throws {@link FaultBoundsError} naming the first inconsistency. */
export function checkBounds(b: FaultBounds): void {
  if (!Number.isInteger(b.eot) || b.eot < 1) throw new FaultBoundsError(`EOT must be a positive integer, got ${b.eot}`);
  if (!Number.isInteger(b.eff) || b.eff < 0) throw new FaultBoundsError(`EFF must be a non-negative integer, got ${b.eff}`);
  if (b.eff > b.eot) throw new FaultBoundsError(`EFF (${b.eff}) must not exceed EOT (${b.eot})`);
  if (!Number.isInteger(b.crashes) || b.crashes < 0) throw new FaultBoundsError(`crashes must be a non-negative integer, got ${b.crashes}`);
  if (b.crashes > b.nodes.length) throw new FaultBoundsError(`crashes (${b.crashes}) exceed the number of nodes (${b.nodes.length})`);
  if (new Set(b.nodes).size !== b.nodes.length) throw new FaultBoundsError(`duplicate node in ${b.nodes.join(",")}`);
}

const compareStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Builds a canonical fault set: sorted, duplicates removed, and omissions dropped when the sender
 * already crashed at or before that send time (the crash loses those messages anyway, so the
 * omission would make two spellings of one run).
 */
export function faultSet(omissions: readonly OmissionFault[], crashes: readonly CrashFault[]): FaultSet {
  const crashAt = new Map<string, number>();
  for (const c of crashes) crashAt.set(c.node, Math.min(c.time, crashAt.get(c.node) ?? Infinity));
  const cs = [...crashAt].map(([node, time]) => ({ node, time })).sort((a, b) => compareStr(a.node, b.node));
  const seen = new Set<string>();
  const os: OmissionFault[] = [];
  for (const o of omissions) {
    const c = crashAt.get(o.from);
    if (c !== undefined && c <= o.time) continue;
    const k = messageKey(o.from, o.to, o.time);
    if (seen.has(k)) continue;
    seen.add(k);
    os.push({ from: o.from, to: o.to, time: o.time });
  }
  os.sort((a, b) => a.time - b.time || compareStr(a.from, b.from) || compareStr(a.to, b.to));
  return { omissions: os, crashes: cs };
}

/**
 * Both fault sets at once, or null when no fault set contains both: one node crashing at two
 * different times, or an omission of a message its sender has already stopped sending by crashing.
 */
export function joinFaults(a: FaultSet, b: FaultSet): FaultSet | null {
  const crashes = [...a.crashes, ...b.crashes];
  const crashAt = new Map<string, number>();
  for (const c of crashes) {
    const t = crashAt.get(c.node);
    if (t !== undefined && t !== c.time) return null;
    crashAt.set(c.node, c.time);
  }
  const omissions = [...a.omissions, ...b.omissions];
  if (omissions.some((o) => (crashAt.get(o.from) ?? Infinity) <= o.time)) return null;
  return faultSet(omissions, crashes);
}

/**
 * `f` without its omissions of messages to a node it crashes that arrive at or after that crash
 * (sent at crash time − 1 or later). Such a message only changes what the crashed node holds, and
 * everything it sends from then on is lost: where `pre` and `post` never read a crashed node's
 * state (FaultTarget.crashedStateUnread), `f` and the result have the same outcome.
 */
export function withoutDeadOmissions(f: FaultSet): FaultSet {
  if (f.crashes.length === 0) return f;
  const crashAt = new Map(f.crashes.map((c) => [c.node, c.time]));
  const live = f.omissions.filter((o) => o.time + 1 < (crashAt.get(o.to) ?? Infinity));
  return live.length === f.omissions.length ? f : { omissions: live, crashes: f.crashes };
}

/** Number of faults: omissions plus crashed nodes. */
export function faultCount(f: FaultSet): number {
  return f.omissions.length + f.crashes.length;
}

/** A string identifying a canonical fault set, for "already explored" sets. */
export function faultKey(f: FaultSet): string {
  return formatFaults(f);
}

/** `omit(a,b,2) crash(c,3)`, or `no faults`. */
export function formatFaults(f: FaultSet): string {
  const parts = [...f.omissions.map((o) => `omit(${o.from},${o.to},${o.time})`), ...f.crashes.map((c) => `crash(${c.node},${c.time})`)];
  return parts.length === 0 ? "no faults" : parts.join(" ");
}

/** Whether every fault of `a` is in `b` (crashes compared by node and time). */
export function isSubset(a: FaultSet, b: FaultSet): boolean {
  const keys = new Set(faultAtoms(b));
  return faultAtoms(a).every((k) => keys.has(k));
}

/** The faults of a set, one collision-free key each, for subset tests. */
export function faultAtoms(f: FaultSet): string[] {
  return [
    ...f.omissions.map((o) => `o${messageKey(o.from, o.to, o.time)}`),
    ...f.crashes.map((c) => `c${JSON.stringify([c.node, c.time])}`),
  ];
}

/** Whether a fault set respects the bounds (omissions only before EFF, between distinct nodes, ...). */
export function withinBounds(f: FaultSet, b: FaultBounds): boolean {
  const nodes = new Set(b.nodes);
  return (
    f.crashes.length <= b.crashes &&
    f.crashes.every((c) => nodes.has(c.node) && c.time >= 1 && c.time <= b.eot) &&
    f.omissions.every((o) => nodes.has(o.from) && nodes.has(o.to) && o.from !== o.to && o.time >= 1 && o.time < b.eff)
  );
}

/**
 * Whether the message edge (from, to, sendTime) is lost under `f`: an omission of that exact
 * channel and time, or a crash of the sender at or before the send. Messages to self are never lost.
 */
export function breaksEdge(f: FaultSet, from: string, to: string, sendTime: number): boolean {
  if (from === to) return false;
  if (f.crashes.some((c) => c.node === from && c.time <= sendTime)) return true;
  return f.omissions.some((o) => o.from === from && o.to === to && o.time === sendTime);
}

/** The `--omit from,to,t --crash node,t` flags that replay `f` with `maze run`. */
export function replayFlags(f: FaultSet): string[] {
  return [...f.omissions.map((o) => `--omit ${o.from},${o.to},${o.time}`), ...f.crashes.map((c) => `--crash ${c.node},${c.time}`)];
}
