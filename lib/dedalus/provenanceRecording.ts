/**
 * What a run records for provenance (`RunOptions.provenance`): every derivation of every tuple, as
 * store positions rather than decoded facts, in one global order. Recording is off in plain runs,
 * where none of this is allocated; provenance.ts and support.ts decode and walk what it kept.
 */
import type { CompiledJoin } from "./join";
import type { ProgramPlan, RulePlan } from "./plan";
import type { DedalusRun } from "./runResult";
import type { RunResult } from "./runtime";
import type { TupleStore } from "./store";

/** A premise of a recorded derivation: a tuple in a store. */
export interface RawPremise {
  store: TupleStore;
  id: number;
}

/** A `notin` premise as recorded: the relation, the time read, and the values required absent (null = any). */
export interface RawNegPremise {
  rel: number;
  time: number;
  values: (number | null)[];
}

/** A derivation as recorded during a run (decoded by provenance.ts). */
export interface RawDerivation {
  kind: "fact" | "rule" | "message";
  rule: RulePlan | null;
  premises: RawPremise[];
  negated: RawNegPremise[];
  message: { from: number; to: number; sendTime: number } | null;
  /** Global recording order; a tuple's first derivation is the one that created it. */
  seq: number;
}

/** Every recorded derivation of a run: per store, per tuple id, in recording order. */
export type RecordedDerivations = Map<TupleStore, RawDerivation[][]>;

/** The derivations of one run as they are recorded, numbered in one global order. */
export class ProvenanceLog {
  /** What the run's result keeps (see {@link RecordedDerivations}). */
  readonly derivations: RecordedDerivations = new Map();
  /** Next derivation sequence number. */
  private seq = 0;

  /** Records one more derivation of tuple `id` of `store`. */
  add(store: TupleStore, id: number, raw: Omit<RawDerivation, "seq">): void {
    const d: RawDerivation = { ...raw, seq: this.seq++ };
    let perTuple = this.derivations.get(store);
    if (!perTuple) this.derivations.set(store, (perTuple = []));
    (perTuple[id] ??= []).push(d);
  }

  /** The recorded derivations of tuple `id` of `store` (empty when none). */
  of(store: TupleStore, id: number): readonly RawDerivation[] {
    return this.derivations.get(store)?.[id] ?? [];
  }
}

/**
 * The premises of a join's current binding: the positive atoms' tuples, and each `notin`'s pattern
 * (its key columns bound, every other column any value) read at its own time or at `t`.
 */
export function recordPremises(
  plan: ProgramPlan,
  p: RulePlan,
  join: CompiledJoin,
  t: number,
): { premises: RawPremise[]; negated: RawNegPremise[] } {
  const premises: RawPremise[] = [];
  for (let i = 0; i < p.positives.length; i++) premises.push({ store: join.premiseStores[i]!, id: join.premiseIds[i]! });
  const negated: RawNegPremise[] = [];
  for (let i = 0; i < p.negatives.length; i++) {
    const n = join.negStates[i]!;
    const values: (number | null)[] = new Array<number | null>(plan.relations[n.rel]!.arity).fill(null);
    n.keyCols.forEach((col, k) => (values[col] = n.key[k]!));
    negated.push({ rel: n.rel, time: p.negatives[i]!.time ?? t, values });
  }
  return { premises, negated };
}

/** Thrown when provenance is asked of a run recorded without it. */
export class ProvenanceNotRecordedError extends Error {
  constructor() {
    super("this run was not recorded with provenance: run it with { provenance: true }");
    this.name = "ProvenanceNotRecordedError";
  }
}

/** The run behind a result, which must have been recorded with provenance (else {@link ProvenanceNotRecordedError}). */
export function recordedRun(result: RunResult): DedalusRun & { provenance: RecordedDerivations } {
  const run = result as DedalusRun;
  if (run.provenance === undefined || run.provenance === null) throw new ProvenanceNotRecordedError();
  return run as DedalusRun & { provenance: RecordedDerivations };
}
