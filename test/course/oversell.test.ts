import { oversell, oversellOverSchedules } from "../../course/oversell";

describe("oversell: a converging stock counter read non-monotonically", () => {
  test("selling on the local view: every shop's counter converges to stock - sold, and some schedules sell stock that did not exist", () => {
    const rows = oversellOverSchedules(25);
    for (const r of rows) {
      expect(r.converged).toBe(true);
      expect(r.finalStock).toBe(r.stock - r.sold);
      expect(r.sold + r.refused).toBe(16);
    }
    expect(rows.some((r) => r.oversold > 0)).toBe(true);
  });

  test("escrow never oversells, whatever the schedule, even under a partition", () => {
    const rows = oversellOverSchedules(25, { policy: "escrow", partitions: [{ at: 0, heal: 150, groups: [["a"], ["b", "c"]] }] });
    expect(rows.every((r) => r.oversold === 0 && r.finalStock >= 0)).toBe(true);
  });

  test("a single shop never oversells: its view is the whole truth", () => {
    for (let seed = 1; seed <= 5; seed++) expect(oversell({ seed, shops: 1 }).oversold).toBe(0);
  });

  test("the trace records each shop's counter for the convergence chart and each sale", () => {
    const r = oversell({ seed: 3 });
    expect(r.trace.notes("sale")).toHaveLength(r.sold);
    expect(r.trace.notes("replica").length).toBeGreaterThan(3);
  });
});
