/**
 * The rule graph: relation q feeds relation p when a rule with p in its head reads q in its body
 * (positively or under `notin`). Several analyses need what this graph reaches — provenance (Molly's
 * possible causes), the same-step cycles of support and the blocking analysis, the CALM report's
 * async-fed relations, locality's invariant helpers, lab 4's seal helpers — and all of them read it
 * here.
 */
import { bodyAtoms, type Program, type Rule } from "./ast";
import type { ProgramPlan, RulePlan } from "./plan";

/** A path of {@link relationPaths} made of deductive (same-timestep) rules only. */
export const SAME_STEP_PATH = 1;
/** A path of {@link relationPaths} through at least one `@next` or `@async` rule. */
export const TEMPORAL_PATH = 2;

/**
 * Which relations reach which through the rules `follow` keeps (default every rule):
 * `paths[p][q]` is 0 when q does not reach p, else a union of {@link SAME_STEP_PATH} and
 * {@link TEMPORAL_PATH} for the kinds of path from q to p. A relation reaches itself only through
 * a cycle.
 */
export function relationPaths(plan: ProgramPlan, follow: (rule: RulePlan) => boolean = () => true): Uint8Array[] {
  const n = plan.relations.length;
  const edges: { from: number; to: number; temporal: boolean }[] = [];
  for (const p of plan.rules) {
    if (!follow(p)) continue;
    for (const a of [...p.positives, ...p.negatives]) edges.push({ from: a.rel, to: p.headRel, temporal: p.headTime !== "same" });
  }
  const paths: Uint8Array[] = Array.from({ length: n }, () => new Uint8Array(n));
  for (const e of edges) paths[e.to]![e.from]! |= e.temporal ? TEMPORAL_PATH : SAME_STEP_PATH;
  // Closure: q -> e.from and e.from -> e.to give q -> e.to, temporal when either part is.
  for (let changed = true; changed;) {
    changed = false;
    for (const e of edges) {
      const into = paths[e.from]!; // paths ending at e.from
      const target = paths[e.to]!;
      for (let q = 0; q < n; q++) {
        const b = into[q]!;
        if (b === 0) continue;
        const add = e.temporal ? TEMPORAL_PATH : b;
        if ((target[q]! | add) !== target[q]) {
          target[q]! |= add;
          changed = true;
        }
      }
    }
  }
  return paths;
}

/** For every relation, the rules that read it (once per body atom on it, in written order). */
export function readersOf(program: Program): Map<string, Rule[]> {
  const readers = new Map<string, Rule[]>();
  for (const r of program.rules) for (const a of bodyAtoms(r)) readers.set(a.rel, [...(readers.get(a.rel) ?? []), r]);
  return readers;
}

/** For every relation, the rules that derive it (in written order). */
export function rulesByHead(program: Program): Map<string, Rule[]> {
  const byHead = new Map<string, Rule[]>();
  for (const r of program.rules) byHead.set(r.head.rel, [...(byHead.get(r.head.rel) ?? []), r]);
  return byHead;
}

/** `from` and every relation derived from one of them through any chain of rules. */
export function derivedFrom(program: Program, from: Iterable<string>): Set<string> {
  const readers = readersOf(program);
  const out = new Set(from);
  const stack = [...out];
  for (let rel = stack.pop(); rel !== undefined; rel = stack.pop())
    for (const r of readers.get(rel) ?? [])
      if (!out.has(r.head.rel)) {
        out.add(r.head.rel);
        stack.push(r.head.rel);
      }
  return out;
}

/**
 * `members` closed under "read only by members": a relation that `admit` allows joins when every
 * rule reading it derives a member, until none does. A relation that reads itself (persistence,
 * recursion) never joins unless it starts as a member.
 */
export function closeUnderReaders(program: Program, members: Iterable<string>, admit: (rel: string) => boolean = () => true): Set<string> {
  const closed = new Set(members);
  const readers = readersOf(program);
  for (let changed = true; changed;) {
    changed = false;
    for (const [rel, rules] of readers) {
      if (closed.has(rel) || !admit(rel)) continue;
      if (rules.every((r) => closed.has(r.head.rel))) {
        closed.add(rel);
        changed = true;
      }
    }
  }
  return closed;
}
