import { antiEntropyCost } from "../../course/antiEntropyCost";

describe("state vs delta anti-entropy cost", () => {
  test("every mode converges; deltas ship fewer bytes, and the gap grows with the state", () => {
    const rows = antiEntropyCost({ sizes: [10, 120], modes: ["state", "delta"] });
    expect(rows.map((r) => [r.mode, r.updates])).toEqual([
      ["state", 10],
      ["delta", 10],
      ["state", 120],
      ["delta", 120],
    ]);
    expect(rows.every((r) => r.converged)).toBe(true);
    const bytes = (mode: string, n: number): number => rows.find((r) => r.mode === mode && r.updates === n)?.bytesToConverge ?? NaN;
    expect(bytes("delta", 10)).toBeLessThan(bytes("state", 10));
    expect(bytes("state", 120) - bytes("delta", 120)).toBeGreaterThan(bytes("state", 10) - bytes("delta", 10));
    // State gossip goes on after convergence; delta gossip stops once everything is acknowledged.
    const state120 = rows[2] as { bytesShipped: number; bytesToConverge: number };
    expect(state120.bytesShipped).toBeGreaterThan(state120.bytesToConverge);
  });

  test("forwarding received deltas costs more than own deltas alone, and far less than whole states", () => {
    const rows = antiEntropyCost({ sizes: [100] });
    expect(rows.map((r) => r.mode)).toEqual(["state", "delta", "delta-interval"]);
    expect(rows.every((r) => r.converged)).toBe(true);
    const [state, own, forwarded] = rows.map((r) => r.bytesToConverge) as [number, number, number];
    expect(own).toBeLessThan(forwarded);
    expect(forwarded).toBeLessThan(state / 1.2);
  });
});
