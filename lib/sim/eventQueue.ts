/**
 * A binary min-heap of scheduled items ordered by (time, insertion order). Ties in time are broken by
 * insertion order, which is what makes a run deterministic: two events at the same instant always
 * happen in the order they were scheduled.
 */
export class EventQueue<T> {
  private times: number[] = [];
  private seqs: number[] = [];
  private items: T[] = [];
  private nextSeq = 0;

  /** Number of pending items. */
  get size(): number {
    return this.items.length;
  }

  /** Time of the earliest item, or `undefined` when empty. */
  peekTime(): number | undefined {
    return this.times[0];
  }

  /** Schedules `item` at `time`. */
  push(time: number, item: T): void {
    const seq = this.nextSeq++;
    let i = this.items.length;
    this.times.push(time);
    this.seqs.push(seq);
    this.items.push(item);
    // Sift up.
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(time, seq, p)) break;
      this.move(p, i);
      i = p;
    }
    this.times[i] = time;
    this.seqs[i] = seq;
    this.items[i] = item;
  }

  /** Removes and returns the earliest item with its time, or `undefined` when empty. */
  pop(): { time: number; item: T } | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    const time = this.times[0] as number;
    const item = this.items[0] as T;
    const lastT = this.times.pop() as number;
    const lastS = this.seqs.pop() as number;
    const lastI = this.items.pop() as T;
    if (n > 1) {
      let i = 0;
      const m = n - 1;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= m) break;
        const r = l + 1;
        const c = r < m && this.lessAt(r, l) ? r : l;
        if (!this.before(this.times[c] as number, this.seqs[c] as number, -1, lastT, lastS)) break;
        this.move(c, i);
        i = c;
      }
      this.times[i] = lastT;
      this.seqs[i] = lastS;
      this.items[i] = lastI;
    }
    return { time, item };
  }

  private lessAt(a: number, b: number): boolean {
    const ta = this.times[a] as number;
    const tb = this.times[b] as number;
    return ta < tb || (ta === tb && (this.seqs[a] as number) < (this.seqs[b] as number));
  }

  /** Is (time, seq) strictly before the entry at index `j` (or before (tj, sj) when `j < 0`)? */
  private before(time: number, seq: number, j: number, tj?: number, sj?: number): boolean {
    const t2 = j >= 0 ? (this.times[j] as number) : (tj as number);
    const s2 = j >= 0 ? (this.seqs[j] as number) : (sj as number);
    return time < t2 || (time === t2 && seq < s2);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from] as number;
    this.seqs[to] = this.seqs[from] as number;
    this.items[to] = this.items[from] as T;
  }
}
