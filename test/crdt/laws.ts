import fc from "fast-check";
import { Random } from "../../lib/random/random";
import type { AnyCrdtEntry } from "../../lib/crdt/workloads";
import { REPLICAS, arbHistory, propertyParams, runHistory } from "./properties";

/**
 * The lattice and delta laws, written once and run for every CRDT type (STYLE.md). Each law is a
 * jest test; each test is a fast-check property over generated histories.
 */
export function describeLatticeLaws(entry: AnyCrdtEntry): void {
  const { crdt } = entry;
  const eq = (x: unknown, y: unknown): boolean => crdt.equals(x, y);
  const three = fc.tuple(arbHistory, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }));
  const prop = (name: string, check: (a: unknown, b: unknown, c: unknown, states: unknown[]) => void): void => {
    test(name, () => {
      fc.assert(
        fc.property(three, ([history, i, j, k]) => {
          const states = runHistory(entry, history);
          check(states[i], states[j], states[k], states);
        }),
        propertyParams,
      );
    });
  };

  describe(`${crdt.name} lattice laws`, () => {
    prop("join is associative", (a, b, c) => {
      expect(eq(crdt.join(crdt.join(a, b), c), crdt.join(a, crdt.join(b, c)))).toBe(true);
    });
    prop("join is commutative", (a, b) => {
      expect(eq(crdt.join(a, b), crdt.join(b, a))).toBe(true);
    });
    prop("join is idempotent and bottom is its identity", (a) => {
      expect(eq(crdt.join(a, a), a)).toBe(true);
      expect(eq(crdt.join(a, crdt.bottom()), a)).toBe(true);
      expect(crdt.leq(crdt.bottom(), a)).toBe(true);
    });
    prop("leq agrees with join: a <= b iff join(a, b) = b", (a, b) => {
      expect(crdt.leq(a, b)).toBe(eq(crdt.join(a, b), b));
      expect(crdt.leq(a, crdt.join(a, b))).toBe(true);
      expect(crdt.leq(a, a)).toBe(true);
    });
    prop("join is pure and joinInto never aliases its source", (a, b) => {
      const before = [JSON.stringify(crdt.encode(a)), JSON.stringify(crdt.encode(b))];
      const joined = crdt.joinInto(crdt.clone(a), b);
      expect(eq(joined, crdt.join(a, b))).toBe(true);
      // Mutate the result: b must not change with it.
      for (let s = 0; s < 3; s++) crdt.applyInPlace(joined, entry.randomOp(joined, new Random(s), "z"), "z");
      expect([JSON.stringify(crdt.encode(a)), JSON.stringify(crdt.encode(b))]).toEqual(before);
    });
    test("a delta joined equals the operation applied, and operations inflate", () => {
      fc.assert(
        fc.property(arbHistory, fc.integer({ min: 0, max: 2 }), fc.integer(), (history, i, seed) => {
          const s = runHistory(entry, history)[i];
          const r = REPLICAS[i] as string;
          const op = entry.randomOp(s, new Random(seed), r);
          const applied = crdt.apply(s, op, r);
          const d = crdt.delta(s, op, r);
          expect(eq(crdt.join(s, d), applied)).toBe(true);
          expect(crdt.leq(d, applied)).toBe(true);
          expect(crdt.leq(s, applied)).toBe(true);
        }),
        propertyParams,
      );
    });
    prop("reachable states are well formed and survive the wire", (a) => {
      expect(crdt.check(a)).toBeUndefined();
      const back = crdt.decode(JSON.parse(JSON.stringify(crdt.encode(a))));
      expect(eq(back, a)).toBe(true);
      expect(crdt.value(back)).toEqual(crdt.value(a));
    });
  });
}
