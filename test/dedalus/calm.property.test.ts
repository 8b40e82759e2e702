/**
 * CALM as a property: on random monotone programs (joins, `@next`, `@async`; no notin, no aggregates)
 * whose every relation is persistent, the final state does not depend on the delivery schedule.
 * The analysis must call each of them monotone, and outcomeSpread must find exactly one outcome,
 * equal to the synchronous (Molly) run's. Adding one `notin` over an async-fed relation makes the
 * analysis report a coordination point.
 */
import fc from "fast-check";
import { analyzeCalm } from "../../lib/dedalus/calm";
import { parseSource } from "../../lib/dedalus/load";
import { checkProgram } from "../../lib/dedalus/check";
import { outcomeSpread } from "../../lib/dedalus/outcomes";
import { Random } from "../../lib/random/random";

const NODES = ["a", "b", "c"];
const RELS = ["p", "q", "r", "s"];
const VARS = ["X", "Y", "Z"];

/** A random persistent monotone program over binary relations; locations are the first column. */
function monotoneProgram(seed: number): string {
  const rng = new Random(seed);
  const lines: string[] = [];
  for (const n of NODES) lines.push(`link("${n}", "${rng.pick(NODES.filter((m) => m !== n))}")@1;`);
  for (let i = 0; i < rng.int(2, 5); i++) lines.push(`p("${rng.pick(NODES)}", "${rng.pick(NODES)}")@1;`);
  lines.push("link(X, Y)@next :- link(X, Y);");
  for (const r of RELS) lines.push(`${r}(X, Y)@next :- ${r}(X, Y);`);
  for (let i = 0; i < rng.int(2, 6); i++) {
    const a = rng.pick(RELS);
    const [v1, v2, v3] = [rng.pick(VARS), rng.pick(VARS), rng.pick(VARS)];
    const body = rng.chance(0.5) ? `${a}(${v1}, ${v2})` : `${a}(${v1}, ${v2}), ${rng.pick([...RELS, "link"])}(${v1}, ${v3})`;
    const bound = new Set(body.match(/[XYZ]/g));
    const hv = [...bound];
    const head = `${rng.pick(RELS.slice(1))}(${rng.pick(hv)}, ${rng.pick(hv)})`;
    const kind = rng.int(0, 2);
    if (kind === 0) lines.push(`${head} :- ${body};`);
    else if (kind === 1) lines.push(`${head}@next :- ${body};`);
    // A message along a link: from the site v1 to one of its neighbours.
    else lines.push(`${head.replace(/\(([XYZ])/, "(N")}@async :- ${body}, link(${v1}, N);`);
  }
  return lines.join("\n");
}

test("random persistent monotone programs: one outcome under every delivery schedule", () => {
  let withAsync = 0,
    withDerived = 0;
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
      const text = monotoneProgram(seed);
      const { program, diagnostics } = parseSource(text, "m.ded", { locality: "warn" });
      expect(diagnostics).toEqual([]);
      expect(checkProgram(program).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(analyzeCalm(program).monotone).toBe(true);
      const s = outcomeSpread(program, { schedules: 8, seed, eot: 40, maxDelay: 3, relations: RELS });
      expect(s.distinct).toBe(1);
      expect(s.outcomes[0]!.facts).toEqual(s.synchronous);
      if (/@async/.test(text)) withAsync++;
      if (s.synchronous.some((f) => !f.startsWith("p("))) withDerived++;
    }),
    { numRuns: 40, seed: 20251125 },
  );
  // The property must not be vacuous: many programs send messages and derive something.
  expect(withAsync).toBeGreaterThanOrEqual(15);
  expect(withDerived).toBeGreaterThanOrEqual(12);
});

test("one notin over an async-fed relation turns any of them into a coordination point", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
      const text =
        monotoneProgram(seed) + `\nm(N, V)@async :- p(X, V), link(X, N);\nm(X, Y)@next :- m(X, Y);\nlate(X, Y) :- p(X, Y), notin m(X, Y);`;
      const a = analyzeCalm(parseSource(text, "m.ded", { locality: "warn" }).program);
      expect(a.monotone).toBe(false);
      expect(a.points.map((p) => [p.rule.head.rel, p.input, p.reason.kind])).toContainEqual(["late", "m", "negation"]);
    }),
    { numRuns: 20, seed: 20251125 },
  );
});
