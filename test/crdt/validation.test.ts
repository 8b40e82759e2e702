/**
 * Issue 12: CRDT entry points given garbage throw a CrdtStateError naming the invariant (or a
 * CrdtOpError for an unknown operation), never a TypeError or a silently wrong answer; replica ids
 * and map keys such as "__proto__" survive encode/decode.
 */
import { gCounter, lwwRegister, mvRegister, orSet, pnCounter, rga, twoPhaseSet, type Crdt } from "../../lib/index";
import { CrdtOpError, CrdtStateError, gSet, orMap, runReplicas } from "../../lib/internals";

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("garbage states", () => {
  test("join(null) names the well-formed invariant", () => {
    const e = thrown(() => pnCounter.join(null as never, pnCounter.bottom()));
    expect(e).toBeInstanceOf(CrdtStateError);
    expect((e as CrdtStateError).invariant).toBe("well-formed");
    expect((e as Error).message).toBe(
      "pn-counter: corrupted state at state: expected a pn-counter state, got null (invariant well-formed)",
    );
  });

  test("leq(42, s)", () => {
    const e = thrown(() => gCounter.leq(42 as never, gCounter.bottom()));
    expect(e).toBeInstanceOf(CrdtStateError);
    expect((e as Error).message).toBe("g-counter: corrupted state at state: expected a g-counter state, got 42 (invariant well-formed)");
  });

  test("value(raw): the encoded JSON instead of a state", () => {
    const raw = pnCounter.encode(pnCounter.apply(pnCounter.bottom(), { op: "inc" }, "a"));
    const e = thrown(() => pnCounter.value(raw as never));
    expect(e).toBeInstanceOf(CrdtStateError);
    expect((e as Error).message).toBe(
      "pn-counter: corrupted state at state: expected {p, n}, two Maps of replica counts (invariant well-formed)",
    );
    expect(thrown(() => gCounter.value({ a: 1 } as never))).toBeInstanceOf(CrdtStateError);
  });

  test("gCounter.leq over a NaN map is never true", () => {
    expect(gCounter.leq(new Map([["a", NaN]]), gCounter.bottom())).toBe(false);
    expect(gCounter.leq(new Map([["a", NaN]]), new Map([["a", 5]]))).toBe(false);
    // and a join, which checks in full, names the invariant
    const e = thrown(() => gCounter.join(new Map([["a", NaN]]), gCounter.bottom()));
    expect((e as CrdtStateError).invariant).toBe("counts-non-negative");
  });

  const types: Crdt<unknown, unknown, unknown>[] = [
    gCounter,
    pnCounter,
    gSet,
    twoPhaseSet,
    lwwRegister,
    mvRegister,
    orSet,
    orMap(pnCounter),
    rga,
  ] as never;
  const garbage: unknown[] = [null, undefined, 42, "raw", [], {}, { p: 1, n: 2 }, new Map([["x", "y"]]), new Set([1])];

  test.each(types.map((t) => [t.name, t] as const))(
    "%s: every entry point answers garbage with a CrdtStateError or CrdtOpError",
    (_name, crdt) => {
      const b = crdt.bottom();
      const calls: ((g: unknown) => unknown)[] = [
        (g) => crdt.join(g, b),
        (g) => crdt.join(b, g),
        (g) => crdt.joinInto(crdt.clone(b), g),
        (g) => crdt.leq(g, b),
        (g) => crdt.leq(b, g),
        (g) => crdt.value(g),
        (g) => crdt.encode(g),
        (g) => crdt.decode(g),
        (g) => crdt.equals(g, b),
        (g) => crdt.clone(g),
        (g) => crdt.apply(g, { op: "inc" }, "a"),
        (g) => crdt.apply(b, g, "a"),
        (g) => crdt.applyInPlace(g, { op: "add", element: "x" }, "a"),
        (g) => crdt.delta(g, { op: "set", value: 1 }, "a"),
        (g) => crdt.check(g),
      ];
      for (const g of garbage) {
        for (const call of calls) {
          const e = thrown(() => call(g));
          if (e !== undefined && !(e instanceof CrdtStateError || e instanceof CrdtOpError))
            throw new Error(`${crdt.name}: ${call.toString()} on ${String(g)} threw ${e instanceof Error ? e.message : JSON.stringify(e)}`);
        }
      }
    },
  );
});

describe("unknown operations", () => {
  test('pnCounter.apply(s, { op: "mul" }) is refused, not a decrement', () => {
    const e = thrown(() => pnCounter.apply(pnCounter.bottom(), { op: "mul" } as never, "a"));
    expect(e).toBeInstanceOf(CrdtOpError);
    expect((e as Error).message).toBe(
      'pn-counter: invalid operation: unknown operation {"op":"mul"}: expected { op: "inc" } or { op: "dec" }',
    );
    expect(thrown(() => pnCounter.delta(pnCounter.bottom(), { op: "mul" } as never, "a"))).toBeInstanceOf(CrdtOpError);
    expect(thrown(() => pnCounter.applyInPlace(pnCounter.bottom(), { op: "mul" } as never, "a"))).toBeInstanceOf(CrdtOpError);
  });

  test("every type names its operation kinds", () => {
    expect(thrown(() => gCounter.apply(gCounter.bottom(), { op: "dec" } as never, "a"))).toBeInstanceOf(CrdtOpError);
    expect((thrown(() => orSet.apply(orSet.bottom(), { op: "clear" } as never, "a")) as Error).message).toBe(
      'or-set: invalid operation: unknown operation {"op":"clear"}: expected { op: "add" } or { op: "remove" }',
    );
    expect(thrown(() => rga.apply(rga.bottom(), null as never, "a"))).toBeInstanceOf(CrdtOpError);
  });
});

describe('a replica named "__proto__"', () => {
  test("survives encode/decode in counters, sets, contexts and maps", () => {
    const g = gCounter.apply(gCounter.bottom(), { op: "inc", by: 3 }, "__proto__");
    const text = JSON.stringify(gCounter.encode(g));
    expect(text).toBe('{"__proto__":3}');
    expect(gCounter.value(gCounter.decode(JSON.parse(text)))).toBe(3);

    const s = orSet.apply(orSet.bottom(), { op: "add", element: "x" }, "__proto__");
    const back = orSet.decode(JSON.parse(JSON.stringify(orSet.encode(s))));
    expect(orSet.equals(back, s)).toBe(true);
    expect(back.context.size).toBe(1);

    const m = orMap(pnCounter);
    const ms = m.apply(m.bottom(), { op: "update", key: "__proto__", inner: { op: "inc", by: 2 } }, "__proto__");
    const value = m.value(m.decode(JSON.parse(JSON.stringify(m.encode(ms)))));
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(Object.getOwnPropertyDescriptor(value, "__proto__")?.value).toBe(2);
  });

  test("converges through anti-entropy", () => {
    const run = runReplicas({
      crdt: gCounter,
      replicas: ["__proto__", "b"],
      ops: [
        { at: 1, replica: "__proto__", op: { op: "inc", by: 2 } },
        { at: 2, replica: "b", op: { op: "inc" } },
      ],
      seed: 3,
    });
    expect(run.converged).toBe(true);
    expect(Object.entries(run.values)).toEqual([
      ["__proto__", 3],
      ["b", 3],
    ]);
  });
});
