import * as util from "node:util";
import fc from "fast-check";
import { format, inspect } from "../../lessons/live/inspect";

class Point {
  constructor(readonly x: number, readonly y: number) {}
}

/** Values of the kinds lessons print: JSON-like data, Maps, Sets, class instances, odd keys and strings. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.string(), fc.string({ unit: fc.constantFrom("→", "∨", "é", "✓", "⊥", "日", "\u0301", "\t", "\u0007", "\u009b", "\\"), maxLength: 4 }),
    fc.constantFrom("it's", 'say "hi"', "a'b\"c", "line one\nline two and a much longer second line that goes on past the break length of eighty"),
    fc.bigInt(), fc.constant(-0),
  ),
  node: fc.oneof(
    { depthSize: "small" },
    tie("leaf"),
    fc.array(tie("node"), { maxLength: 30 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("a", "bc", "x_1", "$y", "1", "with space")), tie("node"), { maxKeys: 8 }),
    fc.array(fc.tuple(fc.string({ maxLength: 3 }), tie("node")), { maxLength: 4 }).map((e) => new Map(e)),
    fc.array(tie("leaf"), { maxLength: 8 }).map((e) => new Set(e)),
    fc.tuple(fc.integer(), fc.integer()).map(([x, y]) => new Point(x, y)),
    fc.array(fc.integer({ min: -1000, max: 100000 }), { minLength: 7, maxLength: 130 }),
  ),
})).node;

describe("the browser twin of util.inspect", () => {
  test("formats random values exactly as Node does", () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(inspect(v)).toBe(util.inspect(v));
      }),
      { numRuns: 2000 },
    );
  });

  test("formats what lessons print: nested records, long arrays, functions, circular references", () => {
    const circular: Record<string, unknown> = { name: "loop" };
    circular["self"] = circular;
    const samples: unknown[] = [
      { impact: [{ program: "classic", message: "a→b @1", predicted: "survives", actual: "survives" }], more: { a: { b: { c: { d: 1 } } } } },
      Array.from({ length: 150 }, (_, i) => i * 7),
      Array.from({ length: 20 }, (_, i) => `item-${i}`),
      function named() {}, () => 1, class Foo {}, async function later() {},
      circular, new Date(0), /ab+c/gi, Object.create(null), Object.assign(Object.create(null), { a: 1 }),
    ];
    for (const s of samples) expect(inspect(s)).toBe(util.inspect(s));
  });

  test("format follows util.format's placeholders and spacing", () => {
    const cases: unknown[][] = [["a", 1, { b: 2 }], ["%s is %d", "x", 4, "extra"], ["100%", 5], ["%j", { a: [1] }], [{ a: 1 }, "b"], ["%o"]];
    for (const c of cases) expect(format(...c)).toBe(util.format(...c));
  });
});
