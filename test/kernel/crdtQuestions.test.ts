import fc from "fast-check";
import { answerCrdtQuestions, snapshotState, validateCrdtAnswers, type CrdtQuestion } from "../../lib/labs/crdtQuestions";

const counter = {
  bottom: () => ({ p: {} as Record<string, number> }),
  join: (a: { p: Record<string, number> }, b: { p: Record<string, number> }) => {
    const p = { ...a.p };
    for (const [k, v] of Object.entries(b.p)) p[k] = Math.max(p[k] ?? 0, v);
    return { p };
  },
  leq: (a: { p: Record<string, number> }, b: { p: Record<string, number> }) => Object.entries(a.p).every(([k, v]) => v <= (b.p[k] ?? 0)),
  increment: (s: { p: Record<string, number> }, r: string) => ({ p: { ...s.p, [r]: (s.p[r] ?? 0) + 1 } }),
  decrement: (s: { p: Record<string, number> }) => s,
  value: (s: { p: Record<string, number> }) => Object.values(s.p).reduce((x, y) => x + y, 0),
};

test("a snapshot is canonical: the same data gives the same text whatever the insertion order", () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.array(fc.integer()))), (d) => {
      const reversed = Object.fromEntries(Object.entries(d).reverse());
      expect(snapshotState(reversed)).toBe(snapshotState(d));
      expect(snapshotState(new Map(Object.entries(reversed)))).toBe(snapshotState(new Map(Object.entries(d))));
    }),
  );
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic["self"] = cyclic;
  expect(snapshotState(cyclic)).toBe('{"a":1,"self":[cycle]}');
  expect(snapshotState("x".repeat(100), 10)).toBe('"xxxxxxxxx…');
});

test("answers name the function that threw, returned the wrong type or changed its input; later questions are skipped", () => {
  const qs: CrdtQuestion[] = [
    { q: "bottom" },
    { q: "op", state: 0, op: "inc", replica: "a" },
    { q: "join", a: 0, b: 1 },
    { q: "leq", a: 0, b: 2 },
    { q: "value", state: 2 },
  ];
  expect(answerCrdtQuestions(counter, "counter", qs)).toEqual([
    { a: "state" },
    { a: "state" },
    { a: "state" },
    { a: "bool", value: true },
    { a: "value", value: 1 },
  ]);
  const broken = {
    ...counter,
    join: () => {
      throw new TypeError("no");
    },
    value: () => "1",
  };
  const answers = answerCrdtQuestions(broken, "counter", [...qs, { q: "value", state: 1 }]);
  expect(answers[2]).toEqual({ a: "threw", fn: "join", message: "TypeError: no" });
  expect(answers[3]).toEqual({ a: "skipped" });
  expect(answers[5]).toEqual({ a: "invalid", fn: "value", message: 'returned "1", not a finite number' });
  const mutating = {
    ...counter,
    increment: (s: { p: Record<string, number> }, r: string) => {
      s.p[r] = 1;
      return s;
    },
  };
  expect(answerCrdtQuestions(mutating, "counter", qs.slice(0, 2))[1]).toEqual({
    a: "state",
    mutated: { fn: "increment", before: '{"p":{}}', after: '{"p":{"a":1}}' },
  });
});

test("answers from another process are checked against the questions: wrong count, kind or type is named", () => {
  const qs: CrdtQuestion[] = [{ q: "bottom" }, { q: "leq", a: 0, b: 0 }, { q: "value", state: 0 }];
  expect(validateCrdtAnswers(qs, [{ a: "state" }, { a: "bool", value: true }, { a: "value", value: 3 }])).toBeUndefined();
  expect(validateCrdtAnswers(qs, "lots")).toBe("the answers are not a list");
  expect(validateCrdtAnswers(qs, [{ a: "state" }])).toBe("1 answers to 3 questions");
  expect(validateCrdtAnswers(qs, [{ a: "state" }, { a: "bool", value: "yes" }, { a: "value", value: 3 }])).toBe(
    "answer 1 (to leq): a boolean where none was asked for",
  );
  expect(validateCrdtAnswers(qs, [{ a: "state" }, { a: "bool", value: true }, { a: "value", value: [1] }])).toBe(
    "answer 2 (to value): a malformed value",
  );
  expect(
    validateCrdtAnswers(qs, [
      { a: "bool", value: true },
      { a: "bool", value: true },
      { a: "value", value: 3 },
    ]),
  ).toBe("answer 0 (to bottom): a boolean where none was asked for");
  expect(validateCrdtAnswers(qs, [{ a: "state" }, { a: "nope" }, { a: "value", value: 3 }])).toBe(
    'answer 1 (to leq): unknown answer kind "nope"',
  );
  expect(validateCrdtAnswers(qs, [{ a: "state" }, { a: "threw", fn: "leq", message: "x".repeat(5000) }, { a: "value", value: 3 }])).toBe(
    "answer 1 (to leq): a malformed error report",
  );
});
