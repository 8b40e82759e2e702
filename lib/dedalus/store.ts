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

const NO_INDEXES: readonly ColumnIndex[] = [];

/** Mixes one integer-valued number into a running 32-bit hash. */
function mix(h: number, v: number): number {
  // Values are safe integers; fold the high part in so large integers do not all collide.
  const lo = v | 0;
  const hi = ((v - lo) / 4294967296) | 0;
  h = Math.imul(h ^ lo, 0xcc9e2d51);
  h = (h << 15) | (h >>> 17);
  return Math.imul(h ^ hi, 0x1b873593) + 0xe6546b64;
}

/**
 * Final avalanche (murmur3's fmix32): table slots use the low bits, and a multiply alone leaves those
 * depending only on the low bits of the input, which clustered linear probing badly.
 */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** A hash index over some columns of a store: key → ascending tuple ids. */
export class ColumnIndex {
  /** Keys that are small non-negative integers (interned strings, small numbers): a plain array. */
  private readonly dense: (number[] | undefined)[] = [];
  private sparse: Map<number, number[]> | null = null;
  constructor(
    readonly columns: readonly number[],
    /** True when the key is exact (one column, the value itself); otherwise callers must verify each candidate. */
    readonly exact: boolean,
  ) {}

  /** The ids stored under `key`, or undefined. */
  get(key: number): number[] | undefined {
    if (key >= 0 && key < this.dense.length && (key | 0) === key) {
      const list = this.dense[key];
      if (list !== undefined || this.sparse === null) return list;
    }
    return this.sparse === null ? undefined : this.sparse.get(key);
  }

  /** Appends `id` under `key`. */
  add(key: number, id: number): void {
    const dense = this.dense;
    if (this.exact && key >= 0 && key < dense.length + DENSE_GAP && (key | 0) === key) {
      const list = dense[key];
      if (list !== undefined) return void list.push(id);
      if (this.sparse === null || !this.sparse.has(key)) {
        // Grow by pushing so the array keeps fast elements (a far write would make it a dictionary).
        while (dense.length < key) dense.push(undefined);
        dense[key] = [id];
        return;
      }
    }
    if (this.sparse === null) this.sparse = new Map();
    const list = this.sparse.get(key);
    if (list !== undefined) list.push(id);
    else this.sparse.set(key, [id]);
  }
}

/**
 * An exact key at most this far past the end of the dense array extends it (interned string ids and
 * small integers are dense); farther keys, and hashed multi-column keys, go to a Map.
 */
const DENSE_GAP = 1024;

/**
 * The dedupe hash table of the tuples that share one first-column value. Grouping by the first column
 * (the location, an interned string id) keeps each table small and its probes cache-local: a transitive
 * closure over 1000 nodes inserts into 1000 tables of at most 1000 tuples rather than one of a million.
 * Each slot holds a tuple id and, inline, the tuple's second column for a quick reject.
 */
class Group {
  /** Tuple id + 1 per slot, 0 = empty. */
  ids: Int32Array = EMPTY_IDS;
  /** The second column's value per slot. */
  keys: Float64Array = EMPTY_KEYS;
  mask = 0;
  n = 0;
}

const EMPTY_IDS = new Int32Array(0);
const EMPTY_KEYS = new Float64Array(0);
const EMPTY_BITS = new Uint32Array(0);
/** Shared by stores without groups yet (never written: {@link TupleStore} replaces it before adding). */
const NO_GROUPS: (Group | undefined)[] = [];

/**
 * Small typed arrays are carved out of shared slabs: a protocol run creates hundreds of small stores,
 * and a separate ArrayBuffer for each (plus its garbage collection) cost more than the whole
 * evaluation. A slab lives as long as any store cut from it; arrays above SLAB_PIECE get their own buffer.
 */
const SLAB = 1 << 15;
/** Largest piece, in elements, cut from a slab. */
const SLAB_PIECE = 256;
/**
 * Arrays up to this many bytes are allocated fresh instead: V8 keeps typed arrays this small inside the
 * JS heap (its typed_array_max_size_in_heap), which costs less than a slab view (subarray measured
 * about 1.4x the time of `new Int32Array(8)`).
 */
const ON_HEAP_BYTES = 64;

class Slabs<T extends Float64Array | Int32Array | Uint32Array> {
  private slab: T;
  private used = 0;
  private readonly onHeap: number;
  constructor(private readonly make: (n: number) => T) {
    this.slab = make(SLAB);
    this.onHeap = ON_HEAP_BYTES / this.slab.BYTES_PER_ELEMENT;
  }
  /** A zero-filled array of `n` elements. */
  take(n: number): T {
    if (n > SLAB_PIECE || n <= this.onHeap) return this.make(n);
    if (this.used + n > SLAB) {
      this.slab = this.make(SLAB);
      this.used = 0;
    }
    const piece = this.slab.subarray(this.used, this.used + n) as T;
    this.used += n;
    return piece;
  }
}

const float64s = new Slabs((n) => new Float64Array(n));
const int32s = new Slabs((n) => new Int32Array(n));
const uint32s = new Slabs((n) => new Uint32Array(n));

/** Scratch tuple of {@link TupleStore.insertPair}'s fallback (insert copies it before returning). */
const PAIR = new Float64Array(2);

/** Values in a store's first data allocation. */
const INITIAL_DATA = 8;

/** Capacity of a group's first hash table (a power of two). */
const GROUP_CAPACITY = 8;

/**
 * Largest bitset of a two-column store, in 32-bit words (8 MiB): one bit per (first, second) value pair
 * covers 8 000 locations by 2 000 values, or any transitive closure within the default max-tuples bound
 * over up to ~4 000 nodes; a store whose values span more falls back to hash tables.
 */
const BITSET_WORDS = 1 << 21;

/** How a store finds duplicates: a linear scan (small stores), bitsets, or hash tables (numbers: the insert path switches on them). */
const SCAN = 0,
  BITS = 1,
  HASH = 2;
type Mode = typeof SCAN | typeof BITS | typeof HASH;

/** An append-only set of tuples of one arity, with dedupe and lazily built column indexes. */
export class TupleStore {
  /**
   * Flat tuple data: tuple i occupies `[i * arity, (i + 1) * arity)`; allocated on the first insert, doubled
   * when full. 32-bit integers while every value fits (interned ids and everyday integers: half the memory
   * traffic of doubles, which measured 20-25% faster on transitive closure), widened for good to doubles
   * by the first value that does not.
   */
  data: Int32Array | Float64Array = EMPTY_IDS;
  /** True once {@link data} holds doubles. */
  private wide = false;
  count = 0;
  lo = 0;
  hi = 0;
  private mode: Mode = SCAN;
  /**
   * Bitset mode: one flat bitset over (first, second), `rowWords` words per first-column value; bit
   * `second` of row `first` is set when the pair is present. Both columns hold small non-negative
   * integers there (the first is an interned location id), so a duplicate check is one array probe.
   */
  private bits: Uint32Array = EMPTY_BITS;
  /** Bitset mode: first-column values covered, [0, bitRows). */
  private bitRows = 0;
  /** Bitset mode: words per row; second-column values covered, [0, 32 * rowWords). */
  private rowWords = 0;
  private dense: (Group | undefined)[] = NO_GROUPS;
  private sparse: Map<number, Group> | null = null;
  private indexes: Map<string, ColumnIndex> | null = null;
  private indexList: readonly ColumnIndex[] = NO_INDEXES;
  /** The columns of the last {@link index} call and its answer. */
  private lastColumns: readonly number[] | null = null;
  private lastIndex: ColumnIndex | null = null;

  constructor(
    readonly arity: number,
    /** The relation id this store holds (-1 for scratch stores such as the async outbox). */
    readonly rel = -1,
    /** The timestep this store holds. */
    readonly time = -1,
    /**
     * When false, {@link insert} may answer "already present" without the existing tuple's id, which
     * lets two-column stores dedupe with bitsets (plain runs); provenance runs need the ids.
     */
    private readonly trackIds = true,
  ) {}

  /** Marks everything as old (used for stores outside the current stratum). */
  seal(): void {
    this.lo = this.hi = this.count;
  }

  /** Hash of the columns after the first (the group is chosen by the first). */
  private hashRest(src: ArrayLike<number>, offset: number): number {
    let h = 0x811c9dc5;
    for (let c = 1; c < this.arity; c++) h = mix(h, src[offset + c]!);
    return finish(h);
  }

  private equalAt(i: number, src: ArrayLike<number>, offset: number): boolean {
    const a = this.arity,
      d = this.data,
      base = i * a;
    for (let c = 0; c < a; c++) if (d[base + c] !== src[offset + c]) return false;
    return true;
  }

  private group(first: number): Group {
    let dense = this.dense;
    if (dense === NO_GROUPS) this.dense = dense = [];
    if (first >= 0 && (first | 0) === first) {
      if (first < dense.length) {
        const g = dense[first];
        if (g !== undefined) return g;
      }
      if (first < dense.length + DENSE_GAP && (this.sparse === null || !this.sparse.has(first))) {
        // Grow by pushing so the array keeps fast elements (a far write would make it a dictionary).
        while (dense.length <= first) dense.push(undefined);
        const g = new Group();
        dense[first] = g;
        return g;
      }
    }
    if (this.sparse === null) this.sparse = new Map();
    let g = this.sparse.get(first);
    if (g === undefined) this.sparse.set(first, (g = new Group()));
    return g;
  }

  /** The id of the tuple equal to `src[offset..offset+arity)`, or -1. */
  find(src: ArrayLike<number>, offset = 0): number {
    if (this.mode === SCAN) {
      for (let i = 0; i < this.count; i++) if (this.equalAt(i, src, offset)) return i;
      return -1;
    }
    if (this.mode === BITS) this.rebuild(HASH);
    const g = this.group(src[offset]!);
    if (g.n === 0) return -1;
    const second = this.arity > 1 ? src[offset + 1]! : 0;
    let slot = this.hashRest(src, offset) & g.mask;
    for (;;) {
      const e = g.ids[slot]!;
      if (e === 0) return -1;
      if (g.keys[slot] === second && (this.arity <= 2 || this.equalAt(e - 1, src, offset))) return e - 1;
      slot = (slot + 1) & g.mask;
    }
  }

  /**
   * Inserts the tuple `src[offset..offset+arity)`. Returns its id (≥ 0) when it is new; a negative
   * number when it was already present: `-(id + 1)`, or -1 when the store does not track ids.
   */
  insert(src: ArrayLike<number>, offset = 0): number {
    const a = this.arity;
    switch (this.mode) {
      case SCAN:
        for (let i = 0; i < this.count; i++) if (this.equalAt(i, src, offset)) return -(i + 1);
        this.append(src, offset);
        if (this.count >= SMALL_STORE) this.rebuild(a === 2 && !this.trackIds ? BITS : HASH);
        return this.count - 1;
      case BITS:
        return this.insertPair(src[offset]!, src[offset + 1]!);
      case HASH: {
        const g = this.group(src[offset]!);
        if (g.ids.length === 0) this.grow(g, GROUP_CAPACITY);
        const second = a > 1 ? src[offset + 1]! : 0;
        let slot = this.hashRest(src, offset) & g.mask;
        for (;;) {
          const e = g.ids[slot]!;
          if (e === 0) break;
          if (g.keys[slot] === second && (a <= 2 || this.equalAt(e - 1, src, offset))) return -e;
          slot = (slot + 1) & g.mask;
        }
        const id = this.append(src, offset);
        g.ids[slot] = id + 1;
        g.keys[slot] = second;
        if (++g.n * 2 > g.ids.length) this.grow(g, g.ids.length * 2);
        return id;
      }
    }
  }

  /**
   * {@link insert} for a two-column tuple given as values (the generated joins' head insert): the bitset
   * path without a tuple array round trip; other modes go through {@link insert}.
   */
  insertPair(first: number, second: number): number {
    // Kept small so that V8 inlines it into the generated joins; growth and other modes are out of line.
    // Both values are below 2^26 here (bitRows and rowWords are at most BITSET_WORDS): they fit any data.
    const rw = this.rowWords;
    if (this.mode === BITS && first < this.bitRows && first >>> 0 === first && second >>> 0 === second && second >>> 5 < rw) {
      const bits = this.bits;
      const w = first * rw + (second >>> 5),
        word = bits[w]!,
        bit = 1 << (second & 31);
      if ((word & bit) !== 0) return -1;
      bits[w] = word | bit;
      const id = this.count;
      const d = this.data;
      if (id * 2 + 2 > d.length) return this.appendPairGrowing(first, second);
      d[id * 2] = first;
      d[id * 2 + 1] = second;
      this.count = id + 1;
      if (this.indexList.length !== 0) this.addToIndexes(id);
      return id;
    }
    return this.insertPairSlow(first, second);
  }

  /** {@link insertPair} when the bitset must grow first, or the store is not in bitset mode. */
  private insertPairSlow(first: number, second: number): number {
    if (this.mode === BITS) {
      if (this.growBits(first, second)) return this.insertPair(first, second);
      this.rebuild(HASH);
    }
    const pair = PAIR;
    pair[0] = first;
    pair[1] = second;
    return this.insert(pair);
  }

  /** Appends a pair whose bit is already set, doubling the data array first. */
  private appendPairGrowing(first: number, second: number): number {
    const pair = PAIR;
    pair[0] = first;
    pair[1] = second;
    return this.append(pair, 0);
  }

  /**
   * Makes the bitset cover (first, second): rows double, and so do row widths, up to {@link BITSET_WORDS}.
   * False when the pair cannot be covered (not small non-negative integers, or too wide a span).
   */
  private growBits(first: number, second: number): boolean {
    if (first >>> 0 !== first || second >>> 0 !== second) return false;
    const needRows = Math.max(this.bitRows, first + 1),
      needWords = Math.max(this.rowWords, (second >>> 5) + 1);
    if (needRows * needWords > BITSET_WORDS) return false;
    let rows = first >= this.bitRows ? Math.max(needRows, this.bitRows * 2) : this.bitRows;
    let rw = second >>> 5 >= this.rowWords ? Math.max(needWords, this.rowWords * 2) : this.rowWords;
    if (rows * rw > BITSET_WORDS) {
      rows = needRows;
      rw = needWords;
    }
    const old = this.bits,
      oldRw = this.rowWords;
    const bits = uint32s.take(rows * rw);
    if (rw === oldRw) bits.set(old);
    else for (let r = 0; r < this.bitRows; r++) for (let k = 0; k < oldRw; k++) bits[r * rw + k] = old[r * oldRw + k]!;
    this.bits = bits;
    this.bitRows = rows;
    this.rowWords = rw;
    return true;
  }

  private append(src: ArrayLike<number>, offset: number): number {
    const id = this.count;
    const a = this.arity;
    let d = this.data;
    if ((id + 1) * a > d.length) {
      const n = d.length === 0 ? Math.max(INITIAL_DATA, a) : d.length * 2;
      const grown = this.wide ? float64s.take(n) : int32s.take(n);
      grown.set(d);
      this.data = d = grown;
    }
    if (!this.wide) {
      for (let c = 0; c < a; c++) {
        const v = src[offset + c]!;
        // -0 passes and is stored as 0: Dedalus integers have no negative zero (and dedupe already equates them).
        if ((v | 0) !== v) {
          d = this.widen();
          break;
        }
      }
    }
    const base = id * a;
    for (let c = 0; c < a; c++) d[base + c] = src[offset + c]!;
    this.count = id + 1;
    if (this.indexList.length !== 0) this.addToIndexes(id);
    return id;
  }

  private addToIndexes(id: number): void {
    const list = this.indexList;
    for (let k = 0; k < list.length; k++) this.addToIndex(list[k]!, id);
  }

  /** Switches the data to doubles (a value outside the 32-bit range arrived). */
  private widen(): Float64Array {
    const d = float64s.take(this.data.length);
    d.set(this.data);
    this.data = d;
    this.wide = true;
    return d;
  }

  private place(g: Group, id: number): void {
    const base = id * this.arity;
    let slot = this.hashRest(this.data, base) & g.mask;
    while (g.ids[slot] !== 0) slot = (slot + 1) & g.mask;
    g.ids[slot] = id + 1;
    g.keys[slot] = this.arity > 1 ? this.data[base + 1]! : 0;
    g.n++;
  }

  private grow(g: Group, capacity: number): void {
    const old = g.ids,
      oldKeys = g.keys;
    g.ids = int32s.take(capacity);
    g.keys = float64s.take(capacity);
    g.mask = capacity - 1;
    g.n = 0;
    if (this.arity === 2) {
      // The hash depends on the second column only, which the old table holds: no tuple data reads.
      for (let i = 0; i < old.length; i++) {
        if (old[i] === 0) continue;
        const k = oldKeys[i]!;
        let slot = finish(mix(0x811c9dc5, k)) & g.mask;
        while (g.ids[slot] !== 0) slot = (slot + 1) & g.mask;
        g.ids[slot] = old[i]!;
        g.keys[slot] = k;
        g.n++;
      }
      return;
    }
    for (let i = 0; i < old.length; i++) if (old[i] !== 0) this.place(g, old[i]! - 1);
  }

  /** Switches dedupe mode, rebuilding the groups or the bitset from the tuple data. */
  private rebuild(mode: typeof BITS | typeof HASH): void {
    this.dense = [];
    this.sparse = null;
    this.bits = EMPTY_BITS;
    this.bitRows = this.rowWords = 0;
    const a = this.arity,
      d = this.data;
    if (mode === BITS) {
      // Size the bitset for the values seen so far (growBits doubles from there).
      let rows = 0,
        words = 0;
      for (let i = 0; i < this.count; i++) {
        const first = d[i * 2]!,
          second = d[i * 2 + 1]!;
        if (first >>> 0 !== first || second >>> 0 !== second) return this.rebuild(HASH);
        rows = Math.max(rows, first + 1);
        words = Math.max(words, (second >>> 5) + 1);
      }
      if (rows * words > BITSET_WORDS) return this.rebuild(HASH);
      this.mode = BITS;
      this.bits = uint32s.take(rows * words);
      this.bitRows = rows;
      this.rowWords = words;
      for (let i = 0; i < this.count; i++) {
        const second = d[i * 2 + 1]!;
        const w = d[i * 2]! * words + (second >>> 5);
        this.bits[w] = this.bits[w]! | (1 << (second & 31));
      }
      return;
    }
    this.mode = HASH;
    for (let i = 0; i < this.count; i++) {
      const g = this.group(d[i * a]!);
      if (g.ids.length === 0) this.grow(g, GROUP_CAPACITY);
      if ((g.n + 1) * 2 > g.ids.length) this.grow(g, g.ids.length * 2);
      this.place(g, i);
    }
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
    index.add(key, id);
  }

  /** The index over `columns` (ascending column numbers), building it on first use. */
  index(columns: readonly number[]): ColumnIndex {
    // A join asks for the same index (the same columns array) once per round: skip the name and the map.
    if (columns === this.lastColumns) return this.lastIndex!;
    const idx = this.indexNamed(columns);
    this.lastColumns = columns;
    this.lastIndex = idx;
    return idx;
  }

  private indexNamed(columns: readonly number[]): ColumnIndex {
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
  static keyFor(this: void, index: ColumnIndex, values: ArrayLike<number>): number {
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
  let a = 0,
    b = list.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (list[m]! < x) a = m + 1;
    else b = m;
  }
  return a;
}
