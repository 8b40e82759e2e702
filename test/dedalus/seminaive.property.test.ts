/**
 * Property tests: the semi-naive runtime agrees with the naive oracle on random programs, random EDBs
 * and random failure specs; and the result does not depend on the order of rules or facts.
 *
 * Random programs are stratifiable by construction: a same-timestep rule deriving p<i> reads p<j> only
 * for `j <= i` positively and `j < i` under notin, so recursion is positive and negation points downwards.
 */
import fc from "fast-check";
import { parseSource } from "../../lib/dedalus/load";
import { runNaive } from "../../lib/dedalus/naive";
import { runProgram, type Fact, type FailureSpec, type RunOptions } from "../../lib/dedalus/runtime";

const NODES = ["a", "b", "c"];
const VARS = ["X", "Y", "Z", "W"];
const IDB = 3;

interface GenAtom {
  rel: string;
  args: string[]; // variable names or quoted constants
}
interface GenRule {
  head: number;
  time: "" | "@next" | "@async";
  body: GenAtom[];
  neg: GenAtom | null;
  neq: boolean;
  headArgs: [number, number]; // indexes into the body's variables
}

const term = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...VARS) },
  { weight: 1, arbitrary: fc.constantFrom(...NODES.map((n) => `"${n}"`)) },
);

const ruleArb: fc.Arbitrary<GenRule> = fc
  .record({
    head: fc.integer({ min: 0, max: IDB - 1 }),
    time: fc.constantFrom<GenRule["time"]>("", "", "@next", "@async"),
    body: fc.array(fc.record({ rel: fc.integer({ min: 0, max: IDB + 1 }), args: fc.tuple(term, term) }), { minLength: 1, maxLength: 3 }),
    neg: fc.option(
      fc.record({ rel: fc.integer({ min: 0, max: IDB + 1 }), args: fc.tuple(fc.nat(3), fc.oneof(fc.nat(3), fc.constant(-1))) }),
      { nil: null },
    ),
    neq: fc.boolean(),
    headArgs: fc.tuple(fc.nat(7), fc.nat(7)),
  })
  .map((r) => {
    // Relations 0..IDB-1 are p0..p2 (derived); IDB and IDB+1 are e0, e1 (only facts).
    const name = (i: number) => (i < IDB ? `p${i}` : `e${i - IDB}`);
    const sameTime = r.time === "";
    const body = r.body.map((a) => {
      let rel = a.rel;
      if (sameTime && rel < IDB && rel > r.head) rel = r.head; // positive recursion only within p<head>
      return { rel: name(rel), args: [...a.args] };
    });
    const vars = [...new Set(body.flatMap((a) => a.args.filter((x) => !x.startsWith('"'))))];
    if (vars.length === 0) body[0]!.args[0] = "X";
    const bound = [...new Set(body.flatMap((a) => a.args.filter((x) => !x.startsWith('"'))))];
    let neg: GenAtom | null = null;
    if (r.neg) {
      let rel = r.neg.rel;
      if (sameTime && rel < IDB && rel >= r.head) rel = IDB; // negation points strictly downwards
      neg = {
        rel: name(rel),
        args: [bound[r.neg.args[0] % bound.length]!, r.neg.args[1] < 0 ? "_" : bound[r.neg.args[1] % bound.length]!],
      };
    }
    return {
      head: r.head,
      time: r.time,
      body,
      neg,
      neq: r.neq && bound.length >= 2,
      headArgs: [r.headArgs[0] % bound.length, r.headArgs[1] % bound.length] as [number, number],
    };
  });

interface GenProgram {
  rules: GenRule[];
  facts: { rel: string; args: [string, string]; time: number }[];
  agg: boolean;
}

const programArb: fc.Arbitrary<GenProgram> = fc.record({
  rules: fc.array(ruleArb, { minLength: 1, maxLength: 5 }),
  facts: fc.array(
    fc.record({
      rel: fc.constantFrom("e0", "e1", "p0", "p1"),
      args: fc.tuple(fc.constantFrom(...NODES, "z"), fc.constantFrom(...NODES)),
      time: fc.integer({ min: 1, max: 3 }),
    }),
    { minLength: 1, maxLength: 10 },
  ),
  agg: fc.boolean(),
});

function ruleText(r: GenRule): string {
  const bound = [...new Set(r.body.flatMap((a) => a.args.filter((x) => !x.startsWith('"'))))];
  const body = r.body.map((a) => `${a.rel}(${a.args.join(", ")})`);
  if (r.neg) body.push(`notin ${r.neg.rel}(${r.neg.args.join(", ")})`);
  if (r.neq) body.push(`${bound[0]} != ${bound[1]}`);
  return `p${r.head}(${bound[r.headArgs[0]]}, ${bound[r.headArgs[1]]})${r.time} :- ${body.join(", ")};`;
}

function programText(g: GenProgram, ruleOrder: number[], factOrder: number[]): string {
  const lines = ruleOrder.map((i) => ruleText(g.rules[i]!));
  // Keep every relation mentioned so arities are known even when no rule uses it.
  lines.push(`p0(X, Y)@next :- e0(X, Y);`, `p2(X, Y)@next :- p2(X, Y);`, `p1(X, Y)@async :- e1(X, Y);`, `p1(Y, X)@async :- e1(X, Y);`);
  if (g.agg) lines.push(`cnt(X, count<Y>) :- p0(X, Y); big(X, N) :- cnt(X, N), N > 1;`);
  lines.push(...factOrder.map((i) => g.facts[i]!).map((f) => `${f.rel}("${f.args[0]}", "${f.args[1]}")@${f.time};`));
  lines.push(`e1("a", "a")@9;`);
  return lines.join("\n");
}

const failuresArb: fc.Arbitrary<FailureSpec> = fc.record({
  omissions: fc.array(fc.record({ from: fc.constantFrom(...NODES), to: fc.constantFrom(...NODES), time: fc.integer({ min: 1, max: 3 }) }), {
    maxLength: 3,
  }),
  crashes: fc.array(fc.record({ node: fc.constantFrom(...NODES), time: fc.integer({ min: 1, max: 4 }) }), { maxLength: 1 }),
});

const key = (f: Fact) => JSON.stringify([f.rel, f.time, f.args]);

function load(text: string) {
  const { program, diagnostics } = parseSource(text, "gen.ded", { locality: "warn" });
  if (diagnostics.length > 0) throw new Error(`generator produced a bad program:\n${text}\n${JSON.stringify(diagnostics)}`);
  return program;
}

test("semi-naive equals naive on random programs, EDBs and failure specs", () => {
  fc.assert(
    fc.property(
      programArb,
      failuresArb,
      fc.integer({ min: 1, max: 4 }),
      fc.subarray(NODES, { minLength: 1 }),
      (g, failures, eot, nodes) => {
        const text = programText(
          g,
          g.rules.map((_, i) => i),
          g.facts.map((_, i) => i),
        );
        const program = load(text);
        const options: RunOptions = { eot, nodes, failures };
        const fast = runProgram(program, options);
        const slow = runNaive(program, options);
        expect(new Set(fast.facts().map(key))).toEqual(new Set(slow.facts.map(key)));
        expect(new Set(fast.messages.map((m) => JSON.stringify(m)))).toEqual(new Set(slow.messages.map((m) => JSON.stringify(m))));
      },
    ),
    { numRuns: 200 },
  );
});

test("the result does not depend on the order of rules or facts", () => {
  fc.assert(
    fc.property(programArb, fc.integer({ min: 1, max: 4 }), fc.infiniteStream(fc.nat()), (g, eot, rnd) => {
      const shuffle = (n: number): number[] => {
        const a = Array.from({ length: n }, (_, i) => i);
        for (let i = n - 1; i > 0; i--) {
          const j = rnd.next().value % (i + 1);
          [a[i], a[j]] = [a[j]!, a[i]!];
        }
        return a;
      };
      const base = runProgram(
        load(
          programText(
            g,
            g.rules.map((_, i) => i),
            g.facts.map((_, i) => i),
          ),
        ),
        { eot },
      );
      const shuffled = runProgram(load(programText(g, shuffle(g.rules.length), shuffle(g.facts.length))), { eot });
      expect(shuffled.facts().map(key).sort()).toEqual(base.facts().map(key).sort());
    }),
    { numRuns: 100 },
  );
});
