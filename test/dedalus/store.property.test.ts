/**
 * TupleStore against a model (a Set of tuple keys): whatever the dedupe mode (linear scan, flat bitset,
 * hash tables) and whichever way a tuple comes in (insert, insertPair), a store holds each distinct
 * tuple once, in insertion order, and reports duplicates. Values are chosen to cross every mode switch:
 * small ids (bitset), ids far apart (bitset growth by rows and by row width), values beyond the bitset's
 * span, negative and fractional-free large integers (fallback to hash tables).
 */
import fc from "fast-check";
import { TupleStore } from "../../lib/dedalus/store";

const value = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 40 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 5000 }) },
  { weight: 1, arbitrary: fc.integer({ min: -3, max: -1 }) },
  { weight: 1, arbitrary: fc.constantFrom(1 << 22, 2 ** 33, Number.MAX_SAFE_INTEGER) },
);

const ops = fc.array(fc.record({ pair: fc.tuple(value, value), viaPair: fc.boolean() }), { maxLength: 300 });

const keyOf = (t: readonly number[]): string => t.join(",");

function check(trackIds: boolean, inserted: { pair: [number, number]; viaPair: boolean }[]): void {
  const store = new TupleStore(2, 0, 1, trackIds);
  const seen = new Map<string, number>();
  const order: string[] = [];
  for (const { pair, viaPair } of inserted) {
    const k = keyOf(pair);
    const r = viaPair ? store.insertPair(pair[0], pair[1]) : store.insert(Float64Array.from(pair));
    const before = seen.get(k);
    if (before === undefined) {
      expect(r).toBe(order.length);
      seen.set(k, r);
      order.push(k);
    } else {
      // Stores that track ids name the existing tuple; the others may answer -1 instead.
      if (trackIds || r !== -1) expect(r).toBe(-(before + 1));
    }
  }
  expect(store.count).toBe(order.length);
  for (let i = 0; i < store.count; i++) expect(keyOf(store.tuple(i))).toBe(order[i]);
  // find() answers from any mode (a bitset store switches to hash tables for it).
  for (const [k, id] of seen) expect(store.find(k.split(",").map(Number))).toBe(id);
  expect(store.find([7, -99])).toBe(-1);
}

describe("TupleStore dedupe", () => {
  it("two-column stores without ids (bitset mode) agree with a set", () => {
    fc.assert(
      fc.property(ops, (inserted) => check(false, inserted)),
      { numRuns: 200 },
    );
  });

  it("two-column stores with ids (hash mode) agree with a set and name the duplicate", () => {
    fc.assert(
      fc.property(ops, (inserted) => check(true, inserted)),
      { numRuns: 200 },
    );
  });

  it("three-column stores (hash mode, data widened to doubles by large values) agree with a set", () => {
    const triples = fc.array(fc.tuple(value, value, value), { maxLength: 200 });
    fc.assert(
      fc.property(triples, (inserted) => {
        const store = new TupleStore(3, 0, 1, false);
        const ids = new Map<string, number>();
        for (const t of inserted) {
          const r = store.insert(Float64Array.from(t));
          const before = ids.get(keyOf(t));
          if (before === undefined) ids.set(keyOf(t), r);
          expect(r).toBe(before === undefined ? ids.size - 1 : -(before + 1));
        }
        expect([...ids.keys()]).toEqual(Array.from({ length: store.count }, (_, i) => keyOf(store.tuple(i))));
      }),
      { numRuns: 100 },
    );
  });

  it("a dense transitive-closure-shaped store grows its bitset by rows and by width", () => {
    const store = new TupleStore(2, 0, 1, false);
    const fresh: number[] = [],
      again: number[] = [];
    for (let x = 0; x < 300; x += 7) for (let y = 0; y < 2000; y += 13) fresh.push(store.insertPair(x, y));
    for (let x = 0; x < 300; x += 7) for (let y = 0; y < 2000; y += 13) again.push(store.insertPair(x, y));
    expect(fresh).toEqual(fresh.map((_, i) => i));
    expect(again.every((r) => r === -1)).toBe(true);
    expect(store.count).toBe(fresh.length);
  });

  it("indexes built before later inserts stay complete on the bitset path", () => {
    const store = new TupleStore(2, 0, 1, false);
    for (let y = 0; y < 20; y++) store.insertPair(1, y);
    const byFirst = store.index([0]);
    const bySecond = store.index([1]);
    for (let y = 20; y < 40; y++) store.insertPair(1, y);
    store.insertPair(2, 5);
    expect(byFirst.get(1)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(bySecond.get(5)).toEqual([5, 40]);
  });
});
