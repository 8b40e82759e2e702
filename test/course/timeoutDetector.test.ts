import { runHeartbeatDetector, sweepTimeouts, detectorTimeline, timeoutTradeoffSpec } from "../../course/timeoutDetector";
import { renderSvg } from "../../lib/viz/render";

describe("timeout failure detector", () => {
  test("on a perfect link with timeout above the period it never suspects a live server", () => {
    const run = runHeartbeatDetector({ timeout: 15, latency: 3, loss: 0, duration: 500 });
    expect(run.falseSuspicions).toBe(0);
    expect(run.wrongSuspectMs).toBe(0);
    expect(run.detectionDelay).toBeUndefined();
  });

  test("on a perfect link it detects a crash one timeout after the last heartbeat arrived", () => {
    // beats at 0,10,...,300 arrive 3 ms later; the last at 303; suspicion at 303 + 15 = 318
    const run = runHeartbeatDetector({ timeout: 15, latency: 3, loss: 0, crashAt: 305, duration: 500 });
    expect(run.detectionDelay).toBe(13);
    expect(run.trustedDeadMs).toBe(13);
  });

  test("a timeout shorter than the heartbeat period suspects a live server over and over", () => {
    const run = runHeartbeatDetector({ timeout: 8, latency: 3, loss: 0, duration: 200 });
    expect(run.falseSuspicions).toBeGreaterThanOrEqual(19);
  });

  test("wrong both ways: longer timeouts trade false suspicions for slower detection", () => {
    const rows = sweepTimeouts([12, 20, 40], { seeds: 4, duration: 1000 });
    const fs = rows.map((r) => r.falseSuspicionsPerSecond);
    const delay = rows.map((r) => r.detectionDelayMs);
    expect(fs[0]).toBeGreaterThan(fs[1] as number);
    expect(fs[1]).toBeGreaterThan(fs[2] as number);
    expect(delay[0]).toBeLessThan(delay[1] as number);
    expect(delay[1]).toBeLessThan(delay[2] as number);
  });

  test("timeline rows and trade-off chart render", async () => {
    const run = runHeartbeatDetector({ timeout: 12, crashAt: 150, duration: 200 });
    const rows = detectorTimeline(run);
    expect(rows[0]).toEqual({ node: "server (truth)", state: "alive", from: 0, to: 150 });
    expect(rows.at(-1)?.state).toBe("suspected");
    const svg = await renderSvg(timeoutTradeoffSpec(sweepTimeouts([10, 30], { seeds: 1, duration: 300 }), "trade-off"));
    expect(svg).toContain("false suspicions");
  });
});
