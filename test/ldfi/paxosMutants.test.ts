import * as fs from "node:fs";
import { parseSource } from "../../lib/dedalus/load";
import { crashReading, dedalusProgramTarget } from "../../lib/ldfi/dedalusEngine";
import { faultKey, type FaultBounds } from "../../lib/ldfi/faults";
import { searchFaults } from "../../lib/ldfi/search";

/**
 * LDFI against exhaustive search on paxos_synod and on mutants of it: a real protocol whose runs
 * lose messages that were never sent, delay first sends and crash nodes after their last needed
 * send — where subsumption reads a survivor by what its faults lost (lib/ldfi/README.md, step 6).
 * The 8/3/1 rows (about 35 s of exhaustive search each) run with MAZE_SLOW=1.
 */
const SLOW = process.env["MAZE_SLOW"] === "1";
const paxos = fs.readFileSync("protocols/paxos_synod.ded", "utf8");

const mutants: readonly (readonly [string, string, string])[] = [
  ["as written", "", ""],
  // an acceptor accepts whatever ballot it is asked to
  [
    "accepts any ballot",
    "accepted(A, B, V) :- accept(A, _, B, V), highest_seen(A, H), B >= H;",
    "accepted(A, B, V) :- accept(A, _, B, V);",
  ],
  // a proposer proposes its own value whatever the promises reported
  [
    "ignores reported values",
    "value_for(P, B, V) :- quorum_ok(P, B), reported_ballot(P, B, AB), AB > 0, promised(P, B, _, AB, V);",
    "value_for(P, B, V) :- quorum_ok(P, B), reported_ballot(P, B, AB), AB > 0, proposal(P, B, V);",
  ],
  // a learner at a decides on one vote
  ["learner a needs one vote", 'majority("a", 2)@1;', 'majority("a", 1)@1;'],
];

const cases = mutants.flatMap(([name, from, to]) => [2, ...(SLOW ? [3] : [])].map((eff) => [name, eff, from, to] as const));

describe("paxos_synod and its mutants: LDFI reaches exhaustive search's verdict", () => {
  it.each(cases)(
    "%s at 8/%d/1",
    (_name, eff, from, to) => {
      expect(paxos.includes(from)).toBe(true);
      const { program, diagnostics } = parseSource(paxos.replace(from, to), "paxos_mutant.ded");
      expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const bounds: FaultBounds = { eot: 8, eff, crashes: 1, nodes: ["a", "b", "c"] };
      const make = () => dedalusProgramTarget(program, { eot: 8, ...crashReading(program) });
      const oracle = searchFaults(make(), { bounds, strategy: "exhaustive", maxRuns: 200_000, timeoutMs: 600_000 });
      const ldfi = searchFaults(make(), { bounds, maxRuns: 200_000, timeoutMs: 600_000 });
      expect(ldfi.verdict).toBe(oracle.verdict);
      if (oracle.verdict === "certified") expect(ldfi.executions).toBeLessThan(oracle.executions);
      else expect(ldfi.counterexample && faultKey(ldfi.counterexample.faults)).not.toBe("no faults");
    },
    600_000,
  );
});
