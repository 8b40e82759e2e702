import { CrdtStateError, malformed, asObject, asArray, setOwn, type Json, type ReplicaId } from "./lattice";

/**
 * A dot: one event of one replica, written `replica:counter` (e.g. `a:3`, the third event of `a`).
 * The counter comes after the last colon, so replica ids may themselves contain colons.
 */
export type Dot = string;

/** Builds the dot `replica:counter`. */
export function dot(replica: ReplicaId, counter: number): Dot {
  return `${replica}:${counter}`;
}

/** Splits a dot into replica and counter, or returns `undefined` when it is not one. */
export function parseDot(d: unknown): { replica: ReplicaId; counter: number } | undefined {
  if (typeof d !== "string") return undefined;
  const i = d.lastIndexOf(":");
  if (i <= 0) return undefined;
  const counter = Number(d.slice(i + 1));
  if (!Number.isSafeInteger(counter) || counter < 1 || String(counter) !== d.slice(i + 1)) return undefined;
  return { replica: d.slice(0, i), counter };
}

/**
 * A causal context: the set of dots a replica has seen, stored compactly as a version vector (all dots
 * `r:1..vv[r]`) plus a "cloud" of dots beyond a gap. Kept in normal form — no cloud dot is covered by
 * the vector or extends it contiguously — so equal sets of dots have equal representations.
 * Mutable: owned by the state that holds it.
 */
export class CausalContext {
  constructor(
    readonly vv: Map<ReplicaId, number> = new Map(),
    readonly cloud: Set<Dot> = new Set(),
  ) {}

  /** Has this context seen `d`? */
  has(d: Dot): boolean {
    if (this.cloud.has(d)) return true;
    const p = parseDot(d);
    return p !== undefined && p.counter <= (this.vv.get(p.replica) ?? 0);
  }

  /** The next fresh dot for `replica`: one past everything this context has seen from it. */
  next(replica: ReplicaId): Dot {
    let n = (this.vv.get(replica) ?? 0) + 1;
    while (this.cloud.has(dot(replica, n))) n++;
    return dot(replica, n);
  }

  /** Adds one dot. */
  add(d: Dot): this {
    const p = parseDot(d) as { replica: ReplicaId; counter: number };
    const v = this.vv.get(p.replica) ?? 0;
    if (p.counter <= v) return this;
    if (p.counter === v + 1) {
      this.vv.set(p.replica, p.counter);
      this.absorb(p.replica);
    } else this.cloud.add(d);
    return this;
  }

  /** Adds every dot of `other`. */
  joinInto(other: CausalContext): this {
    for (const [r, n] of other.vv) if (n > (this.vv.get(r) ?? 0)) this.vv.set(r, n);
    for (const d of other.cloud) this.cloud.add(d);
    this.compact();
    return this;
  }

  /** Every dot of this context is in `other`. */
  leq(other: CausalContext): boolean {
    for (const [r, n] of this.vv)
      if (n > (other.vv.get(r) ?? 0)) {
        // The vector may still be covered dot by dot by other's cloud.
        for (let k = (other.vv.get(r) ?? 0) + 1; k <= n; k++) if (!other.cloud.has(dot(r, k))) return false;
      }
    for (const d of this.cloud) if (!other.has(d)) return false;
    return true;
  }

  /** A deep copy. */
  clone(): CausalContext {
    return new CausalContext(new Map(this.vv), new Set(this.cloud));
  }

  /** Number of entries stored (vector entries + cloud dots): the context's metadata size. */
  get size(): number {
    return this.vv.size + this.cloud.size;
  }

  /** Canonical JSON: `{vv: {replica: n}, cloud: [dots]}`, sorted. */
  encode(): Json {
    const vv: Record<string, Json> = {};
    for (const r of [...this.vv.keys()].sort()) setOwn(vv, r, this.vv.get(r) as number);
    return { vv, cloud: [...this.cloud].sort() };
  }

  /** Parses a context; `crdt` and `path` name the place in errors. Normalises the representation. */
  static decode(crdt: string, path: string, json: unknown): CausalContext {
    const o = asObject(crdt, path, json);
    const vvJson = asObject(crdt, `${path}.vv`, o["vv"]);
    const ctx = new CausalContext();
    for (const [r, n] of Object.entries(vvJson)) {
      if (r === "" || typeof n !== "number" || !Number.isSafeInteger(n) || n < 0)
        malformed(crdt, `${path}.vv[${JSON.stringify(r)}]`, `expected a count >= 0, got ${JSON.stringify(n)}`);
      if (n > 0) ctx.vv.set(r, n);
    }
    asArray(crdt, `${path}.cloud`, o["cloud"]).forEach((d, i) => {
      if (!parseDot(d)) malformed(crdt, `${path}.cloud[${i}]`, `not a dot: ${JSON.stringify(d)}`);
      ctx.cloud.add(d as Dot);
    });
    ctx.compact();
    return ctx;
  }

  /** The first malformed entry, or `undefined`. */
  check(crdt: string, path: string): CrdtStateError | undefined {
    for (const [r, n] of this.vv)
      if (r === "" || !Number.isSafeInteger(n) || n < 0)
        return new CrdtStateError(crdt, "well-formed", `${path}.vv[${JSON.stringify(r)}]`, `bad count ${n}`);
    for (const d of this.cloud)
      if (!parseDot(d)) return new CrdtStateError(crdt, "well-formed", `${path}.cloud`, `not a dot: ${JSON.stringify(d)}`);
    return undefined;
  }

  /** Restores normal form: cloud dots covered by or contiguous with the vector move into it. */
  private compact(): void {
    const touched = new Set<ReplicaId>();
    for (const d of this.cloud) {
      const p = parseDot(d) as { replica: ReplicaId; counter: number };
      if (p.counter <= (this.vv.get(p.replica) ?? 0)) this.cloud.delete(d);
      else touched.add(p.replica);
    }
    for (const r of touched) this.absorb(r);
  }

  private absorb(r: ReplicaId): void {
    if (this.cloud.size === 0) return;
    let v = this.vv.get(r) ?? 0;
    while (this.cloud.delete(dot(r, v + 1))) v++;
    if (v > 0) this.vv.set(r, v);
  }
}
