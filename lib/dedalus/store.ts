/**
 * Tuple storage for the evaluator: one append-only set of integer-encoded tuples per (relation, time).
 *
 * Semi-naive delta lifecycle (datafrog's `Variable`, in index ranges instead of separate vectors): tuples
 * are appended in derivation order, so a store is split by two marks into
 *   - old   `[0, lo)`  tuples every rule has already seen,
 *   - delta `[lo, hi)` tuples found in the previous round, joined against everything this round,
 *   - new   `[hi, count)` tuples found in this round, invisible until the next round moves the marks.
 * A store that is not being derived in the current stratum keeps `lo = hi = count`: all old, no delta.
 *
 * Indexes are hash maps from the values of a set of bound columns to the ascending list of tuple ids
 * with those values; they are built on first use and kept up to date on every append, so a lookup
 * restricted to a range can stop as soon as it passes the range's end.
 */

/**
 * Stores below this many tuples find duplicates by a linear scan and have no hash table: most
 * (relation, time) stores of a protocol run hold a handful of tuples, and allocating a typed array for
 * each of them dominated a whole 2PC run.
 */
const SMALL_STORE = 8;

const NO_TABLE = new Int32Array(1);
const NO_INDEXES: readonly ColumnIndex[] = [];

/** Mixes one integer-valued number into a 32-bit hash. */
function mix(h: number, v: number): number {
  // Values are safe integers; fold the high part in so large integers do not all collide.
  const lo = v | 0;
  const hi = (v - lo) / 4294967296;
  h = Math.imul(h ^ lo, 0x9e3779b1);
  h = (h ^ (h >>> 15)) + (hi | 0);
  return Math.imul(h ^ (h >>> 13), 0x85ebca6b);
}

/** A hash index over some columns of a store. */
export class ColumnIndex {
  /** Key -> ascending tuple ids. For one column the key is the value itself (no collisions). */
  readonly buckets = new Map<number, number[]>();
  constructor(
    readonly columns: readonly number[],
    /** True when the key is exact (one column); otherwise callers must verify each candidate. */
    readonly exact: boolean,
  ) {}
}

/** An append-only set of tuples of one arity, with hash dedupe and lazily built column indexes. */
export class TupleStore {
  /** Flat tuple data: tuple i occupies `[i * arity, (i + 1) * arity)` (a packed array of doubles). */
  data: number[] = [];
  count = 0;
  lo = 0;
  hi = 0;
  private table: Int32Array = NO_TABLE;
  private mask = 0;
  private indexes: Map<string, ColumnIndex> | null = null;
  private indexList: readonly ColumnIndex[] = NO_INDEXES;

  constructor(
    readonly arity: number,
    /** The relation id this store holds (-1 for scratch stores such as the async outbox). */
    readonly rel = -1,
    /** The timestep this store holds. */
    readonly time = -1,
  ) {}

  /** Marks everything as old (used for stores outside the current stratum). */
  seal(): void {
    this.lo = this.hi = this.count;
  }

  private hashAt(src: ArrayLike<number>, offset: number): number {
    let h = 0x811c9dc5;
    for (let c = 0; c < this.arity; c++) h = mix(h, src[offset + c]!);
    return h;
  }

  private equalAt(i: number, src: ArrayLike<number>, offset: number): boolean {
    const a = this.arity, d = this.data, base = i * a;
    for (let c = 0; c < a; c++) if (d[base + c] !== src[offset + c]) return false;
    return true;
  }

  /** The id of the tuple equal to `src[offset..offset+arity)`, or -1. */
  find(src: ArrayLike<number>, offset = 0): number {
    if (this.table === NO_TABLE) {
      for (let i = 0; i < this.count; i++) if (this.equalAt(i, src, offset)) return i;
      return -1;
    }
    let slot = this.hashAt(src, offset) & this.mask;
    for (;;) {
      const e = this.table[slot]!;
      if (e === 0) return -1;
      if (this.equalAt(e - 1, src, offset)) return e - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  /**
   * Inserts the tuple `src[offset..offset+arity)`. Returns its id, as a non-negative number when it is new
   * and as `-(id + 1)` when it was already present.
   */
  insert(src: ArrayLike<number>, offset = 0): number {
    let slot = -1;
    if (this.table === NO_TABLE) {
      for (let i = 0; i < this.count; i++) if (this.equalAt(i, src, offset)) return -(i + 1);
    } else {
      slot = this.hashAt(src, offset) & this.mask;
      for (;;) {
        const e = this.table[slot]!;
        if (e === 0) break;
        if (this.equalAt(e - 1, src, offset)) return -e;
        slot = (slot + 1) & this.mask;
      }
    }
    const id = this.count;
    const a = this.arity;
    const d = this.data;
    for (let c = 0; c < a; c++) d.push(src[offset + c]!);
    this.count = id + 1;
    if (slot >= 0) {
      this.table[slot] = id + 1;
      if (this.count * 2 > this.table.length) this.rehash();
    } else if (this.count >= SMALL_STORE) this.rehash();
    for (let k = 0; k < this.indexList.length; k++) this.addToIndex(this.indexList[k]!, id);
    return id;
  }

  private rehash(): void {
    const table = new Int32Array(Math.max(SMALL_STORE * 4, this.table.length * 2));
    const mask = table.length - 1;
    for (let i = 0; i < this.count; i++) {
      let slot = this.hashAt(this.data, i * this.arity) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = i + 1;
    }
    this.table = table;
    this.mask = mask;
  }

  /** The key of tuple `id` under an index. */
  keyOf(index: ColumnIndex, id: number): number {
    const base = id * this.arity;
    const cols = index.columns;
    if (index.exact) return this.data[base + cols[0]!]!;
    let h = 0x811c9dc5;
    for (let k = 0; k < cols.length; k++) h = mix(h, this.data[base + cols[k]!]!);
    return h;
  }

  private addToIndex(index: ColumnIndex, id: number): void {
    const key = this.keyOf(index, id);
    const list = index.buckets.get(key);
    if (list) list.push(id);
    else index.buckets.set(key, [id]);
  }

  /** The index over `columns` (ascending column numbers), building it on first use. */
  index(columns: readonly number[]): ColumnIndex {
    const name = columns.join(",");
    if (this.indexes === null) this.indexes = new Map();
    let idx = this.indexes.get(name);
    if (!idx) {
      idx = new ColumnIndex(columns, columns.length === 1);
      for (let i = 0; i < this.count; i++) this.addToIndex(idx, i);
      this.indexes.set(name, idx);
      this.indexList = [...this.indexes.values()];
    }
    return idx;
  }

  /** The key under which `values` (one per index column) are stored. */
  static keyFor(index: ColumnIndex, values: ArrayLike<number>): number {
    if (index.exact) return values[0]!;
    let h = 0x811c9dc5;
    for (let k = 0; k < index.columns.length; k++) h = mix(h, values[k]!);
    return h;
  }

  /** Does tuple `id` have `values` in the index's columns? (Needed only for non-exact indexes.) */
  matches(index: ColumnIndex, id: number, values: ArrayLike<number>): boolean {
    const base = id * this.arity;
    const cols = index.columns;
    for (let k = 0; k < cols.length; k++) if (this.data[base + cols[k]!] !== values[k]) return false;
    return true;
  }

  /** One tuple as a fresh array. */
  tuple(id: number): number[] {
    const out = new Array<number>(this.arity);
    const base = id * this.arity;
    for (let c = 0; c < this.arity; c++) out[c] = this.data[base + c]!;
    return out;
  }
}

/** The first position in an ascending list whose value is at least `x`. */
export function lowerBound(list: readonly number[], x: number): number {
  let a = 0, b = list.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (list[m]! < x) a = m + 1;
    else b = m;
  }
  return a;
}
