import fc from "fast-check";
import { orSet, type ORSetState } from "../crdt/orSet";
import { pnCounter as referenceCounter, type PNCounterState } from "../crdt/pnCounter";
import type { NodeHandlers } from "../sim/node";
import { runSimulation } from "../sim/simulator";
import { Trace, type TraceEvent } from "../sim/trace";
import {
  CRDT_FUNCTIONS,
  localCrdtSession,
  validateCrdtAnswers,
  type CrdtAnswer,
  type CrdtKind,
  type CrdtOperation,
  type CrdtQuestion,
  type CrdtSession,
  type Mutation,
} from "./crdtQuestions";
import { MissingDefinitionError, type CheckContext, type Lab, type LabTest, type StudentScope } from "./labContract";

/** What lab 1 asks for: a PN-Counter as a state-based CRDT. States are whatever the student chooses. */
export interface StudentCounter<S> {
  bottom(): S;
  join(a: S, b: S): S;
  leq(a: S, b: S): boolean;
  increment(s: S, replica: string): S;
  decrement(s: S, replica: string): S;
  value(s: S): number;
}

/** What lab 1 asks for: an add-wins observed-remove set of strings. */
export interface StudentSet<S> {
  bottom(): S;
  join(a: S, b: S): S;
  leq(a: S, b: S): boolean;
  add(s: S, element: string, replica: string): S;
  remove(s: S, element: string, replica: string): S;
  elements(s: S): string[];
}

const REPLICAS = ["a", "b", "c"] as const;
/** Generated histories per property: enough to find the usual mistakes, cheap enough to grade fast. */
const RUNS = 150;
/** The seed of the notebook's self-check: public, so a student sees the same cases on every run. */
export const LAB1_PUBLIC_SEED = 20261125;
/** Longest snapshot of a state quoted in feedback: the start of it names the shape, the rest is noise. */
const SHOWN_STATE_CHARS = 240;

/** One lab-1 CRDT: the notebook name, the label its tests carry, its two operations. */
interface CrdtSpec {
  readonly kind: CrdtKind;
  readonly name: "pnCounter" | "orSet";
  readonly label: "pn-counter" | "or-set";
  readonly ops: readonly [CrdtOperation, CrdtOperation];
  readonly valueWord: "value" | "elements";
}
const COUNTER: CrdtSpec = { kind: "counter", name: "pnCounter", label: "pn-counter", ops: ["inc", "dec"], valueWord: "value" };
const SET: CrdtSpec = { kind: "set", name: "orSet", label: "or-set", ops: ["add", "remove"], valueWord: "elements" };

/** A history step: an operation at a replica, or one replica merging another's state. */
type Step = { kind: "op"; at: number; op: 0 | 1; element: string } | { kind: "merge"; from: number; to: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("op" as const),
    at: fc.nat(2),
    op: fc.constantFrom(0 as const, 1 as const),
    element: fc.constantFrom("x", "y", "z"),
  }),
  fc.record({ kind: fc.constant("merge" as const), from: fc.nat(2), to: fc.nat(2) }),
);
const historyArb = fc.array(stepArb, { maxLength: 25 });

function stepWords(spec: CrdtSpec, s: Step): string {
  if (s.kind === "merge") return `${REPLICAS[s.to]} merges ${REPLICAS[s.from]}`;
  const op = spec.ops[s.op];
  return `${REPLICAS[s.at]}: ${spec.kind === "set" ? `${op} ${s.element}` : op}`;
}

/** A history in words: `a: inc; b: dec; a merges b`. */
function historyWords(spec: CrdtSpec, steps: readonly Step[]): string {
  return steps.length === 0 ? "(nothing happened: every replica is still bottom)" : steps.map((s) => stepWords(spec, s)).join("; ");
}

/** A failure the student's own code caused: a function threw, returned the wrong type, or a malformed answer came back. */
class StudentFault extends Error {}

/** A batch of questions under construction; each method returns the reference to its answer. */
class Batch {
  readonly questions: CrdtQuestion[] = [];
  /** The history step each question belongs to, in words (for blaming a mutation on the step that did it). */
  readonly steps: string[] = [];
  private step = "";

  constructor(readonly spec: CrdtSpec) {}

  private push(q: CrdtQuestion): number {
    this.questions.push(q);
    this.steps.push(this.step);
    return this.questions.length - 1;
  }
  during(words: string): void {
    this.step = words;
  }
  bottom(): number {
    return this.push({ q: "bottom" });
  }
  op(state: number, which: 0 | 1, element: string, replica: string): number {
    const op = this.spec.ops[which];
    return this.push(this.spec.kind === "set" ? { q: "op", state, op, element, replica } : { q: "op", state, op, replica });
  }
  join(a: number, b: number): number {
    return this.push({ q: "join", a, b });
  }
  leq(a: number, b: number): number {
    return this.push({ q: "leq", a, b });
  }
  value(state: number): number {
    return this.push({ q: "value", state });
  }
  snapshot(state: number): number {
    return this.push({ q: "snapshot", state });
  }
  /** Replays a history on three replicas; returns each replica's final state. */
  replay(steps: readonly Step[]): number[] {
    const states = REPLICAS.map(() => this.bottom());
    steps.forEach((s, i) => {
      this.during(historyWords(this.spec, steps.slice(0, i + 1)));
      if (s.kind === "op") states[s.at] = this.op(states[s.at] as number, s.op, s.element, REPLICAS[s.at] as string);
      else states[s.to] = this.join(states[s.to] as number, states[s.from] as number);
    });
    this.during(historyWords(this.spec, steps));
    return states;
  }
  /** Asks the batch and returns its answers, validated. */
  async ask(session: CrdtSession): Promise<Answers> {
    const answers = await session.ask(this.questions);
    const problem = validateCrdtAnswers(this.questions, answers);
    if (problem !== undefined) throw new StudentFault(`the notebook process gave a malformed answer: ${problem}`);
    return new Answers(this, answers);
  }
}

function formatValue(v: number | readonly string[]): string {
  return typeof v === "number" ? String(v) : JSON.stringify(v);
}

/** The answers to a batch, read as the check needs them. */
class Answers {
  constructor(
    private readonly batch: Batch,
    readonly list: readonly CrdtAnswer[],
  ) {}

  /** Why the answer at `ref` is missing: the first function that threw or misbehaved on the way to it. */
  private fault(ref: number): StudentFault {
    const name = this.batch.spec.name;
    const first =
      this.list.slice(0, ref + 1).find((x) => x.a === "threw" || x.a === "invalid") ??
      this.list.find((x) => x.a === "threw" || x.a === "invalid");
    const at = first ? this.list.indexOf(first) : ref;
    const when = this.batch.steps[at] ? ` (history: ${this.batch.steps[at]})` : "";
    if (first?.a === "threw") return new StudentFault(`${name}.${first.fn} threw ${first.message}${when}`);
    if (first?.a === "invalid") return new StudentFault(`${name}.${first.fn} ${first.message}${when}`);
    return new StudentFault(`no answer for question ${ref}`);
  }
  bool(ref: number): boolean {
    const x = this.list[ref];
    if (x?.a !== "bool") throw this.fault(ref);
    return x.value;
  }
  value(ref: number): number | readonly string[] {
    const x = this.list[ref];
    if (x?.a !== "value") throw this.fault(ref);
    return typeof x.value === "number" ? x.value : [...x.value].sort();
  }
  shown(ref: number): string {
    return formatValue(this.value(ref));
  }
  snapshot(ref: number): string {
    const x = this.list[ref];
    if (x?.a !== "snapshot") throw this.fault(ref);
    return x.text.length > SHOWN_STATE_CHARS ? `${x.text.slice(0, SHOWN_STATE_CHARS)}…` : x.text;
  }
  /** Throws the first failure of the batch (a function that threw or misbehaved), if any. */
  requireAll(): void {
    const i = this.list.findIndex((x) => x.a === "threw" || x.a === "invalid" || x.a === "skipped");
    if (i >= 0) throw this.fault(i);
  }
  /** The note that blames a failure on a function that changed its input, naming the function. */
  blame(m: Mutation): string {
    return `note: ${this.batch.spec.name}.${m.fn} changed the state it was given (before ${m.before}, after ${m.after}); every function must return a new state and leave its inputs as they were — fix that first, it can cause this failure`;
  }
  /** The first function that changed a state it was given, with the history up to that call. */
  mutation(): { m: Mutation; history: string } | undefined {
    const i = this.list.findIndex((x) => "mutated" in x && x.mutated !== undefined);
    if (i < 0) return undefined;
    const x = this.list[i] as { mutated: Mutation };
    return { m: x.mutated, history: this.batch.steps[i] || "(before any step)" };
  }
}

/** A state quoted in feedback: `a = {...}  (value 3)`; `snap` and `value` are answer references. */
interface Shown {
  readonly label: string;
  readonly snap: number;
  readonly value: number;
}

/** Asks for a state's snapshot and value, to quote it if the check fails. */
function show(b: Batch, label: string, state: number): Shown {
  return { label, snap: b.snapshot(state), value: b.value(state) };
}

/**
 * The feedback of one failed check: the law or property, the history in words, the states involved
 * with their values, and what was expected against what came back.
 */
function explain(r: Answers, law: string, history: string, states: readonly Shown[], expectedVsGot: string): string {
  const lines = [law, `history: ${history}`];
  for (const s of states)
    lines.push(`  ${s.label} = ${r.snapshot(s.snap)}  (${r.list[s.value]?.a === "value" ? `shows ${r.shown(s.value)}` : "no value"})`);
  lines.push(expectedVsGot);
  const mutation = r.mutation();
  if (mutation) lines.push(r.blame(mutation.m));
  return lines.join("\n");
}

/** Runs a property over generated values: the first counterexample (shrunk) becomes the feedback. */
async function checkProperty<T>(
  arb: fc.Arbitrary<T>,
  context: CheckContext,
  evaluate: (t: T) => Promise<string | undefined>,
): Promise<string | undefined> {
  const safe = async (t: T): Promise<string | undefined> => {
    try {
      return await evaluate(t);
    } catch (e) {
      if (e instanceof StudentFault) return e.message;
      throw e;
    }
  };
  const r = await fc.check(
    fc.asyncProperty(arb, async (t) => (await safe(t)) === undefined),
    { numRuns: RUNS, seed: context.seed },
  );
  if (!r.failed) return undefined;
  if (r.counterexample === null) return `the property failed: ${String(r.errorInstance)}`;
  return (
    (await safe(r.counterexample[0])) ??
    "the property failed once and passed when replayed: does your code depend on something besides its arguments?"
  );
}

/** Wraps a check so a student function that throws outside a property still reads as feedback. */
async function guarded(run: () => Promise<string | undefined>): Promise<string | undefined> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof StudentFault) return e.message;
    throw e;
  }
}

const same = (a: number | readonly string[], b: number | readonly string[]): boolean => formatValue(a) === formatValue(b);

function sessionOf(scope: StudentScope, spec: CrdtSpec): CrdtSession {
  const v = scope[spec.name];
  if (isCrdtSession(v)) return v;
  const hint = `define \`const ${spec.name} = { ${CRDT_FUNCTIONS[spec.kind].join(", ")} }\` in the student cell`;
  if (v === undefined || v === null) throw new MissingDefinitionError(spec.name, hint);
  const missing = CRDT_FUNCTIONS[spec.kind].filter((m) => typeof (v as Record<string, unknown>)[m] !== "function");
  if (missing.length > 0) throw new MissingDefinitionError(`${spec.name}.${missing.join(`, ${spec.name}.`)}`, hint);
  return localCrdtSession(v, spec.kind, spec.name);
}

/** Brand of a session the grader built (the student's objects never carry it into the grader's scope). */
const SESSION = Symbol.for("maze.lab1.session");

/** Marks a session so lab 1 uses it as given instead of treating it as the student's object. */
export function asGraderSession(session: CrdtSession): CrdtSession {
  return Object.assign(Object.create(null) as object, session, { [SESSION]: true });
}

function isCrdtSession(v: unknown): v is CrdtSession {
  return typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[SESSION] === true;
}

function lawTest(spec: CrdtSpec): LabTest {
  return {
    name: `${spec.label}: join is commutative, associative and idempotent`,
    points: 10,
    description:
      "on the replicas' states after a random history, join(a, b) shows the same as join(b, a), join(join(a, b), c) the same as join(a, join(b, c)), and join(a, a) the same as a",
    check: (scope, context) => {
      const session = sessionOf(scope, spec);
      return checkProperty(historyArb, context, async (h) => {
        const b = new Batch(spec);
        const [A, B, C] = b.replay(h) as [number, number, number];
        const [sa, sb, sc] = [show(b, "a", A), show(b, "b", B), show(b, "c", C)];
        const ab = b.value(b.join(A, B));
        const ba = b.value(b.join(B, A));
        const left = b.value(b.join(b.join(A, B), C));
        const right = b.value(b.join(A, b.join(B, C)));
        const aa = b.value(b.join(A, A));
        const r = await b.ask(session);
        const words = historyWords(spec, h);
        if (!same(r.value(ab), r.value(ba)))
          return explain(
            r,
            "law: join is commutative — join(a, b) and join(b, a) must show the same",
            words,
            [sa, sb],
            `expected join(b, a) to show ${r.shown(ab)} (what join(a, b) shows), got ${r.shown(ba)}`,
          );
        if (!same(r.value(left), r.value(right)))
          return explain(
            r,
            "law: join is associative — join(join(a, b), c) and join(a, join(b, c)) must show the same",
            words,
            [sa, sb, sc],
            `expected join(a, join(b, c)) to show ${r.shown(left)} (what join(join(a, b), c) shows), got ${r.shown(right)}`,
          );
        if (!same(r.value(aa), r.value(sa.value)))
          return explain(
            r,
            "law: join is idempotent — join(a, a) must show what a shows (merging a state you already have changes nothing)",
            words,
            [sa],
            `expected join(a, a) to show ${r.shown(sa.value)}, got ${r.shown(aa)}`,
          );
        return undefined;
      });
    },
  };
}

function leqTest(spec: CrdtSpec): LabTest {
  const [up, down] = spec.ops;
  return {
    name: `${spec.label}: leq agrees with join`,
    points: 5,
    description:
      `leq(bottom, a) and leq(a, a) hold; leq(a, join(a, b)) and leq(b, join(a, b)) hold; whenever leq(a, b) holds, join(a, b) shows what b shows; and every update moves a state strictly up ` +
      (spec.kind === "set"
        ? "(after an add, and after a remove of an element the state has, leq(before, after) holds and leq(after, before) does not: a remove's tombstones count)"
        : "(after an inc or a dec, leq(before, after) holds and leq(after, before) does not)"),
    check: (scope, context) => {
      const session = sessionOf(scope, spec);
      return checkProperty(historyArb, context, async (h) => {
        const b = new Batch(spec);
        const [A, B] = b.replay(h) as [number, number];
        const bottom = b.bottom();
        const J = b.join(A, B);
        const [sa, sb, sj, sbot] = [show(b, "a", A), show(b, "b", B), show(b, "join(a, b)", J), show(b, "bottom", bottom)];
        const q = { botA: b.leq(bottom, A), aa: b.leq(A, A), aj: b.leq(A, J), bj: b.leq(B, J), ab: b.leq(A, B) };
        // The updates: for the set, a remove of an element the state surely has (added just before).
        const words = historyWords(spec, h);
        const updates: { words: string; before: number; after: number; hint: string }[] = [];
        if (spec.kind === "counter") {
          for (const which of [0, 1] as const) {
            b.during(`${words}; a: ${spec.ops[which]}`);
            updates.push({ words: `${words}; then a: ${spec.ops[which]}`, before: A, after: b.op(A, which, "x", "a"), hint: "" });
          }
        } else {
          b.during(`${words}; a: add x`);
          const T = b.op(A, 0, "x", "a");
          b.during(`${words}; a: add x; a: remove x`);
          const R = b.op(T, 1, "x", "a");
          updates.push({ words: `${words}; then a: ${up} x`, before: A, after: T, hint: "" });
          updates.push({
            words: `${words}; then a: ${up} x; a: ${down} x`,
            before: T,
            after: R,
            hint: " — does leq compare the removed dots (the tombstones) too? A state that has removed x is above the one that had not",
          });
        }
        const checks = updates.map((u) => ({
          ...u,
          fwd: b.leq(u.before, u.after),
          back: b.leq(u.after, u.before),
          sBefore: show(b, "before", u.before),
          sAfter: show(b, "after", u.after),
        }));
        const r = await b.ask(session);
        const law = "law: leq agrees with join";
        if (!r.bool(q.botA))
          return explain(r, `${law} — bottom is below every state`, words, [sbot, sa], "expected leq(bottom, a) to be true, got false");
        if (!r.bool(q.aa)) return explain(r, `${law} — leq is reflexive`, words, [sa], "expected leq(a, a) to be true, got false");
        if (!r.bool(q.aj))
          return explain(r, `${law} — join(a, b) is above a`, words, [sa, sj], "expected leq(a, join(a, b)) to be true, got false");
        if (!r.bool(q.bj))
          return explain(r, `${law} — join(a, b) is above b`, words, [sb, sj], "expected leq(b, join(a, b)) to be true, got false");
        if (r.bool(q.ab) && !same(r.value(sj.value), r.value(sb.value)))
          return explain(
            r,
            `${law} — leq(a, b) says a is included in b, so join(a, b) must show what b shows`,
            words,
            [sa, sb],
            `leq(a, b) is true, so expected join(a, b) to show ${r.shown(sb.value)} (what b shows), got ${r.shown(sj.value)}`,
          );
        for (const c of checks) {
          if (!r.bool(c.fwd))
            return explain(
              r,
              `${law} — an update moves the state up`,
              c.words,
              [c.sBefore, c.sAfter],
              "expected leq(before, after) to be true, got false",
            );
          if (r.bool(c.back))
            return explain(
              r,
              `${law} — an update moves the state strictly up, so the old state is not above the new one`,
              c.words,
              [c.sBefore, c.sAfter],
              `expected leq(after, before) to be false, got true${c.hint}`,
            );
        }
        return undefined;
      });
    },
  };
}

function purityTest(spec: CrdtSpec): LabTest {
  return {
    name: `${spec.label}: every function leaves the states it is given unchanged`,
    points: 5,
    description: `on a random history, no function (${CRDT_FUNCTIONS[spec.kind].filter((f) => f !== "bottom").join(", ")}) changes a state passed to it: each returns a new state, as replicas that share or resend states need`,
    check: (scope, context) => {
      const session = sessionOf(scope, spec);
      return checkProperty(historyArb, context, async (h) => {
        const b = new Batch(spec);
        const [A, B] = b.replay(h) as [number, number];
        b.value(A);
        b.leq(A, B);
        b.join(A, B);
        b.during(`${historyWords(spec, h)}; a: ${spec.ops[0]}${spec.kind === "set" ? " x" : ""}`);
        const U = b.op(A, 0, "x", "a");
        b.during(
          `${historyWords(spec, h)}; a: ${spec.ops[0]}${spec.kind === "set" ? " x" : ""}; a: ${spec.ops[1]}${spec.kind === "set" ? " x" : ""}`,
        );
        b.op(U, 1, "x", "a");
        const r = await b.ask(session);
        const found = r.mutation();
        if (!found) {
          r.requireAll();
          return undefined;
        }
        return [
          `property: pure functions — ${spec.name}.${found.m.fn} changed the state it was given`,
          `history: ${found.history}`,
          `  before the call: ${found.m.before}`,
          `  after the call:  ${found.m.after}`,
          `expected the state passed to ${found.m.fn} to stay as it was; return a new state instead (copy what you change, e.g. { ...s, p: { ...s.p, [replica]: n } })`,
        ].join("\n");
      });
    },
  };
}

/** The reference meaning of a history: maze's own CRDT replayed on it, each replica's value. */
function referenceValues(spec: CrdtSpec, steps: readonly Step[]): (number | string[])[] {
  if (spec.kind === "counter") {
    const states: PNCounterState[] = REPLICAS.map(() => referenceCounter.bottom());
    for (const s of steps) {
      if (s.kind === "op")
        states[s.at] = referenceCounter.apply(states[s.at] as PNCounterState, { op: s.op === 0 ? "inc" : "dec" }, REPLICAS[s.at] as string);
      else states[s.to] = referenceCounter.join(states[s.to] as PNCounterState, states[s.from] as PNCounterState);
    }
    return states.map((s) => referenceCounter.value(s));
  }
  const states: ORSetState[] = REPLICAS.map(() => orSet.bottom());
  for (const s of steps) {
    if (s.kind === "op")
      states[s.at] = orSet.apply(
        states[s.at] as ORSetState,
        s.op === 0 ? { op: "add", element: s.element } : { op: "remove", element: s.element },
        REPLICAS[s.at] as string,
      );
    else states[s.to] = orSet.join(states[s.to] as ORSetState, states[s.from] as ORSetState);
  }
  return states.map((s) => [...orSet.value(s)].sort());
}

function countingTest(): LabTest {
  return {
    name: "pn-counter: counts every increment and decrement exactly once",
    points: 10,
    description:
      "on a random history, every replica shows (#increments − #decrements) of the operations it has seen, and the merge of all replicas shows the total, however often states were merged",
    check: (scope, context) => {
      const session = sessionOf(scope, COUNTER);
      return checkProperty(historyArb, context, async (h) => {
        const b = new Batch(COUNTER);
        const states = b.replay(h);
        const shown = states.map((s, i) => show(b, REPLICAS[i] as string, s));
        const all = show(b, "join(join(a, b), c)", b.join(b.join(states[0] as number, states[1] as number), states[2] as number));
        const r = await b.ask(session);
        const expected = referenceValues(COUNTER, h) as number[];
        const words = historyWords(COUNTER, h);
        for (const [i, s] of shown.entries()) {
          if (r.value(s.value) !== expected[i])
            return explain(
              r,
              "property: every increment and decrement counts exactly once",
              words,
              [s],
              `expected replica ${REPLICAS[i]} to show ${expected[i]} (the increments minus the decrements it has seen), got ${r.shown(s.value)}`,
            );
        }
        const total = h.reduce((n, s) => (s.kind === "op" ? n + (s.op === 0 ? 1 : -1) : n), 0);
        if (r.value(all.value) !== total)
          return explain(
            r,
            "property: every increment and decrement counts exactly once",
            words,
            [all],
            `expected the merge of all replicas to show ${total} (every increment minus every decrement), got ${r.shown(all.value)}`,
          );
        return undefined;
      });
    },
  };
}

/** How each replica starts in the convergence run (the operations it does before gossiping). */
interface GossipPlan {
  readonly ops: Readonly<Record<string, readonly { op: 0 | 1; element: string }[]>>;
  readonly expected: number | readonly string[];
  readonly seed: number;
}
const COUNTER_PLAN: GossipPlan = {
  ops: {
    a: [
      { op: 0, element: "" },
      { op: 0, element: "" },
      { op: 0, element: "" },
      { op: 1, element: "" },
    ],
    b: [
      { op: 0, element: "" },
      { op: 0, element: "" },
    ],
    c: [
      { op: 0, element: "" },
      { op: 1, element: "" },
      { op: 1, element: "" },
      { op: 1, element: "" },
      { op: 1, element: "" },
    ],
  },
  expected: 1,
  seed: 7,
};
const SET_PLAN: GossipPlan = {
  ops: {
    a: [
      { op: 0, element: "milk" },
      { op: 0, element: "eggs" },
      { op: 1, element: "eggs" },
    ],
    b: [{ op: 0, element: "bread" }],
    c: [
      { op: 0, element: "eggs" },
      { op: 0, element: "jam" },
    ],
  },
  expected: ["bread", "eggs", "jam", "milk"],
  seed: 11,
};

/** The network of the convergence runs: lossy, duplicating, reordering, partitioned until 150 ms. */
const GOSSIP_NETWORK = { latency: { kind: "uniform" as const, min: 1, max: 20 }, loss: 0.3, duplicate: 0.2, reorder: 0.5 };
const GOSSIP_PARTITION = { at: 0, heal: 150, groups: [["a"], ["b", "c"]] };
const GOSSIP_UNTIL = 400;

/** The result of gossiping a student's CRDT through the simulator. */
export type Lab1Gossip =
  | {
      readonly ok: true;
      readonly trace: Trace;
      readonly values: Readonly<Record<string, number | readonly string[]>>;
      readonly converged: boolean;
      readonly right: boolean;
      readonly expected: number | readonly string[];
    }
  | { readonly ok: false; readonly problem: string };

/**
 * Gossip on maze's simulator. Gossip sends every state on a timer whatever it holds, so which
 * joins happen when does not depend on the states: the run is simulated with state references and
 * the joins it makes are then asked as one batch. The returned trace carries each replica's value
 * as `replica` notes, as {@link convergenceChart} draws them.
 */
async function gossip(
  session: CrdtSession,
  spec: CrdtSpec,
  plan: GossipPlan,
): Promise<{ trace: Trace; answers: Answers; finals: Shown[]; batch: Batch }> {
  const b = new Batch(spec);
  const current = new Map<string, number>();
  const nodes: Record<string, NodeHandlers<number>> = {};
  for (const r of REPLICAS) {
    nodes[r] = {
      onStart: (ctx) => {
        let s = b.bottom();
        for (const o of plan.ops[r] ?? []) s = b.op(s, o.op, o.element, r);
        current.set(r, s);
        ctx.observe("replica", b.value(s));
        ctx.setTimer(10, "gossip");
      },
      onTimer: (ctx) => {
        ctx.broadcast(current.get(ctx.self) as number);
        if (ctx.now < GOSSIP_UNTIL) ctx.setTimer(10, "gossip");
      },
      onMessage: (ctx, m) => {
        const s = b.join(current.get(ctx.self) as number, m);
        current.set(ctx.self, s);
        ctx.observe("replica", b.value(s));
      },
    };
  }
  const symbolic = runSimulation<number>({
    seed: plan.seed,
    nodes,
    network: GOSSIP_NETWORK,
    partitions: [GOSSIP_PARTITION],
    limits: { maxTime: GOSSIP_UNTIL + 200 },
  });
  const finals = REPLICAS.map((r) => show(b, r, current.get(r) as number));
  const answers = await b.ask(session);
  // The same trace with each note's reference replaced by the value the student's code gave.
  const events = symbolic.events.map((e): TraceEvent => {
    if (e.kind !== "note") return e;
    const ref = e.value as number;
    const x = answers.list[ref];
    const value = x?.a === "value" ? (typeof x.value === "number" ? x.value : [...x.value].sort()) : null;
    return { ...e, value: { value, digest: JSON.stringify(value) } };
  });
  return { trace: new Trace(symbolic.nodes, events, symbolic.stop, symbolic.seed), answers, finals, batch: b };
}

function planWords(spec: CrdtSpec, plan: GossipPlan): string {
  const per = REPLICAS.map(
    (r) => `${r}: ${(plan.ops[r] ?? []).map((o) => (spec.kind === "set" ? `${spec.ops[o.op]} ${o.element}` : spec.ops[o.op])).join(", ")}`,
  );
  return `${per.join("; ")}; then every replica sends its state to the others every 10 ms until ${GOSSIP_UNTIL} ms, 30% of messages lost, 20% duplicated, half reordered, a partitioned from b and c until ${GOSSIP_PARTITION.heal} ms`;
}

function convergenceTest(spec: CrdtSpec, plan: GossipPlan): LabTest {
  return {
    name: `${spec.label}: replicas converge on a lossy, duplicating, partitioned network`,
    points: 10,
    description: `three replicas gossiping their states through maze's simulator (messages lost, duplicated, reordered; a partitioned away until ${GOSSIP_PARTITION.heal} ms) all show ${formatValue(plan.expected)} at the end`,
    check: (scope) =>
      guarded(async () => {
        const { answers: r, finals } = await gossip(sessionOf(scope, spec), spec, plan);
        const values = finals.map((f) => r.value(f.value));
        const words = planWords(spec, plan);
        const differ = values.findIndex((v) => !same(v, values[0] as number | readonly string[]));
        if (differ > 0)
          return explain(
            r,
            "property: convergence — once every state has reached every replica, all replicas show the same",
            words,
            [finals[0] as Shown, finals[differ] as Shown],
            `expected ${REPLICAS[differ]} to show what a shows, ${r.shown((finals[0] as Shown).value)}; got ${r.shown((finals[differ] as Shown).value)}`,
          );
        if (!same(values[0] as number | readonly string[], plan.expected))
          return explain(
            r,
            "property: convergence to the right value",
            words,
            [finals[0] as Shown],
            `expected every replica to show ${formatValue(plan.expected)}, got ${r.shown((finals[0] as Shown).value)}`,
          );
        return undefined;
      }),
  };
}

/**
 * Gossips the student's `pnCounter` or `orSet` through the simulator (the run the convergence test
 * grades) and returns the trace for `convergenceChart`, or why it could not run.
 */
export async function lab1Gossip(scope: StudentScope, which: "pn-counter" | "or-set"): Promise<Lab1Gossip> {
  const spec = which === "pn-counter" ? COUNTER : SET;
  const plan = which === "pn-counter" ? COUNTER_PLAN : SET_PLAN;
  try {
    const { trace, answers, finals } = await gossip(sessionOf(scope, spec), spec, plan);
    const list = finals.map((f) => answers.value(f.value));
    const values = Object.fromEntries(list.map((v, i) => [REPLICAS[i] ?? `replica ${i}`, v]));
    const first = list[0];
    const converged = first !== undefined && list.every((v) => same(v, first));
    return { ok: true, trace, values, converged, right: converged && same(first, plan.expected), expected: plan.expected };
  } catch (e) {
    return { ok: false, problem: e instanceof Error ? e.message : String(e) };
  }
}

function addWinsTest(): LabTest {
  return {
    name: "or-set: a concurrent add wins over a remove",
    points: 15,
    description:
      "a adds x; b merges a and removes x; concurrently a adds x again; after a merges b, x is in the set; and a remove after observing every add removes x",
    check: (scope) =>
      guarded(async () => {
        const session = sessionOf(scope, SET);
        const b = new Batch(SET);
        b.during("a: add x");
        const a1 = b.op(b.bottom(), 0, "x", "a");
        b.during("a: add x; b merges a");
        const b1 = b.join(b.bottom(), a1);
        b.during("a: add x; b merges a; b: remove x");
        const b2 = b.op(b1, 1, "x", "b");
        b.during("a: add x; b merges a; b: remove x; a: add x");
        const a2 = b.op(a1, 0, "x", "a");
        b.during("a: add x; b merges a; b: remove x; a: add x; a merges b");
        const m = b.join(a2, b2);
        b.during("a: add x; b merges a; b: remove x; a: add x; a merges b; a: remove x");
        const gone = b.op(m, 1, "x", "a");
        const [sa, sb, sm, sg] = [show(b, "a", a2), show(b, "b", b2), show(b, "a after merging b", m), show(b, "a after its remove", gone)];
        const r = await b.ask(session);
        if (!(r.value(sm.value) as readonly string[]).includes("x"))
          return explain(
            r,
            "property: add wins — an add the remover had not seen survives the remove",
            "a: add x; b merges a; b: remove x; a: add x (concurrently with b's remove); a merges b",
            [sa, sb],
            `expected join(a, b) to contain "x" (a's second add was not observed by b's remove), got ${r.shown(sm.value)}`,
          );
        if ((r.value(sg.value) as readonly string[]).includes("x"))
          return explain(
            r,
            "property: observed remove — a remove removes every add it has observed",
            "a: add x; b merges a; b: remove x; a: add x; a merges b; a: remove x",
            [sm, sg],
            `expected x gone after a removes it having seen both adds, got ${r.shown(sg.value)}`,
          );
        return undefined;
      }),
  };
}

function semanticsTest(): LabTest {
  return {
    name: "or-set: matches the observed-remove semantics on random histories",
    points: 15,
    description:
      "on random adds, removes and merges, every replica shows exactly the elements maze's reference OR-Set shows on the same history: those with an add the replica has seen and no remove that saw that add",
    check: (scope, context) => {
      const session = sessionOf(scope, SET);
      return checkProperty(historyArb, context, async (h) => {
        const b = new Batch(SET);
        const shown = b.replay(h).map((s, i) => show(b, REPLICAS[i] as string, s));
        const r = await b.ask(session);
        const expected = referenceValues(SET, h);
        for (const [i, s] of shown.entries()) {
          const want = expected[i] as string[];
          if (!same(r.value(s.value), want))
            return explain(
              r,
              "property: observed-remove semantics — a replica shows the elements with an add it has seen that no remove it has seen observed",
              historyWords(SET, h),
              [s],
              `expected replica ${REPLICAS[i]} to show ${formatValue(want)} (maze's reference OR-Set on the same history), got ${r.shown(s.value)}`,
            );
        }
        return undefined;
      });
    },
  };
}

/** Lab 1: implement a PN-Counter and an add-wins OR-Set; graded by lattice laws, semantics and convergence. */
export const lab1Crdt: Lab = {
  id: "lab1-crdt",
  title: "Lab 1 — build two CRDTs",
  definitions: [
    { name: "pnCounter", kind: "crdt", crdt: "counter" },
    { name: "orSet", kind: "crdt", crdt: "set" },
  ],
  publicSeed: LAB1_PUBLIC_SEED,
  tests: [
    lawTest(COUNTER),
    leqTest(COUNTER),
    purityTest(COUNTER),
    countingTest(),
    convergenceTest(COUNTER, COUNTER_PLAN),
    lawTest(SET),
    leqTest(SET),
    purityTest(SET),
    addWinsTest(),
    semanticsTest(),
    convergenceTest(SET, SET_PLAN),
  ],
};
