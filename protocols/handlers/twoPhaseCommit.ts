// Two-phase commit as handlers, the twin of ../2pc.ded (and, with a timeout, ../2pc_timeout.ded).
// Dedalus evaluates every rule at every timestep; the coordinator mirrors that with a timer that
// fires every tick, after the tick's messages (the votes that arrive at t count at t).
import { defineSimProtocol, type NodeContext, type SimProtocol, type SimRunView } from "maze";

export type Msg =
  | { kind: "prepare"; tx: string }
  | { kind: "yes"; tx: string }
  | { kind: "no"; tx: string }
  | { kind: "commit"; tx: string }
  | { kind: "abort"; tx: string };

/** A node's view of transaction "tx" (commit_setup.ded). */
export interface CommitState {
  readonly ready: boolean;
  readonly decision: "commit" | "abort" | null;
}

export const COORDINATOR = "C";
export const AGENTS = ["a", "b", "d"] as const;
const TX = "tx";

/** Options: `timeout` aborts a coordinator still missing a vote at tick 4 (2pc_timeout.ded); `optimist` is commit_assert_optimist.ded. */
export function twoPhaseCommit(options: { timeout: boolean; optimist: boolean }): SimProtocol<Msg, CommitState> {
  return defineSimProtocol<Msg, CommitState>({
    nodes: ["a", "b", "C", "d"],
    node(self) {
      return self === COORDINATOR ? coordinator(options.timeout) : agent();
    },
    pre: (run) => [
      ...(run.nodes.some((n) => run.state(n).ready) ? [`termination:${TX}`] : []),
      ...(decided(run).length > 0 ? [`agreement:${TX}`] : []),
    ],
    post: (run) => {
      const d = decided(run);
      const keys: string[] = [];
      if (new Set(d.map((x) => x.node)).size >= 2 || (options.optimist && run.crashed(COORDINATOR))) keys.push(`termination:${TX}`);
      if (d.length > 0 && new Set(d.map((x) => x.decision)).size === 1) keys.push(`agreement:${TX}`);
      return keys;
    },
  });
}

function decided(run: SimRunView<CommitState>): { node: string; decision: string }[] {
  return run.nodes.flatMap((n) => {
    const d = run.state(n).decision;
    return d === null ? [] : [{ node: n, decision: d }];
  });
}

function coordinator(timeout: boolean) {
  // Values at the current tick, and what the rules derive for the next one.
  let undecided = true;
  let committed = false;
  let aborted = false;
  let commitNext = false;
  let abortNext = false;
  const yes = new Set<string>();
  let no = false;
  const step = (ctx: NodeContext<Msg>): void => {
    if (ctx.now > 1) {
      undecided = undecided && !committed && !aborted;
      committed = committed || commitNext;
      aborted = aborted || abortNext;
    }
    for (const a of AGENTS) {
      if (undecided) ctx.send(a, { kind: "prepare", tx: TX });
      if (committed) ctx.send(a, { kind: "commit", tx: TX });
      if (aborted) ctx.send(a, { kind: "abort", tx: TX });
    }
    const voteMissing = undecided && AGENTS.some((a) => !yes.has(a));
    commitNext = yes.size > 0 && !voteMissing && !aborted;
    abortNext = no || (timeout && ctx.now === 4 && voteMissing);
    ctx.setTimer(1, "step");
  };
  return {
    onStart: step,
    onMessage(_ctx: NodeContext<Msg>, msg: Msg, from: string) {
      if (msg.kind === "yes") yes.add(from);
      if (msg.kind === "no") no = true;
    },
    onTimer: step,
    inspect: (): CommitState => ({ ready: false, decision: committed ? "commit" : aborted ? "abort" : null }),
  };
}

function agent() {
  let ready = false;
  let decision: "commit" | "abort" | null = null;
  return {
    onMessage(ctx: NodeContext<Msg>, msg: Msg, from: string) {
      if (msg.kind === "prepare") {
        ready = true; // every agent can commit (commit_setup.ded)
        ctx.send(from, { kind: "yes", tx: msg.tx });
      }
      if (msg.kind === "commit") decision = "commit";
      if (msg.kind === "abort") decision = "abort";
    },
    inspect: (): CommitState => ({ ready, decision }),
  };
}
