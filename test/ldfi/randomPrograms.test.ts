import fc from "fast-check";
import { dedalusEngine, crashReading } from "../../lib/ldfi/dedalusEngine";
import { dedalusTarget } from "../../lib/ldfi/dedalusTarget";
import { faultKey } from "../../lib/ldfi/faults";
import { searchFaults } from "../../lib/ldfi/search";
import { generatedProgram, programArb } from "./randomProgramGen";

describe("LDFI on random small programs", () => {
  it("reaches the exhaustive verdict, with no more executions when certified", () => {
    let compared = 0;
    let counterexamples = 0;
    fc.assert(
      fc.property(programArb, (c) => {
        const generated = generatedProgram(c);
        if (!generated) return;
        const { text, program } = generated;
        const eot = 4;
        const make = () => dedalusTarget(dedalusEngine, program, { eot, nodes: ["a", "b"], ...crashReading(program) });
        const bounds = { eot, eff: c.eff, crashes: c.crashes, nodes: ["a", "b"] };
        let oracle;
        try {
          oracle = searchFaults(make(), { bounds, strategy: "exhaustive" });
        } catch (e) {
          if (e instanceof Error && /stratif|unsafe|arity/i.test(e.message)) return;
          throw e;
        }
        const ldfi = searchFaults(make(), { bounds });
        compared++;
        if (oracle.verdict === "counterexample") counterexamples++;
        expect(`${ldfi.verdict}\n${text}`).toBe(`${oracle.verdict}\n${text}`);
        if (oracle.verdict === "certified") expect(ldfi.executions).toBeLessThanOrEqual(oracle.executions);
        if (ldfi.counterexample) expect(faultKey(ldfi.counterexample.faults)).not.toBe("no faults");
      }),
      { numRuns: Number(process.env["LDFI_RUNS"] ?? 200), seed: Number(process.env["LDFI_SEED"] ?? 42) },
    );
    expect(compared).toBeGreaterThan(100);
    expect(counterexamples).toBeGreaterThan(3);
  });
});
