import { faultAtoms, type FaultSet } from "./faults";

/** A set of fault atoms as a bitset over the atoms a search has seen (bit i: the i-th atom seen). */
type Bits = Uint32Array;

/**
 * A run that was no violation: its faults, and every minimal fault set above them that breaks a
 * kept goal's full lineage or an excused goal's absence (what could make a later run a violation).
 */
export interface Survivor {
  readonly seed: Bits;
  readonly breakers: readonly { readonly faults: FaultSet; readonly bits: Bits }[];
}

/** Whether every atom of `a` is in `b`. */
function within(a: Bits, b: Bits): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i]! & ~(b[i] ?? 0)) !== 0) return false;
  return true;
}

/** Whether `survivor` discharges a hypothesis: the hypothesis extends its faults and contains none of its breakers. */
function discharges(survivor: Survivor, h: Bits): boolean {
  return within(survivor.seed, h) && !survivor.breakers.some((b) => within(b.bits, h));
}

/**
 * The surviving runs of one LDFI search (lib/ldfi/README.md, the loop, step 6) and which of them
 * discharges a queued hypothesis. A hypothesis is discharged by the first survivor, in the order
 * they were recorded, whose faults it extends without containing any of its breakers.
 *
 * A search records thousands of survivors and asks about tens of thousands of hypotheses (Paxos
 * 8/4/1: 8,244 runs, 16,416 discharges), which made these checks, on sets of atom strings, the
 * largest cost of the whole search (22% of it, measured). So fault sets are bitsets over the atoms
 * seen, survivors are indexed by one atom of their faults (a hypothesis can only extend a survivor
 * whose every fault it has), and each hypothesis is checked against each survivor once: survivors
 * are only added and a discharge stays, so a check starts where the last one ended.
 */
export class Survivors {
  private readonly all: Survivor[] = [];
  private readonly atomIds = new Map<string, number>();
  /** Survivor indexes (ascending) by the lowest atom id of their faults; -1 for the failure-free run. */
  private readonly byAtom = new Map<number, number[]>();
  private readonly checked = new Map<string, { bits: Bits; ids: readonly number[]; upTo: number; by: Survivor | null }>();

  private bitsOf(faults: FaultSet): { bits: Bits; ids: number[] } {
    const ids = faultAtoms(faults).map((a) => {
      let id = this.atomIds.get(a);
      if (id === undefined) this.atomIds.set(a, (id = this.atomIds.size));
      return id;
    });
    const bits = new Uint32Array(Math.ceil(this.atomIds.size / 32));
    for (const id of ids) bits[id >>> 5]! |= 1 << (id & 31);
    return { bits, ids };
  }

  /** Records a run that was no violation, with its complete list of breakers. */
  add(faults: FaultSet, breakers: readonly FaultSet[]): void {
    const { bits, ids } = this.bitsOf(faults);
    const key = ids.length === 0 ? -1 : Math.min(...ids);
    let list = this.byAtom.get(key);
    if (!list) this.byAtom.set(key, (list = []));
    list.push(this.all.length);
    this.all.push({ seed: bits, breakers: breakers.map((h) => ({ faults: h, bits: this.bitsOf(h).bits })) });
  }

  /** The survivor that discharges the hypothesis `key` (its fault set `faults`), or null. */
  dischargerOf(key: string, faults: FaultSet): Survivor | null {
    let c = this.checked.get(key);
    if (!c) {
      const { bits, ids } = this.bitsOf(faults);
      c = { bits, ids, upTo: 0, by: null };
      this.checked.set(key, c);
    }
    if (c.by !== null || c.upTo === this.all.length) return c.by;
    let first = Infinity;
    for (const atom of [-1, ...c.ids]) {
      const list = this.byAtom.get(atom);
      if (!list) continue;
      for (let i = list.length - 1; i >= 0 && list[i]! >= c.upTo; i--) {
        const at = list[i]!;
        if (at < first && discharges(this.all[at]!, c.bits)) first = at;
      }
    }
    c.upTo = this.all.length;
    if (first !== Infinity) c.by = this.all[first]!;
    return c.by;
  }

  /** Drops what was remembered about a hypothesis once the loop has taken it off the queue. */
  forget(key: string): void {
    this.checked.delete(key);
  }
}
