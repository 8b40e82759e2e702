import fc from "fast-check";
import { runReplicas, type AntiEntropyMode } from "../../lib/crdt/antiEntropy";
import { crdtCatalog, type AnyCrdtEntry } from "../../lib/crdt/workloads";
import { Random } from "../../lib/random/random";
import { defineCrdt, asObject, type Crdt } from "../../lib/crdt/lattice";
import type { RgaOp } from "../../lib/crdt/rga";
import { addWinsSpec, counterSpec, multiValueSpec, twoPhaseSpec } from "./oracles";
import { NUM_RUNS, propertyParams } from "./properties";
import { tracked, type LoggedOp } from "./tracked";

/** A scenario: seeded network faults, a partition that heals, random concurrent operations. */
interface Scenario {
  readonly seed: number;
  readonly mode: AntiEntropyMode;
  readonly loss: number;
  readonly duplicate: number;
  readonly reorder: number;
  readonly partitionAt: number;
  readonly partitionFor: number;
  readonly ops: readonly { at: number; replica: number; seed: number }[];
}

const arbScenario: fc.Arbitrary<Scenario> = fc.record({
  seed: fc.integer(),
  mode: fc.constantFrom<AntiEntropyMode>("state", "delta", "delta-interval"),
  loss: fc.double({ min: 0, max: 0.1, noNaN: true }),
  duplicate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  reorder: fc.double({ min: 0, max: 1, noNaN: true }),
  partitionAt: fc.integer({ min: 0, max: 80 }),
  partitionFor: fc.integer({ min: 0, max: 70 }),
  ops: fc.array(fc.record({ at: fc.integer({ min: 0, max: 100 }), replica: fc.integer({ min: 0, max: 2 }), seed: fc.integer() }), {
    maxLength: 8,
  }),
});

/**
 * After the partition heals (by t=150) replicas gossip every 20 ms until t=400: with loss ≤ 0.1 each
 * ordered pair gets ≥ 6 attempts (all lost: 1e-6), so a run that fails to converge is a bug, not bad
 * luck. Fewer rounds would be flaky; more would make 1,000 cases per type too slow for CI.
 */
const GOSSIP_UNTIL = 400;
const GOSSIP_EVERY = 20;

interface Outcome {
  converged: boolean;
  values: unknown[];
  log: LoggedOp<never>[];
}

function runScenario(entry: AnyCrdtEntry, sc: Scenario): Outcome {
  const log: LoggedOp<never>[] = [];
  const crdt = tracked(entry.crdt, log);
  const names = ["a", "b", "c"];
  const run = runReplicas({
    crdt,
    replicas: names,
    mode: sc.mode,
    seed: sc.seed,
    until: GOSSIP_UNTIL,
    record: false,
    gossipEvery: GOSSIP_EVERY,
    network: { latency: { kind: "uniform", min: 1, max: 12 }, loss: sc.loss, duplicate: sc.duplicate, reorder: sc.reorder },
    partitions: [{ at: sc.partitionAt, heal: sc.partitionAt + sc.partitionFor, groups: [["a"], ["b", "c"]] }],
    ops: sc.ops.map((o, i) => ({
      at: o.at,
      replica: names[o.replica] as string,
      op: (st: { s: unknown }) => ({ id: `op${i}`, op: entry.randomOp(st.s, new Random(o.seed), names[o.replica] as string) }),
    })),
  });
  return { converged: run.converged, values: names.map((n) => run.values[n]), log };
}

type AnyOp = Parameters<typeof counterSpec>[0][number]["op"];

/** The value a sequential specification expects, where the type has one; `undefined` = no oracle. */
function expected(name: string, log: readonly LoggedOp<AnyOp>[]): unknown {
  switch (name) {
    case "g-counter":
    case "pn-counter":
    case "naive-lww-counter":
      return counterSpec(log);
    case "g-set":
      return [...new Set(log.map((o) => o.op.element as string))].sort();
    case "2p-set":
      return twoPhaseSpec(log);
    case "or-set":
      return addWinsSpec(
        log,
        (o) => o.op === "add",
        (o) => o.op === "remove",
        (o) => o.element as string,
      );
    case "mv-register":
      return multiValueSpec(log);
    case "or-map<pn-counter>": {
      const keys = addWinsSpec(
        log,
        (o) => o.op === "update",
        (o) => o.op === "remove",
        (o) => o.key as string,
      );
      return Object.fromEntries(
        keys.map((k) => [
          k,
          counterSpec(log.filter((o) => o.op.key === k && o.op.op === "update").map((o) => ({ ...o, op: o.op.inner as AnyOp }))),
        ]),
      );
    }
    case "or-map<or-set>": {
      const keys = addWinsSpec(
        log,
        (o) => o.op === "update",
        (o) => o.op === "remove",
        (o) => o.key as string,
      );
      return Object.fromEntries(
        keys.map((k) => {
          const inner = log.filter((o) => o.op.key === k && o.op.op === "update").map((o) => ({ ...o, op: o.op.inner as AnyOp }));
          return [
            k,
            addWinsSpec(
              inner,
              (o) => o.op === "add",
              (o) => o.op === "remove",
              (o) => o.element as string,
            ),
          ];
        }),
      );
    }
    default:
      return undefined;
  }
}

/** Each op's transitive causal past: what it has seen, and what those had seen, and so on. */
function causalPast(log: readonly LoggedOp<AnyOp>[]): Map<string, Set<string>> {
  const byId = new Map(log.map((o) => [o.id, o]));
  const memo = new Map<string, Set<string>>();
  const past = (id: string): Set<string> => {
    const known = memo.get(id);
    if (known) return known;
    const out = new Set<string>();
    memo.set(id, out);
    for (const s of byId.get(id)?.seen ?? []) {
      out.add(s);
      for (const t of past(s)) out.add(t);
    }
    return out;
  };
  for (const o of log) past(o.id);
  return memo;
}

/**
 * Add-wins bounds for delta anti-entropy. A delta of an add carries the causal context of the
 * element's older dots, so a replica can learn that an add was superseded before it sees the add
 * itself; the ghost `seen` sets (what each replica's state reflects) then under-report a remove's
 * causal past, and exact equality with the oracle would flag correct runs. Bounds that hold for any
 * causal past in between: every key shown was added by some op (nothing invented), and every add
 * that no remove of its key has in its transitive causal past survives.
 */
function addWinsBounds(name: string, log: readonly LoggedOp<AnyOp>[], value: unknown): void {
  const keyOf = (o: AnyOp): string => (name === "or-set" ? (o.element as string) : (o.key as string));
  const isAdd = (o: AnyOp): boolean => (name === "or-set" ? o.op === "add" : o.op === "update");
  const past = causalPast(log);
  const shown = name === "or-set" ? (value as string[]) : Object.keys(value as Record<string, unknown>);
  const added = new Set(log.filter((o) => isAdd(o.op)).map((o) => keyOf(o.op)));
  for (const k of shown) expect(added.has(k)).toBe(true);
  for (const a of log) {
    if (!isAdd(a.op)) continue;
    const k = keyOf(a.op);
    const removedBy = log.some((r) => r.op.op === "remove" && keyOf(r.op) === k && (past.get(r.id)?.has(a.id) ?? false));
    if (!removedBy) expect(shown).toContain(k);
  }
  if (name === "or-map<pn-counter>") {
    // A present key shows every update to it ever made (removal hides, it does not reset).
    for (const k of shown)
      expect((value as Record<string, unknown>)[k]).toEqual(
        counterSpec(log.filter((o) => o.op.key === k && o.op.op === "update").map((o) => ({ ...o, op: o.op.inner as AnyOp }))),
      );
  }
}

function convergesToSpec(entry: AnyCrdtEntry, sc: Scenario): void {
  const { converged, values, log } = runScenario(entry, sc);
  expect(converged).toBe(true);
  for (const v of values) expect(v).toEqual(values[0]);
  const name = entry.crdt.name;
  if (sc.mode !== "state" && (name === "or-set" || name === "or-map<pn-counter>" || name === "or-map<or-set>")) {
    addWinsBounds(name, log, values[0]);
    return;
  }
  const want = expected(name, log);
  if (want !== undefined) expect(values[0]).toEqual(want);
  if (entry.crdt.name === "lww-register") {
    const written = log.map((o) => (o.op as { value: unknown }).value);
    expect(log.length === 0 ? values[0] === null : written.includes(values[0])).toBe(true);
  }
  if (entry.crdt.name === "rga") {
    // Text length = atoms inserted - distinct atoms deleted.
    const inserted = log.reduce((n, o) => n + ((o.op as RgaOp).op === "insert" ? (o.op as { text: string }).text.length : 0), 0);
    const deleted = new Set(log.filter((o) => (o.op as RgaOp).op === "delete").map((o) => (o.op as { id: string }).id)).size;
    expect((values[0] as string).length).toBe(inserted - deleted);
  }
}

describe("convergence on the simulator: loss, duplication, reordering, a partition that heals", () => {
  for (const entry of crdtCatalog)
    test(`${entry.crdt.name}: all replicas end equal, and equal to the specification`, () => {
      fc.assert(
        fc.property(arbScenario, (sc) => convergesToSpec(entry, sc)),
        propertyParams,
      );
    });
});

/** A counter that is not a CRDT: increments overwrite each other, last writer wins. */
const naiveLwwCounter: Crdt<{ n: number; ts: number; writer: string }, { op: "inc"; by?: number }, number> = defineCrdt<
  { n: number; ts: number; writer: string },
  { op: "inc"; by?: number },
  number
>({
  name: "naive-lww-counter",
  bottom: () => ({ n: 0, ts: 0, writer: "" }),
  joinInto: (a, b) => (b.ts > a.ts || (b.ts === a.ts && b.writer > a.writer) ? { ...b } : a),
  leq: (a, b) => a.ts < b.ts || (a.ts === b.ts && a.writer <= b.writer),
  delta: (s, op, r) => ({ n: s.n + (op.by ?? 1), ts: s.ts + 1, writer: r }),
  applyInPlace: (s, op, r) => ({ n: s.n + (op.by ?? 1), ts: s.ts + 1, writer: r }),
  value: (s) => s.n,
  clone: (s) => ({ ...s }),
  encode: (s) => ({ n: s.n, ts: s.ts, writer: s.writer }),
  decode: (j) => {
    const o = asObject("naive-lww-counter", "state", j);
    return { n: o["n"] as number, ts: o["ts"] as number, writer: o["writer"] as string };
  },
  check: () => undefined,
});

test("regression (seed 666404234): a delta remove after a superseding add is judged by causal past", () => {
  const entry = crdtCatalog.find((e) => e.crdt.name === "or-map<pn-counter>") as AnyCrdtEntry;
  const sc: Scenario = {
    seed: 2146381797,
    mode: "delta",
    loss: 0,
    duplicate: 0,
    reorder: 0,
    partitionAt: 14,
    partitionFor: 23,
    ops: [
      { at: 23, replica: 2, seed: 0 },
      { at: 0, replica: 1, seed: 0 },
      { at: 62, replica: 0, seed: -1135799030 },
    ],
  };
  const { values } = runScenario(entry, sc);
  // b and c update x (c after seeing b); a removes x having received c's delta only: x is gone.
  expect(values).toEqual([{}, {}, {}]);
  expect(() => convergesToSpec(entry, sc)).not.toThrow();
});

/**
 * Partitions under which a's updates reach c only by relay through b: c is cut off while a and b
 * talk (0–300 ms), then a is cut off for good. Gossip every 20 ms with loss ≤ 0.1 gives each pair
 * ≥ 10 attempts in either phase, so a miss is a bug, not bad luck.
 */
const RELAY_ONLY = [
  { at: 0, heal: 300, groups: [["c"], ["a", "b"]] },
  { at: 300, groups: [["a"], ["b", "c"]] },
];

interface RelayScenario {
  readonly seed: number;
  readonly loss: number;
  readonly duplicate: number;
  readonly reorder: number;
  readonly ops: readonly { at: number; replica: number; seed: number }[];
}

const arbRelay: fc.Arbitrary<RelayScenario> = fc.record({
  seed: fc.integer(),
  loss: fc.double({ min: 0, max: 0.1, noNaN: true }),
  duplicate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  reorder: fc.double({ min: 0, max: 1, noNaN: true }),
  ops: fc.array(fc.record({ at: fc.integer({ min: 0, max: 100 }), replica: fc.integer({ min: 0, max: 2 }), seed: fc.integer() }), {
    minLength: 1,
    maxLength: 8,
  }),
});

function runRelay(entry: AnyCrdtEntry, sc: RelayScenario, mode: AntiEntropyMode) {
  const names = ["a", "b", "c"];
  return runReplicas({
    crdt: entry.crdt,
    replicas: names,
    mode,
    seed: sc.seed,
    until: 700,
    record: false,
    gossipEvery: GOSSIP_EVERY,
    network: { latency: { kind: "uniform", min: 1, max: 12 }, loss: sc.loss, duplicate: sc.duplicate, reorder: sc.reorder },
    partitions: RELAY_ONLY,
    ops: sc.ops.map((o) => ({
      at: o.at,
      replica: names[o.replica] as string,
      op: (st: unknown) => entry.randomOp(st, new Random(o.seed), names[o.replica] as string),
    })),
  });
}

describe("delta-interval anti-entropy forwards received deltas", () => {
  for (const entry of crdtCatalog)
    test(`${entry.crdt.name}: everything a knew reaches c, which a can reach only through b`, () => {
      fc.assert(
        fc.property(arbRelay, (sc) => {
          const run = runRelay(entry, sc, "delta-interval");
          const { a, b, c } = run.states as Record<string, unknown>;
          expect(entry.crdt.equals(b, c)).toBe(true);
          expect(entry.crdt.leq(a, c)).toBe(true);
        }),
        { ...propertyParams, numRuns: Math.ceil(NUM_RUNS / 4) },
      );
    });

  test("the same property fails for plain delta mode, which does not forward", () => {
    const entry = crdtCatalog.find((e) => e.crdt.name === "or-set") as AnyCrdtEntry;
    const result = fc.check(
      fc.property(arbRelay, (sc) => {
        const { a, c } = runRelay(entry, sc, "delta").states as Record<string, unknown>;
        expect(entry.crdt.leq(a, c)).toBe(true);
      }),
      { ...propertyParams, numRuns: 100 },
    );
    expect(result.failed).toBe(true);
  });

  test("without forwarding, a's updates never reach c; whole states carry them, as forwarded deltas do", () => {
    const entry = crdtCatalog.find((e) => e.crdt.name === "g-set") as AnyCrdtEntry;
    const ops = [
      { at: 5, replica: "a", op: { op: "add", element: "from a" } },
      { at: 50, replica: "c", op: { op: "add", element: "from c" } },
    ];
    const values = (mode: AntiEntropyMode) =>
      runReplicas({
        crdt: entry.crdt,
        replicas: ["a", "b", "c"],
        mode,
        ops,
        partitions: RELAY_ONLY,
        gossipEvery: GOSSIP_EVERY,
        until: 700,
        record: false,
      }).values;
    expect(values("delta")).toEqual({ a: ["from a"], b: ["from a", "from c"], c: ["from c"] });
    expect(values("delta-interval")).toEqual({ a: ["from a"], b: ["from a", "from c"], c: ["from a", "from c"] });
    expect(values("state")).toEqual(values("delta-interval"));
  });

  test("a forwarded delta is not sent back to the replica it came from", () => {
    const entry = crdtCatalog.find((e) => e.crdt.name === "g-set") as AnyCrdtEntry;
    const run = runReplicas({
      crdt: entry.crdt,
      replicas: ["a", "b"],
      mode: "delta-interval",
      ops: [{ at: 1, replica: "a", op: { op: "add", element: "x" } }],
      network: { latency: 2 },
      until: 100,
      gossipEvery: 10,
    });
    // Two replicas: b's buffer holds only a's delta, so b never ships a delta at all.
    expect(run.trace.ofKind("send").filter((e) => e.node === "b" && (e.message as { kind: string }).kind === "delta")).toEqual([]);
    expect(run.converged).toBe(true);
  });
});

describe("counter-test: a last-writer-wins counter is not a CRDT", () => {
  test("it converges (replicas agree) but loses concurrent increments, so the same check fails", () => {
    const entry: AnyCrdtEntry = { crdt: naiveLwwCounter, randomOp: (_s, r: Random) => ({ op: "inc", by: r.int(1, 3) }) };
    const result = fc.check(
      fc.property(arbScenario, (sc) => convergesToSpec(entry, sc)),
      { ...propertyParams, numRuns: 200 },
    );
    expect(result.failed).toBe(true);
    // The shrunk counterexample is tiny: two concurrent increments.
    const sc = (result.counterexample as [Scenario] | null)?.[0] as Scenario;
    expect(sc.ops.length).toBe(2);
  });
});
