import fc from "fast-check";
import { allFaultSets, exhaustiveSearch, randomSearch } from "../../lib/ldfi/baselines";
import { breaksEdge, faultCount, faultKey, withinBounds, type FaultBounds, type FaultSet } from "../../lib/ldfi/faults";
import { edgesOf, survives, type MessageEdge, type SupportGraph, type SupportNode } from "../../lib/ldfi/lineage";
import { ldfiSearch } from "../../lib/ldfi/loop";
import type { FaultTarget, Observation, ObservedMessage } from "../../lib/ldfi/observation";

/**
 * The messages of a hand-built run: every edge its formulas mention is sent (the search reads an
 * omission of a message that is not listed as one that lost nothing), lost where `faults` break it.
 */
function sent(edges: readonly MessageEdge[], faults: FaultSet): ObservedMessage[] {
  const seen = new Map<string, MessageEdge>(edges.map((e) => [`${e.from}>${e.to}@${e.sendTime}`, e]));
  return [...seen.values()].map((e) => ({
    ...e,
    rel: "m",
    args: [],
    lost: faults.crashes.some((c) => c.node === e.from && c.time <= e.sendTime)
      ? "crash"
      : breaksEdge(faults, e.from, e.to, e.sendTime)
        ? "omission"
        : null,
  }));
}

/**
 * A target whose lineage does not depend on the faults (a positive program): goal i is in `post`
 * iff its formula survives; every goal is always in `pre`, except those listed as excusable.
 */
function staticTarget(g: SupportGraph, nodes: string[], excusable: ReadonlySet<number> = new Set()): FaultTarget & { calls: number } {
  const firstSend = new Map<string, number>();
  for (const e of edgesOf(g, g.roots)) firstSend.set(e.from, Math.min(e.sendTime, firstSend.get(e.from) ?? Infinity));
  const t = {
    nodes,
    // a crash acts only through the edges it breaks and the node being down: its time is not read
    crashTimeBlind: true,
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
        messages: sent(edgesOf(g, g.roots), faults),
        lineage: (goals) => ({ nodes: g.nodes, roots: goals.map((k) => g.roots[Number(/\d+/.exec(k)?.[0])] as number) }),
      };
    },
  };
  return t;
}

/**
 * A goal whose derivations depend on the faults, as a Dedalus rule with `notin` over a received
 * message does: it holds while some term holds, a term needing its `present` messages delivered and
 * its `lost` ones lost. A run's lineage is the `present` messages of the terms that hold in it, which
 * is sound (more faults that spare those keep the term: its lost messages stay lost) but, unlike a
 * static lineage, other runs have other derivations (a retry, a fallback).
 */
type Term = { readonly present: readonly MessageEdge[]; readonly lost: readonly MessageEdge[] };

function dynamicTarget(goals: readonly (readonly Term[])[], nodes: string[]): FaultTarget {
  const lostUnder = (f: FaultSet, e: MessageEdge): boolean => breaksEdge(f, e.from, e.to, e.sendTime);
  const holding = (f: FaultSet, terms: readonly Term[]): Term[] =>
    terms.filter((t) => t.present.every((e) => !lostUnder(f, e)) && t.lost.every((e) => lostUnder(f, e)));
  const firstSend = new Map<string, number>();
  for (const e of goals.flat().flatMap((t) => [...t.present, ...t.lost]))
    firstSend.set(e.from, Math.min(e.sendTime, firstSend.get(e.from) ?? Infinity));
  return {
    nodes,
    crashTimeBlind: true,
    execute(faults: FaultSet): Observation {
      const post = new Set(goals.flatMap((terms, i) => (holding(faults, terms).length > 0 ? [`post(${i})`] : [])));
      return {
        faults,
        post,
        pre: new Set(goals.map((_, i) => `post(${i})`)),
        firstSend,
        messages: sent(
          goals.flat().flatMap((t) => [...t.present, ...t.lost]),
          faults,
        ),
        lineage: (kept) => {
          const b: SupportNode[] = [];
          const add = (n: SupportNode): number => b.push(n) - 1;
          const roots = kept.map((k) => {
            const terms = holding(faults, goals[Number(/\d+/.exec(k)?.[0])] ?? []);
            return add({
              kind: "or",
              of: terms.map((t) => add({ kind: "and", of: t.present.map((edge) => add({ kind: "edge", edge })) })),
            });
          });
          return { nodes: b, roots };
        },
      };
    },
  };
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

  // A few messages shared by every term, so that runs' derivations overlap and can discharge each other.
  const pool: MessageEdge[] = [1, 2, 3].map((sendTime) => ({ from: "a", to: "b", sendTime })).concat([{ from: "b", to: "a", sendTime: 1 }]);
  const one = fc.constantFrom(...pool);
  const termArb: fc.Arbitrary<Term> = fc.oneof(
    fc.record({ present: fc.subarray(pool), lost: fc.subarray(pool, { maxLength: 2 }) }),
    // a fallback: one message stands in for another that was lost (these chain into cycles)
    fc.record({ present: one.map((e) => [e]), lost: one.map((e) => [e]) }),
  );
  const dynamicArb = fc.array(
    fc
      .tuple(fc.subarray(pool, { minLength: 2 }), fc.array(termArb, { maxLength: 5 }))
      .map(([all, rest]) => [{ present: all, lost: [] }, ...rest]),
    { minLength: 1, maxLength: 2 },
  );

  it("reaches the oracle's verdict when other runs have other derivations (subsumption's joins)", () => {
    fc.assert(
      fc.property(dynamicArb, fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 1 }), (goals, eff, crashes) => {
        const bounds: FaultBounds = { eot: 4, eff, crashes, nodes: NODES };
        const failureFree = dynamicTarget(goals, NODES).execute({ omissions: [], crashes: [] });
        if (failureFree.post.size === 0) return;
        const ldfi = ldfiSearch(dynamicTarget(goals, NODES), { bounds });
        const oracle = exhaustiveSearch(dynamicTarget(goals, NODES), { bounds });
        expect(ldfi.verdict).toBe(oracle.verdict);
      }),
      { numRuns: Number(process.env["LDFI_RUNS"] ?? 300), seed: Number(process.env["LDFI_SEED"] ?? 11) },
    );
  });

  it("finds the counterexample above three runs that discharge each other's hypotheses in a cycle", () => {
    // Three messages x, y, z; any two losses leave a derivation (each pair a different one), all
    // three lose the goal. {x}, {y}, {z} survive; {x,y} extends {y} without breaking its lineage (z),
    // {y,z} likewise {z}'s (x), {x,z} {x}'s (y): all three pairs are discharged unrun, and only the
    // joins queued in their place reach {x,y,z}.
    const [x, y, z] = [1, 2, 3].map((sendTime): MessageEdge => ({ from: "a", to: "b", sendTime })) as [
      MessageEdge,
      MessageEdge,
      MessageEdge,
    ];
    const goal: Term[] = [
      { present: [x, y, z], lost: [] },
      { present: [y], lost: [x] },
      { present: [z], lost: [y] },
      { present: [x], lost: [z] },
    ];
    const r = ldfiSearch(dynamicTarget([goal], NODES), { bounds: { eot: 5, eff: 4, crashes: 0, nodes: NODES } });
    expect(r.verdict).toBe("counterexample");
    expect(faultKey(r.counterexample!.faults)).toBe("omit(a,b,1) omit(a,b,2) omit(a,b,3)");
    expect(r.runs.map((run) => faultKey(run.faults))).toEqual([
      "no faults",
      "omit(a,b,3)",
      "omit(a,b,2)",
      "omit(a,b,1)",
      "omit(a,b,1) omit(a,b,2) omit(a,b,3)",
    ]);
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

  it("a run that excused a goal discharges nothing when the target cannot say why that goal's pre stays absent", () => {
    // Goal 1's post needs x delivered; its pre is absent while x is lost and y is not, so {x} excuses
    // it and {x, y} is a counterexample. Goal 0 is unbreakable (its edge is sent at EFF). The target
    // has no absence formulas: {x}, which keeps goal 0 and excuses goal 1, must not discharge {x, y}.
    const x = { from: "a", to: "b", sendTime: 1 };
    const y = { from: "b", to: "a", sendTime: 1 };
    const z = { from: "a", to: "b", sendTime: 2 };
    const lost = (f: FaultSet, e: MessageEdge): boolean => breaksEdge(f, e.from, e.to, e.sendTime);
    const target: FaultTarget = {
      nodes: NODES,
      execute(faults: FaultSet): Observation {
        const post = new Set(["post(0)", ...(lost(faults, x) ? [] : ["post(1)"])]);
        const pre = new Set(["post(0)", ...(lost(faults, x) && !lost(faults, y) ? [] : ["post(1)"])]);
        return {
          faults,
          post,
          pre,
          firstSend: new Map([
            ["a", 1],
            ["b", 1],
          ]),
          messages: sent([x, y, z], faults),
          lineage: (goals) => {
            // goal 1 claims y as well (an over-approximation, which is sound), so {y} is tried
            const nodes: SupportNode[] = [
              { kind: "edge", edge: z },
              { kind: "edge", edge: x },
              { kind: "edge", edge: y },
              { kind: "and", of: [1, 2] },
            ];
            return { nodes, roots: goals.map((g) => (g === "post(0)" ? 0 : lost(faults, y) ? 1 : 3)) };
          },
        };
      },
    };
    const bounds: FaultBounds = { eot: 3, eff: 2, crashes: 0, nodes: NODES };
    const r = ldfiSearch(target, { bounds });
    expect(exhaustiveSearch(target, { bounds }).verdict).toBe("counterexample");
    expect(r.verdict).toBe("counterexample");
    expect(faultKey(r.counterexample!.faults)).toBe("omit(a,b,1) omit(b,a,1)");
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
