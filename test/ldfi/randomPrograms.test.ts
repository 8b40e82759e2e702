import fc from "fast-check";
import { parseSource } from "../../lib/dedalus/load";
import { dedalusEngine, postReadsCrash } from "../../lib/ldfi/dedalusEngine";
import { dedalusTarget } from "../../lib/ldfi/dedalusTarget";
import { faultKey } from "../../lib/ldfi/faults";
import { searchFaults } from "../../lib/ldfi/search";

/**
 * LDFI against the exhaustive oracle on random small Dedalus protocols: relations r0..r3 located at
 * nodes a and b, a seed `r0("a")@1`, and rules drawn from templates (broadcast, persist, guarded
 * relay, same-step derivation with negation), with pre/post over two of the relations. Same-step
 * rules only go from lower to higher relation numbers, so every program is stratifiable.
 */
const REL = 4;
type Tpl =
  | { k: "async"; from: number; to: number; guard: number | null }
  | { k: "next"; from: number; to: number; guard: number | null }
  | { k: "same"; from: number; to: number; guard: number | null };

const tplArb: fc.Arbitrary<Tpl> = fc
  .record({
    k: fc.constantFrom("async" as const, "async" as const, "next" as const, "same" as const),
    from: fc.nat({ max: REL - 1 }),
    to: fc.nat({ max: REL - 1 }),
    guard: fc.option(fc.nat({ max: REL - 1 }), { nil: null }),
  })
  .map((t) => {
    if (t.k !== "same") return t;
    // same-step rules climb: r_from (and the negated guard) strictly below r_to
    const lo = Math.min(t.from, t.to);
    const hi = Math.max(t.from, t.to);
    if (lo === hi) return { ...t, k: "next" as const };
    return { k: "same" as const, from: lo, to: hi, guard: t.guard !== null && t.guard < hi ? t.guard : null };
  });

function render(rules: Tpl[], pre: number, post: number, excuseCrashed: boolean, persist: boolean[]): string {
  const lines = ['link("a", "b")@1;', 'link("b", "a")@1;', "link(N, M)@next :- link(N, M);", 'r0("a")@1;'];
  for (const t of rules) {
    const g = t.guard === null ? "" : `, notin r${t.guard}(N)`;
    if (t.k === "async") lines.push(`r${t.to}(M)@async :- r${t.from}(N), link(N, M)${g};`);
    else if (t.k === "next") lines.push(`r${t.to}(N)@next :- r${t.from}(N)${g};`);
    else lines.push(`r${t.to}(N) :- r${t.from}(N)${g};`);
  }
  persist.forEach((p, i) => p && lines.push(`r${i}(N)@next :- r${i}(N);`));
  lines.push(`pre(N) :- r${pre}(N)${excuseCrashed ? ", notin crash(N, N, _)" : ""};`);
  lines.push(`post(N) :- r${post}(N);`);
  return lines.join("\n");
}

const programArb = fc.record({
  // every program starts with a send from a to b, so there is something to lose
  rules: fc.array(tplArb, { minLength: 1, maxLength: 6 }).map((rs) => [{ k: "async" as const, from: 0, to: 1, guard: null }, ...rs]),
  // pre often reads r1, what b receives first: "b got it, yet post is lost" is the typical violation
  pre: fc.oneof(fc.constant(1), fc.nat({ max: REL - 1 })),
  post: fc.nat({ max: REL - 2 }),
  excuseCrashed: fc.boolean(),
  persist: fc.array(fc.boolean(), { minLength: REL, maxLength: REL }),
  eff: fc.integer({ min: 1, max: 3 }),
  crashes: fc.integer({ min: 0, max: 1 }),
});

describe("LDFI on random small programs", () => {
  it("reaches the exhaustive verdict, with no more executions when certified", () => {
    let compared = 0;
    let counterexamples = 0;
    fc.assert(
      fc.property(programArb, (c) => {
        // pre and post read different relations, otherwise they vanish together and nothing is a violation
        const post = c.post >= c.pre ? c.post + 1 : c.post;
        const text = render(c.rules, c.pre, post, c.excuseCrashed, c.persist);
        const { program, diagnostics } = parseSource(text, "random.ded");
        if (diagnostics.some((d) => d.severity === "error")) return;
        const eot = 4;
        const make = () => dedalusTarget(dedalusEngine, program, { eot, nodes: ["a", "b"], crashSensitive: postReadsCrash(program) });
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
