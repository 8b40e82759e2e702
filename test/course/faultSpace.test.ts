import fc from "fast-check";
import { allFaultSets } from "../../lib/ldfi/baselines";
import { faultCombinations, faultSpaceSpec, faultSpaceSweep, gossipBroadcast } from "../../course/faultSpace";
import { ldfiCheck } from "../../lib/ldfi/lessonSearch";
import { renderSvg } from "../../lib/viz/render";

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + i));
const enumerated = (eot: number, eff: number, crashes: number, nodes: number): bigint => {
  let k = 0n;
  for (const _ of allFaultSets({ eot, eff, crashes, nodes: names(nodes) })) k++;
  return k;
};

describe("faultCombinations: the fault sets exhaustive search enumerates, counted analytically", () => {
  test("equals the enumeration of allFaultSets on every small bound", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 2 }),
        fc.nat({ max: 6 }),
        (nodes, eot, crashes, effSeed) => {
          const eff = Math.min(effSeed, eot, 3);
          expect(faultCombinations({ eot, eff, crashes, nodes })).toBe(enumerated(eot, eff, crashes, nodes));
        },
      ),
      { numRuns: 60 },
    );
  });

  test("known values: no faults possible is one set (the failure-free run); losses alone are 2^(n(n-1)(EFF-1))", () => {
    expect(faultCombinations({ eot: 4, eff: 1, crashes: 0, nodes: 3 })).toBe(1n);
    expect(faultCombinations({ eot: 4, eff: 3, crashes: 0, nodes: 3 })).toBe(2n ** 12n);
    // at 6 nodes it is far beyond any enumeration, and still exact
    expect(faultCombinations({ eot: 5, eff: 2, crashes: 1, nodes: 6 })).toBe(20602421248n);
  });

  test("bounds that describe no search are a RangeError naming the bound", () => {
    expect(() => faultCombinations({ eot: 3, eff: 4, crashes: 0, nodes: 3 })).toThrow(/eff \(4\) cannot exceed eot/);
    expect(() => faultCombinations({ eot: 3, eff: 1, crashes: -1, nodes: 3 })).toThrow(/crashes must be a non-negative integer/);
    expect(() => gossipBroadcast(1)).toThrow(RangeError);
    expect(() => faultSpaceSweep({ base: { eot: 4, eff: 2, crashes: 0, nodes: 2 } }, { maxExhaustive: -1 })).toThrow(/maxExhaustive/);
  });
});

describe("the sweep of lesson 8", () => {
  const rows = faultSpaceSweep(
    { base: { eot: 4, eff: 2, crashes: 1, nodes: 3 }, eot: [3], eff: [1, 2, 3], nodes: [2, 3] },
    { maxExhaustive: 600 },
  );

  test("exhaustive search pays one execution per combination; LDFI certifies with a handful", () => {
    const ran = rows.filter((r) => r.exhaustive !== null);
    expect(ran.map((r) => `${r.varies} ${r.eff}/${r.nodes}`)).toEqual(["EOT 2/3", "EFF 1/3", "EFF 2/3", "nodes 2/2", "nodes 2/3"]);
    for (const r of ran) expect(String(r.exhaustive)).toBe(r.combinations);
    for (const r of rows) {
      expect(r.ldfiVerdict).toBe("certified");
      expect(r.ldfi).toBeLessThanOrEqual(5);
    }
    // over the cap, exhaustive search is not run at all
    expect(rows.find((r) => r.varies === "EFF" && r.eff === 3)).toMatchObject({ exhaustive: null, combinations: "20224" });
  });

  test("the generated gossip, like the corpus's replog, is certified with loss and a crash", () => {
    expect(ldfiCheck(gossipBroadcast(3), { eot: 5, eff: 3, crashes: 1 }).verdict).toBe("certified");
    expect(ldfiCheck(gossipBroadcast(4), { eot: 5, eff: 4, crashes: 0 }).verdict).toBe("certified");
  });

  test("the chart has a panel per swept bound and renders with every label whole", async () => {
    const spec = faultSpaceSpec(rows, "blow-up") as { hconcat: { data: { values: { series: string }[] } }[] };
    expect(spec.hconcat).toHaveLength(3);
    expect(spec.hconcat[1]!.data.values.map((v) => v.series)).toContain("exhaustive search (executions)");
    const svg = await renderSvg(spec);
    expect(svg).toContain("LDFI (executions)");
    expect([...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].filter((m) => m[1]!.includes("…"))).toEqual([]);
  });
});
