import { bodyAtoms, ruleOccurrences, type BodyAtom, type Program, type Rule } from "../dedalus/ast";
import { absenceSupport, support } from "../dedalus/provenance";
import { DedalusLimitError } from "../dedalus/limits";
import { isLocalRule } from "../dedalus/locality";
import { derivedFrom, rulesByHead } from "../dedalus/ruleGraph";
import { runProgram, type RunResult } from "../dedalus/runtime";
import { dedalusTarget, type DedalusEngine, type DedalusTargetOptions } from "./dedalusTarget";
import type { TargetRecipe } from "./pool";

/** The real Dedalus evaluator (lib/dedalus `runProgram` and `support`) as the LDFI search's engine. */
export const dedalusEngine: DedalusEngine<Program, RunResult> = {
  runProgram: (program, options) => runProgram(program, options),
  support: (result, goals, options) =>
    support(
      result,
      goals.map((g) => ({ rel: g.rel, time: g.time, args: [...g.args] })),
      options,
    ),
  absenceSupport: (result, absent, options) =>
    absenceSupport(
      result,
      absent.map((g) => ({ rel: g.rel, time: g.time, args: [...g.args] })),
      options,
    ),
  // `eot` is not a bound a run hits but a bad option: it stays an error
  limitHit: (e) => (e instanceof DedalusLimitError && e.limit !== "eot" ? e.limit : null),
};

/**
 * Whether `post` depends (through any chain of rules) on a rule that reads the `crash` built-in
 * positively. Such a relation gains tuples when a node crashes — something no lineage of lost
 * messages can show — so LDFI must treat any crash as able to change `post`. (A negated
 * `notin crash(_, N, _)` needs no such care: lib/dedalus `support` gives it "N stays alive".)
 */
export function postReadsCrash(program: Program): boolean {
  const byHead = rulesByHead(program);
  const seen = new Set<string>(["post"]);
  const stack = ["post"];
  while (stack.length > 0) {
    const rel = stack.pop() as string;
    for (const r of byHead.get(rel) ?? []) {
      for (const b of r.body) {
        if (b.kind !== "atom") continue;
        if (b.rel === "crash" && !b.negated) return true;
        if (!seen.has(b.rel)) {
          seen.add(b.rel);
          stack.push(b.rel);
        }
      }
    }
  }
  return false;
}

/**
 * Whether some rule reads the time column of the `crash` built-in: a constant there, or a variable
 * that occurs anywhere else in the rule. Then two crashes of a node at different times can differ
 * even where they lose the same messages.
 */
export function readsCrashTime(program: Program): boolean {
  return program.rules.some((rule) =>
    bodyAtoms(rule).some((b) => {
      if (b.rel !== "crash") return false;
      const time = b.args[2];
      return time !== undefined && time.kind !== "wildcard" && !(time.kind === "var" && ruleOccurrences(rule, time.name) === 1);
    }),
  );
}

/**
 * Whether `pre` or `post` may read the state of a node that crashed. They do not when every atom
 * their rules read is guarded in its rule by `notin crash(_, L, _)` on its location L (the first
 * column), or is of a relation whose own rules are all deductive and read only such atoms, followed
 * down (a relation without rules holds only stated facts, the same in every run), and no rule that
 * breaks locality derives a guarded relation or what it is derived from. Molly's idiom
 * `important(A, M) :- accepted(A, _, M), notin crash(A, A, _)` is such a guard. A crashed node's
 * state then matters only through its sends, which its crash loses from its crash time on.
 */
export function readsCrashedState(program: Program): boolean {
  const byHead = rulesByHead(program);
  // A guarded atom reads a live node's state, which a crashed node can reach only by a message
  // (lost from its crash on) — unless a non-local rule (allowed with --allow-nonlocal) carries it
  // there: then that relation, and every relation derived from it, is not guarded by the guard.
  // So does a message its crash does not lose: one sent by the receiver itself, as an `@async`
  // rule with a `_` site or an aggregate head sends it (found by an adversarial review: LDFI
  // certified a relay through `relay(M)@async :- fwd(_, M)` that exhaustive search breaks).
  const sentByReceiver = (r: Rule): boolean =>
    r.head.time === "async" && (bodyAtoms(r)[0]?.args[0]?.kind === "wildcard" || r.head.args.some((a) => a.kind === "aggregate"));
  const carried = derivedFrom(
    program,
    program.rules.filter((r) => !isLocalRule(r) || sentByReceiver(r)).map((r) => r.head.rel),
  );
  // A relation being judged counts as clean while its rules are read: a cycle adds no tuple of
  // its own, and every rule on it is still judged.
  const judged = new Set<string>();
  const reads = (rel: string): boolean => {
    if (judged.has(rel)) return false;
    judged.add(rel);
    return (byHead.get(rel) ?? []).some(
      (rule) =>
        rule.head.time !== "same" ||
        bodyAtoms(rule).some((b) => (b.rel === "crash" ? !b.negated : crashGuarded(rule, b) ? carried.has(b.rel) : reads(b.rel))),
    );
  };
  return reads("pre") || reads("post");
}

/** Whether `rule` reads `atom` only at nodes that did not crash: it has `notin crash(_, L, _)` for the atom's location L. */
function crashGuarded(rule: Rule, atom: BodyAtom): boolean {
  const at = atom.args[0];
  if (!at || at.kind === "wildcard" || at.kind === "binary") return false;
  return bodyAtoms(rule).some((b) => {
    if (b.rel !== "crash" || !b.negated) return false;
    const [, crashed, time] = b.args;
    const sameNode =
      crashed !== undefined &&
      ((at.kind === "var" && crashed.kind === "var" && crashed.name === at.name) ||
        (at.kind === "const" && crashed.kind === "const" && crashed.value === at.value));
    const anyTime = time !== undefined && (time.kind === "wildcard" || (time.kind === "var" && ruleOccurrences(rule, time.name) === 1));
    return sameNode && anyTime;
  });
}

/**
 * How a program reads the `crash` built-in, as the target options of a search over it: whether
 * `post` reads a positive `crash` ({@link postReadsCrash}), whether runs depend on crash times
 * only through the messages lost ({@link readsCrashTime}; FaultTarget.crashTimeBlind), and whether
 * `pre` and `post` never read a crashed node's state ({@link readsCrashedState};
 * FaultTarget.crashedStateUnread).
 */
export function crashReading(program: Program): { crashSensitive: boolean; crashTimeBlind: boolean; crashedStateUnread: boolean } {
  const crashSensitive = postReadsCrash(program);
  return {
    crashSensitive,
    crashTimeBlind: !crashSensitive && !readsCrashTime(program),
    crashedStateUnread: !crashSensitive && !readsCrashedState(program),
  };
}

/**
 * A Dedalus program on the real evaluator as a search target ({@link dedalusTarget} over
 * {@link dedalusEngine}) that also carries its recipe, so a search with more than one job can run it on worker threads.
 */
export function dedalusProgramTarget(
  program: Program,
  options: DedalusTargetOptions,
): ReturnType<typeof dedalusTarget<Program, RunResult>> & { readonly recipe: TargetRecipe } {
  const recipe: TargetRecipe = {
    kind: "dedalus",
    program,
    eot: options.eot,
    ...(options.nodes ? { nodes: [...options.nodes] } : {}),
    crashSensitive: options.crashSensitive === true,
    ...(options.joinBudget !== undefined ? { joinBudget: options.joinBudget } : {}),
  };
  return Object.assign(dedalusTarget(dedalusEngine, program, options), { recipe });
}
