import fc from "fast-check";
import { runTwoPhaseCommit, participantNames, TWO_PC_LATENCY } from "../../course/twoPhaseCommit";
import { stateIntervals, stateTimelineSpec } from "../../lib/viz/stateTimeline";

describe("two-phase commit on the simulator", () => {
  test("all yes votes commit everywhere after one round trip plus the decision", () => {
    const run = runTwoPhaseCommit();
    expect(run.decision).toBe("commit");
    expect(run.blocked).toEqual([]);
    expect(run.outcomes.map((o) => [o.state, o.decidedAt])).toEqual([
      ["committed", 3 * TWO_PC_LATENCY],
      ["committed", 30],
      ["committed", 30],
    ]);
  });

  test("one no vote aborts everyone; the no-voter decides at once", () => {
    const run = runTwoPhaseCommit({ noVoters: ["p2"] });
    expect(run.decision).toBe("abort");
    expect(run.outcomes.map((o) => o.state)).toEqual(["aborted", "aborted", "aborted"]);
    expect(run.outcomes[1]?.decidedAt).toBe(TWO_PC_LATENCY);
  });

  test("coordinator crash after prepare blocks every yes-voter until the end of the run", () => {
    const run = runTwoPhaseCommit({ coordinatorCrashAt: 15, until: 300 });
    expect(run.decision).toBeUndefined();
    expect(run.blocked).toEqual(["p1", "p2", "p3"]);
    // prepared at 10, still uncertain at 300
    for (const o of run.outcomes) expect(o.uncertainMs).toBe(290);
    expect(run.trace.stop.reason).toBe("max-time");
  });

  test("recovery presumes abort and unblocks; uncertainty lasts until the decision arrives", () => {
    const run = runTwoPhaseCommit({ coordinatorCrashAt: 15, coordinatorRecoverAt: 200 });
    expect(run.decision).toBe("abort");
    expect(run.blocked).toEqual([]);
    for (const o of run.outcomes) expect(o.decidedAt).toBe(210);
  });

  test("cooperative termination: a no-voter tells the blocked yes-voters, and they abort without the coordinator", () => {
    const noVote = runTwoPhaseCommit({ coordinatorCrashAt: 15, noVoters: ["p3"], until: 300 });
    expect(noVote.outcomes.map((o) => o.state)).toEqual(["aborted", "aborted", "aborted"]);
  });

  test("agreement: under random loss and crash times, no two participants decide differently", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 60 }),
        fc.double({ min: 0, max: 0.4, noNaN: true }),
        (seed, crashAt, loss) => {
          const run = runTwoPhaseCommit({
            seed,
            coordinatorCrashAt: crashAt,
            coordinatorRecoverAt: crashAt + 100,
            loss,
            latency: { kind: "uniform", min: 2, max: 15 },
          });
          const decided = new Set(run.outcomes.map((o) => o.state).filter((s) => s === "committed" || s === "aborted"));
          expect(decided.size).toBeLessThanOrEqual(1);
          if (decided.has("committed")) expect(run.decision).toBe("commit");
        },
      ),
      { numRuns: 60 },
    );
  });

  test("state intervals cover each participant's timeline and chart as a layered spec", () => {
    const run = runTwoPhaseCommit({ coordinatorCrashAt: 15, until: 100 });
    const rows = stateIntervals(run.trace, "state", 100);
    expect(rows.filter((r) => r.node === "p1")).toEqual([
      { node: "p1", state: "working", from: 0, to: 10 },
      { node: "p1", state: "prepared", from: 10, to: 100 },
    ]);
    const spec = stateTimelineSpec(rows, { title: "t", marks: [{ time: 15, label: "crash" }] });
    expect((spec["layer"] as unknown[]).length).toBe(3);
    expect(participantNames(2)).toEqual(["p1", "p2"]);
  });
});
