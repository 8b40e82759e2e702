/** A seed: any 32-bit integer. The same seed always gives the same sequence. */
export type Seed = number;

/**
 * A small, fast, seeded pseudo-random generator (mulberry32). Every source of randomness in maze
 * (simulator schedules, random fault injection, generated workloads) draws from one of these so a
 * run is reproducible from its seed. `fork` derives an independent stream so adding draws in one
 * component does not shift the sequence another component sees.
 */
export class Random {
  private state: number;

  constructor(seed: Seed) {
    if (!Number.isFinite(seed)) throw new RangeError(`Random: seed must be a finite number, got ${seed}`);
    this.state = seed >>> 0;
  }

  /** A float uniformly distributed in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer uniformly distributed in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    if (!(hi >= lo)) throw new RangeError(`Random.int: empty range [${lo}, ${hi}]`);
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Random.pick: empty array");
    return items[this.int(0, items.length - 1)] as T;
  }

  /** An exponentially distributed float with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** A new generator whose stream is independent of this one's future draws. */
  fork(label = 0): Random {
    return new Random((this.int(0, 0x7fffffff) ^ Math.imul(label + 1, 0x9e3779b1)) >>> 0);
  }
}
