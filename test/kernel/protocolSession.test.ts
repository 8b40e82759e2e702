import { faultSet, NO_FAULTS, type FaultSet } from "../../lib/ldfi/faults";
import { defineSimProtocol } from "../../lib/ldfi/handlers/protocol";
import { handlerSearch } from "../../lib/ldfi/handlers/search";
import { evaluateLab5, LAB5_BOUNDS, LAB5_NODES, lab5Audit, lab5Post, lab5Pre, localOracle } from "../../lib/labs/lab5Handlers";
import {
  answerProtocolQuestions,
  SESSION_LIMITS,
  SessionAnswerError,
  sessionTarget,
  validateProtocolAnswer,
  type ProtocolAnswer,
  type ProtocolQuestion,
  type RecordedCall,
  type SessionOracle,
} from "../../lib/labs/protocolSession";
import { reference, relayOnce } from "../../bench/lab5Variants";

/**
 * The protocol session's boundary: every answer a student process can give is validated (shape,
 * sizes), replayed by the grader's own scheduler (fates, deliveries, calls) and checked against
 * earlier answers (a node's effects are a function of its own history). A lie is an error, never a
 * verdict.
 */
const PAYLOAD = "msg-test";
const q = (faults: FaultSet = NO_FAULTS, eot = 4): ProtocolQuestion => ({ eot, payload: PAYLOAD, faults });
const honest = (faults: FaultSet = NO_FAULTS): Extract<ProtocolAnswer, { ok: true }> => {
  const a = answerProtocolQuestions(reference, LAB5_NODES, [q(faults)])[0]!;
  if (!a.ok) throw new Error("the reference must run");
  return JSON.parse(JSON.stringify(a)) as Extract<ProtocolAnswer, { ok: true }>;
};
const target = (oracle: SessionOracle, maxQuestions = 100) =>
  sessionTarget(oracle, { nodes: LAB5_NODES, eot: 4, payload: PAYLOAD, pre: lab5Pre, post: lab5Post, maxQuestions, audit: lab5Audit });
const start = (): RecordedCall => ({ c: "start", t: 1, sends: [], timers: [], cancels: [] });
const omitAB1 = faultSet([{ from: "a", to: "b", time: 1 }], []);

describe("validateProtocolAnswer: shape and sizes", () => {
  const good = honest();
  const bad = (edit: (a: Record<string, unknown>) => unknown): string => {
    const r = validateProtocolAnswer(LAB5_NODES, q(), edit(JSON.parse(JSON.stringify(good)) as Record<string, unknown>));
    expect(typeof r).toBe("string");
    return r as string;
  };
  test("an honest answer passes as it is", () => {
    expect(validateProtocolAnswer(LAB5_NODES, q(), good)).toEqual(good);
  });
  test.each([
    ["not an object", () => 42, /not an object/],
    ["neither ok nor failed", () => ({ ok: "yes" }), /neither ok nor failed/],
    [
      "a node that is not in the protocol",
      (a: Record<string, unknown>) => ({ ...a, states: { ...(a["states"] as object), z: {} } }),
      /not in the protocol: "z"/,
    ],
    ["a missing node", (a: Record<string, unknown>) => ({ ...a, calls: { a: [], b: [] } }), /no calls of node c/],
    [
      "a tick past EOT",
      (a: Record<string, unknown>) => ({ ...a, calls: { ...(a["calls"] as object), c: [{ ...start(), t: 99 }] } }),
      /tick 99 is outside 1\.\.4/,
    ],
    [
      "a send to nowhere",
      (a: Record<string, unknown>) => ({ ...a, calls: { ...(a["calls"] as object), c: [{ ...start(), sends: [["mars", {}]] }] } }),
      /a send to no node/,
    ],
    [
      "a huge message",
      (a: Record<string, unknown>) => ({
        ...a,
        calls: { ...(a["calls"] as object), c: [{ ...start(), sends: [["a", "x".repeat(SESSION_LIMITS.messageChars + 1)]] }] },
      }),
      /not JSON of at most 2048/,
    ],
    [
      "a huge state",
      (a: Record<string, unknown>) => ({
        ...a,
        states: { ...(a["states"] as object), b: { delivered: ["x".repeat(SESSION_LIMITS.stateChars)] } },
      }),
      /state of node b is not JSON of at most 8192/,
    ],
    [
      "too many calls",
      (a: Record<string, unknown>) => ({
        ...a,
        calls: { ...(a["calls"] as object), b: Array.from({ length: SESSION_LIMITS.callsPerNode + 1 }, start) },
      }),
      /node b has 401 calls/,
    ],
    [
      "too many effects",
      (a: Record<string, unknown>) => ({
        ...a,
        calls: { ...(a["calls"] as object), b: [{ ...start(), timers: Array.from({ length: 65 }, () => [1, ""]) }] },
      }),
      /more than 64 effects/,
    ],
    [
      "a malformed timer",
      (a: Record<string, unknown>) => ({ ...a, calls: { ...(a["calls"] as object), b: [{ ...start(), timers: [[0.5, ""]] }] } }),
      /a malformed timer/,
    ],
    [
      "a whole answer past its bound",
      (a: Record<string, unknown>) => ({ ...a, padding: "x".repeat(SESSION_LIMITS.answerChars) }),
      /not JSON of at most 1048576 characters/,
    ],
    [
      "a malformed error report",
      () => ({ ok: false, error: { node: "a", handler: "onStart", tick: -1, message: "x" } }),
      /malformed error report/,
    ],
  ])("%s", (_what, edit, message) => {
    expect(bad(edit as (a: Record<string, unknown>) => unknown)).toMatch(message);
  });
});

describe("replay: an answer must be what the grader's scheduler makes of its effects under the faults asked", () => {
  test("the honest answers of the reference replay, and its search certifies at the lab's loss bound", () => {
    const r = handlerSearch(target(localOracle(reference), 10_000), { bounds: { ...LAB5_BOUNDS.loss, nodes: LAB5_NODES } });
    expect(r.verdict).toBe("certified");
  });

  test("cancelled timers are named by the node's own timers, so an honest protocol that cancels is never called contradictory", () => {
    // c's history is the same with and without omit(b,a,1), but a sets one timer fewer without b's
    // message, so the run's global id of the timer c sets and cancels at tick 3 differs.
    const cancelling = () =>
      defineSimProtocol<string, { delivered: string[] }>({
        nodes: LAB5_NODES,
        node: (self) => ({
          onStart: (ctx) => (self === "b" ? ctx.send("a", "hi") : self === "c" ? void ctx.setTimer(2, "t") : undefined),
          onMessage: (ctx) => void ctx.setTimer(5, "x"),
          onTimer: (ctx, tag) => (tag === "t" ? void ctx.cancelTimer(ctx.setTimer(1, "w")) : undefined),
          inspect: () => ({ delivered: [] }),
        }),
        pre: lab5Pre,
        post: lab5Post,
      });
    const t = target(localOracle(cancelling));
    t.execute(NO_FAULTS);
    expect(() => t.execute(faultSet([{ from: "b", to: "a", time: 1 }], []))).not.toThrow();
    const a = answerProtocolQuestions(cancelling, LAB5_NODES, [q()])[0]!;
    expect(a.ok && a.calls["c"]![1]!.cancels).toEqual([1]);
  });

  test("claiming a lost message arrived (the failure-free answer, given for a fault set) is a malformed answer", () => {
    const t = target(() => honest());
    expect(() => t.execute(omitAB1)).toThrow(SessionAnswerError);
    expect(() => target(() => honest()).execute(omitAB1)).toThrow(
      /for omit\(a,b,1\): node a gets a message from c at tick 3 under these faults, but the answer says its call 2 is a message from b at tick 3/,
    );
  });

  test("calls left over, or a call the scheduler never makes, are malformed answers", () => {
    const extra = honest();
    const withExtra = {
      ...extra,
      calls: { ...extra.calls, c: [...(extra.calls["c"] ?? []), { c: "timer", t: 4, tag: "ghost", sends: [], timers: [], cancels: [] }] },
    };
    expect(() => target(() => withExtra).execute(NO_FAULTS)).toThrow(/node c never gets its call \d+ \(timer "ghost" at tick 4\)/);
  });

  test("effects tailored to the faults asked (no handler knows them in advance) contradict an earlier run", () => {
    // A session that answers honestly, except that under omit(a,b,1) node a also sets a timer at tick 1
    // (one that fires after EOT, so the schedule stays the same and only the history check can see it).
    const tailored: SessionOracle = (question) => {
      const a = honest(question.faults);
      if (question.faults.omissions.length === 0) return a;
      const aCalls = a.calls["a"]!.map((c, i) => (i === 0 ? { ...c, timers: [...c.timers, [100, "later"]] } : c));
      return { ...a, calls: { ...a.calls, a: aCalls } };
    };
    const t = target(tailored);
    t.execute(NO_FAULTS);
    expect(() => t.execute(omitAB1)).toThrow(
      /node a's start at tick 1 differs from an earlier run in which the node had received exactly the same messages/,
    );
  });

  test("a state that is not a function of the node's history (read from elsewhere) contradicts an earlier run", () => {
    let n = 0;
    const drifting: SessionOracle = (question) => {
      const a = honest(question.faults);
      return { ...a, states: { ...a.states, c: { delivered: [PAYLOAD], run: n++ } } };
    };
    const t = target(drifting);
    t.execute(NO_FAULTS);
    expect(() => t.execute(NO_FAULTS)).toThrow(/node c's state at EOT differs/);
  });

  test("'every node delivered, nothing was sent' is teleporting, whatever the faults", () => {
    const claim: SessionOracle = () => ({
      ok: true,
      calls: { a: [start()], b: [start()], c: [start()] },
      states: { a: { delivered: [PAYLOAD] }, b: { delivered: [PAYLOAD] }, c: { delivered: [PAYLOAD] } },
    });
    expect(() => target(claim).execute(NO_FAULTS)).toThrow(/node b delivered "msg-test" although no message carrying it reached b/);
    expect(evaluateLab5("contract", PAYLOAD, claim).failure).toMatch(/teleporting/);
  });

  test("the session is asked a bounded number of questions: past it the search ends inconclusive", () => {
    const r = handlerSearch(target(localOracle(relayOnce), 3), { bounds: { ...LAB5_BOUNDS.loss, nodes: LAB5_NODES } });
    expect(r.verdict).toBe("inconclusive");
    expect(r.limit).toBe("max-runs");
  });

  test("a session that throws, or answers garbage, fails the check with a clear message", () => {
    expect(evaluateLab5("contract", PAYLOAD, () => ({ ok: true })).failure).toMatch(
      /the notebook process gave a malformed answer for no faults: no calls/,
    );
    expect(
      evaluateLab5("loss", PAYLOAD, () => ({ ok: false, error: { node: "b", handler: "onMessage", tick: 2, message: "boom" } })).failure,
    ).toMatch(/broke the handler contract under no faults: node b at tick 2 in onMessage: boom/);
  });
});
