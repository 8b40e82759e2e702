import {
  runCoordinationCost,
  coordinationCostSweep,
  throughputOverTime,
  coordinationCostSpec,
  throughputOverTimeSpec,
  partitionPhases,
} from "../../course/coordinationCost";
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
    expect(
      throughputOverTime(free, 50, 800)
        .slice(1, -1)
        .every((b) => b.throughput === 3000),
    ).toBe(true);
  });

  test("a majority quorum: the leader's side keeps serving through a partition, the cut-off replica stops", () => {
    const partition = { at: 200, heal: 400 };
    const bySide = (mode: "coordinated" | "majority") => {
      const r = runCoordinationCost({ mode, nodes: 4, partition, durationMs: 800 });
      expect(r.isolated).toEqual(["d"]);
      const points = throughputOverTime(r, 50, 800, { bySide: true });
      const during = (side: string) => points.filter((p) => p.side === side && p.time >= 250 && p.time < 400).map((p) => p.throughput);
      const after = (side: string) => points.filter((p) => p.side === side && p.time >= 450).map((p) => p.throughput);
      return { connected: during("a's side (a, b, c)"), cutOff: during("cut off (d)"), cutOffAfter: after("cut off (d)") };
    };
    const majority = bySide("majority");
    expect(majority.connected.length).toBe(3);
    expect(majority.connected.every((t) => t > 0)).toBe(true);
    expect(majority.cutOff.every((t) => t === 0)).toBe(true);
    expect(majority.cutOffAfter.some((t) => t > 0)).toBe(true);
    // All-votes 2PC is the one that stops on both sides.
    const allVotes = bySide("coordinated");
    expect([...allVotes.connected, ...allVotes.cutOff].every((t) => t === 0)).toBe(true);
    expect(allVotes.cutOffAfter.some((t) => t > 0)).toBe(true);
  });

  test("a majority quorum waits for the fastest majority, so it is never slower than waiting for every vote", () => {
    const all = runCoordinationCost({ mode: "coordinated", nodes: 5, durationMs: 1000 });
    const majority = runCoordinationCost({ mode: "majority", nodes: 5, durationMs: 1000 });
    expect(majority.meanLatencyMs).toBeLessThan(all.meanLatencyMs);
    expect(majority.throughput).toBeGreaterThan(all.throughput);
    // With two replicas a majority is both of them: the same protocol, the same run.
    const two = [
      runCoordinationCost({ mode: "coordinated", nodes: 2, durationMs: 300 }),
      runCoordinationCost({ mode: "majority", nodes: 2, durationMs: 300 }),
    ];
    expect(two[1]?.completionTimes).toEqual(two[0]?.completionTimes);
  });

  test("partition phases: a 3-1 split leaves the majority serving; a 2-2 split leaves no majority anywhere", () => {
    const partition = { at: 300, heal: 600 };
    const phases = (mode: "coordinated" | "majority", nodes: number, isolated: number) =>
      partitionPhases(runCoordinationCost({ mode, nodes, partition: { ...partition, isolated } }), partition, 1000);
    const [leaderSide, cutOff] = phases("majority", 4, 1);
    expect(leaderSide?.side).toBe("a's side (a, b, c)");
    expect(leaderSide?.during).toBeGreaterThanOrEqual(leaderSide?.before as number);
    expect(cutOff).toMatchObject({ side: "cut off (d)", during: 0 });
    expect(cutOff?.after).toBeGreaterThan(0);
    expect(phases("coordinated", 4, 1).map((r) => r.during)).toEqual([0, 0]);
    // Two of four is no majority: at most the round already committed when the cut came finishes.
    const split = phases("majority", 4, 2);
    expect(split.every((r) => r.during * 0.3 <= 1 && r.after > 0)).toBe(true);
    expect(() => runCoordinationCost({ mode: "majority", nodes: 4, partition: { ...partition, isolated: 4 } })).toThrow(
      /from 1 to 3 \(the leader, a, stays/,
    );
    expect(() => partitionPhases(runCoordinationCost({ mode: "majority", nodes: 3, durationMs: 100 }), partition, 1000)).toThrow(
      /needs a run with a partition/,
    );
  });

  test("throughput by side needs a partition; without one it is the single series", () => {
    const r = runCoordinationCost({ mode: "majority", nodes: 3, durationMs: 200 });
    expect(r.isolated).toEqual([]);
    const points = throughputOverTime(r, 50, 200, { bySide: true });
    expect(points.map((p) => p.side)).toEqual([undefined, undefined, undefined, undefined]);
    expect(points.reduce((n, p) => n + (p.throughput * 50) / 1000, 0)).toBe(r.completed);
  });

  test("charts render", async () => {
    const rows = coordinationCostSweep({ nodeCounts: [2, 3], latencies: [], durationMs: 100 });
    expect(await renderSvg(coordinationCostSpec(rows, "nodes", "throughput", "t"))).toContain("number of replicas");
    const r = runCoordinationCost({ mode: "coordinated", nodes: 2, durationMs: 100 });
    expect(await renderSvg(throughputOverTimeSpec(throughputOverTime(r, 20, 100), { at: 20, heal: 40 }, "t"))).toContain("<svg");
    const cut = runCoordinationCost({ mode: "majority", nodes: 4, partition: { at: 20, heal: 60 }, durationMs: 100 });
    const svg = await renderSvg(throughputOverTimeSpec(throughputOverTime(cut, 20, 100, { bySide: true }), { at: 20, heal: 60 }, "t"));
    expect(svg).toContain("cut off (d)");
    expect(svg).toContain("a majority must vote");
    expect(svg).not.toContain("…"); // no label truncated
  });
});
