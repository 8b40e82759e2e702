import { runCoordinationCost, coordinationCostSweep, throughputOverTime, coordinationCostSpec, throughputOverTimeSpec } from "../../lib/experiments/coordinationCost";
import { renderSvg } from "../../lib/viz/render";

describe("price of coordination", () => {
  test("coordination-free updates complete at the local service rate on every replica", () => {
    const r = runCoordinationCost({ mode: "coordination-free", nodes: 3, durationMs: 200 });
    expect(r.throughput).toBe(3000);
    expect(r.meanLatencyMs).toBe(1);
  });

  test("coordinated updates obey Little's law: clients = throughput x latency", () => {
    const r = runCoordinationCost({ mode: "coordinated", nodes: 4, durationMs: 1000 });
    expect(r.stop).toBe("max-time");
    expect((r.throughput * r.meanLatencyMs) / 1000).toBeGreaterThan(3.5);
    expect((r.throughput * r.meanLatencyMs) / 1000).toBeLessThanOrEqual(4.05);
    // each remote update: request, prepare/vote/commit to 3 peers, answer
    expect(r.messagesPerUpdate).toBeGreaterThan(9);
    expect(r.messagesPerUpdate).toBeLessThan(12);
  });

  test("coordinated throughput falls as latency grows; coordination-free does not care", () => {
    const rows = coordinationCostSweep({ nodeCounts: [2], latencies: [1, 10, 40], durationMs: 400 }).filter((r) => r.sweep === "latency");
    const co = rows.filter((r) => r.mode === "coordinated").map((r) => r.throughput);
    const free = rows.filter((r) => r.mode === "coordination-free").map((r) => r.throughput);
    expect(co[0]).toBeGreaterThan(co[1] as number);
    expect(co[1]).toBeGreaterThan(co[2] as number);
    expect(new Set(free).size).toBe(1);
  });

  test("a partition stalls coordinated updates everywhere; they resume after it heals", () => {
    const r = runCoordinationCost({ mode: "coordinated", nodes: 3, partition: { at: 200, heal: 400 }, durationMs: 800 });
    const series = throughputOverTime(r, 50, 800);
    expect(series.filter((b) => b.time >= 250 && b.time < 400).every((b) => b.throughput === 0)).toBe(true);
    expect(series.filter((b) => b.time >= 600).some((b) => b.throughput > 0)).toBe(true);
    const free = runCoordinationCost({ mode: "coordination-free", nodes: 3, partition: { at: 200, heal: 400 }, durationMs: 800 });
    expect(throughputOverTime(free, 50, 800).slice(1, -1).every((b) => b.throughput === 3000)).toBe(true);
  });

  test("charts render", async () => {
    const rows = coordinationCostSweep({ nodeCounts: [2, 3], latencies: [], durationMs: 100 });
    expect(await renderSvg(coordinationCostSpec(rows, "nodes", "throughput", "t"))).toContain("number of replicas");
    const r = runCoordinationCost({ mode: "coordinated", nodes: 2, durationMs: 100 });
    expect(await renderSvg(throughputOverTimeSpec(throughputOverTime(r, 20, 100), { at: 20, heal: 40 }, "t"))).toContain("<svg");
  });
});
