import fc from "fast-check";
import { handlerSearch } from "../../lib/ldfi/handlers/search";
import { handlerTarget } from "../../lib/ldfi/handlers/target";
import { genProgramArb, genProtocol } from "./handlersGen";

/**
 * LDFI (with its completion phase) reaches the verdict of exhaustive search on random small
 * handler programs. Execution counts of both are summed and printed: the completion phase's price.
 */
const totals = { programs: 0, ldfi: 0, ldfiPhase: 0, exhaustive: 0, counterexamples: 0, certified: 0, reactsToAbsence: 0 };

const boundsArb = fc.record({
  eot: fc.integer({ min: 3, max: 5 }),
  eff: fc.integer({ min: 1, max: 3 }),
  crashes: fc.integer({ min: 0, max: 1 }),
});

test("LDFI == exhaustive on random handler programs (forward, retry on timers, ack, count)", () => {
  fc.assert(
    fc.property(genProgramArb, boundsArb, (g, b) => {
      // three nodes with EFF 3 have 2^12 omission sets: too many for the oracle in a unit test
      const eff = g.nodes.length === 3 ? Math.min(b.eff, 2) : b.eff;
      const protocol = genProtocol(g);
      const bounds = { eot: b.eot, eff, crashes: b.crashes, nodes: protocol.nodes };
      const target = handlerTarget(protocol, { eot: b.eot });
      const ldfi = handlerSearch(target, { bounds, strategy: "ldfi" });
      const exhaustive = handlerSearch(target, { bounds, strategy: "exhaustive" });
      expect(exhaustive.verdict).not.toBe("inconclusive");
      expect(ldfi.verdict).toBe(exhaustive.verdict);
      totals.programs++;
      totals.ldfi += ldfi.executions;
      totals.ldfiPhase += ldfi.ldfiExecutions;
      totals.exhaustive += exhaustive.executions;
      if (ldfi.verdict === "counterexample") totals.counterexamples++;
      else totals.certified++;
      // a counterexample only the completion phase found: the program reacted to an absence lineage never showed
      if (ldfi.verdict === "counterexample" && ldfi.completion !== null) totals.reactsToAbsence++;
    }),
    { numRuns: 60 },
  );
  // eslint-disable-next-line no-console
  console.log(
    `handler programs: ${totals.programs} (${totals.counterexamples} counterexamples, ${totals.certified} certified, ${totals.reactsToAbsence} found only by the completion phase); executions: LDFI ${totals.ldfi} (LDFI phase ${totals.ldfiPhase}), exhaustive ${totals.exhaustive}`,
  );
});
