import type { NodeHandlers } from "../lib/sim/node";
import type { Latency } from "../lib/sim/latency";
import type { CrashSpec, NodeId } from "../lib/sim/config";
import { runSimulation } from "../lib/sim/simulator";
import type { Trace } from "../lib/sim/trace";

/** The messages of two-phase commit, plus the participants' termination query. */
export type TwoPcMessage =
  | { readonly type: "prepare" }
  | { readonly type: "vote"; readonly yes: boolean }
  | { readonly type: "decision"; readonly commit: boolean }
  | { readonly type: "ack" }
  /** A prepared participant that heard nothing asks its peers what they know. */
  | { readonly type: "status?" }
  | { readonly type: "status"; readonly state: ParticipantState };

/**
 * Where a participant stands. `prepared` is the uncertain state: it voted yes, so it may no longer
 * abort on its own, and it does not know the decision yet.
 */
export type ParticipantState = "working" | "prepared" | "committed" | "aborted";

/** The coordinator's node name in every 2PC run. */
export const COORDINATOR: NodeId = "coord";

/**
 * Default one-way latency (ms). Constant, so a reader can compute when each step happens: prepare
 * arrives at 10, votes at 20, decisions at 30.
 */
export const TWO_PC_LATENCY = 10;

/** Options of {@link runTwoPhaseCommit}. */
export interface TwoPhaseCommitOptions {
  readonly seed?: number;
  /** Number of participants, named p1, p2, ... Default 3. */
  readonly participants?: number;
  /** Participants that vote no (default: everyone votes yes). */
  readonly noVoters?: readonly NodeId[];
  /** One-way latency of every link. Default {@link TWO_PC_LATENCY} ms. */
  readonly latency?: Latency;
  /** Probability that a message is lost. Default 0. */
  readonly loss?: number;
  /** When the coordinator crashes (ms), if at all. With the default latency, 15 is "after prepare, before the decision". */
  readonly coordinatorCrashAt?: number;
  /** When the crashed coordinator comes back (ms), if at all. */
  readonly coordinatorRecoverAt?: number;
  /** Further crashes (e.g. a participant). */
  readonly crashes?: readonly CrashSpec[];
  /** How long a prepared participant waits for the decision before asking its peers (ms). Default 50. */
  readonly participantTimeout?: number;
  /** How long the coordinator waits for votes before it aborts (ms). Default 50. */
  readonly voteTimeout?: number;
  /** Simulated time at which the run ends (ms). Default 400. */
  readonly until?: number;
}

/** How one participant ended, read from its `state` observations. */
export interface ParticipantOutcome {
  readonly node: NodeId;
  readonly state: ParticipantState;
  /** When it learnt the outcome, or `undefined` if it never did. */
  readonly decidedAt: number | undefined;
  /** Time spent in `prepared` (uncertain, holding its locks), up to the end of the run. */
  readonly uncertainMs: number;
}

/** A finished 2PC run. */
export interface TwoPhaseCommitRun {
  readonly trace: Trace;
  readonly outcomes: readonly ParticipantOutcome[];
  /** Participants still uncertain at the end: blocked. */
  readonly blocked: readonly NodeId[];
  /** The coordinator's decision, if it made one. */
  readonly decision: "commit" | "abort" | undefined;
}

/** Bound on termination-protocol retries, so a blocked participant does not keep the run alive forever. */
const MAX_STATUS_ROUNDS = 20;

function participant(vote: boolean, timeout: number): NodeHandlers<TwoPcMessage> {
  let state: ParticipantState = "working";
  let rounds = 0;
  const become = (ctx: { observe(k: string, v: unknown): void }, s: ParticipantState): void => {
    state = s;
    ctx.observe("state", s);
  };
  return {
    onStart: (ctx) => ctx.observe("state", state),
    onRecover: () => undefined, // the state in the closure is the participant's log: it survives
    onMessage: (ctx, m, from) => {
      if (m.type === "prepare") {
        if (state !== "working") return;
        if (!vote)
          become(ctx, "aborted"); // a no-voter may abort on its own: the outcome cannot be commit
        else {
          become(ctx, "prepared");
          ctx.setTimer(timeout, "ask");
        }
        ctx.send(from, { type: "vote", yes: vote });
      } else if (m.type === "decision") {
        if (state === "prepared" || state === "working") become(ctx, m.commit ? "committed" : "aborted");
        ctx.send(from, { type: "ack" });
      } else if (m.type === "status?") {
        // A participant that has not voted yet may abort now, so the asker learns a safe outcome.
        if (state === "working") become(ctx, "aborted");
        ctx.send(from, { type: "status", state });
      } else if (m.type === "status" && state === "prepared") {
        if (m.state === "committed" || m.state === "aborted") become(ctx, m.state);
      }
    },
    onTimer: (ctx) => {
      if (state !== "prepared" || rounds++ >= MAX_STATUS_ROUNDS) return;
      for (const p of ctx.peers) if (p !== COORDINATOR) ctx.send(p, { type: "status?" });
      ctx.setTimer(timeout, "ask");
    },
  };
}

function coordinator(participants: readonly NodeId[], voteTimeout: number): NodeHandlers<TwoPcMessage> {
  const votes = new Map<NodeId, boolean>();
  // Survives crashes, like a decision written to the coordinator's log before it is sent.
  let decision: boolean | undefined;
  const decide = (ctx: { observe(k: string, v: unknown): void; send(to: NodeId, m: TwoPcMessage): void }, commit: boolean): void => {
    decision = commit;
    ctx.observe("decision", commit ? "commit" : "abort");
    for (const p of participants) ctx.send(p, { type: "decision", commit });
  };
  return {
    onStart: (ctx) => {
      for (const p of participants) ctx.send(p, { type: "prepare" });
      ctx.setTimer(voteTimeout, "votes");
    },
    onRecover: (ctx) => {
      // Nothing in the log means no commit was promised: presume abort. Otherwise resend the decision.
      if (decision === undefined) decide(ctx, false);
      else for (const p of participants) ctx.send(p, { type: "decision", commit: decision });
    },
    onMessage: (ctx, m, from) => {
      if (m.type === "vote" && decision === undefined) {
        votes.set(from, m.yes);
        if (!m.yes) decide(ctx, false);
        else if (votes.size === participants.length) decide(ctx, true);
      } else if (m.type === "status?" && decision !== undefined) {
        ctx.send(from, { type: "status", state: decision ? "committed" : "aborted" });
      }
    },
    onTimer: (ctx) => {
      if (decision === undefined) decide(ctx, false);
    },
  };
}

/** Participant names p1, p2, ... */
export function participantNames(n: number): NodeId[] {
  return Array.from({ length: n }, (_, i) => `p${i + 1}`);
}

/**
 * Runs one transaction of two-phase commit on the simulator: the coordinator asks every participant
 * to prepare, commits if all vote yes and aborts otherwise. A participant that voted yes and hears
 * nothing asks its peers; if they are all prepared too, nobody can decide — it is blocked until the
 * coordinator comes back. Participants record `state` observations; the coordinator `decision`.
 */
export function runTwoPhaseCommit(options: TwoPhaseCommitOptions = {}): TwoPhaseCommitRun {
  const names = participantNames(options.participants ?? 3);
  const no = new Set(options.noVoters ?? []);
  const timeout = options.participantTimeout ?? 50;
  const nodes: Record<NodeId, NodeHandlers<TwoPcMessage>> = { [COORDINATOR]: coordinator(names, options.voteTimeout ?? 50) };
  for (const n of names) nodes[n] = participant(!no.has(n), timeout);
  const crashes: CrashSpec[] = [...(options.crashes ?? [])];
  if (options.coordinatorCrashAt !== undefined)
    crashes.push({
      node: COORDINATOR,
      at: options.coordinatorCrashAt,
      ...(options.coordinatorRecoverAt !== undefined ? { recover: options.coordinatorRecoverAt } : {}),
    });
  const until = options.until ?? 400;
  const trace = runSimulation({
    seed: options.seed ?? 1,
    nodes,
    network: { latency: options.latency ?? TWO_PC_LATENCY, loss: options.loss ?? 0 },
    crashes,
    limits: { maxTime: until },
  });
  // States persist after the last event, so uncertainty is counted up to the end of the run.
  const outcomes = names.map((node) => outcomeOf(trace, node, until));
  const d = trace.notes("decision").at(-1)?.value;
  return {
    trace,
    outcomes,
    blocked: outcomes.filter((o) => o.state === "prepared").map((o) => o.node),
    decision: d === "commit" || d === "abort" ? d : undefined,
  };
}

function outcomeOf(trace: Trace, node: NodeId, end: number): ParticipantOutcome {
  const notes = trace.notes("state").filter((n) => n.node === node);
  let state: ParticipantState = "working";
  let decidedAt: number | undefined;
  let uncertainMs = 0;
  let preparedSince: number | undefined;
  for (const n of notes) {
    const s = n.value as ParticipantState;
    if (s === "prepared") preparedSince = n.time;
    else if (preparedSince !== undefined) {
      uncertainMs += n.time - preparedSince;
      preparedSince = undefined;
    }
    if ((s === "committed" || s === "aborted") && decidedAt === undefined) decidedAt = n.time;
    state = s;
  }
  if (preparedSince !== undefined) uncertainMs += end - preparedSince;
  return { node, state, decidedAt, uncertainMs };
}
