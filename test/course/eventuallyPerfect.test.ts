import fc from "fast-check";
import { runPingDetector, pingDetectorTimeline, SLOW_BOUNDED_LINK } from "../../course/eventuallyPerfect";
import { stateTimelineSpec } from "../../lib/viz/stateTimeline";
import { renderSvg } from "../../lib/viz/render";

describe("a ping detector that listens to late replies", () => {
  test("on a fast link it never suspects a live server and keeps its timeout", () => {
    const run = runPingDetector({ policy: "adaptive", latency: 3, duration: 500 });
    expect(run.wrongSuspicions).toBe(0);
    expect(run.finalTimeout).toBe(20);
    expect(run.finalVerdict).toBe("trusted");
  });

  test("every late reply revokes a suspicion: the fixed detector flaps on a slow link and never settles", () => {
    const run = runPingDetector({ policy: "fixed", seed: 1 });
    // Every round trip takes at least 30 ms, longer than the 20 ms timeout: each ping is suspected.
    expect(run.wrongSuspicions).toBeGreaterThan(40);
    expect(run.lastMistakeAt).toBeGreaterThan(1400);
    expect(run.finalTimeout).toBe(20);
    expect(run.wrongSuspectMs / run.duration).toBeGreaterThan(0.9);
    const verdicts = run.trace.notes("verdict").map((n) => n.value);
    expect(verdicts.filter((v) => v === "trusted").length).toBe(run.wrongSuspicions + 1);
  });

  test("the adaptive detector doubles its timeout per mistake until it passes the slowest round trip (120 ms)", () => {
    const run = runPingDetector({ policy: "adaptive", seed: 1 });
    expect(run.timeouts.map((t) => t.timeout)).toEqual([20, 40, 80, 160]);
    expect(run.wrongSuspicions).toBe(3);
    expect(run.lastMistakeAt).toBeLessThan(300);
    expect(run.finalVerdict).toBe("trusted");
    expect(run.trace.notes("timeout").map((n) => n.value)).toEqual([40, 80, 160]);
  });

  test("eventually perfect: on any seed, after its last mistake it suspects the server iff it has crashed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.boolean(), (seed, crashes) => {
        const crashAt = crashes ? 900 : undefined;
        const run = runPingDetector({ policy: "adaptive", seed, duration: 1500, ...(crashAt === undefined ? {} : { crashAt }) });
        // A timeout above 2 x 60 ms can no longer be exceeded by a live server's reply.
        expect(run.finalTimeout).toBeGreaterThan(2 * 60);
        expect(run.lastMistakeAt ?? 0).toBeLessThan(900);
        const afterMistakes = run.trace.notes("verdict").filter((n) => n.time > (run.lastMistakeAt ?? 0));
        if (crashAt === undefined) expect(afterMistakes).toEqual([]);
        else {
          expect(afterMistakes.map((n) => n.value)).toEqual(["suspected"]);
          expect(afterMistakes[0]?.time).toBeGreaterThan(crashAt);
          // The last reply left before the crash; the suspicion comes one timeout after the last ping.
          expect(run.detectionDelay).toBeLessThanOrEqual(run.finalTimeout + 25);
        }
      }),
      { numRuns: 40 },
    );
  });

  test("the price of accuracy is detection speed: the fixed detector notices the crash sooner", () => {
    const fixed = runPingDetector({ policy: "fixed", crashAt: 800, seed: 1 });
    const adaptive = runPingDetector({ policy: "adaptive", crashAt: 800, seed: 1 });
    expect(fixed.finalVerdict).toBe("suspected");
    expect(adaptive.finalVerdict).toBe("suspected");
    expect(fixed.detectionDelay).toBeLessThan(adaptive.detectionDelay as number);
    expect(adaptive.wrongSuspectMs).toBeLessThan(fixed.wrongSuspectMs / 5);
  });

  test("bad options are located errors", () => {
    expect(() => runPingDetector({ policy: "adaptive", timeout: 0 })).toThrow(/timeout must be a positive number of ms, got 0/);
    expect(() => runPingDetector({ policy: "adaptive", raiseBy: 0.5 })).toThrow(/raiseBy must be a number >= 1, got 0.5/);
    expect(() => runPingDetector({ policy: "fixed", period: -1 })).toThrow(/period must be a positive number of ms, got -1/);
  });

  test("timeline rows: the truth, then one row per detector; the chart renders", async () => {
    const runs = (["fixed", "adaptive"] as const).map((policy) => ({
      label: `${policy} timeout`,
      run: runPingDetector({ policy, crashAt: 300, duration: 600, latency: SLOW_BOUNDED_LINK }),
    }));
    const rows = pingDetectorTimeline(runs);
    expect(rows.slice(0, 2)).toEqual([
      { node: "server (truth)", state: "alive", from: 0, to: 300 },
      { node: "server (truth)", state: "crashed", from: 300, to: 600 },
    ]);
    expect(new Set(rows.map((r) => r.node))).toEqual(new Set(["server (truth)", "fixed timeout", "adaptive timeout"]));
    expect(rows.filter((r) => r.node === "adaptive timeout").at(-1)).toMatchObject({ state: "suspected", to: 600 });
    expect(pingDetectorTimeline([])).toEqual([]);
    const svg = await renderSvg(stateTimelineSpec(rows, { title: "t" }));
    expect(svg).toContain("adaptive timeout");
  });
});
