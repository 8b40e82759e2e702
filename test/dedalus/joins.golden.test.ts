/**
 * Golden of the code join.ts generates, for three rules that between them take every path of the
 * generator: a recursive rule (one semi-naive variant per recursive atom, index probes with key
 * checks, a head inserted directly), a rule with a negation, a comparison and head arithmetic (the
 * checked helpers and their spans), and an `@async` rule with a variable site (the site check, the
 * emitter's path). A change to the generator shows here as a diff of the generated text, to be
 * read before it is accepted; UPDATE=1 rewrites the file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { checkProgram } from "../../lib/dedalus/check";
import { Interner } from "../../lib/dedalus/intern";
import { compileJoin, type DirectHead } from "../../lib/dedalus/join";
import { loadChecked } from "../../lib/dedalus/load";
import { planProgram, type RulePlan } from "../../lib/dedalus/plan";

const GOLDEN = path.join(__dirname, "joins.golden.txt");

const PROGRAM = `link("a", "b", "c")@1;
path(N, X, Z) :- link(N, X, Z);
path(N, X, Z) :- path(N, X, Y), path(N, Y, Z);
reading("a", 3)@1;
muted("b")@1;
alert(N, X * 2 + 1)@next :- reading(N, X), notin muted(N), X > 2;
node("a", "b")@1;
ack(S, N, X)@async :- reading(N, X), node(N, S);
`;

/** The head join.ts inserts itself, as the runtime builds it (none for aggregates and `@async`). */
function directHead(p: RulePlan): DirectHead | null {
  if (p.aggregate || p.headTime === "async") return null;
  return { rel: p.headRel, next: p.headTime === "next", columns: p.head.map((h) => (h.kind === "expr" ? h.expr : { kind: "const", value: 0 })) };
}

function generated(): string {
  const checked = loadChecked([{ file: "joins.ded", text: PROGRAM }]);
  expect(checked.errors).toEqual([]);
  const program = checked.program;
  const plan = planProgram(program, checkProgram(program).info, new Interner());
  const ticker = { n: 0, check: () => undefined };
  const sections: string[] = [];
  for (const p of plan.rules.filter((r) => r.rule.index > 0)) {
    const compile = (steps: RulePlan["full"]) => compileJoin(steps, p.nSlots, p.positives.length, p.negatives.length, () => () => undefined, ticker, directHead(p)).source;
    p.variants.forEach((v, i) => sections.push(`// ${p.rule.text}\n// semi-naive variant ${i + 1} of ${p.variants.length}\n${compile(v)}`));
    sections.push(`// ${p.rule.text}\n// every atom full\n${compile(p.full)}`);
  }
  return sections.join("\n\n") + "\n";
}

test("the generated join code of three sample rules matches the golden file", () => {
  const text = generated();
  if (process.env["UPDATE"] === "1") fs.writeFileSync(GOLDEN, text);
  expect(text).toBe(fs.readFileSync(GOLDEN, "utf8"));
});
