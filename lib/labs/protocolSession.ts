import { SimHandlerError } from "../sim/errors";
import type { NodeId } from "../sim/config";
import type { NodeContext } from "../sim/node";
import { formatFaults, type FaultSet } from "../ldfi/faults";
import { SearchLimitError, type ExecutionBudget } from "../ldfi/result";
import { HandlerGuard } from "../ldfi/handlers/guard";
import { defineSimProtocol, isSimProtocol, type SimProtocol, type SimProtocolNode, type SimRunView } from "../ldfi/handlers/protocol";
import { observeTickRun, type HandlerObservation, type HandlerTarget } from "../ldfi/handlers/target";
import { runTicks, type TickRun } from "../ldfi/handlers/ticks";

/**
 * The protocol session (lib/ldfi/README.md, "Protocols across the grading boundary"): a protocol the
 * student wrote as handlers stays in the student's process, which answers one kind of question —
 * "run your protocol under these faults" — with plain data: every handler call each node received
 * (start, a message from X, a timer) with its effects (the messages it sent, the timers it set or
 * cancelled), and each node's `inspect()` state at EOT. The grader validates that data and replays
 * it through its own tick scheduler (`runTicks` on a scripted protocol), so the fates of messages,
 * the deliveries, the trace with its vector clocks, `pre`/`post`, the lineage and the search are all
 * the grader's. An answer that does not fit the fault model — a delivery of a lost message, a call
 * that never happens, effects that are not a function of the node's own history — is a
 * {@link SessionAnswerError}, never a verdict.
 */

/** One question: run the protocol built for `payload` for ticks 1..`eot` under `faults`. */
export interface ProtocolQuestion {
  readonly eot: number;
  readonly payload: string;
  readonly faults: FaultSet;
}

/** A message sent during a call: `[to, message]`. */
export type RecordedSend = readonly [NodeId, unknown];
/** A timer set during a call: `[delay, tag]`. */
export type RecordedTimer = readonly [number, string];

/** One handler call of one node and what it did. */
export interface RecordedCall {
  /** `start` (tick 1), `msg` (a delivery from `from`) or `timer` (`tag`). */
  readonly c: "start" | "msg" | "timer";
  readonly t: number;
  readonly from?: NodeId;
  readonly tag?: string;
  readonly sends: readonly RecordedSend[];
  readonly timers: readonly RecordedTimer[];
  /**
   * Timers passed to `ctx.cancelTimer`, each as the index of that timer among the ones this node set
   * (0 = its first `setTimer`), or -1 for an id that is not one of its timers. Not the run's ids:
   * those count every node's timers, so they are not a function of the node's own history.
   */
  readonly cancels: readonly number[];
}

/** The contract broken by the student's code, as the session reports it (node, handler, tick). */
export interface SessionFailure {
  readonly node: string;
  readonly handler: string;
  readonly tick: number;
  readonly message: string;
}

/** The answer to one question. */
export type ProtocolAnswer =
  | {
      readonly ok: true;
      readonly calls: Readonly<Record<NodeId, readonly RecordedCall[]>>;
      readonly states: Readonly<Record<NodeId, unknown>>;
    }
  | { readonly ok: false; readonly error: SessionFailure };

/** Bounds on what crosses the boundary: each answer is checked against them before anything reads it. */
export const SESSION_LIMITS = {
  /** Handler calls per node per run. */
  callsPerNode: 400,
  /** Sends, timers and cancels of one call. */
  effectsPerCall: 64,
  /** One message as JSON. */
  messageChars: 2048,
  /** One node's `inspect()` state as JSON. */
  stateChars: 8192,
  /** A timer tag, a node name, an error message. */
  textChars: 600,
  /** Longest timer delay accepted (ticks). */
  maxDelay: 1000,
  /** One whole answer as JSON: far above an honest run (a few KB), far below what the limits above multiply to. */
  answerChars: 1024 * 1024,
} as const;

/** The answer did not come from running a protocol under the fault model: the grader reports it, never scores it. */
export class SessionAnswerError extends Error {
  override readonly name = "SessionAnswerError";
  constructor(
    readonly faults: FaultSet,
    problem: string,
  ) {
    super(`the notebook process gave a malformed answer for ${formatFaults(faults)}: ${problem}`);
  }
}

/** The student's protocol broke the handler contract (threw, looped, used Math.random, ...), as its session reported it. */
export class SessionProtocolError extends Error {
  override readonly name = "SessionProtocolError";
  constructor(
    readonly faults: FaultSet,
    readonly failure: SessionFailure,
  ) {
    super(`under ${formatFaults(faults)}: node ${failure.node} at tick ${failure.tick} in ${failure.handler}: ${failure.message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The student's side: run the protocol and record every call.

function clip(s: string, n: number = SESSION_LIMITS.textChars): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function messageOf(e: unknown): string {
  if (typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string")
    return (e as { message: string }).message;
  return String(e);
}

/**
 * Wraps a protocol so every call into it is recorded with its effects. The wrapped handlers always
 * exist (a missing `onMessage` is recorded as a call that did nothing), so the record has one entry
 * for every call the scheduler makes.
 */
function recording<Msg, State>(protocol: SimProtocol<Msg, State>, calls: Map<NodeId, RecordedCall[]>): SimProtocol<Msg, State> {
  return defineSimProtocol<Msg, State>({
    nodes: protocol.nodes,
    node(self) {
      const inner = protocol.node(self) as SimProtocolNode<Msg, State> | null | undefined;
      const list: RecordedCall[] = [];
      const timerIds: number[] = [];
      calls.set(self, list);
      const call = (
        head: Pick<RecordedCall, "c" | "t" | "from" | "tag">,
        ctx: NodeContext<Msg>,
        run: (c: NodeContext<Msg>) => void,
      ): void => {
        const sends: RecordedSend[] = [];
        const timers: RecordedTimer[] = [];
        const cancels: number[] = [];
        list.push({ ...head, sends, timers, cancels });
        const recorded: NodeContext<Msg> = {
          self: ctx.self,
          get now() {
            return ctx.now;
          },
          nodes: ctx.nodes,
          peers: ctx.peers,
          random: ctx.random,
          send(to, message) {
            ctx.send(to, message);
            sends.push([to, structuredClone(message)]);
          },
          broadcast(message) {
            for (const p of ctx.peers) recorded.send(p, message);
          },
          setTimer(delay, tag = "") {
            const id = ctx.setTimer(delay, tag);
            timers.push([delay, tag]);
            timerIds.push(id);
            return id;
          },
          cancelTimer(id) {
            cancels.push(timerIds.indexOf(id));
            return ctx.cancelTimer(id);
          },
          observe(key, value) {
            ctx.observe(key, value);
          },
        };
        run(recorded);
      };
      if (typeof inner !== "object" || inner === null || typeof inner.inspect !== "function") {
        throw new Error(`node(${JSON.stringify(self)}) must return a handler object { onStart, onMessage, onTimer, inspect }`);
      }
      return {
        onStart: (ctx) => call({ c: "start", t: ctx.now }, ctx, (c) => inner.onStart?.(c)),
        onMessage: (ctx, msg, from) => call({ c: "msg", t: ctx.now, from }, ctx, (c) => inner.onMessage?.(c, msg, from)),
        onTimer: (ctx, tag) => call({ c: "timer", t: ctx.now, tag }, ctx, (c) => inner.onTimer?.(c, tag)),
        inspect: () => inner.inspect(),
      };
    },
    pre: () => [],
    post: () => [],
  });
}

/** What a lab asks the student to define: `(payload) => defineSimProtocol({...})`. */
export type ProtocolFactory = (payload: string) => SimProtocol<never, unknown>;

/**
 * Answers questions with the student's protocol factory, in the student's process (the sandboxed
 * notebook when grading, the notebook itself for the self-check). Never throws for a student
 * mistake: a factory or handler that throws, loops, or uses `Math.random` is reported in the
 * answer, naming the node, the handler and the tick. The answerer keeps one call guard and the
 * protocol built for each payload across questions (a guard's `vm` context costs milliseconds).
 */
export function protocolAnswerer(factory: unknown, nodes: readonly NodeId[]): (questions: readonly ProtocolQuestion[]) => ProtocolAnswer[] {
  const guard = new HandlerGuard();
  const built = new Map<string, SimProtocol<unknown, unknown> | SessionFailure>();
  const protocolFor = (payload: string): SimProtocol<unknown, unknown> | SessionFailure => {
    let p = built.get(payload);
    if (p) return p;
    try {
      if (typeof factory !== "function") throw new Error("it is not a function (payload) => defineSimProtocol({...})");
      const made = guard.call({ node: "(all)", handler: "the protocol factory", tick: 0 }, () =>
        (factory as (x: string) => unknown)(payload),
      );
      if (!isSimProtocol(made)) throw new Error("it must return the result of defineSimProtocol({...})");
      if (made.nodes.join(",") !== nodes.join(","))
        throw new Error(`its nodes must be ${JSON.stringify(nodes)}, got ${JSON.stringify(made.nodes)}`);
      p = made;
    } catch (e) {
      p = { node: "(all)", handler: "the protocol factory", tick: 0, message: clip(messageOf(e)) };
    }
    if (built.size < 16) built.set(payload, p);
    return p;
  };
  return (questions) =>
    questions.map((q): ProtocolAnswer => {
      const protocol = protocolFor(q.payload);
      if (!isSimProtocol(protocol)) return { ok: false, error: protocol };
      const calls = new Map<NodeId, RecordedCall[]>();
      try {
        const run = runTicks(recording(protocol, calls), { eot: q.eot, faults: q.faults, guard });
        const states: Record<NodeId, unknown> = {};
        for (const [n, s] of run.states) states[n] = s;
        return { ok: true, calls: Object.fromEntries(calls), states };
      } catch (e) {
        if (e instanceof SimHandlerError)
          return { ok: false, error: { node: e.node, handler: e.handler, tick: e.time, message: clip(e.problem) } };
        return { ok: false, error: { node: "(all)", handler: "(run)", tick: 0, message: clip(messageOf(e)) } };
      }
    });
}

/** {@link protocolAnswerer} for one batch. */
export function answerProtocolQuestions(
  factory: unknown,
  nodes: readonly NodeId[],
  questions: readonly ProtocolQuestion[],
): ProtocolAnswer[] {
  return protocolAnswerer(factory, nodes)(questions);
}

// ---------------------------------------------------------------------------------------------
// The grader's side: validate, replay, judge.

function jsonSize(v: unknown): number | undefined {
  try {
    return JSON.stringify(v)?.length;
  } catch {
    return undefined;
  }
}

/**
 * Checks one answer's shape and sizes against the question (nodes, ticks, bounds on every list and
 * string). Returns the answer typed, or why it is malformed. The fault model is checked later, by
 * replaying it ({@link replayAnswer}).
 */
export function validateProtocolAnswer(nodes: readonly NodeId[], q: ProtocolQuestion, raw: unknown): ProtocolAnswer | string {
  if (typeof raw !== "object" || raw === null) return "the answer is not an object";
  const total = jsonSize(raw);
  if (total === undefined || total > SESSION_LIMITS.answerChars)
    return `the answer is not JSON of at most ${SESSION_LIMITS.answerChars} characters`;
  const a = raw as Record<string, unknown>;
  if (a["ok"] === false) {
    const e = a["error"] as Record<string, unknown> | undefined;
    if (typeof e !== "object" || e === null) return "a failure without its error";
    const text = (k: string): string | undefined =>
      typeof e[k] === "string" && e[k].length <= 2 * SESSION_LIMITS.textChars ? e[k] : undefined;
    const node = text("node");
    const handler = text("handler");
    const message = text("message");
    const tick = e["tick"];
    if (
      node === undefined ||
      handler === undefined ||
      message === undefined ||
      typeof tick !== "number" ||
      !Number.isInteger(tick) ||
      tick < 0 ||
      tick > q.eot
    )
      return "a malformed error report";
    return { ok: false, error: { node, handler, tick, message } };
  }
  if (a["ok"] !== true) return "the answer says neither ok nor failed";
  const calls = a["calls"];
  const states = a["states"];
  if (typeof calls !== "object" || calls === null || Array.isArray(calls)) return "no calls";
  if (typeof states !== "object" || states === null || Array.isArray(states)) return "no states";
  const known = new Set(nodes);
  for (const k of [...Object.keys(calls), ...Object.keys(states)])
    if (!known.has(k)) return `a node that is not in the protocol: ${JSON.stringify(clip(k, 40))}`;
  const outCalls: Record<NodeId, RecordedCall[]> = {};
  const outStates: Record<NodeId, unknown> = {};
  for (const n of nodes) {
    const list = (calls as Record<string, unknown>)[n];
    if (!Array.isArray(list)) return `no calls of node ${n}`;
    if (list.length > SESSION_LIMITS.callsPerNode) return `node ${n} has ${list.length} calls (at most ${SESSION_LIMITS.callsPerNode})`;
    const checked: RecordedCall[] = [];
    for (const [i, rawCall] of list.entries()) {
      const where = `call ${i} of node ${n}`;
      if (typeof rawCall !== "object" || rawCall === null) return `${where} is not an object`;
      const c = rawCall as Record<string, unknown>;
      const kind = c["c"];
      const t = c["t"];
      if (kind !== "start" && kind !== "msg" && kind !== "timer") return `${where}: unknown kind ${JSON.stringify(kind)?.slice(0, 40)}`;
      if (typeof t !== "number" || !Number.isInteger(t) || t < 1 || t > q.eot)
        return `${where}: tick ${String(t).slice(0, 20)} is outside 1..${q.eot}`;
      const sends = c["sends"];
      const timers = c["timers"];
      const cancels = c["cancels"];
      if (!Array.isArray(sends) || !Array.isArray(timers) || !Array.isArray(cancels))
        return `${where}: sends, timers and cancels must be lists`;
      if (sends.length + timers.length + cancels.length > SESSION_LIMITS.effectsPerCall)
        return `${where}: more than ${SESSION_LIMITS.effectsPerCall} effects`;
      for (const s of sends) {
        if (!Array.isArray(s) || s.length !== 2 || typeof s[0] !== "string" || !known.has(s[0]))
          return `${where}: a send to no node of the protocol`;
        const size = jsonSize(s[1]);
        if (size === undefined || size > SESSION_LIMITS.messageChars)
          return `${where}: a message that is not JSON of at most ${SESSION_LIMITS.messageChars} characters`;
      }
      for (const x of timers) {
        if (
          !Array.isArray(x) ||
          x.length !== 2 ||
          typeof x[0] !== "number" ||
          !Number.isInteger(x[0]) ||
          x[0] < 1 ||
          x[0] > SESSION_LIMITS.maxDelay ||
          typeof x[1] !== "string" ||
          x[1].length > SESSION_LIMITS.textChars
        )
          return `${where}: a malformed timer`;
      }
      for (const x of cancels)
        if (typeof x !== "number" || !Number.isInteger(x) || x < -1 || x >= SESSION_LIMITS.callsPerNode * SESSION_LIMITS.effectsPerCall)
          return `${where}: a malformed timer reference`;
      const call: RecordedCall = {
        c: kind,
        t,
        sends: sends as RecordedSend[],
        timers: timers as RecordedTimer[],
        cancels: cancels as number[],
      };
      if (kind === "msg") {
        if (typeof c["from"] !== "string" || !known.has(c["from"])) return `${where}: a message from no node of the protocol`;
        checked.push({ ...call, from: c["from"] });
      } else if (kind === "timer") {
        if (typeof c["tag"] !== "string" || c["tag"].length > SESSION_LIMITS.textChars) return `${where}: a timer without its tag`;
        checked.push({ ...call, tag: c["tag"] });
      } else checked.push(call);
    }
    outCalls[n] = checked;
    if (!(n in states)) return `no state of node ${n}`;
    const st = (states as Record<string, unknown>)[n];
    const size = jsonSize(st);
    if (size === undefined || size > SESSION_LIMITS.stateChars)
      return `the state of node ${n} is not JSON of at most ${SESSION_LIMITS.stateChars} characters`;
    outStates[n] = st;
  }
  return { ok: true, calls: outCalls, states: outStates };
}

/** A call did not happen as the answer says. */
class ScriptMismatch extends Error {}

/**
 * The guard of the grader's replay: the scripted handlers are the grader's own code, so they need no
 * watchdog (which costs a `vm` call each); a mismatch propagates as it is.
 */
class TrustedCalls extends HandlerGuard {
  override call<T>(_site: { node: string; handler: string; tick: number }, fn: () => T): T {
    return fn();
  }
}

function describeCall(c: Pick<RecordedCall, "c" | "t" | "from" | "tag">): string {
  return c.c === "start"
    ? `start at tick ${c.t}`
    : c.c === "msg"
      ? `a message from ${c.from} at tick ${c.t}`
      : `timer ${JSON.stringify(c.tag)} at tick ${c.t}`;
}

/**
 * Replays an answer through the grader's own scheduler: a scripted protocol whose every handler call
 * must be the answer's next call for that node (same kind, tick, sender or tag), performs its
 * recorded effects, and whose `inspect()` is the answer's state. `runTicks` decides fates and
 * deliveries from the faults, so an answer that claims a lost message arrived, or leaves calls
 * unmade, fails here. `pre`/`post` are the grader's.
 */
export function replayAnswer<State>(
  nodes: readonly NodeId[],
  q: ProtocolQuestion,
  answer: Extract<ProtocolAnswer, { ok: true }>,
  keys: { readonly pre: (run: SimRunView<State>) => readonly string[]; readonly post: (run: SimRunView<State>) => readonly string[] },
  guard: HandlerGuard,
  budget?: ExecutionBudget,
): TickRun<State> {
  const cursor = new Map<NodeId, number>();
  const scripted = defineSimProtocol<unknown, State>({
    nodes,
    node(self) {
      const calls = answer.calls[self] ?? [];
      const timerIds: number[] = [];
      cursor.set(self, 0);
      const next = (ctx: NodeContext<unknown>, head: Pick<RecordedCall, "c" | "t" | "from" | "tag">): void => {
        const k = cursor.get(self) as number;
        const c = calls[k];
        if (
          !c ||
          c.c !== head.c ||
          c.t !== head.t ||
          (head.c === "msg" && c.from !== head.from) ||
          (head.c === "timer" && c.tag !== head.tag)
        ) {
          throw new ScriptMismatch(
            `node ${self} gets ${describeCall(head)} under these faults, but the answer says its call ${k} is ${c ? describeCall(c) : "none"}`,
          );
        }
        cursor.set(self, k + 1);
        for (const [to, m] of c.sends) ctx.send(to, m);
        for (const [d, tag] of c.timers) timerIds.push(ctx.setTimer(d, tag));
        for (const k of c.cancels) {
          const id = timerIds[k];
          if (id !== undefined) ctx.cancelTimer(id);
        }
      };
      return {
        onStart: (ctx) => next(ctx, { c: "start", t: ctx.now }),
        onMessage: (ctx, _m, from) => next(ctx, { c: "msg", t: ctx.now, from }),
        onTimer: (ctx, tag) => next(ctx, { c: "timer", t: ctx.now, tag }),
        inspect: () => answer.states[self] as State,
      };
    },
    pre: keys.pre,
    post: keys.post,
  });
  let run: TickRun<State>;
  try {
    run = runTicks(scripted, { eot: q.eot, faults: q.faults, guard, ...(budget ? { budget } : {}) });
  } catch (e) {
    if (e instanceof ScriptMismatch) throw new SessionAnswerError(q.faults, e.message);
    if (e instanceof SimHandlerError && e.cause instanceof ScriptMismatch) throw new SessionAnswerError(q.faults, e.cause.message);
    throw e;
  }
  for (const n of nodes) {
    const left = (answer.calls[n]?.length ?? 0) - (cursor.get(n) ?? 0);
    if (left > 0)
      throw new SessionAnswerError(
        q.faults,
        `node ${n} never gets its call ${cursor.get(n)} (${describeCall(answer.calls[n]?.[cursor.get(n) ?? 0] as RecordedCall)}) under these faults`,
      );
  }
  return run;
}

/** A fast 53-bit string hash (cyrb53): history keys stay small whatever the history's length. */
function hash(s: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * A node's handlers are a function of what the node itself received: the same calls (with the same
 * messages) must have the same effects, and the same whole history the same state at EOT, in every
 * run. Kept across the runs of one session, this catches an answer tailored to the faults it was
 * asked about (no handler knows the faults in advance), code that is not deterministic, and nodes
 * that share a variable instead of sending messages — whenever the difference shows in the runs asked.
 */
export class HistoryLedger {
  private readonly effects = new Map<string, string>();

  /** Records one replayed run; throws {@link SessionAnswerError} on the first contradiction with an earlier run. */
  record(nodes: readonly NodeId[], run: TickRun<unknown>, answer: Extract<ProtocolAnswer, { ok: true }>): void {
    const received = new Map<number, unknown>();
    for (const e of run.trace.events) if (e.kind === "send") received.set(e.msgId, e.message);
    for (const n of nodes) {
      const deliveries = run.trace.events.filter((e) => (e.kind === "deliver" || e.kind === "start" || e.kind === "timer") && e.node === n);
      const calls = answer.calls[n] ?? [];
      let h = `${n}`;
      calls.forEach((c, i) => {
        const ev = deliveries[i];
        const input = ev?.kind === "deliver" ? JSON.stringify(received.get(ev.msgId) ?? null) : "";
        h = String(hash(`${h}|${c.c}|${c.t}|${c.from ?? ""}|${c.tag ?? ""}|${input}`));
        this.check(run.faults, `${n}#${h}`, JSON.stringify([c.sends, c.timers, c.cancels]), `node ${n}'s ${describeCall(c)}`);
      });
      this.check(run.faults, `${n}#${h}#state`, JSON.stringify(answer.states[n] ?? null), `node ${n}'s state at EOT`);
    }
  }

  private check(faults: FaultSet, key: string, value: string, what: string): void {
    const had = this.effects.get(key);
    if (had === undefined) this.effects.set(key, value);
    else if (had !== value)
      throw new SessionAnswerError(
        faults,
        `${what} differs from an earlier run in which the node had received exactly the same messages: handlers must depend only on their node's own state, the message and ctx (not on a variable shared between nodes, the faults, or anything else)`,
      );
  }
}

/** Asks the session about one fault set and returns its raw answer (synchronously: see lab5's search). */
export type SessionOracle = (q: ProtocolQuestion) => unknown;

/** Options of {@link sessionTarget}. */
export interface SessionTargetOptions<State> {
  readonly nodes: readonly NodeId[];
  readonly eot: number;
  readonly payload: string;
  readonly pre: (run: SimRunView<State>) => readonly string[];
  readonly post: (run: SimRunView<State>) => readonly string[];
  /** Most questions the target asks (replays included); one more is an error, not a hang. */
  readonly maxQuestions: number;
  /** Checks each replayed run beyond the fault model (e.g. that nodes learn payloads only from messages). */
  readonly audit?: (run: TickRun<State>) => string | undefined;
}

/**
 * A search target whose executions are questions to a protocol session: each answer is validated,
 * replayed by the grader's scheduler, checked against the history of earlier answers, audited, and
 * only then observed (lineage, `pre`/`post`). Throws {@link SessionAnswerError} for a malformed or
 * contradictory answer and {@link SessionProtocolError} when the student's code broke the contract.
 */
export function sessionTarget<State>(
  oracle: SessionOracle,
  options: SessionTargetOptions<State>,
): HandlerTarget<State> & { questions(): number } {
  const guard = new TrustedCalls();
  const ledger = new HistoryLedger();
  let asked = 0;
  const execute = (faults: FaultSet, budget?: ExecutionBudget): HandlerObservation<State> => {
    if (asked >= options.maxQuestions) throw new SearchLimitError("max-runs", `the session was asked ${asked} questions, its limit`);
    asked++;
    const q: ProtocolQuestion = { eot: options.eot, payload: options.payload, faults };
    const checked = validateProtocolAnswer(options.nodes, q, oracle(q));
    if (typeof checked === "string") throw new SessionAnswerError(faults, checked);
    if (!checked.ok) throw new SessionProtocolError(faults, checked.error);
    const run = replayAnswer(options.nodes, q, checked, options, guard, budget);
    ledger.record(options.nodes, run, checked);
    const problem = options.audit?.(run);
    if (problem !== undefined)
      throw new SessionProtocolError(faults, { node: "(all)", handler: "(run)", tick: options.eot, message: problem });
    // What the search reads (keys, lineage) is built from the grader's own replay.
    return observeTickRun(run);
  };
  // The target's protocol is never run: executions are answers. It carries the nodes and keys.
  const protocol = defineSimProtocol<unknown, State>({
    nodes: options.nodes,
    node: () => ({ inspect: () => undefined as State }),
    pre: options.pre,
    post: options.post,
  });
  return { protocol: protocol, eot: options.eot, nodes: options.nodes, execute, questions: () => asked };
}
