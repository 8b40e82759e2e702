import fc from "fast-check";
import { dedalusProgramTarget, crashReading } from "../../lib/ldfi/dedalusEngine";
import { faultKey, type FaultBounds } from "../../lib/ldfi/faults";
import { closeLdfiPool, ldfiPoolAnswers, parseProcStat, spareCoreBetween } from "../../lib/ldfi/pool";
import type { SearchOptions, SearchResult } from "../../lib/ldfi/result";
import { searchFaults } from "../../lib/ldfi/search";
import { corpusProgram, loadExpected } from "./corpus";
import { generatedProgram, programArb } from "./randomProgramGen";

/**
 * The worker pool (`jobs` above 1) must not change a search: same verdict, counterexample, limit,
 * executions, and the same runs in the same order (README, "Worker pool"). `poolAfterMs: 0` starts
 * the workers at once, so even the smallest searches go through them.
 */
const SLOW = process.env["MAZE_SLOW"] === "1";

afterAll(() => closeLdfiPool());

/** What must not depend on `jobs`. */
function summary(r: SearchResult): string {
  return JSON.stringify({
    verdict: r.verdict,
    limit: r.limit,
    executions: r.executions,
    counterexample: r.counterexample ? { faults: faultKey(r.counterexample.faults), missing: r.counterexample.missing } : null,
    runs: r.runs.map((x) => `${faultKey(x.faults)} ${x.outcome} ${x.missing.join(",")}`),
    maxClauses: r.maxClauses,
  });
}

function both(
  make: () => ReturnType<typeof dedalusProgramTarget>,
  options: Omit<SearchOptions, "bounds">,
  bounds: (t: ReturnType<typeof dedalusProgramTarget>) => FaultBounds,
): [string, string] {
  const seqTarget = make();
  const sequential = searchFaults(seqTarget, { timeoutMs: 600_000, ...options, bounds: bounds(seqTarget) });
  const poolTarget = make();
  const pooled = searchFaults(poolTarget, {
    timeoutMs: 600_000,
    ...options,
    bounds: bounds(poolTarget),
    jobs: 3,
    poolAfterMs: 0,
    poolOnBusyMachine: true,
  });
  return [summary(pooled), summary(sequential)];
}

describe("LDFI on the worker pool", () => {
  const rows = loadExpected().flatMap((e) =>
    e.bounds.filter((b) => SLOW || !b.slow).map((b) => [`${e.name} ${b.eot}/${b.eff}/${b.crashes}`, e, b] as const),
  );
  it.each(rows)("%s: the same search as without workers", (_name, entry, b) => {
    const program = corpusProgram(entry);
    const [pooled, sequential] = both(
      () => dedalusProgramTarget(program, { eot: b.eot, ...crashReading(program) }),
      {},
      (t) => ({ eot: b.eot, eff: b.eff, crashes: b.crashes, nodes: t.nodes }),
    );
    expect(pooled).toBe(sequential);
  });

  it("gives workers the search's join budget: Paxos 8/2/1 read coarsely is the same search on the pool", () => {
    const entry = loadExpected().find((e) => e.name === "paxos_synod");
    if (!entry) throw new Error("paxos_synod is not in the corpus");
    const program = corpusProgram(entry);
    const run = (joinBudget: number): [string, string] =>
      both(
        () => dedalusProgramTarget(program, { eot: 8, ...crashReading(program), joinBudget }),
        {},
        (t) => ({ eot: 8, eff: 2, crashes: 1, nodes: t.nodes }),
      );
    const [pooled, sequential] = run(1);
    expect(pooled).toBe(sequential);
    // and the budget is read at all: the coarse search runs more hypotheses than the default one
    expect(JSON.parse(sequential).executions).toBeGreaterThan(JSON.parse(run(200)[1]).executions);
  });

  it("stops at the same run when the run limit cuts the search and its enumerations short", () => {
    const entry = loadExpected().find((e) => e.name === "paxos_synod");
    if (!entry) throw new Error("paxos_synod is not in the corpus");
    const program = corpusProgram(entry);
    for (const maxRuns of [5, 9]) {
      // both below the 12 runs the whole 8/2/1 search needs (protocols/expected.json), so the limit is what stops it
      const [pooled, sequential] = both(
        () => dedalusProgramTarget(program, { eot: 8, crashSensitive: false }),
        { maxRuns },
        (t) => ({ eot: 8, eff: 2, crashes: 1, nodes: t.nodes }),
      );
      expect(pooled).toBe(sequential);
      expect(JSON.parse(pooled).limit).toBe("max-runs");
    }
    // the comparisons are not vacuous: worker threads answered jobs of these searches
    expect(ldfiPoolAnswers()).toBeGreaterThan(0);
  });

  it("gives the sequential result on random small programs, counterexample included", () => {
    let compared = 0;
    let counterexamples = 0;
    fc.assert(
      fc.property(programArb, (c) => {
        const generated = generatedProgram(c);
        if (!generated) return;
        const { text, program } = generated;
        let result: [string, string];
        try {
          result = both(
            () => dedalusProgramTarget(program, { eot: 4, nodes: ["a", "b"], ...crashReading(program) }),
            {},
            () => ({ eot: 4, eff: c.eff, crashes: c.crashes, nodes: ["a", "b"] }),
          );
        } catch (e) {
          if (e instanceof Error && /stratif|unsafe|arity/i.test(e.message)) return;
          throw e;
        }
        compared++;
        if (JSON.parse(result[1]).verdict === "counterexample") counterexamples++;
        expect(`${result[0]}\n${text}`).toBe(`${result[1]}\n${text}`);
      }),
      { numRuns: Number(process.env["LDFI_RUNS"] ?? 60), seed: Number(process.env["LDFI_SEED"] ?? 42) },
    );
    expect(compared).toBeGreaterThan(30);
    expect(counterexamples).toBeGreaterThan(1);
  });
});

describe("when the pool starts: half a core idle between two readings of /proc/stat", () => {
  // Two readings of a 2-core machine one second apart (clock ticks): user nice system idle iowait irq softirq steal.
  const before = "cpu  1000 0 200 5000 100 0 10 0 0 0\ncpu0 500 0 100 2500 50 0 5 0 0 0\n";
  const oneBusyCore = "cpu  1100 0 200 5098 102 0 10 0 0 0\n"; // 100 ticks busy, 100 idle of 200
  const bothBusy = "cpu  1190 0 205 5004 100 0 11 0 0 0\n"; // 196 busy, 4 idle

  test("reads idle and iowait against the total of the first eight columns", () => {
    expect(parseProcStat(before)).toEqual({ idle: 5100, total: 6310 });
    expect(parseProcStat("intr 1 2 3\n")).toBeNull();
    expect(parseProcStat("cpu  x y z w\n")).toBeNull();
  });

  test("a core idle (this search's own thread on the other) starts it; both busy does not", () => {
    const b = parseProcStat(before)!;
    expect(spareCoreBetween(b, parseProcStat(oneBusyCore)!, 2)).toBe(true);
    expect(spareCoreBetween(b, parseProcStat(bothBusy)!, 2)).toBe(false);
    // no time passed: no evidence of an idle core
    expect(spareCoreBetween(b, b, 2)).toBe(false);
  });
});
