import fc from "fast-check";
import { parseSource } from "../../lib/dedalus/load";
import { dedalusEngine, crashReading } from "../../lib/ldfi/dedalusEngine";
import { dedalusTarget } from "../../lib/ldfi/dedalusTarget";
import { searchFaults } from "../../lib/ldfi/search";

/**
 * LDFI against the exhaustive oracle on random small protocols with values, aggregates and joins:
 * the shapes whose negative support lib/dedalus/negativeSupport.ts tightens (a max/min moves only
 * when its extreme's witnesses are lost or a larger input appears; a count's groups; a new firing
 * needs all its premises). Relations s0..s4 hold (node, value); same-step rules climb from lower to
 * higher relation numbers, so every program is stratifiable.
 */
const REL = 5;
type Tpl =
  | { k: "async" | "next"; from: number; to: number; guard: number | null }
  | { k: "max" | "min" | "count"; from: number; to: number }
  | { k: "quorum"; from: number; count: number; to: number; atLeast: number }
  | { k: "join"; from: number; other: number; to: number; guard: number | null }
  | { k: "value"; from: number; to: number; value: number; guard: number };

const rel = fc.nat({ max: REL - 1 });
const tplArb: fc.Arbitrary<Tpl> = fc.oneof(
  fc.record({
    k: fc.constantFrom("async" as const, "async" as const, "next" as const),
    from: rel,
    to: rel,
    guard: fc.option(rel, { nil: null }),
  }),
  fc.record({ k: fc.constantFrom("max" as const, "min" as const, "count" as const), from: rel, to: rel }),
  fc.record({ k: fc.constant("quorum" as const), from: rel, count: rel, to: rel, atLeast: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ k: fc.constant("join" as const), from: rel, other: rel, to: rel, guard: fc.option(rel, { nil: null }) }),
  // a value sent only while a guard is absent: a lost message can make it appear (new inputs to aggregates)
  fc.record({ k: fc.constant("value" as const), from: rel, to: rel, value: fc.integer({ min: 0, max: 4 }), guard: rel }),
);

/** A same-step rule must climb: every body relation strictly below the head. */
function climbs(t: Tpl): boolean {
  switch (t.k) {
    case "async":
    case "next":
    case "value":
      return true;
    case "max":
    case "min":
    case "count":
      return t.from < t.to;
    case "quorum":
      return t.from < t.to && t.count < t.to;
    case "join":
      return t.from < t.to && t.other < t.to && (t.guard === null || t.guard < t.to);
  }
}

function render(rules: Tpl[], pre: number, post: number, persist: boolean[]): string {
  const lines = [
    'link("a", "b")@1;',
    'link("b", "a")@1;',
    'link("a", "c")@1;',
    'link("c", "a")@1;',
    'link("b", "c")@1;',
    'link("c", "b")@1;',
    "link(N, M)@next :- link(N, M);",
    's0("a", 1)@1;',
    's0("a", 2)@1;',
    's0("b", 3)@1;',
  ];
  for (const t of rules) {
    switch (t.k) {
      case "async":
      case "next": {
        const g = t.guard === null ? "" : `, notin s${t.guard}(N, V)`;
        lines.push(
          t.k === "async" ? `s${t.to}(M, V)@async :- s${t.from}(N, V), link(N, M)${g};` : `s${t.to}(N, V)@next :- s${t.from}(N, V)${g};`,
        );
        break;
      }
      case "max":
      case "min":
      case "count":
        lines.push(`s${t.to}(N, ${t.k}<V>) :- s${t.from}(N, V);`);
        break;
      case "quorum":
        lines.push(`s${t.to}(N, V) :- s${t.from}(N, V), s${t.count}(N, K), K >= ${t.atLeast};`);
        break;
      case "value":
        lines.push(`s${t.to}(M, ${t.value})@async :- s${t.from}(N, _), link(N, M), notin s${t.guard}(N, _);`);
        break;
      case "join":
        lines.push(`s${t.to}(N, V) :- s${t.from}(N, V), s${t.other}(N, V)${t.guard === null ? "" : `, notin s${t.guard}(N, _)`};`);
        break;
    }
  }
  persist.forEach((p, i) => p && lines.push(`s${i}(N, V)@next :- s${i}(N, V);`));
  lines.push(`pre(N, V) :- s${pre}(N, V);`);
  lines.push(`post(N, V) :- s${post}(N, V);`);
  return lines.join("\n");
}

const programArb = fc.record({
  // every program starts with a send from a, so there is something to lose
  rules: fc
    .array(tplArb, { minLength: 2, maxLength: 7 })
    .map((rs) => [{ k: "async" as const, from: 0, to: 1, guard: null }, ...rs.filter(climbs)]),
  // pre often reads s1, what b and c receive first: "it arrived, yet post is lost" is the typical violation
  pre: fc.oneof(fc.constant(1), fc.nat({ max: REL - 1 })),
  post: fc.nat({ max: REL - 2 }),
  persist: fc.array(fc.constantFrom(true, true, false), { minLength: REL, maxLength: REL }),
  eff: fc.integer({ min: 1, max: 2 }),
  crashes: fc.integer({ min: 0, max: 1 }),
});

describe("LDFI on random small programs with aggregates and joins", () => {
  it("tries faults that bring an excused goal's pre back while its post stays lost", () => {
    // Found by the property below on seed 100. omit(b,a,1) loses post("c", 1) together with
    // pre("c", 1) (excused: no violation); adding omit(a,c,1) changes c's count, c relays, and
    // pre("c", 1) comes back at EOT while post("c", 1) stays lost. LDFI used to certify it in 2
    // executions, as the run that excused the goal said nothing more about it.
    const rules: Tpl[] = [
      { k: "async", from: 0, to: 1, guard: null },
      { k: "count", from: 1, to: 2 },
      { k: "async", from: 2, to: 0, guard: 1 },
      { k: "async", from: 0, to: 2, guard: null },
    ];
    const { program } = parseSource(render(rules, 2, 0, [false, true, false, true, true]), "excused.ded");
    const nodes = ["a", "b", "c"];
    const make = () => dedalusTarget(dedalusEngine, program, { eot: 4, nodes, ...crashReading(program) });
    const bounds = { eot: 4, eff: 2, crashes: 0, nodes };
    expect(searchFaults(make(), { bounds, strategy: "exhaustive" }).verdict).toBe("counterexample");
    const r = searchFaults(make(), { bounds });
    expect(r.verdict).toBe("counterexample");
    expect(r.counterexample?.missing).toEqual(['post("c", 1)']);
  });

  it("reaches the exhaustive verdict, with no more executions when certified", () => {
    let compared = 0;
    let counterexamples = 0;
    let nonEmpty = 0;
    fc.assert(
      fc.property(programArb, (c) => {
        const post = c.post >= c.pre ? c.post + 1 : c.post;
        const text = render(c.rules, c.pre, post, c.persist);
        const { program, diagnostics } = parseSource(text, "random.ded");
        if (diagnostics.some((d) => d.severity === "error")) return;
        const eot = 4;
        const nodes = ["a", "b", "c"];
        const make = () => dedalusTarget(dedalusEngine, program, { eot, nodes, ...crashReading(program) });
        const bounds = { eot, eff: c.eff, crashes: c.crashes, nodes };
        let oracle;
        try {
          oracle = searchFaults(make(), { bounds, strategy: "exhaustive" });
        } catch (e) {
          if (e instanceof Error && /stratif|unsafe|arity|type/i.test(e.message)) return;
          throw e;
        }
        const ldfi = searchFaults(make(), { bounds });
        compared++;
        if (oracle.verdict === "counterexample") counterexamples++;
        if (oracle.failureFreePost.length > 0) nonEmpty++;
        expect(`${ldfi.verdict}\n${text}`).toBe(`${oracle.verdict}\n${text}`);
        if (oracle.verdict === "certified") expect(ldfi.executions).toBeLessThanOrEqual(oracle.executions);
      }),
      { numRuns: Number(process.env["LDFI_RUNS"] ?? 150), seed: Number(process.env["LDFI_SEED"] ?? 42) },
    );
    // eslint-disable-next-line no-console -- opt-in statistics for whoever tunes the generator
    if (process.env["LDFI_STATS"]) console.log({ compared, counterexamples, nonEmpty });
    expect(compared).toBeGreaterThan(60);
    expect(counterexamples).toBeGreaterThan(1);
  });

  // Aggregates over values that a lost veto can let through: the verdict then hinges on an
  // aggregate's negative support (a new input beyond a max, a count reaching its threshold).
  const vetoArb = fc.record({
    sends: fc.array(fc.record({ value: fc.integer({ min: 1, max: 4 }), guarded: fc.boolean(), at: fc.constantFrom("a", "c") }), {
      minLength: 1,
      maxLength: 4,
    }),
    fn: fc.constantFrom("max", "min", "count"),
    atLeast: fc.integer({ min: 1, max: 3 }),
    postReads: fc.constantFrom("aggregate", "threshold"),
    persistValues: fc.boolean(),
    persistVeto: fc.boolean(),
    vetoAt: fc.constantFrom("a", "c"),
    eff: fc.integer({ min: 1, max: 2 }),
    crashes: fc.integer({ min: 0, max: 1 }),
  });
  it("reaches the exhaustive verdict where a lost veto feeds an aggregate", () => {
    let counterexamples = 0;
    fc.assert(
      fc.property(vetoArb, (c) => {
        const lines = [
          'link("a", "b")@1;',
          'link("c", "b")@1;',
          'link("c", "a")@1;',
          'link("a", "c")@1;',
          "link(N, M)@next :- link(N, M);",
          `veto("${c.vetoAt}")@1;`,
        ];
        lines.push("blocked(M)@async :- veto(N), link(N, M);");
        if (c.persistVeto) lines.push("blocked(N)@next :- blocked(N);");
        c.sends.forEach((x, i) => {
          lines.push(`src${i}("${x.at}")@1;`, `src${i}(N)@next :- src${i}(N);`);
          lines.push(`got(M, ${x.value})@async :- src${i}(N), link(N, M)${x.guarded ? ", notin blocked(N)" : ""};`);
        });
        if (c.persistValues) lines.push("got(N, V)@next :- got(N, V);");
        lines.push(`agg(N, ${c.fn}<V>) :- got(N, V);`);
        lines.push("pre(N, V) :- got(N, V);");
        lines.push(c.postReads === "aggregate" ? "post(N, V) :- agg(N, V);" : `post(N, V) :- got(N, V), agg(N, K), K >= ${c.atLeast};`);
        const text = lines.join("\n");
        const { program, diagnostics } = parseSource(text, "veto.ded");
        if (diagnostics.some((d) => d.severity === "error")) return;
        const eot = 4;
        const nodes = ["a", "b", "c"];
        const make = () => dedalusTarget(dedalusEngine, program, { eot, nodes, ...crashReading(program) });
        const bounds = { eot, eff: c.eff, crashes: c.crashes, nodes };
        const oracle = searchFaults(make(), { bounds, strategy: "exhaustive" });
        const ldfi = searchFaults(make(), { bounds });
        if (oracle.verdict === "counterexample") counterexamples++;
        expect(`${ldfi.verdict}\n${text}`).toBe(`${oracle.verdict}\n${text}`);
        if (oracle.verdict === "certified") expect(ldfi.executions).toBeLessThanOrEqual(oracle.executions);
      }),
      { numRuns: Number(process.env["LDFI_RUNS"] ?? 120), seed: Number(process.env["LDFI_SEED"] ?? 42) },
    );
    // eslint-disable-next-line no-console -- opt-in statistics for whoever tunes the generator
    if (process.env["LDFI_STATS"]) console.log({ counterexamples });
    expect(counterexamples).toBeGreaterThan(3);
  });
});
