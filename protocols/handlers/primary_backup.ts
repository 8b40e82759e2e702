// Primary-backup replication, the twin of primary_backup.ded: the primary replicates its write to
// every backup, resending each tick until that backup acks, and tells the client "ok" only when all
// backups have acked.
import { defineSimProtocol } from "maze";
import { BACKUPS, PRIMARY, WRITE, pre, post, type ReplicaState } from "./pbAssert";

type Msg = { kind: "replicate"; write: string } | { kind: "ack"; write: string };

export default defineSimProtocol<Msg, ReplicaState>({
  nodes: ["a", "b", "c"],
  node(self) {
    const stored = new Set<string>();
    const acked = new Set<string>();
    let ok = false;
    return {
      onStart(ctx) {
        if (self !== PRIMARY) return;
        stored.add(WRITE);
        for (const b of BACKUPS) ctx.send(b, { kind: "replicate", write: WRITE });
        ctx.setTimer(1, "resend");
      },
      onMessage(ctx, msg, from) {
        if (msg.kind === "replicate") {
          stored.add(msg.write);
          ctx.send(from, { kind: "ack", write: msg.write });
        } else {
          acked.add(from);
          ok ||= BACKUPS.every((b) => acked.has(b));
        }
      },
      onTimer(ctx) {
        const owed = BACKUPS.filter((b) => !acked.has(b));
        for (const b of owed) ctx.send(b, { kind: "replicate", write: WRITE });
        if (owed.length > 0) ctx.setTimer(1, "resend");
      },
      inspect: () => ({ stored: [...stored], ok: ok ? [WRITE] : [] }),
    };
  },
  pre,
  post,
});
