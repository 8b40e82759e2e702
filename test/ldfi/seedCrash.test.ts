import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadProgram, parseSource } from "../../lib/dedalus/load";
import type { Program } from "../../lib/dedalus/ast";
import { crashReading, dedalusEngine } from "../../lib/ldfi/dedalusEngine";
import { dedalusTarget } from "../../lib/ldfi/dedalusTarget";
import { faultKey, type FaultBounds } from "../../lib/ldfi/faults";
import { searchFaults } from "../../lib/ldfi/search";

/**
 * Two programs on which LDFI certified what exhaustive search breaks, found by an adversarial
 * review (seventh session); both were older than the subsumption they were looking at. A seed's
 * crash could not move earlier, and a crash-sensitive target required the seed's own crashed node
 * alive (lib/ldfi/README.md, the loop, step 5).
 */
function verdicts(program: Program, bounds: Omit<FaultBounds, "nodes">): { ldfi: string; exhaustive: string } {
  const make = () => dedalusTarget(dedalusEngine, program, { eot: bounds.eot, ...crashReading(program) });
  const b = { ...bounds, nodes: make().nodes };
  const show = (r: ReturnType<typeof searchFaults>): string => r.verdict;
  return { ldfi: show(searchFaults(make(), { bounds: b })), exhaustive: show(searchFaults(make(), { bounds: b, strategy: "exhaustive" })) };
}

describe("LDFI reaches exhaustive search's verdict where a seed's crash matters", () => {
  it("tries a seed's crash earlier: x's early answer exists only in a run that already crashed x later", () => {
    // In the failure-free run x first sends at 4 (late), so the only crash tried for x is at 4. In
    // the run omit(a,b,1) crash(x,4), b's nack makes x answer early, at 3; only crashing x at 3 or
    // before loses that answer too.
    const text = `tick("a", 1)@1; tick("b", 1)@1; tick("x", 1)@1;
tick(N, T + 1)@next :- tick(N, T);
route("a", "b", "d")@1; route("b", "x", "nack")@1; route("x", "b", "early")@1; route("x", "b", "late")@1;
route(N, M, K)@next :- route(N, M, K);
d(M)@async :- tick(N, 1), route(N, M, "d");
gotd(N) :- d(N);
gotd(N)@next :- gotd(N);
nack(M)@async :- tick(N, 2), route(N, M, "nack"), notin gotd(N);
gotnack(N) :- nack(N);
early(M)@async :- gotnack(N), route(N, M, "early");
late(M)@async :- tick(N, 4), route(N, M, "late");
got(N) :- d(N);
got(N) :- early(N);
got(N) :- late(N);
got(N)@next :- got(N);
pre(N) :- tick(N, _), N == "b";
post(N) :- got(N);`;
    const { program, diagnostics } = parseSource(text, "early.ded");
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(verdicts(program, { eot: 6, eff: 2, crashes: 1 })).toEqual({ ldfi: "counterexample", exhaustive: "counterexample" });
    const make = () => dedalusTarget(dedalusEngine, program, { eot: 6, ...crashReading(program) });
    const r = searchFaults(make(), { bounds: { eot: 6, eff: 2, crashes: 1, nodes: make().nodes } });
    expect(faultKey(r.counterexample!.faults)).toBe("omit(a,b,1) crash(x,3)");
  });

  it("expands a crash-sensitive run without requiring its own crashed node alive", () => {
    // 2pc_timeout with undecided no longer persisted; commit_assert_optimist's post reads a positive crash.
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "maze-seedcrash-"));
    for (const f of fs.readdirSync("protocols").filter((n) => n.endsWith(".ded")))
      fs.copyFileSync(path.join("protocols", f), path.join(dir, f));
    const twoPc = path.join(dir, "2pc.ded");
    const persisted = "undecided(C, X)@next :- undecided(C, X), notin committed(C, X), notin aborted(C, X);\n";
    const text = fs.readFileSync(twoPc, "utf8");
    expect(text.includes(persisted)).toBe(true);
    fs.writeFileSync(twoPc, text.replace(persisted, ""));
    const { program, diagnostics } = loadProgram([path.join(dir, "2pc_timeout.ded"), path.join(dir, "commit_assert_optimist.ded")]);
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(crashReading(program).crashSensitive).toBe(true);
    expect(verdicts(program, { eot: 5, eff: 2, crashes: 1 })).toEqual({ ldfi: "counterexample", exhaustive: "counterexample" });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
