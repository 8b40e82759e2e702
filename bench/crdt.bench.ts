import { runReplicas } from "../lib/crdt/antiEntropy";
import { gCounter } from "../lib/crdt/gCounter";
import type { Crdt } from "../lib/crdt/lattice";
import { orSet, type ORSetOp, type ORSetState } from "../lib/crdt/orSet";
import { rga, rgaVisible, type RgaOp, type RgaState } from "../lib/crdt/rga";
import { Random } from "../lib/random/random";
import { measure, printTable, type BenchSuite } from "./harness";

const bytes = <S>(crdt: Crdt<S, unknown, unknown>, s: S): number => JSON.stringify(crdt.encode(s)).length;

/** Two replicas each apply n/2 random OR-Set ops (80% adds over a universe of n/4 elements, 20% removes), concurrently. */
function orSetPair(n: number): [ORSetState, ORSetState] {
  const out: ORSetState[] = [];
  for (const [r, seed] of [
    ["a", 1],
    ["b", 2],
  ] as const) {
    const rnd = new Random(seed);
    let s = orSet.bottom();
    for (let i = 0; i < n / 2; i++) {
      const element = `e${rnd.int(0, Math.max(1, n / 4))}`;
      const op: ORSetOp = rnd.chance(0.8) ? { op: "add", element } : { op: "remove", element };
      s = orSet.applyInPlace(s, op, r);
    }
    out.push(s);
  }
  return out as [ORSetState, ORSetState];
}

/** Two replicas each type n/2 atoms after random earlier atoms (10% deletes), concurrently. */
function rgaPair(n: number): [RgaState, RgaState] {
  const out: RgaState[] = [];
  for (const [r, seed] of [
    ["a", 1],
    ["b", 2],
  ] as const) {
    const rnd = new Random(seed);
    let s = rga.bottom();
    const ids: string[] = [];
    for (let i = 0; i < n / 2; i++) {
      let op: RgaOp;
      if (ids.length > 0 && rnd.chance(0.1)) op = { op: "delete", id: rnd.pick(ids) };
      else op = { op: "insert", after: ids.length === 0 || rnd.chance(0.5) ? (ids.at(-1) ?? null) : rnd.pick(ids), text: "x" };
      s = rga.applyInPlace(s, op, r);
      if (op.op === "insert") ids.push(`${r}:${s.clock}`);
    }
    out.push(s);
  }
  return out as [RgaState, RgaState];
}

export const run: BenchSuite = async ({ quick }) => {
  const sizes = quick ? [100, 1_000] : [100, 1_000, 10_000, 100_000];

  const orRows: (string | number)[][] = [];
  for (const n of sizes) {
    const [a, b] = orSetPair(n);
    const join = await measure(`or-set join ${n}`, () => orSet.join(a, b), { minRuns: 3, minMs: 150 });
    const va = new Set(orSet.value(a)),
      vb = orSet.value(b);
    const floor = await measure(
      `set union ${n}`,
      () => {
        const u = new Set(va);
        for (const e of vb) u.add(e);
        return u;
      },
      { minRuns: 3, minMs: 150 },
    );
    const j = orSet.join(a, b);
    const size = orSet.value(j).length;
    const total = bytes(orSet, j);
    orRows.push([n, size, join.medianMs, join.medianMs / floor.medianMs, total, total / Math.max(1, size), j.context.size]);
  }
  printTable(
    "OR-Set: merge cost and metadata as operations grow (x floor = join time / plain Set union of the values)",
    ["ops", "elements", "join ms", "x floor", "state bytes", "bytes/element", "context entries"],
    orRows,
  );

  const rgaRows: (string | number)[][] = [];
  for (const n of sizes) {
    const [a, b] = rgaPair(n);
    const join = await measure(`rga join ${n}`, () => rga.join(a, b), { minRuns: 3, minMs: 150 });
    const ta = [...rga.value(a)],
      tb = [...rga.value(b)];
    const floor = await measure(`concat ${n}`, () => ta.concat(tb).length, { minRuns: 3, minMs: 150 });
    const j = rga.join(a, b);
    const lin = await measure(`rga value ${n}`, () => rgaVisible(j).length, { minRuns: 3, minMs: 150 });
    const visible = rga.value(j).length;
    const total = bytes(rga, j);
    rgaRows.push([
      n,
      visible,
      j.removed.size,
      join.medianMs,
      lin.medianMs,
      join.medianMs / Math.max(floor.medianMs, 1e-3),
      total,
      total / Math.max(1, visible),
    ]);
  }
  printTable(
    "RGA: merge cost and metadata as operations grow (x floor = join time / concatenating the two replicas' atom arrays)",
    ["ops", "visible atoms", "tombstones", "join ms", "linearise ms", "x floor", "state bytes", "bytes/visible atom"],
    rgaRows,
  );

  const aeRows: (string | number)[][] = [];
  const workloads: [string, Crdt<unknown, unknown, unknown>, (i: number, r: Random) => unknown][] = [
    ["g-counter", gCounter, () => ({ op: "inc" })],
    ["or-set", orSet, (i, r) => (r.chance(0.8) ? { op: "add", element: `e${i % 200}` } : { op: "remove", element: `e${r.int(0, 199)}` })],
    [
      "rga",
      rga,
      (_i, r) => (s: RgaState) => {
        const v = rgaVisible(s);
        return { op: "insert", after: v.length === 0 ? null : r.pick(v), text: "x" };
      },
    ],
  ];
  for (const [name, crdt, gen] of workloads)
    for (const opsCount of quick ? [50] : [100, 1000]) {
      const r = new Random(5);
      const ops = Array.from({ length: opsCount }, (_, i) => ({
        at: (i * 1000) / opsCount,
        replica: "abcd"[i % 4] as string,
        op: gen(i, r),
      }));
      const res = (["state", "delta"] as const).map((mode) =>
        runReplicas({ crdt, replicas: 4, ops, mode, seed: 9, network: { loss: 0.1, reorder: 0.3 }, record: false }),
      );
      const [st, de] = res as [ReturnType<typeof runReplicas>, ReturnType<typeof runReplicas>];
      aeRows.push([
        name,
        opsCount,
        st.converged && de.converged ? "yes" : "NO",
        st.bytesToConverge,
        de.bytesToConverge,
        de.bytesToConverge / st.bytesToConverge,
        st.lastChange,
        de.lastChange,
      ]);
    }
  printTable(
    "anti-entropy: bytes shipped until convergence, 4 replicas, 10% loss, gossip every 10 ms (ratio = delta / state)",
    ["type", "ops", "converged", "state bytes", "delta bytes", "delta/state", "state converged at ms", "delta converged at ms"],
    aeRows,
  );
};
