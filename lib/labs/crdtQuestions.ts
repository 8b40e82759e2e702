/**
 * Lab 1's question protocol. A student chooses the shape of their CRDT's states, so the states stay
 * where the student's code runs, behind numbered handles; whoever grades only sends questions
 * ("bottom", "apply this operation to state 3", "join 4 and 7", "leq 4 7", "value of 5") and reads
 * plain answers: booleans, values, and bounded snapshots of a state for the feedback. The same
 * answering code serves the notebook's self-check (in-process) and the sandboxed grader (over IPC,
 * where the parent validates every answer with {@link validateCrdtAnswers}).
 */

/** Which lab-1 CRDT a question is about. */
export type CrdtKind = "counter" | "set";

/** The operations of each kind: the counter's two, the set's two (with an element). */
export type CrdtOperation = "inc" | "dec" | "add" | "remove";

/**
 * One question. `state`, `a` and `b` name earlier questions of the same batch whose answer is a
 * state (`bottom`, `op`, `join`): batches are independent and the answering side forgets their
 * states when the batch is answered.
 */
export type CrdtQuestion =
  | { readonly q: "bottom" }
  | { readonly q: "op"; readonly state: number; readonly op: CrdtOperation; readonly element?: string; readonly replica: string }
  | { readonly q: "join"; readonly a: number; readonly b: number }
  | { readonly q: "leq"; readonly a: number; readonly b: number }
  | { readonly q: "value"; readonly state: number }
  | { readonly q: "snapshot"; readonly state: number };

/** The student function a question calls (named in feedback as `pnCounter.join`, `orSet.add`, …). */
export type CrdtFunction = "bottom" | "increment" | "decrement" | "add" | "remove" | "join" | "leq" | "value" | "elements";

/** A function that changed a state it was given, with the state before and after (truncated snapshots). */
export interface Mutation {
  readonly fn: CrdtFunction;
  readonly before: string;
  readonly after: string;
}

/** The answer to one question. A state stays behind: only the fact that it exists comes back. */
export type CrdtAnswer =
  | { readonly a: "state"; readonly mutated?: Mutation }
  | { readonly a: "bool"; readonly value: boolean; readonly mutated?: Mutation }
  | { readonly a: "value"; readonly value: number | readonly string[]; readonly mutated?: Mutation }
  | { readonly a: "snapshot"; readonly text: string }
  | { readonly a: "threw"; readonly fn: CrdtFunction; readonly message: string }
  | { readonly a: "invalid"; readonly fn: CrdtFunction; readonly message: string }
  /** A question about a state that an earlier function failed to produce. */
  | { readonly a: "skipped" };

/** Longest snapshot of one state that crosses to the grader: enough to show, small enough to bound an answer. */
export const MAX_SNAPSHOT_CHARS = 64 * 1024;
/** Longest error message or mutation snapshot kept in an answer. */
const MAX_MESSAGE_CHARS = 600;
/** Most questions in one batch: a convergence run asks about 600; the grader never sends more. */
export const MAX_QUESTIONS = 5000;
/** Most elements a set's `elements` may return, and the longest element: a bound on every answer. */
const MAX_ELEMENTS = 1000;
const MAX_ELEMENT_CHARS = 200;

/**
 * A canonical text of any value a student may use as state: plain objects with sorted keys,
 * arrays, Maps and Sets (as tagged lists), primitives; cycles and functions are named, not walked.
 * Two states with the same text are the same data, whatever order their keys were inserted in.
 */
export function snapshotState(value: unknown, limit = MAX_SNAPSHOT_CHARS): string {
  const seen = new Set<object>();
  let budget = limit;
  const walk = (v: unknown): string => {
    if (budget <= 0) return "…";
    let out: string;
    if (v === undefined) out = "undefined";
    else if (v === null || typeof v === "boolean" || typeof v === "number")
      out = Number.isNaN(v) ? "NaN" : (JSON.stringify(v) ?? String(v));
    else if (typeof v === "string") out = JSON.stringify(v);
    else if (typeof v === "bigint") out = `${v}n`;
    else if (typeof v === "function") out = "[function]";
    else if (typeof v === "symbol") out = v.toString();
    else {
      const o = v;
      if (seen.has(o)) return "[cycle]";
      seen.add(o);
      if (Array.isArray(o)) out = `[${o.map(walk).join(",")}]`;
      else if (o instanceof Map)
        out = `Map{${[...o.entries()]
          .map(([k, x]) => `${walk(k)}=>${walk(x)}`)
          .sort()
          .join(",")}}`;
      else if (o instanceof Set) out = `Set{${[...o].map(walk).sort().join(",")}}`;
      else
        out = `{${Object.keys(o)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${walk((o as Record<string, unknown>)[k])}`)
          .join(",")}}`;
      seen.delete(o);
    }
    budget -= out.length;
    return out;
  };
  const text = walk(value);
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

function clip(s: string, n = MAX_MESSAGE_CHARS): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function describeError(e: unknown): string {
  if (e instanceof Error) return clip(`${e.name}: ${e.message}`);
  return clip(String(e));
}

/** The student's functions a kind needs, and which one each operation calls. */
export const CRDT_FUNCTIONS: Readonly<Record<CrdtKind, readonly CrdtFunction[]>> = {
  counter: ["bottom", "join", "leq", "increment", "decrement", "value"],
  set: ["bottom", "join", "leq", "add", "remove", "elements"],
};
const OP_FUNCTION: Readonly<Record<CrdtOperation, CrdtFunction>> = { inc: "increment", dec: "decrement", add: "add", remove: "remove" };
const OPS_OF: Readonly<Record<CrdtKind, readonly CrdtOperation[]>> = { counter: ["inc", "dec"], set: ["add", "remove"] };

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * Answers a batch of questions with the student's implementation (an object with the kind's
 * functions). Never throws for a student mistake: a function that throws, returns the wrong type
 * or changes a state it was given is reported in the answer, naming the function.
 */
export function answerCrdtQuestions(impl: unknown, kind: CrdtKind, questions: readonly CrdtQuestion[]): CrdtAnswer[] {
  const fns = impl as Record<string, unknown>;
  const states = new Map<number, unknown>();
  const answers: CrdtAnswer[] = [];
  const call = (
    fn: CrdtFunction,
    args: unknown[],
  ): { ok: true; result: unknown; mutated?: Mutation } | { ok: false; answer: CrdtAnswer } => {
    const f = fns?.[fn];
    if (typeof f !== "function") return { ok: false, answer: { a: "invalid", fn, message: `${fn} is not a function` } };
    const before = args.map((x) => snapshotState(x));
    let result: unknown;
    try {
      result = (f as AnyFunction).apply(impl, args);
    } catch (e) {
      return { ok: false, answer: { a: "threw", fn, message: describeError(e) } };
    }
    const i = args.findIndex((x, k) => snapshotState(x) !== before[k]);
    if (i < 0) return { ok: true, result };
    return { ok: true, result, mutated: { fn, before: clip(before[i] as string, 300), after: clip(snapshotState(args[i]), 300) } };
  };
  const stateOf = (ref: number): { ok: true; s: unknown } | { ok: false } =>
    states.has(ref) ? { ok: true, s: states.get(ref) } : { ok: false };
  const withMutation = <T extends CrdtAnswer>(answer: T, mutated: Mutation | undefined): T => (mutated ? { ...answer, mutated } : answer);
  for (const [index, q] of questions.entries()) {
    let answer: CrdtAnswer;
    if (q.q === "bottom") {
      const r = call("bottom", []);
      if (r.ok) {
        states.set(index, r.result);
        answer = { a: "state" };
      } else answer = r.answer;
    } else if (q.q === "op" || q.q === "value" || q.q === "snapshot") {
      const s = stateOf(q.state);
      if (!s.ok) answer = { a: "skipped" };
      else if (q.q === "snapshot") answer = { a: "snapshot", text: snapshotState(s.s) };
      else if (q.q === "op") {
        if (!OPS_OF[kind].includes(q.op)) answer = { a: "invalid", fn: OP_FUNCTION[q.op], message: `a ${kind} has no ${q.op}` };
        else {
          const r = call(OP_FUNCTION[q.op], q.op === "add" || q.op === "remove" ? [s.s, q.element ?? "", q.replica] : [s.s, q.replica]);
          if (r.ok) {
            states.set(index, r.result);
            answer = withMutation({ a: "state" }, r.mutated);
          } else answer = r.answer;
        }
      } else {
        const fn: CrdtFunction = kind === "counter" ? "value" : "elements";
        const r = call(fn, [s.s]);
        if (!r.ok) answer = r.answer;
        else if (kind === "counter") {
          answer =
            typeof r.result === "number" && Number.isFinite(r.result)
              ? withMutation({ a: "value", value: r.result }, r.mutated)
              : { a: "invalid", fn, message: `returned ${clip(snapshotState(r.result), 80)}, not a finite number` };
        } else {
          const v = r.result;
          const ok = Array.isArray(v) && v.length <= MAX_ELEMENTS && v.every((e) => typeof e === "string" && e.length <= MAX_ELEMENT_CHARS);
          answer = ok
            ? withMutation({ a: "value", value: [...(v as string[])] }, r.mutated)
            : { a: "invalid", fn, message: `returned ${clip(snapshotState(v), 80)}, not an array of strings` };
        }
      }
    } else {
      const x = stateOf(q.a);
      const y = stateOf(q.b);
      if (!x.ok || !y.ok) answer = { a: "skipped" };
      else {
        const r = call(q.q, [x.s, y.s]);
        if (!r.ok) answer = r.answer;
        else if (q.q === "join") {
          states.set(index, r.result);
          answer = withMutation({ a: "state" }, r.mutated);
        } else
          answer =
            typeof r.result === "boolean"
              ? withMutation({ a: "bool", value: r.result }, r.mutated)
              : { a: "invalid", fn: "leq", message: `returned ${clip(snapshotState(r.result), 80)}, not a boolean` };
      }
    }
    answers.push(answer);
  }
  return answers;
}

/** Whatever answers questions about one student CRDT: in-process for the self-check, a sandboxed process for the grader. */
export interface CrdtSession {
  readonly kind: CrdtKind;
  /** The student's name for it, for feedback (`pnCounter`, `orSet`). */
  readonly name: string;
  ask(questions: readonly CrdtQuestion[]): Promise<readonly CrdtAnswer[]>;
}

/** A session answering in this process with the student's object (the notebook's self-check). */
export function localCrdtSession(impl: unknown, kind: CrdtKind, name: string): CrdtSession {
  return { kind, name, ask: async (questions) => answerCrdtQuestions(impl, kind, questions) };
}

const FUNCTION_NAMES = new Set<string>(["bottom", "increment", "decrement", "add", "remove", "join", "leq", "value", "elements"]);

function isMutation(m: unknown): m is Mutation {
  const x = m as Mutation;
  return (
    typeof m === "object" &&
    m !== null &&
    FUNCTION_NAMES.has(x.fn) &&
    typeof x.before === "string" &&
    typeof x.after === "string" &&
    x.before.length <= 2 * MAX_MESSAGE_CHARS &&
    x.after.length <= 2 * MAX_MESSAGE_CHARS
  );
}

/**
 * Checks answers that came from another process against the questions asked: one answer per
 * question, each of a shape that question allows, every string bounded. Returns why not, or
 * undefined when they are well formed — a malformed batch fails the test, it never crashes the grader.
 */
export function validateCrdtAnswers(questions: readonly CrdtQuestion[], answers: unknown): string | undefined {
  if (!Array.isArray(answers)) return "the answers are not a list";
  if (answers.length !== questions.length) return `${answers.length} answers to ${questions.length} questions`;
  for (const [i, raw] of answers.entries()) {
    const x = raw as Record<string, unknown>;
    const q = questions[i] as CrdtQuestion;
    const bad = (why: string): string => `answer ${i} (to ${q.q}): ${why}`;
    if (typeof raw !== "object" || raw === null) return bad("not an object");
    if (x["mutated"] !== undefined && !isMutation(x["mutated"])) return bad("malformed mutation report");
    switch (x["a"]) {
      case "state":
        if (q.q !== "bottom" && q.q !== "op" && q.q !== "join") return bad("a state where none was asked for");
        break;
      case "bool":
        if (q.q !== "leq" || typeof x["value"] !== "boolean") return bad("a boolean where none was asked for");
        break;
      case "value": {
        const v = x["value"];
        const ok =
          typeof v === "number"
            ? Number.isFinite(v)
            : Array.isArray(v) && v.length <= MAX_ELEMENTS && v.every((e) => typeof e === "string" && e.length <= MAX_ELEMENT_CHARS);
        if (q.q !== "value" || !ok) return bad("a malformed value");
        break;
      }
      case "snapshot":
        if (q.q !== "snapshot" || typeof x["text"] !== "string" || x["text"].length > MAX_SNAPSHOT_CHARS + 1)
          return bad("a malformed snapshot");
        break;
      case "threw":
      case "invalid":
        if (
          typeof x["fn"] !== "string" ||
          !FUNCTION_NAMES.has(x["fn"]) ||
          typeof x["message"] !== "string" ||
          x["message"].length > 2 * MAX_MESSAGE_CHARS
        )
          return bad("a malformed error report");
        break;
      case "skipped":
        break;
      default:
        return bad(`unknown answer kind ${JSON.stringify(x["a"])?.slice(0, 40)}`);
    }
  }
  return undefined;
}
