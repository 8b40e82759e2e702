// Failover that forgets: primary a replicates write "w" to backup b (resending until b acks) and
// sends one heartbeat to the monitor m. If m has not heard from a by tick 2, it tells b to take
// over, and b starts afresh as primary, dropping what it replicated. Nothing m does shows in the
// failure-free run (it hears the heartbeat and stays silent), so no lineage of that run mentions
// the heartbeat: the twin of failover.ded, where the same dependency is a `notin heard(M)`.
import { defineSimProtocol } from "maze";

type Msg = { kind: "replicate"; write: string } | { kind: "ack"; write: string } | { kind: "heartbeat" } | { kind: "takeover" };
type State = { stored: string[]; acked: boolean };

export default defineSimProtocol<Msg, State>({
  nodes: ["a", "b", "m"],
  node(self) {
    const stored = new Set<string>();
    let acked = false;
    let heard = false;
    return {
      onStart(ctx) {
        if (self === "a") {
          stored.add("w");
          ctx.send("b", { kind: "replicate", write: "w" });
          ctx.send("m", { kind: "heartbeat" });
          ctx.setTimer(1, "resend");
        }
        if (self === "m") ctx.setTimer(1, "check");
      },
      onMessage(ctx, msg, from) {
        if (msg.kind === "replicate") {
          stored.add(msg.write);
          ctx.send(from, { kind: "ack", write: msg.write });
        }
        if (msg.kind === "ack") acked = true;
        if (msg.kind === "heartbeat") heard = true;
        if (msg.kind === "takeover") stored.clear(); // the bug: a new primary that starts empty
      },
      onTimer(ctx, tag) {
        if (tag === "resend" && !acked) {
          ctx.send("b", { kind: "replicate", write: "w" });
          ctx.setTimer(1, "resend");
        }
        if (tag === "check" && !heard) ctx.send("b", { kind: "takeover" });
      },
      inspect: () => ({ stored: [...stored], acked }),
    };
  },
  // durability of an acknowledged write on the primary and the backup
  pre: (run) => (run.state("a").acked ? ["w"] : []),
  post: (run) => run.state("a").stored.filter((w) => run.state("b").stored.includes(w)),
});
