/**
 * Molly's own CounterexampleSuite, loaded as --allow-nonlocal (some of Molly's programs are not
 * local, and they must run unchanged): every scenario gives its verdict. Molly's files are not
 * committed; set MOLLY_EXAMPLES to a checkout's src/test/resources/examples_ft to run this.
 */
import { checkProgram } from "../../lib/dedalus/check";
import { dedalusEngine, crashReading } from "../../lib/ldfi/dedalusEngine";
import { dedalusTarget } from "../../lib/ldfi/dedalusTarget";
import { searchFaults } from "../../lib/ldfi/search";
import { expectedVerdict, loadMollyProgram, mollyExamplesDir, mollyScenarios } from "../../bench/mollyExamples";

const dir = mollyExamplesDir();
const scenarios = mollyScenarios();

test("the suite lists Molly's 25 scenarios", () => {
  expect(scenarios).toHaveLength(25);
});

(dir ? describe : describe.skip)("Molly's examples (MOLLY_EXAMPLES)", () => {
  test.each(scenarios.map((s) => [`${s.files.join(" + ")} ${s.eot}/${s.eff}/${s.crashes}`, s] as const))("%s", (_name, s) => {
    const program = loadMollyProgram(dir!, s.files);
    // The switch keeps every locality finding, as a warning.
    expect(checkProgram(program).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const target = dedalusTarget(dedalusEngine, program, { eot: s.eot, nodes: s.nodes, ...crashReading(program) });
    const r = searchFaults(target, { bounds: { eot: s.eot, eff: s.eff, crashes: s.crashes, nodes: s.nodes }, timeoutMs: 120_000 });
    expect(r.verdict).toBe(expectedVerdict(s));
  });
});

// Figure 13's Paxos row on Molly's own program: certified in at most Molly's 173 executions
// (137 since the blocking analysis joins each new firing once; protocols/EXPECTED.md). A few
// seconds, so only with MAZE_SLOW.
(dir && process.env["MAZE_SLOW"] ? test : test.skip)("Molly's paxos_synod.ded 8/3/1 is certified within Molly's 173 executions", () => {
  const nodes = ["a", "b", "c"];
  const program = loadMollyProgram(dir!, ["paxos_synod.ded"]);
  const target = dedalusTarget(dedalusEngine, program, { eot: 8, nodes, ...crashReading(program) });
  const r = searchFaults(target, { bounds: { eot: 8, eff: 3, crashes: 1, nodes }, timeoutMs: 120_000 });
  expect([r.verdict, r.executions]).toEqual(["certified", 137]);
});

if (!dir) test.skip("Molly's examples: set MOLLY_EXAMPLES to a checkout's examples_ft to run them", () => {});
