/**
 * Provenance queries over a run recorded with `provenance: true` (provenanceRecording.ts is what
 * the run keeps):
 *
 * - {@link why}: every derivation of one tuple at one time — an EDB fact, a rule firing (its premises
 *   and the `notin` patterns that were absent), or a message (a rule firing at the sender, delivered).
 * - `support` (support.ts): for LDFI, each goal's survival as a positive boolean formula over
 *   cross-node message edges and nodes staying alive, with negative support for `notin` premises
 *   (negativeSupport.ts) and aggregates (aggregateSupport.ts); `holds` (supportGraph.ts) evaluates one
 *   under a fault set.
 *
 * This module re-exports those, so `provenance` stays the one import for provenance queries.
 */
import type { Span } from "./ast";
import { recordedRun, type RawDerivation, type RawNegPremise } from "./provenanceRecording";
import type { DedalusRun } from "./runResult";
import type { Fact, RunResult, Value } from "./runtime";
import type { TupleStore } from "./store";

export { ProvenanceNotRecordedError } from "./provenanceRecording";
export { absenceSupport, support, type SupportOptions } from "./support";
export { edgeKey, evaluateSupport, holds, type MessageEdge, type SupportFaults, type SupportGraph, type SupportNode } from "./supportGraph";

/** A rule, as provenance names it. */
export interface RuleRef {
  index: number;
  head: string;
  text: string;
  span: Span;
}

/** A `notin` premise: the relation, the time it was read at, and the values that were absent (null = any). */
export interface NegPremise {
  rel: string;
  time: number;
  args: (Value | null)[];
}

/** One derivation of a tuple at a time. */
export type Derivation =
  | { kind: "fact"; fact: Fact }
  | { kind: "rule"; rule: RuleRef; fact: Fact; premises: Fact[]; negated: NegPremise[] }
  | {
      kind: "message";
      rule: RuleRef;
      fact: Fact;
      premises: Fact[];
      negated: NegPremise[];
      message: { from: string; to: string; sendTime: number };
    };

function ruleRef(d: RawDerivation): RuleRef {
  const r = d.rule!.rule;
  return { index: r.index, head: r.head.rel, text: r.text, span: r.span };
}

function factOf(run: DedalusRun, store: TupleStore, id: number): Fact {
  return { rel: run.compiled.plan.relations[store.rel]!.name, time: store.time, args: run.decode(store.rel, store.data, id * store.arity) };
}

function negOf(run: DedalusRun, n: RawNegPremise): NegPremise {
  const types = run.compiled.plan.relations[n.rel]!.types;
  return {
    rel: run.compiled.plan.relations[n.rel]!.name,
    time: n.time,
    args: n.values.map((v, c) => (v === null ? null : types[c] === "string" ? run.compiled.interner.string(v) : v)),
  };
}

/** Every derivation of `fact` (at `fact.time`) in a run recorded with provenance; empty when the tuple does not hold. */
export function why(result: RunResult, fact: Fact): Derivation[] {
  const run = recordedRun(result);
  const at = run.locate(fact.rel, fact.args, fact.time);
  if (!at) return [];
  const self = factOf(run, at.store, at.id);
  return (run.provenance.get(at.store)?.[at.id] ?? []).map((d): Derivation => {
    if (d.kind === "fact") return { kind: "fact", fact: self };
    const premises = d.premises.map((p) => factOf(run, p.store, p.id));
    const negated = d.negated.map((n) => negOf(run, n));
    if (d.kind === "rule") return { kind: "rule", rule: ruleRef(d), fact: self, premises, negated };
    const m = d.message!;
    const s = (id: number): string => run.compiled.interner.string(id);
    return {
      kind: "message",
      rule: ruleRef(d),
      fact: self,
      premises,
      negated,
      message: { from: s(m.from), to: s(m.to), sendTime: m.sendTime },
    };
  });
}
