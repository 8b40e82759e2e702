import { runProgram } from "../../lib/dedalus/runtime";
import { formatTuple } from "../../lib/dedalus/factText";
import { faultKey, withinBounds } from "../../lib/ldfi/faults";
import { corpusProgram, loadExpected, pinExecutions, searchEntry, type ExpectedBound, type ExpectedEntry } from "./corpus";

/**
 * Golden verdicts of the protocol corpus (protocols/expected.json): every entry at every bound,
 * each counterexample replayed on a plain run (no provenance, no search), and certified results
 * re-checked with smaller bounds, and the executions of every row pinned by equality (UPDATE=1
 * rewrites them). Rows marked slow run only with MAZE_SLOW=1 (the benchmark runs them every time).
 */
const SLOW = process.env["MAZE_SLOW"] === "1";
const UPDATE = process.env["UPDATE"] === "1";
const cases: [string, ExpectedEntry, ExpectedBound][] = [];
for (const e of loadExpected())
  for (const b of e.bounds) if (SLOW || !b.slow) cases.push([`${e.name} ${b.eot}/${b.eff}/${b.crashes}`, e, b]);

/** post/pre at EOT of a plain run, keyed like the search keys them. */
function judge(
  entry: ExpectedEntry,
  eot: number,
  omissions: { from: string; to: string; time: number }[],
  crashes: { node: string; time: number }[],
) {
  const r = runProgram(corpusProgram(entry), { eot, failures: { omissions, crashes } });
  return {
    post: new Set(r.facts("post", eot).map((f) => formatTuple("post", f.args))),
    pre: new Set(r.facts("pre", eot).map((f) => formatTuple("post", f.args))),
  };
}

describe("protocol corpus (LDFI)", () => {
  it.each(cases)("%s", (_label, entry, b) => {
    if (b.maze === "inconclusive") {
      const capped = searchEntry(entry, b, { maxRuns: b.maxRuns ?? 1000 });
      expect([capped.verdict, capped.limit]).toEqual(["inconclusive", "max-runs"]);
      return;
    }
    const r = searchEntry(entry, b);
    expect(r.limit).toBeNull();
    expect(r.verdict).toBe(b.verdict);
    if (UPDATE && r.executions !== b.executions) pinExecutions(entry.name, b, r.executions);
    else expect({ executions: r.executions }).toEqual({ executions: b.executions });
    if (r.counterexample) {
      const { faults, missing } = r.counterexample;
      expect(withinBounds(faults, r.bounds)).toBe(true);
      // Replay: the failure-free post tuple is gone while its pre holds.
      const ff = judge(entry, b.eot, [], []);
      const replay = judge(entry, b.eot, [...faults.omissions], [...faults.crashes]);
      expect(missing.length).toBeGreaterThan(0);
      for (const m of missing) {
        expect(ff.post.has(m)).toBe(true);
        expect(replay.post.has(m)).toBe(false);
        expect(replay.pre.has(m)).toBe(true);
      }
    } else {
      // Certified stays certified when the fault space shrinks (same EOT, so the same failure-free run).
      if (b.eff > 0) expect(searchEntry(entry, { ...b, eff: b.eff - 1 }).verdict).toBe("certified");
      if (b.crashes > 0) expect(searchEntry(entry, { ...b, crashes: b.crashes - 1 }).verdict).toBe("certified");
    }
  });

  it.each(cases.filter(([, , b]) => b.mollyExecutions !== undefined))(
    "%s: no more executions than Molly's published count (Figures 12 and 13)",
    (_label, entry, b) => {
      const r = searchEntry(entry, b);
      expect(r.verdict).toBe(b.verdict);
      expect(r.executions).toBeLessThanOrEqual(b.mollyExecutions as number);
    },
  );

  it("random injection, where it finds a counterexample, agrees with LDFI", () => {
    for (const [, entry, b] of cases.filter(([, , x]) => x.eff <= 3 && x.eot <= 6)) {
      const random = searchEntry(entry, b, { strategy: "random", seed: 3, maxRuns: 60 });
      if (random.verdict === "counterexample") expect(b.verdict).toBe("counterexample");
      else expect(random.verdict).toBe(b.verdict === "certified" ? "inconclusive" : random.verdict);
    }
  });

  it("LDFI matches exhaustive search where the fault space is small, with fewer executions", () => {
    const small = cases.filter(([, , b]) => b.eff <= 2 && b.crashes <= 1 && b.eot <= 6);
    expect(small.length).toBeGreaterThan(3);
    for (const [label, entry, b] of small) {
      const ldfi = searchEntry(entry, b);
      const oracle = searchEntry(entry, b, { strategy: "exhaustive", maxRuns: 5000 });
      expect(`${label}: ${ldfi.verdict}`).toBe(`${label}: ${oracle.verdict}`);
      if (oracle.verdict === "certified") expect(ldfi.executions).toBeLessThanOrEqual(oracle.executions);
    }
  });

  it("is deterministic: the same runs in the same order", () => {
    const entry = loadExpected().find((e) => e.name === "kafka_isr") as ExpectedEntry;
    const a = searchEntry(entry, { eot: 6, eff: 4, crashes: 1 });
    const b = searchEntry(entry, { eot: 6, eff: 4, crashes: 1 });
    expect(a.runs.map((r) => faultKey(r.faults))).toEqual(b.runs.map((r) => faultKey(r.faults)));
  });
});
