import { gCounter } from "../../lib/crdt/gCounter";
import { collaborativeText, divergeThenConverge } from "../../course/divergeConverge";

describe("diverge then converge", () => {
  test("collaborative text: replicas differ during the partition and hold one text after it heals", () => {
    const r = collaborativeText({ seed: 5, ops: 20 });
    expect(r.run.converged).toBe(true);
    const texts = new Set(Object.values(r.run.values));
    expect(texts.size).toBe(1);
    // Each author typed their own letter; all of them appear in the merged text (deletes are rarer than inserts).
    expect([...texts][0]).toMatch(/[A-C]/);
    expect(r.repairTime).toBeGreaterThanOrEqual(0);
    // During the partition the isolated replica's digest differs from the others' at some point.
    const during = r.run.trace.notes("replica").filter((n) => n.time > 60 && n.time < 250);
    expect(new Set(during.map((n) => (n.value as { digest: string }).digest)).size).toBeGreaterThan(1);
  });

  test("a partition that never heals leaves the replicas apart, and repairTime says so", () => {
    const r = divergeThenConverge({
      crdt: gCounter,
      randomOp: () => ({ op: "inc" }),
      ops: 12,
      seed: 2,
      partitions: [{ at: 0, groups: [["a"], ["b", "c"]] }],
    });
    expect(r.run.converged).toBe(false);
    expect(r.repairTime).toBeUndefined();
    // Every increment is still counted somewhere: the two sides together hold all 12.
    expect((r.run.values["a"] as number) + (r.run.values["b"] as number)).toBe(12);
  });

  test("behind the partition, b and c agree with state or forwarded deltas, not with own deltas only", () => {
    const digestAt = (r: ReturnType<typeof collaborativeText>, node: string, t: number) =>
      (
        r.run.trace
          .notes("replica")
          .filter((n) => n.node === node && n.time <= t)
          .at(-1)?.value as { digest: string } | undefined
      )?.digest;
    const agree = (mode: "state" | "delta" | "delta-interval") => {
      const r = collaborativeText({ seed: 2, mode });
      expect(r.run.converged).toBe(true);
      return digestAt(r, "b", 200) === digestAt(r, "c", 200);
    };
    expect([agree("state"), agree("delta"), agree("delta-interval")]).toEqual([true, false, true]);
  });

  test("the same seed gives the same run", () => {
    expect(collaborativeText({ seed: 9, ops: 10 }).run.values).toEqual(collaborativeText({ seed: 9, ops: 10 }).run.values);
  });
});
