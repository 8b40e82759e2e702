import { faultSet, formatFaults, NO_FAULTS, type FaultSet } from "../ldfi/faults";
import { handlerSearch, ReplayMismatchError, type HandlerSearchResult } from "../ldfi/handlers/search";
import type { SimProtocol, SimRunView } from "../ldfi/handlers/protocol";
import { messageLabel } from "../ldfi/handlers/target";
import type { TickRun } from "../ldfi/handlers/ticks";
import { SearchLimitError } from "../ldfi/result";
import { spacetimeDiagram } from "../viz/spacetime";
import type { VegaLiteSpec } from "../viz/render";
import { MissingDefinitionError, type Lab, type LabTest, type StudentScope } from "./labContract";
import { protocolAnswerer, SessionAnswerError, SessionProtocolError, sessionTarget, type SessionOracle } from "./protocolSession";

/**
 * Lab 5: a reliable broadcast written as TypeScript node handlers (lesson 10), graded by LDFI at two
 * bounds. The student's protocol never runs where the score is decided: the grader asks the student
 * process to run it under fault sets (lib/labs/protocolSession.ts) and owns `pre`/`post`, the
 * lineage and the search.
 */

/** The nodes of every lab-5 run, in the order each tick visits them. */
export const LAB5_NODES = ["a", "b", "c"] as const;
/** The node asked to broadcast. */
export const LAB5_ORIGIN = "a";

/** What each node's `inspect()` returns: the payloads it delivered (anything else it keeps is ignored). */
export interface Lab5State {
  readonly delivered: readonly string[];
}

/** What the student defines: a protocol for the payload `a` must broadcast. */
export type Lab5Protocol = (payload: string) => SimProtocol<never, Lab5State> | SimProtocol<unknown, Lab5State>;

/**
 * The bounds of the two certification tests, as in lab 2: loss alone (sending once, and relaying
 * once, fail), then loss with a crash (retrying from the originator alone fails: it may crash after
 * reaching only one peer).
 */
export const LAB5_BOUNDS = {
  loss: { eot: 4, eff: 3, crashes: 0 },
  crash: { eot: 4, eff: 2, crashes: 1 },
} as const;

/** Every search is capped: a protocol whose fault space explodes ends inconclusive (0 points), not hung. */
export const LAB5_MAX_RUNS = 1500;
const LAB5_TIMEOUT_MS = 20_000;
/** The self-check's seed; the grader's payload comes from a seed the student cannot know. */
export const LAB5_PUBLIC_SEED = 5;

/** The payload `a` broadcasts in a check with this seed: the student's code cannot know it in advance. */
export function lab5Payload(seed: number): string {
  return `msg-${(seed >>> 0).toString(36)}`;
}

const delivered = (s: unknown): readonly string[] => {
  const d = (s as { delivered?: unknown } | null)?.delivered;
  return Array.isArray(d) ? d.filter((x): x is string => typeof x === "string") : [];
};

/** The precondition (DESIGN.md section 6): deliveries of nodes other than the originator that did not crash, as `node:payload`. */
export function lab5Pre(run: SimRunView<unknown>): string[] {
  return run.nodes.filter((n) => n !== LAB5_ORIGIN && !run.crashed(n)).flatMap((n) => delivered(run.state(n)).map((p) => `${n}:${p}`));
}

/** Agreement: a node's delivery counts only while every node delivered that payload. */
export function lab5Post(run: SimRunView<unknown>): string[] {
  const lacks = (p: string): boolean => run.nodes.some((m) => !delivered(run.state(m)).includes(p));
  return run.nodes.flatMap((n) =>
    delivered(run.state(n))
      .filter((p) => !lacks(p))
      .map((p) => `${n}:${p}`),
  );
}

/**
 * What the grader checks in every replayed run besides the fault model: each state has the lab's
 * shape, and a node other than the originator delivers a payload only if a message carrying it
 * reached it (nodes share nothing but messages: learning the payload from a shared variable is
 * teleporting, as a non-local rule is in lab 2).
 */
export function lab5Audit(run: TickRun<unknown>): string | undefined {
  for (const n of run.nodes) {
    const s = run.states.get(n) as { delivered?: unknown } | null | undefined;
    const d = s?.delivered;
    if (
      typeof s !== "object" ||
      s === null ||
      !Array.isArray(d) ||
      d.length > 50 ||
      !d.every((x) => typeof x === "string" && x.length <= 200)
    ) {
      return `inspect() of node ${n} must return { delivered: string[] } (at most 50 payloads), got ${JSON.stringify(s)?.slice(0, 120)}`;
    }
    if (n === LAB5_ORIGIN) continue;
    const got = run.trace.events.flatMap((e) => (e.kind === "deliver" && e.node === n && e.from !== n ? [JSON.stringify(e.message)] : []));
    for (const p of d as string[]) {
      if (!got.some((m) => m.includes(JSON.stringify(p).slice(1, -1))))
        return `node ${n} delivered ${JSON.stringify(p)} although no message carrying it reached ${n}: nodes share nothing but messages (a variable shared between nodes is teleporting)`;
    }
  }
  return undefined;
}

/** Which graded question a check asks. */
export type Lab5Check = "contract" | "delivery" | "loss" | "crash";

/** The outcome of one check, as plain data (it crosses from the grader's search worker). */
export interface Lab5Outcome {
  /** Why the check failed, or undefined when it passed. */
  readonly failure: string | undefined;
  /** Questions the check asked the session (runs, replays included). */
  readonly questions: number;
  readonly executions?: number;
  readonly verdict?: HandlerSearchResult["verdict"];
  readonly ms: number;
}

/** A session the lab's checks ask: in-process for the self-check, the sandboxed notebook when grading. */
export interface Lab5Session {
  evaluate(check: Lab5Check, payload: string): Promise<Lab5Outcome>;
}

function sessionOptions(eot: number, payload: string, maxQuestions: number) {
  return { nodes: LAB5_NODES, eot, payload, pre: lab5Pre, post: lab5Post, maxQuestions, audit: lab5Audit };
}

/** The run under `faults` in words, tick by tick: who started, sent (and what was lost), received and fired — the grading report's spacetime diagram. */
export function runInWords(run: TickRun<unknown>, maxLines = 40): string {
  const fate = new Map(run.messages.map((m) => [m.msgId, m.fate]));
  const lines: string[] = [];
  for (let t = 1; t <= run.eot; t++) {
    const parts: string[] = [];
    for (const e of run.trace.events) {
      if (e.time !== t) continue;
      if (e.kind === "start") parts.push(`${e.node} starts`);
      else if (e.kind === "deliver" && e.from !== e.node) parts.push(`${e.node} ← ${e.from} ${messageLabel(e.message)}`);
      else if (e.kind === "timer") parts.push(`${e.node} timer ${JSON.stringify(e.tag)}`);
      else if (e.kind === "send" && e.to !== e.node) {
        const f = fate.get(e.msgId);
        const mark = f === "omission" ? " ✗ lost" : f === "crash" ? ` ✗ ${e.node} crashed` : f === "after-eot" ? " (after EOT)" : "";
        parts.push(`${e.node} → ${e.to} ${messageLabel(e.message)}${mark}`);
      }
    }
    lines.push(`  tick ${t}: ${parts.length > 0 ? parts.join(", ") : "(nothing)"}`);
  }
  lines.push(`  at EOT: ${run.nodes.map((n) => `${n} delivered ${JSON.stringify(delivered(run.states.get(n)))}`).join(", ")}`);
  return (lines.length > maxLines ? [...lines.slice(0, maxLines), "  …"] : lines).join("\n");
}

/** The notebook call that shows a fault set's run of the student's protocol as a spacetime diagram. */
export function lab5ReplayCall(f: FaultSet): string {
  const o = f.omissions.map((x) => `{ from: "${x.from}", to: "${x.to}", time: ${x.time} }`).join(", ");
  const c = f.crashes.map((x) => `{ node: "${x.node}", time: ${x.time} }`).join(", ");
  return `await maze.show(maze.lab5Spacetime(reliableBroadcast, maze.faults([${o}], [${c}])))`;
}

/**
 * Answers one check with a synchronous oracle (the session's answers, unvalidated): the failure-free
 * run for `contract` and `delivery`, maze's handler search at the lab's bounds for `loss` and
 * `crash`. Everything it reads from the oracle is validated and replayed by protocolSession.ts.
 */
export function evaluateLab5(check: Lab5Check, payload: string, oracle: SessionOracle): Lab5Outcome {
  const t0 = performance.now();
  const bounds = check === "crash" ? LAB5_BOUNDS.crash : LAB5_BOUNDS.loss;
  const target = sessionTarget(oracle, sessionOptions(bounds.eot, payload, 2 * LAB5_MAX_RUNS + 10));
  const done = (failure: string | undefined, extra: Partial<Lab5Outcome> = {}): Lab5Outcome => ({
    failure,
    questions: target.questions(),
    ms: Math.round(performance.now() - t0),
    ...extra,
  });
  try {
    const ff = target.execute(NO_FAULTS);
    if (check === "contract") return done(undefined);
    const missing = LAB5_NODES.filter((n) => !delivered(ff.run.states.get(n)).includes(payload));
    if (check === "delivery")
      return done(
        missing.length === 0
          ? undefined
          : `at EOT ${bounds.eot} these nodes have not delivered the payload ${JSON.stringify(payload)}: ${missing.join(", ")}\n${runInWords(ff.run)}`,
      );
    if (missing.length > 0)
      return done(
        `the failure-free run does not deliver to ${missing.join(", ")}; a protocol that delivers nothing is vacuously fault tolerant, so this test first needs delivery`,
      );
    const r = handlerSearch(target, { bounds: { ...bounds, nodes: LAB5_NODES }, maxRuns: LAB5_MAX_RUNS, timeoutMs: LAB5_TIMEOUT_MS });
    const extra = { executions: r.executions, verdict: r.verdict };
    if (r.verdict === "certified") return done(undefined, extra);
    if (r.verdict === "inconclusive")
      return done(
        `the search stopped at its ${r.limit} limit after ${r.executions} executions without a verdict (a search cut short scores 0); send fewer messages per tick`,
        extra,
      );
    const ce = r.counterexample as { faults: FaultSet; missing: readonly string[] };
    const replay = target.execute(ce.faults);
    return done(
      [
        `LDFI found a counterexample after ${r.executions} executions: ${formatFaults(ce.faults)} loses ${ce.missing.join(", ")}.`,
        `The run under these faults (✗ marks a message the faults lost):`,
        runInWords(replay.run),
        `Replay it in the notebook: ${lab5ReplayCall(ce.faults)}`,
      ].join("\n"),
      extra,
    );
  } catch (e) {
    if (e instanceof SessionProtocolError) return done(`your protocol broke the handler contract ${e.message}`);
    if (e instanceof SessionAnswerError || e instanceof ReplayMismatchError) return done(e.message);
    if (e instanceof SearchLimitError) return done(`the search stopped at its ${e.limit} limit: ${e.message}`);
    throw e;
  }
}

/** Answers questions with the student's factory in this process, through the same JSON and validation the grader uses. */
export function localOracle(factory: unknown): SessionOracle {
  const answer = protocolAnswerer(factory, LAB5_NODES);
  return (q) => JSON.parse(JSON.stringify(answer([q])[0])) as unknown;
}

/** Brand of a session the grader built (the student's values never carry it into the grader's scope). */
const SESSION = Symbol.for("maze.lab5.session");

/** Marks a session so lab 5 uses it as given instead of treating it as the student's factory. */
export function asLab5GraderSession(session: Lab5Session): Lab5Session {
  return Object.assign(Object.create(null) as object, session, { [SESSION]: true });
}

const NAME = "reliableBroadcast";
const HINT = "define `const reliableBroadcast = (payload: string) => maze.defineSimProtocol({...})` in the student cell";

function sessionOf(scope: StudentScope): Lab5Session {
  const v = scope[NAME];
  if (typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[SESSION] === true) return v as Lab5Session;
  if (v === undefined || v === null) throw new MissingDefinitionError(NAME, HINT);
  return { evaluate: async (check, payload) => evaluateLab5(check, payload, localOracle(v)) };
}

/** The student's protocol under `faults` with the self-check's payload, as a spacetime diagram (the replay of a counterexample). */
export function lab5Spacetime(
  factory: Lab5Protocol,
  faults: FaultSet | { readonly faults: FaultSet; readonly eot: number } = NO_FAULTS,
  eotGiven?: number,
): VegaLiteSpec {
  const eot = eotGiven ?? ("eot" in faults ? faults.eot : LAB5_BOUNDS.loss.eot);
  if ("eot" in faults) faults = faults.faults;
  const target = sessionTarget(localOracle(factory), sessionOptions(eot, lab5Payload(LAB5_PUBLIC_SEED), 1));
  const run = target.execute(faultSet(faults.omissions, faults.crashes)).run;
  return spacetimeDiagram(run.trace, { width: 360, height: 60 * eot + 60, title: `your broadcast under ${formatFaults(faults)}` });
}

/** The search at one of the lab's bounds on the student's protocol, in this process (the try-it cell). */
export function lab5Search(factory: Lab5Protocol, which: "loss" | "crash"): HandlerSearchResult {
  const bounds = LAB5_BOUNDS[which];
  const target = sessionTarget(localOracle(factory), sessionOptions(bounds.eot, lab5Payload(LAB5_PUBLIC_SEED), 2 * LAB5_MAX_RUNS + 10));
  return handlerSearch(target, { bounds: { ...bounds, nodes: LAB5_NODES }, maxRuns: LAB5_MAX_RUNS, timeoutMs: LAB5_TIMEOUT_MS });
}

/** What the try-it cell shows: both searches as summary rows and the first counterexample, or why the protocol could not be searched. */
export interface Lab5Try {
  readonly problem?: string;
  readonly rows: readonly { bounds: string; verdict: string; executions: number; counterexample: string }[];
  readonly counterexample?: { readonly faults: FaultSet; readonly eot: number };
}

/** Both of the lab's searches on the student's protocol in this process, never throwing for a student mistake. */
export function lab5Try(factory: Lab5Protocol): Lab5Try {
  const rows: Lab5Try["rows"][number][] = [];
  let counterexample: Lab5Try["counterexample"];
  for (const which of ["loss", "crash"] as const) {
    const b = LAB5_BOUNDS[which];
    let r: HandlerSearchResult;
    try {
      r = lab5Search(factory, which);
    } catch (e) {
      if (e instanceof SessionProtocolError || e instanceof SessionAnswerError || e instanceof ReplayMismatchError)
        return { problem: `your protocol cannot be searched: ${e.message}`, rows };
      throw e;
    }
    const ce = r.counterexample;
    rows.push({
      bounds: `EOT ${b.eot}, EFF ${b.eff}, ${b.crashes} crash${b.crashes === 1 ? "" : "es"}`,
      verdict: r.verdict + (r.limit ? ` (${r.limit})` : ""),
      executions: r.executions,
      counterexample: ce ? `${formatFaults(ce.faults)} loses ${ce.missing.join(", ")}` : "",
    });
    if (ce && !counterexample) counterexample = { faults: ce.faults, eot: b.eot };
  }
  return counterexample ? { rows, counterexample } : { rows };
}

function labTest(check: Lab5Check, name: string, points: number, description: string): LabTest {
  return {
    name,
    points,
    description,
    check: async (scope, context) => (await sessionOf(scope).evaluate(check, lab5Payload(context.seed))).failure,
  };
}

function certification(which: "loss" | "crash", what: string): LabTest {
  const b = LAB5_BOUNDS[which];
  return labTest(
    which,
    `certified by LDFI under ${what} (EOT ${b.eot}, EFF ${b.eff}, ${b.crashes} crash${b.crashes === 1 ? "" : "es"})`,
    35,
    `needs delivery in the failure-free run; then maze's handler search (LDFI, then every remaining effective fault set; capped at ${LAB5_MAX_RUNS} executions and ${LAB5_TIMEOUT_MS / 1000} s — a search cut short scores 0) finds no fault set within these bounds that breaks agreement (a node other than a delivered the payload and did not crash, yet another node never delivers it)`,
  );
}

/** Lab 5: a reliable broadcast as TypeScript handlers, certified by the handler search under loss and a crash. */
export const lab5Handlers: Lab = {
  id: "lab5-handlers",
  title: "Lab 5 — a reliable broadcast written as handlers",
  definitions: [{ name: NAME, kind: "protocol", nodes: LAB5_NODES }],
  publicSeed: LAB5_PUBLIC_SEED,
  tests: [
    labTest(
      "contract",
      "runs as handlers on a, b, c within the contract",
      10,
      "`reliableBroadcast(payload)` returns a defineSimProtocol on nodes a, b, c whose failure-free run (EOT 4) keeps the handler contract (no throw, no endless loop, no Math.random or Date.now, plain-data messages), whose inspect() returns { delivered: string[] }, and whose nodes other than a learn a payload only from a message carrying it",
    ),
    labTest(
      "delivery",
      "delivers to every node in the failure-free run",
      20,
      `without faults, every node's inspect().delivered holds the payload a was given, at EOT ${LAB5_BOUNDS.loss.eot}`,
    ),
    certification("loss", "message loss"),
    certification("crash", "message loss and a crash"),
  ],
};
