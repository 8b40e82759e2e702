import { countIncrements, lostIncrementsSweep } from "../../course/lostIncrements";

describe("lost increments: G-Counter vs a last-writer-wins counter", () => {
  test("the G-Counter counts every increment under loss, duplication and a partition; the LWW counter converges but loses some", () => {
    const faults = {
      network: { loss: 0.2, duplicate: 0.2, reorder: 0.3 },
      partitions: [{ at: 20, heal: 150, groups: [["a"], ["b", "c"]] }],
    };
    for (let seed = 1; seed <= 4; seed++) {
      const [g, naive] = countIncrements({ seed, window: 100, increments: 20, ...faults });
      expect(g).toMatchObject({ design: "G-Counter", final: 20, lost: 0, converged: true });
      expect(naive.design).toBe("LWW counter");
      expect(naive.converged).toBe(true);
      expect(naive.final).toBeLessThan(20);
      expect(naive.lost).toBe(20 - naive.final);
    }
  });

  test("without concurrency the LWW counter is right: increments far apart in time each see the one before", () => {
    const [, naive] = countIncrements({ seed: 3, increments: 5, window: 5000 });
    expect(naive.final).toBe(5);
  });

  test("the sweep reports both designs per window, and the LWW counter loses more when increments are denser", () => {
    const rows = lostIncrementsSweep([40, 2000], 2, { increments: 12 });
    expect(rows).toHaveLength(4);
    const lww = rows.filter((r) => r.design === "LWW counter");
    expect(rows.filter((r) => r.design === "G-Counter").every((r) => r.lostFraction === 0)).toBe(true);
    expect((lww[0] as { lostFraction: number }).lostFraction).toBeGreaterThan((lww[1] as { lostFraction: number }).lostFraction);
    expect(lww[0]?.rate).toBeCloseTo(30);
  });
});
