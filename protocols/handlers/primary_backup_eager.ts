// Primary-backup that answers too early, the twin of primary_backup_eager.ded: "ok" to the client
// at once, one replication message per backup, no waiting for acks.
import { defineSimProtocol } from "maze";
import { BACKUPS, PRIMARY, WRITE, pre, post, type ReplicaState } from "./pbAssert";

type Msg = { kind: "replicate"; write: string };

export default defineSimProtocol<Msg, ReplicaState>({
  nodes: ["a", "b", "c"],
  node(self) {
    const stored = new Set<string>();
    let ok = false;
    return {
      onStart(ctx) {
        if (self !== PRIMARY) return;
        stored.add(WRITE);
        ok = true;
        for (const b of BACKUPS) ctx.send(b, { kind: "replicate", write: WRITE });
      },
      onMessage(_ctx, msg) {
        stored.add(msg.write);
      },
      inspect: () => ({ stored: [...stored], ok: ok ? [WRITE] : [] }),
    };
  },
  pre,
  post,
});
