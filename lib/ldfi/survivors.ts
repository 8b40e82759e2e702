import { messageKey } from "../dedalus/messageKey";
import { faultAtoms, faultSet, type CrashFault, type FaultBounds, type FaultSet, type OmissionFault } from "./faults";

/** A set of omissions as a bitset over the omissions a search has seen (bit i: the i-th seen). */
type Bits = Uint32Array;

/**
 * What a run's faults did in that run, as subsumption needs it (computed with the run's expansion,
 * expansion.ts, so a worker thread can compute it too). Two fault sets that lose the same messages
 * are one run: an omission of a message that was never sent changes nothing, and a crash changes
 * nothing before the node's first send (nor, where the program never reads a crash's time, between
 * its time and its first loss, nor later, where omissions lose each of the sends in between).
 */
export interface RunEffect {
  /** The run's omissions that lost no message (nothing was sent on that channel at that time). */
  readonly idle: readonly OmissionFault[];
  /** Each node's first cross-node send time in the run (as the lineage's encoding reads it). */
  readonly firstSend: readonly (readonly [string, number])[];
  /** For each node the run crashed, the sends the crash lost, by time (absent: it lost none). */
  readonly crashLost: readonly (readonly [string, readonly OmissionFault[]])[];
}

/**
 * A crash a hypothesis must have for a survivor to discharge it: this node, at a time in
 * [from, to]. From `at` (the survivor's own crash time) to `to` it is the survivor's own crash;
 * earlier, it is judged by the breakers like any other fault. Later than `to` it is the survivor's
 * own crash too when the hypothesis omits each of the sends in `lost` before its time.
 */
interface CrashWindow {
  readonly node: string;
  readonly from: number;
  readonly at: number;
  readonly to: number;
  /** Where crash times are not read, the sends the survivor's crash lost (omission ids), by time; else empty. */
  readonly lost: readonly { readonly time: number; readonly id: number }[];
}

/** One breaker of a survivor: a minimal fault set above its faults that breaks what it kept. */
interface Breaker {
  /** What it adds to the survivor's own faults (joined to a discharged hypothesis in its place). */
  readonly extra: FaultSet;
  /** Its omissions that lose a message of the survivor's run. */
  readonly omissions: Bits;
  /** Its crashes (a crash of the survivor's crashed node may be earlier than the survivor's own). */
  readonly crashes: readonly CrashFault[];
}

/**
 * A run that was no violation: what its faults lost, and every minimal fault set above them that
 * breaks a kept goal's full lineage or an excused goal's absence (what could make a later run a
 * violation).
 */
export interface Survivor {
  /** Its omissions that lost a message. */
  readonly seed: Bits;
  readonly crashes: readonly CrashWindow[];
  readonly firstSend: ReadonlyMap<string, number>;
  readonly breakers: readonly Breaker[];
}

/** A queued hypothesis as the checks read it. */
interface Hypothesis {
  readonly omissions: Bits;
  readonly ids: readonly number[];
  readonly crashes: ReadonlyMap<string, number>;
}

/** Whether the omission `id` is in `bits`. */
function has(bits: Bits, id: number): boolean {
  return ((bits[id >>> 5] ?? 0) & (1 << (id & 31))) !== 0;
}

/**
 * Whether `omissions` lose every send the survivor's crash `w` lost before `time`: a crash of its
 * node at `time` then loses what that crash lost (the run, step by step, is the survivor's).
 */
function omitsBefore(w: CrashWindow, time: number, omissions: Bits): boolean {
  if (w.lost.length === 0) return false;
  for (const l of w.lost) {
    if (l.time >= time) return true;
    if (!has(omissions, l.id)) return false;
  }
  return true;
}

/** Whether every atom of `a` is in `b`. */
function within(a: Bits, b: Bits): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i]! & ~(b[i] ?? 0)) !== 0) return false;
  return true;
}

/**
 * The surviving runs of one LDFI search (lib/ldfi/README.md, the loop, step 6) and which of them
 * discharges a queued hypothesis. A hypothesis is discharged by the first survivor, in the order
 * they were recorded, whose run it loses every message of (see {@link RunEffect}) without
 * containing any of its breakers.
 *
 * A search records thousands of survivors and asks about tens of thousands of hypotheses (Paxos
 * 8/4/1: 8,244 runs, 16,416 discharges), which made these checks, on sets of atom strings, the
 * largest cost of the whole search (22% of it, measured). So omissions are bitsets over the ones
 * seen, survivors are indexed by one omission of their seed (a hypothesis can only extend a survivor
 * whose every omission it has), and each hypothesis is checked against each survivor once:
 * survivors are only added and a discharge stays, so a check starts where the last one ended.
 */
export class Survivors {
  private readonly all: Survivor[] = [];
  private readonly atomIds = new Map<string, number>();
  /** Survivor indexes (ascending) by the lowest omission id of their seed; -1 for a seed without omissions. */
  private readonly byAtom = new Map<number, number[]>();
  private readonly checked = new Map<string, { h: Hypothesis; upTo: number; by: Survivor | null }>();

  /**
   * @param bounds - the search's bounds (a crash is a fault variable up to EOT − 1 only)
   * @param crashTimeBlind - whether runs depend on a crash's time only through the messages it loses
   *   (the program never reads the crash built-in's time column; FaultTarget.crashTimeBlind)
   */
  constructor(
    private readonly bounds: FaultBounds,
    private readonly crashTimeBlind: boolean,
  ) {}

  private omissionBits(omissions: readonly OmissionFault[]): { bits: Bits; ids: number[] } {
    const ids = faultAtoms({ omissions, crashes: [] }).map((a) => {
      let id = this.atomIds.get(a);
      if (id === undefined) this.atomIds.set(a, (id = this.atomIds.size));
      return id;
    });
    const bits = new Uint32Array(Math.ceil(this.atomIds.size / 32));
    for (const id of ids) bits[id >>> 5]! |= 1 << (id & 31);
    return { bits, ids };
  }

  /**
   * Records a run that was no violation under `faults`, with its complete list of breakers (each
   * extends `faults`, except that a crash of `faults` may be earlier) and what its faults did in it.
   */
  add(faults: FaultSet, breakers: readonly FaultSet[], effect: RunEffect): void {
    const idle = new Set(effect.idle.map((o) => messageKey(o.from, o.to, o.time)));
    const lossy = (os: readonly OmissionFault[]): OmissionFault[] => os.filter((o) => !idle.has(messageKey(o.from, o.to, o.time)));
    const { bits, ids } = this.omissionBits(lossy(faults.omissions));
    const crashLost = new Map(effect.crashLost);
    // A crash of the same node up to its first send this crash lost loses all it lost, and so does
    // a later one with omissions of its sends in between; an earlier one loses more, which the
    // breakers judge (the enumeration moves a seed's crash earlier too).
    const crashes = faults.crashes.map((c): CrashWindow => {
      if (!this.crashTimeBlind) return { node: c.node, from: c.time, at: c.time, to: c.time, lost: [] };
      const lost = crashLost.get(c.node) ?? [];
      return {
        node: c.node,
        from: 1,
        at: c.time,
        to: lost[0]?.time ?? Infinity,
        lost: lost.map((o) => ({ time: o.time, id: this.omissionBits([o]).ids[0]! })),
      };
    });
    const ownAt = new Set(faults.crashes.map((c) => `${c.node}@${c.time}`));
    const seedOmissions = new Set(faults.omissions.map((o) => messageKey(o.from, o.to, o.time)));
    const key = ids.length === 0 ? -1 : Math.min(...ids);
    let list = this.byAtom.get(key);
    if (!list) this.byAtom.set(key, (list = []));
    list.push(this.all.length);
    this.all.push({
      seed: bits,
      crashes,
      firstSend: new Map(effect.firstSend),
      // A breaker may crash one of the run's crashed nodes earlier (step 5: a seed crash may move
      // earlier): it then stands for hypotheses with that earlier crash, as for any other node.
      breakers: breakers.map((b) => ({
        extra: faultSet(
          b.omissions.filter((o) => !seedOmissions.has(messageKey(o.from, o.to, o.time))),
          b.crashes.filter((c) => !ownAt.has(`${c.node}@${c.time}`)),
        ),
        omissions: this.omissionBits(lossy(b.omissions)).bits,
        crashes: b.crashes,
      })),
    });
  }

  /**
   * The crash times of a hypothesis (`crashes`: node to time) as `by`'s run reads them: a crash of
   * `by`'s crashed node from `by`'s own time on is that crash, and a crash before a node's first
   * send there is that node's crash at its first send (nothing was lost in between). Null when one
   * is no fault variable of that run (a crash at EOT), which no breaker can judge.
   */
  private crashesAsSeenBy(by: Survivor, crashes: ReadonlyMap<string, number>): Map<string, number> | null {
    const out = new Map<string, number>();
    for (const [node, time] of crashes) {
      const own = by.crashes.find((w) => w.node === node);
      if (own && time >= own.at) {
        out.set(node, own.at); // the survivor's own crash (`discharges` checks the window)
        continue;
      }
      const t = Math.max(time, 1, by.firstSend.get(node) ?? 1);
      if (t > this.bounds.eot - 1) return null;
      out.set(node, t);
    }
    return out;
  }

  /** Whether `by` discharges `h`: `h` loses every message `by`'s faults lost and contains none of its breakers. */
  private discharges(by: Survivor, h: Hypothesis): boolean {
    if (!within(by.seed, h.omissions)) return false;
    for (const w of by.crashes) {
      const t = h.crashes.get(w.node);
      if (t === undefined || t < w.from || (t > w.to && !omitsBefore(w, t, h.omissions))) return false;
    }
    const crashes = this.crashesAsSeenBy(by, h.crashes);
    if (crashes === null) return false;
    return !by.breakers.some((b) => within(b.omissions, h.omissions) && b.crashes.every((c) => crashes.get(c.node) === c.time));
  }

  private hypothesis(faults: FaultSet): Hypothesis {
    // A crash loses every later send of its node: those omissions are read as the hypothesis's own
    // (canonical fault sets leave them out), so it still extends a run that had one of them.
    const lost = [...faults.omissions];
    for (const c of faults.crashes)
      for (const to of this.bounds.nodes)
        if (to !== c.node) for (let t = c.time; t < this.bounds.eff; t++) lost.push({ from: c.node, to, time: t });
    const { bits, ids } = this.omissionBits(lost);
    return { omissions: bits, ids, crashes: new Map(faults.crashes.map((c) => [c.node, c.time])) };
  }

  /** The survivor that discharges the hypothesis `key` (its fault set `faults`), or null. */
  dischargerOf(key: string, faults: FaultSet): Survivor | null {
    let c = this.checked.get(key);
    if (!c) {
      c = { h: this.hypothesis(faults), upTo: 0, by: null };
      this.checked.set(key, c);
    }
    if (c.by !== null || c.upTo === this.all.length) return c.by;
    let first = Infinity;
    for (const atom of [-1, ...c.h.ids]) {
      const list = this.byAtom.get(atom);
      if (!list) continue;
      for (let i = list.length - 1; i >= 0 && list[i]! >= c.upTo; i--) {
        const at = list[i]!;
        if (at < first && this.discharges(this.all[at]!, c.h)) first = at;
      }
    }
    c.upTo = this.all.length;
    if (first !== Infinity) c.by = this.all[first]!;
    return c.by;
  }

  /**
   * What must be queued in place of `faults`, discharged by `by`: a counterexample above it breaks
   * `by`'s lineage, so it contains `faults` joined with what one of `by`'s breakers adds — leaving
   * out a crash `faults` already has at a time `by`'s run reads as the breaker's, and skipping a
   * breaker whose crash of a node `faults` crashes at another time (no such counterexample).
   */
  joinsThrough(faults: FaultSet, by: Survivor): FaultSet[] {
    // Not null: `by` discharged `faults`, which `discharges` refuses when it is.
    const crashes = this.crashesAsSeenBy(by, new Map(faults.crashes.map((c) => [c.node, c.time]))) ?? new Map<string, number>();
    const out: FaultSet[] = [];
    for (const b of by.breakers) {
      if (b.crashes.some((c) => crashes.has(c.node) && crashes.get(c.node) !== c.time)) continue;
      out.push({ omissions: b.extra.omissions, crashes: b.extra.crashes.filter((c) => !crashes.has(c.node)) });
    }
    return out;
  }

  /** Drops what was remembered about a hypothesis once the loop has taken it off the queue. */
  forget(key: string): void {
    this.checked.delete(key);
  }
}
