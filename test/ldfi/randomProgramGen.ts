import fc from "fast-check";
import { parseSource } from "../../lib/dedalus/load";
import type { Program } from "../../lib/dedalus/ast";

/**
 * Random small Dedalus protocols for the LDFI property tests (LDFI against the exhaustive oracle,
 * the worker pool against the sequential search): relations r0..r3 located at
 * nodes a and b, a seed `r0("a")@1`, and rules drawn from templates (broadcast, persist, guarded
 * relay, same-step derivation with negation), with pre/post over two of the relations. Same-step
 * rules only go from lower to higher relation numbers, so every program is stratifiable.
 */
export const REL = 4;
export type Tpl =
  | { k: "async"; from: number; to: number; guard: number | null }
  | { k: "next"; from: number; to: number; guard: number | null }
  | { k: "same"; from: number; to: number; guard: number | null };

export const tplArb: fc.Arbitrary<Tpl> = fc
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

export function render(rules: Tpl[], pre: number, post: number, excuseCrashed: boolean, persist: boolean[], guardPost = false): string {
  const lines = ['link("a", "b")@1;', 'link("b", "a")@1;', "link(N, M)@next :- link(N, M);", 'r0("a")@1;'];
  for (const t of rules) {
    const g = t.guard === null ? "" : `, notin r${t.guard}(N)`;
    if (t.k === "async") lines.push(`r${t.to}(M)@async :- r${t.from}(N), link(N, M)${g};`);
    else if (t.k === "next") lines.push(`r${t.to}(N)@next :- r${t.from}(N)${g};`);
    else lines.push(`r${t.to}(N) :- r${t.from}(N)${g};`);
  }
  persist.forEach((p, i) => p && lines.push(`r${i}(N)@next :- r${i}(N);`));
  lines.push(`pre(N) :- r${pre}(N)${excuseCrashed ? ", notin crash(N, N, _)" : ""};`);
  lines.push(`post(N) :- r${post}(N)${guardPost ? ", notin crash(N, N, _)" : ""};`);
  return lines.join("\n");
}

export const programArb = fc.record({
  // every program starts with a send from a to b, so there is something to lose
  rules: fc.array(tplArb, { minLength: 1, maxLength: 6 }).map((rs) => [{ k: "async" as const, from: 0, to: 1, guard: null }, ...rs]),
  // pre often reads r1, what b receives first: "b got it, yet post is lost" is the typical violation
  pre: fc.oneof(fc.constant(1), fc.nat({ max: REL - 1 })),
  post: fc.nat({ max: REL - 2 }),
  excuseCrashed: fc.boolean(),
  // with excuseCrashed: pre and post never read a crashed node (FaultTarget.crashedStateUnread)
  guardPost: fc.boolean(),
  persist: fc.array(fc.boolean(), { minLength: REL, maxLength: REL }),
  eff: fc.integer({ min: 1, max: 3 }),
  crashes: fc.integer({ min: 0, max: 1 }),
});

/** One drawn case of {@link programArb}. */
export type ProgramCase = typeof programArb extends fc.Arbitrary<infer T> ? T : never;

/** A drawn case as a program (and its text, for failure messages), or undefined when it does not parse. */
export function generatedProgram(c: ProgramCase): { text: string; program: Program } | undefined {
  // pre and post read different relations, otherwise they vanish together and nothing is a violation
  const post = c.post >= c.pre ? c.post + 1 : c.post;
  const text = render(c.rules, c.pre, post, c.excuseCrashed, c.persist, c.guardPost);
  const { program, diagnostics } = parseSource(text, "random.ded");
  return diagnostics.some((d) => d.severity === "error") ? undefined : { text, program };
}
