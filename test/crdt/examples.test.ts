import {
  Replica,
  gCounter,
  lwwRegister,
  mvRegister,
  orSet,
  pnCounter,
  rga,
  rgaDeleteAt,
  rgaInsertAt,
  twoPhaseSet,
  type Crdt,
} from "../../lib/index";
import { CrdtStateError, orMap, runReplicas, gSet } from "../../lib/internals";

describe("semantics by example", () => {
  test("OR-Set: an add concurrent with a remove wins; a remove of what was seen wins", () => {
    const a = new Replica(orSet, "a"),
      b = new Replica(orSet, "b");
    a.update({ op: "add", element: "x" });
    b.merge(a.state);
    b.update({ op: "remove", element: "x" }); // b saw a's add
    a.update({ op: "add", element: "x" }); // concurrent re-add
    a.merge(b.state);
    b.merge(a.state);
    expect(a.value).toEqual(["x"]);
    expect(b.value).toEqual(["x"]);
    b.update({ op: "remove", element: "x" });
    a.merge(b.state);
    expect(a.value).toEqual([]);
  });

  test("2P-Set: a removed element never comes back", () => {
    const a = new Replica(twoPhaseSet, "a");
    a.update({ op: "add", element: "x" });
    a.update({ op: "remove", element: "x" });
    a.update({ op: "add", element: "x" });
    expect(a.value).toEqual([]);
  });

  test("MV-Register keeps concurrent writes; LWW-Register silently drops one", () => {
    const [m1, m2] = [new Replica(mvRegister, "a"), new Replica(mvRegister, "b")];
    m1.update({ op: "set", value: "tea" });
    m2.update({ op: "set", value: "coffee" });
    m1.merge(m2.state);
    expect(m1.value).toEqual(["coffee", "tea"]);
    m1.update({ op: "set", value: "water" });
    expect(m1.value).toEqual(["water"]);
    const [l1, l2] = [new Replica(lwwRegister, "a"), new Replica(lwwRegister, "b")];
    l1.update({ op: "set", value: "tea", ts: 5 });
    l2.update({ op: "set", value: "coffee", ts: 5 });
    l1.merge(l2.state);
    expect(l1.value).toBe("coffee"); // same time: the larger writer id wins
  });

  test("counters count every concurrent increment", () => {
    const [a, b] = [new Replica(pnCounter, "a"), new Replica(pnCounter, "b")];
    a.update({ op: "inc", by: 5 });
    b.update({ op: "dec", by: 2 });
    b.update({ op: "inc" });
    a.merge(b.state);
    expect(a.value).toBe(4);
    const g = new Replica(gCounter, "g");
    expect(() => g.update({ op: "inc", by: -1 })).toThrow(/amount must be a positive integer/);
  });

  test("OR-Map of counters: per-key counters, add-wins keys", () => {
    const m = orMap(pnCounter);
    const a = new Replica(m, "a"),
      b = new Replica(m, "b");
    a.update({ op: "update", key: "likes", inner: { op: "inc" } });
    b.update({ op: "update", key: "likes", inner: { op: "inc", by: 2 } });
    b.update({ op: "update", key: "views", inner: { op: "inc" } });
    a.merge(b.state);
    expect(a.value).toEqual({ likes: 3, views: 1 });
    a.update({ op: "remove", key: "views" });
    expect(a.value).toEqual({ likes: 3 });
  });

  test("RGA: a tiny collaborative text; concurrent runs typed at one place do not interleave", () => {
    const a = new Replica(rga, "a"),
      b = new Replica(rga, "b");
    a.update(rgaInsertAt(a.state, 0, "helo"));
    b.merge(a.state);
    a.update(rgaInsertAt(a.state, 3, "l")); // fix the typo
    b.update(rgaInsertAt(b.state, 4, " world"));
    a.update(rgaInsertAt(a.state, 5, "!!"));
    a.merge(b.state);
    b.merge(a.state);
    expect(a.value).toBe(b.value);
    expect(a.value).toMatch(/^hello(!! world| world!!)$/);
    b.update(rgaDeleteAt(b.state, 0));
    a.merge(b.state);
    expect(a.value.startsWith("ello")).toBe(true);
  });
});

describe("corrupted states are rejected with a typed error, never merged", () => {
  const cases: [string, Crdt<unknown, unknown, unknown>, unknown, string][] = [
    ["negative count", gCounter, { a: -3 }, "counts-non-negative"],
    ["fractional count", gCounter, { a: 1.5 }, "counts-non-negative"],
    ["removed element never added", twoPhaseSet, { added: [], removed: ["x"] }, "removed-subset-of-added"],
    ["OR-Set dot outside its context", orSet, { entries: [["x", ["a:5"]]], context: { vv: { a: 2 }, cloud: [] } }, "dots-in-context"],
    [
      "OR-Set dot supporting two elements",
      orSet,
      {
        entries: [
          ["x", ["a:1"]],
          ["y", ["a:1"]],
        ],
        context: { vv: { a: 1 }, cloud: [] },
      },
      "unique-dots",
    ],
    ["OR-Set malformed dot", orSet, { entries: [["x", ["a"]]], context: { vv: {}, cloud: [] } }, "well-formed"],
    ["MV-Register write outside its context", mvRegister, { entries: [["b:1", 1]], context: { vv: {}, cloud: [] } }, "dots-in-context"],
    ["LWW writer missing", lwwRegister, { value: 3, ts: 4, writer: "" }, "bottom-has-no-writer"],
    [
      "RGA atom after a newer atom",
      rga,
      {
        clock: 3,
        nodes: [
          ["a:1", "a:2", "x"],
          ["a:2", null, "y"],
        ],
        removed: [],
      },
      "inserted-after-older",
    ],
    ["RGA id above the clock", rga, { clock: 1, nodes: [["a:7", null, "x"]], removed: [] }, "clock-covers-ids"],
    ["G-Set non-string element", gSet, [1], "well-formed"],
    ["not even an object", orSet, "garbage", "well-formed"],
  ];
  test.each(cases)("%s", (_name, crdt, json, invariant) => {
    let err: unknown;
    try {
      crdt.decode(json);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CrdtStateError);
    expect((err as CrdtStateError).invariant).toBe(invariant);
  });

  test("a replica refuses a corrupted state and keeps its own unchanged", () => {
    const a = new Replica(gCounter, "a");
    a.update({ op: "inc", by: 2 });
    const bad = new Map([["b", -1]]);
    expect(() => a.merge(bad)).toThrow(CrdtStateError);
    expect(() => gCounter.join(a.state, bad)).toThrow(/counts-non-negative/);
    expect(a.value).toBe(2);
  });

  test("regression: RGA states that give one id two different atoms are refused at merge", () => {
    const x = rga.decode({ clock: 1, nodes: [["a:1", null, "x"]], removed: [] });
    const y = rga.decode({ clock: 1, nodes: [["a:1", null, "y"]], removed: [] });
    expect(() => rga.join(x, y)).toThrow(/ids-name-one-atom/);
  });
});

describe("anti-entropy on the simulator", () => {
  const ops = Array.from({ length: 40 }, (_, i) => ({
    at: i * 5,
    replica: "abcd"[i % 4] as string,
    op: { op: "add" as const, element: `e${i % 25}` },
  }));
  test("delta-state anti-entropy ships fewer bytes than full states, to the same result", () => {
    const state = runReplicas({ crdt: orSet, replicas: 4, ops, mode: "state", seed: 3, network: { loss: 0.1 } });
    const delta = runReplicas({ crdt: orSet, replicas: 4, ops, mode: "delta", seed: 3, network: { loss: 0.1 } });
    expect(state.converged && delta.converged).toBe(true);
    expect(delta.values).toEqual(state.values);
    expect(delta.bytesToConverge).toBeLessThan(state.bytesToConverge);
  });

  test("replicas record their values as notes, and diverge during a partition", () => {
    const run = runReplicas({
      crdt: gCounter,
      replicas: 3,
      ops: [
        { at: 10, replica: "a", op: { op: "inc" } },
        { at: 20, replica: "c", op: { op: "inc" } },
      ],
      partitions: [{ at: 0, heal: 100, groups: [["a"]] }],
    });
    expect(run.converged).toBe(true);
    expect(run.lastChange).toBeGreaterThanOrEqual(100);
    const cValues = run.trace
      .notes("replica")
      .filter((n) => n.node === "c")
      .map((n) => (n.value as { value: number }).value);
    expect(cValues).toEqual([1, 2]);
  });

  test("regression (shrunk by fast-check from a merge that resurrected removed dots): a remove concurrent with a re-add; the add wins", () => {
    const run = runReplicas({
      crdt: orSet,
      replicas: 3,
      seed: 0,
      mode: "state",
      ops: [
        { at: 0, replica: "a", op: { op: "add", element: "x" } },
        { at: 30, replica: "b", op: { op: "remove", element: "x" } },
        { at: 30, replica: "a", op: { op: "add", element: "x" } },
      ],
    });
    expect(run.values).toEqual({ a: ["x"], b: ["x"], c: ["x"] });
  });
});
