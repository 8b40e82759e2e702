/**
 * CALM analysis (Consistency As Logical Monotonicity). A program whose rules are all monotone —
 * they only ever add conclusions as more input arrives — computes the same result whatever order
 * and delay the network gives its messages. Non-monotone reasoning (negation, aggregation, deletion
 * by persistence with `notin`) is harmless on local data, but when what it inspects can still be
 * changed by a message in flight, the answer depends on timing: those are the places that need
 * coordination (wait for every participant) or sealing (know that a set is complete).
 *
 * The analysis is syntactic and conservative: it can flag a rule whose outcome happens not to
 * depend on timing (an aggregate like a growing count compared with a threshold), never the reverse.
 */
import { bodyAtoms, formatRule, type AggregateTerm, type BodyAtom, type Program, type Rule, type Span } from "./ast";
import { formatLocation } from "./diagnostics";
import { readersOf } from "./ruleGraph";

/** Why a rule is not monotone. */
export type NonMonotoneReason =
  /** `notin p(...)`: adding p-tuples can retract a conclusion. */
  | { kind: "negation"; atom: BodyAtom }
  /** A head aggregate: a new input row changes the aggregate value, retracting the old row. */
  | { kind: "aggregation"; aggregate: AggregateTerm }
  /** `p(X)@next :- p(X), ..., notin del(X)`: a tuple is dropped from the next step when del holds. */
  | { kind: "deletion"; atom: BodyAtom };

/** The classification of one rule. */
export interface RuleMonotonicity {
  rule: Rule;
  monotone: boolean;
  reasons: NonMonotoneReason[];
}

/** The classification of one relation. */
export interface RelationMonotonicity {
  rel: string;
  /** True when every rule deriving it, and every relation it is built from, is monotone. */
  monotone: boolean;
  /** One sentence: why it is (not) monotone. */
  why: string;
  /** True when its content depends on some `@async` rule (it can change as messages arrive). */
  asyncFed: boolean;
}

/** One hop of the chain that carries network data into a non-monotone input. */
export interface AsyncHop {
  /** The relation reached. */
  rel: string;
  /** The rule that derives it on this chain. */
  rule: Rule;
}

/**
 * A point of order: non-monotone reasoning over data that arrives asynchronously. `chain` starts
 * with the `@async` rule and ends with the rule deriving `input`.
 */
export interface CoordinationPoint {
  rule: Rule;
  reason: NonMonotoneReason;
  /** The relation read non-monotonically. */
  input: string;
  chain: AsyncHop[];
  /** Where to point a reader: the notin atom or the aggregate. */
  span: Span;
  /** The explanation in plain words. */
  explanation: string;
}

/** The result of the CALM analysis of a program. */
export interface CalmAnalysis {
  rules: RuleMonotonicity[];
  relations: RelationMonotonicity[];
  points: CoordinationPoint[];
  /** True when every rule is monotone: the program's result is independent of message timing. */
  monotone: boolean;
}

/** A persistence rule: `p(...)@next :- p(...), ...` with p read positively in its own body. */
function isPersistence(rule: Rule): boolean {
  return rule.head.time === "next" && bodyAtoms(rule).some((a) => !a.negated && a.rel === rule.head.rel);
}

/** Classifies one rule. */
export function classifyRule(rule: Rule): RuleMonotonicity {
  const reasons: NonMonotoneReason[] = [];
  const deletion = isPersistence(rule);
  for (const a of bodyAtoms(rule)) if (a.negated) reasons.push({ kind: deletion ? "deletion" : "negation", atom: a });
  for (const t of rule.head.args) if (t.kind === "aggregate") reasons.push({ kind: "aggregation", aggregate: t });
  return { rule, monotone: reasons.length === 0, reasons };
}

function where(rule: Rule): string {
  return formatLocation(rule.span);
}

function describeReason(r: NonMonotoneReason): string {
  switch (r.kind) {
    case "negation":
      return `negation (notin ${r.atom.rel})`;
    case "deletion":
      return `deletion (persistence with notin ${r.atom.rel})`;
    case "aggregation":
      return `aggregation (${r.aggregate.fn}<${r.aggregate.variable.name}>)`;
  }
}

/** For every relation, the rules deriving it. */
function derivers(program: Program): Map<string, Rule[]> {
  const m = new Map<string, Rule[]>();
  for (const r of program.rules) m.set(r.head.rel, [...(m.get(r.head.rel) ?? []), r]);
  return m;
}

/**
 * For every async-fed relation, the shortest chain of rules from an `@async` rule to it (breadth-first
 * over "body relation → head relation" edges, seeded with the heads of the `@async` rules).
 */
function asyncChains(program: Program): Map<string, AsyncHop[]> {
  const chains = new Map<string, AsyncHop[]>();
  const queue: string[] = [];
  for (const r of program.rules)
    if (r.head.time === "async" && !chains.has(r.head.rel)) {
      chains.set(r.head.rel, [{ rel: r.head.rel, rule: r }]);
      queue.push(r.head.rel);
    }
  const readers = readersOf(program);
  while (queue.length > 0) {
    const rel = queue.shift() as string;
    const chain = chains.get(rel) as AsyncHop[];
    for (const r of readers.get(rel) ?? []) {
      if (chains.has(r.head.rel)) continue;
      chains.set(r.head.rel, [...chain, { rel: r.head.rel, rule: r }]);
      queue.push(r.head.rel);
    }
  }
  return chains;
}

/** Classifies relations: a relation is monotone when its rules and everything they read positively are. */
function classifyRelations(program: Program, ruleClasses: RuleMonotonicity[], chains: Map<string, AsyncHop[]>): RelationMonotonicity[] {
  const rels = new Set<string>();
  for (const f of program.facts) rels.add(f.rel);
  for (const r of program.rules) {
    rels.add(r.head.rel);
    for (const a of bodyAtoms(r)) rels.add(a.rel);
  }
  const why = new Map<string, string>();
  // Direct causes first, then inheritance through positive reads, to a fixpoint.
  for (const c of ruleClasses)
    if (!c.monotone && !why.has(c.rule.head.rel))
      why.set(c.rule.head.rel, `derived by a rule with ${c.reasons.map(describeReason).join(" and ")} at ${where(c.rule)}`);
  const byHead = derivers(program);
  for (let changed = true; changed;) {
    changed = false;
    for (const rel of rels) {
      if (why.has(rel)) continue;
      for (const r of byHead.get(rel) ?? []) {
        const tainted = bodyAtoms(r).find((a) => !a.negated && a.rel !== rel && why.has(a.rel));
        if (tainted) {
          why.set(rel, `built from ${tainted.rel}, which is not monotone (rule at ${where(r)})`);
          changed = true;
          break;
        }
      }
    }
  }
  return [...rels].sort().map((rel) => {
    const reason = why.get(rel);
    const derived = byHead.has(rel);
    return {
      rel,
      monotone: reason === undefined,
      why: reason ?? (derived ? "every rule deriving it is monotone and reads only monotone relations" : "input facts only"),
      asyncFed: chains.has(rel),
    };
  });
}

function explain(rule: Rule, reason: NonMonotoneReason, input: string, chain: AsyncHop[]): string {
  const first = chain[0] as AsyncHop;
  const route =
    chain.length === 1
      ? `${input} arrives by asynchronous messages (${where(first.rule)}: ${formatRule(first.rule)})`
      : `${input} is built from ${first.rel}, which arrives by asynchronous messages (${where(first.rule)}: ${formatRule(first.rule)}), through ${chain
          .slice(1)
          .map((h) => h.rel)
          .join(" -> ")}`;
  const rule1 = `The rule at ${where(rule)}, ${formatRule(rule)}`;
  switch (reason.kind) {
    case "negation":
      return (
        `${rule1} concludes ${rule.head.rel} from the absence of ${input} (notin). ${route}. A message that is merely late looks ` +
        `exactly like one that will never come, so ${rule.head.rel} may be derived now and be wrong once it lands: the outcome ` +
        `depends on delivery timing. Coordinate or seal: derive ${rule.head.rel} only once ${input} is known to be complete for ` +
        `this key (every sender has answered, an end-of-stream or a barrier), or restate it monotonically.`
      );
    case "deletion":
      return (
        `${rule1} deletes ${rule.head.rel} tuples at the next step whenever ${input} holds (persistence with notin). ${route}. If ` +
        `the ${input} message overtakes or trails the data it should remove, a different set survives: the outcome depends on ` +
        `delivery order. Coordinate or seal: order the deletion after what it deletes (e.g. acknowledge the insert first, or ` +
        `tag both with a version), or keep tombstones and apply them monotonically.`
      );
    case "aggregation":
      return (
        `${rule1} computes ${reason.aggregate.fn}<${reason.aggregate.variable.name}> over ${input}. ${route}. Each new message ` +
        `replaces the aggregate's value, so a reader that acts on it before all of ${input} has arrived sees a partial answer. ` +
        `Coordinate or seal: read the aggregate only once its input group is complete, or use it only through a monotone ` +
        `threshold test.`
      );
  }
}

/**
 * Runs the CALM analysis: classifies every rule and relation, and lists every point where
 * non-monotone reasoning reads data that arrives asynchronously.
 */
export function analyzeCalm(program: Program): CalmAnalysis {
  const rules = program.rules.map(classifyRule);
  const chains = asyncChains(program);
  const relations = classifyRelations(program, rules, chains);
  const points: CoordinationPoint[] = [];
  for (const c of rules) {
    for (const reason of c.reasons) {
      // Negation and deletion read one relation; an aggregate reads every positive body atom.
      const inputs =
        reason.kind === "aggregation"
          ? bodyAtoms(c.rule)
              .filter((a) => !a.negated)
              .map((a) => ({ rel: a.rel, span: reason.aggregate.span }))
          : [{ rel: reason.atom.rel, span: reason.atom.span }];
      const seen = new Set<string>();
      for (const input of inputs) {
        const chain = chains.get(input.rel);
        if (!chain || seen.has(input.rel)) continue;
        seen.add(input.rel);
        points.push({
          rule: c.rule,
          reason,
          input: input.rel,
          chain,
          span: input.span,
          explanation: explain(c.rule, reason, input.rel, chain),
        });
        if (reason.kind === "aggregation") break; // one point per aggregate is enough to say it needs sealing
      }
    }
  }
  return { rules, relations, points, monotone: rules.every((r) => r.monotone) };
}

/** A readable report of the analysis, for `maze check` and notebooks. */
export function formatCalm(analysis: CalmAnalysis): string {
  const lines: string[] = [];
  const nonMono = analysis.rules.filter((r) => !r.monotone);
  lines.push(
    `CALM: ${analysis.rules.length - nonMono.length} of ${analysis.rules.length} rules monotone; ` +
      (analysis.points.length === 0
        ? analysis.monotone
          ? "the program is monotone: its outcome does not depend on message delays or order."
          : "non-monotone reasoning reads only local data: no coordination point."
        : `${analysis.points.length} coordination point${analysis.points.length === 1 ? "" : "s"} (non-monotone after asynchrony).`),
  );
  for (const r of nonMono) lines.push(`  non-monotone rule ${where(r.rule)}: ${r.reasons.map(describeReason).join(", ")}`);
  const rels = analysis.relations.filter((r) => !r.monotone);
  if (rels.length > 0) lines.push(`  non-monotone relations: ${rels.map((r) => r.rel).join(", ")}`);
  for (const p of analysis.points) lines.push(`${formatLocation(p.span)}: coordination point: ${p.explanation}`);
  return lines.join("\n");
}
