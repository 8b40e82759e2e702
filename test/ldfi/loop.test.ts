import fc from "fast-check";
import { allFaultSets, exhaustiveSearch, randomSearch } from "../../lib/ldfi/baselines";
import { faultCount, faultKey, withinBounds, type FaultBounds, type FaultSet } from "../../lib/ldfi/faults";
import { edgesOf, survives, type SupportGraph, type SupportNode } from "../../lib/ldfi/lineage";
import { ldfiSearch } from "../../lib/ldfi/loop";
import type { FaultTarget, Observation } from "../../lib/ldfi/observation";

/**
 * A target whose lineage does not depend on the faults (a positive program): goal i is in `post`
 * iff its formula survives; every goal is always in `pre`, except those listed as excusable.
 */
function staticTarget(g: SupportGraph, nodes: string[], excusable: ReadonlySet<number> = new Set()): FaultTarget & { calls: number } {
  const firstSend = new Map<string, number>();
  for (const e of edgesOf(g, g.roots)) firstSend.set(e.from, Math.min(e.sendTime, firstSend.get(e.from) ?? Infinity));
  const t = {
    nodes,
    calls: 0,
    execute(faults: FaultSet): Observation {
      t.calls++;
      const post = new Set<string>();
      const pre = new Set<string>();
      g.roots.forEach((r, i) => {
        if (survives(g, r, faults)) post.add(`post(${i})`);
        if (!excusable.has(i) || faults.crashes.length === 0) pre.add(`post(${i})`);
      });
      return {
        faults,
        post,
        pre,
        firstSend,
        messages: [],
        lineage: (goals) => ({ nodes: g.nodes, roots: goals.map((k) => g.roots[Number(/\d+/.exec(k)?.[0])] as number) }),
      };
    },
  };
  return t;
}

const NODES = ["a", "b"];
const edgeArb = fc.record({ from: fc.constantFrom(...NODES), to: fc.constantFrom(...NODES), sendTime: fc.integer({ min: 1, max: 3 }) });
const graphArb: fc.Arbitrary<SupportGraph> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: edgeArb.map((edge) => ({ kind: "edge" as const, edge })) },
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constantFrom("and" as const, "or" as const),
          picks: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        }),
      },
    ),
    { minLength: 1, maxLength: 8 },
  )
  .chain((raw) => {
    const nodes: SupportNode[] = raw.map((r, i) =>
      "picks" in r ? (i === 0 ? { kind: "true" as const } : { kind: r.kind, of: [...new Set(r.picks.map((p) => p % i))] }) : r,
    );
    return fc.array(fc.nat({ max: nodes.length - 1 }), { minLength: 1, maxLength: 3 }).map((roots) => ({ nodes, roots }));
  });

describe("ldfiSearch", () => {
  it("reaches the exhaustive oracle's verdict with no more executions", () => {
    fc.assert(
      fc.property(graphArb, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1 }), (g, eff, crashes) => {
        const bounds: FaultBounds = { eot: 4, eff, crashes, nodes: NODES };
        const ldfi = ldfiSearch(staticTarget(g, NODES), { bounds });
        const oracle = exhaustiveSearch(staticTarget(g, NODES), { bounds });
        expect(ldfi.verdict).toBe(oracle.verdict);
        if (ldfi.counterexample) {
          expect(withinBounds(ldfi.counterexample.faults, bounds)).toBe(true);
          // smallest first: LDFI's counterexample is no bigger than the oracle's (which is a smallest one)
          expect(faultCount(ldfi.counterexample.faults)).toBe(faultCount(oracle.counterexample!.faults));
        }
        if (ldfi.verdict === "certified") expect(ldfi.executions).toBeLessThanOrEqual(oracle.executions);
      }),
      { numRuns: 150 },
    );
  });

  it("is deterministic", () => {
    fc.assert(
      fc.property(graphArb, (g) => {
        const bounds: FaultBounds = { eot: 4, eff: 3, crashes: 1, nodes: NODES };
        const a = ldfiSearch(staticTarget(g, NODES), { bounds });
        const b = ldfiSearch(staticTarget(g, NODES), { bounds });
        expect(a.runs.map((r) => faultKey(r.faults))).toEqual(b.runs.map((r) => faultKey(r.faults)));
      }),
      { numRuns: 30 },
    );
  });

  const twoPaths: SupportGraph = {
    nodes: [
      { kind: "edge", edge: { from: "a", to: "b", sendTime: 1 } },
      { kind: "edge", edge: { from: "a", to: "b", sendTime: 2 } },
      { kind: "or", of: [0, 1] },
    ],
    roots: [2],
  };

  it("finds the double omission that defeats a retry, and certifies when EFF forbids it", () => {
    const ce = ldfiSearch(staticTarget(twoPaths, NODES), { bounds: { eot: 4, eff: 3, crashes: 0, nodes: NODES } });
    expect(ce.verdict).toBe("counterexample");
    expect(faultKey(ce.counterexample!.faults)).toBe("omit(a,b,1) omit(a,b,2)");
    expect(ce.counterexample!.missing).toEqual(["post(0)"]);
    expect(ce.executions).toBe(2);
    const ok = ldfiSearch(staticTarget(twoPaths, NODES), { bounds: { eot: 4, eff: 2, crashes: 0, nodes: NODES } });
    expect(ok.verdict).toBe("certified");
    expect(ok.executions).toBe(1);
  });

  it("does not count an excused loss (post gone together with pre) as a violation", () => {
    const r = ldfiSearch(staticTarget(twoPaths, NODES, new Set([0])), { bounds: { eot: 4, eff: 0, crashes: 1, nodes: NODES } });
    expect(r.verdict).toBe("certified");
    expect(r.runs.some((x) => x.faults.crashes.length > 0 && x.outcome === "ok")).toBe(true);
  });

  it("stops at max-runs as inconclusive and reports progress lines", () => {
    const lines: string[] = [];
    const r = ldfiSearch(staticTarget(twoPaths, NODES), {
      bounds: { eot: 4, eff: 3, crashes: 0, nodes: NODES },
      maxRuns: 1,
      progress: (l) => lines.push(l),
    });
    expect(r.verdict).toBe("inconclusive");
    expect(r.limit).toBe("max-runs");
    expect(lines).toEqual(["run 0: no faults -> failure-free, post has 1"]);
  });

  it("random search finds the same counterexample kind within its budget, deterministically per seed", () => {
    const bounds: FaultBounds = { eot: 4, eff: 3, crashes: 0, nodes: NODES };
    const a = randomSearch(staticTarget(twoPaths, NODES), { bounds, seed: 7, maxRuns: 500 });
    const b = randomSearch(staticTarget(twoPaths, NODES), { bounds, seed: 7, maxRuns: 500 });
    expect(a.verdict).toBe("counterexample");
    expect(a.executions).toBe(b.executions);
    expect(faultKey(a.counterexample!.faults)).toContain("omit(a,b,1) omit(a,b,2)");
  });

  it("exhaustive enumeration lists each canonical fault set once, smallest first", () => {
    const bounds: FaultBounds = { eot: 3, eff: 2, crashes: 1, nodes: NODES };
    const sets = [...allFaultSets(bounds)].map(faultKey);
    expect(new Set(sets).size).toBe(sets.length);
    // 2 omissions at time 1 (a->b, b->a); a crash of a or b at 1 or 2; a crash at 1 already loses that node's omission
    expect(sets).toEqual([
      "no faults",
      "omit(a,b,1)",
      "omit(b,a,1)",
      "crash(a,1)",
      "crash(a,2)",
      "crash(b,1)",
      "crash(b,2)",
      "omit(a,b,1) omit(b,a,1)",
      "omit(b,a,1) crash(a,1)",
      "omit(a,b,1) crash(a,2)",
      "omit(b,a,1) crash(a,2)",
      "omit(a,b,1) crash(b,1)",
      "omit(a,b,1) crash(b,2)",
      "omit(b,a,1) crash(b,2)",
      "omit(a,b,1) omit(b,a,1) crash(a,2)",
      "omit(a,b,1) omit(b,a,1) crash(b,2)",
    ]);
  });
});
