// Retry delivery, the twin of ../retry_delivery.ded: the originator resends to each peer at every
// tick until that peer acknowledges; a peer acknowledges every copy it receives.
import { defineSimProtocol } from "maze";
import { NODES, ORIGIN, PAYLOAD, pre, post, type DeliveryState } from "./deliveryAssert";

type Msg = { kind: "data"; payload: string } | { kind: "ack"; payload: string };

export default defineSimProtocol<Msg, DeliveryState>({
  nodes: NODES,
  node(self) {
    const delivered = new Set<string>();
    const acked = new Set<string>();
    const resend = (ctx: { peers: readonly string[]; send(to: string, m: Msg): void; setTimer(d: number, tag?: string): number }) => {
      const owed = ctx.peers.filter((p) => !acked.has(p));
      for (const p of owed) ctx.send(p, { kind: "data", payload: PAYLOAD });
      if (owed.length > 0) ctx.setTimer(1, "retry");
    };
    return {
      onStart(ctx) {
        if (self !== ORIGIN) return;
        delivered.add(PAYLOAD);
        resend(ctx);
      },
      onMessage(ctx, msg, from) {
        if (msg.kind === "data") {
          delivered.add(msg.payload);
          ctx.send(from, { kind: "ack", payload: msg.payload });
        } else acked.add(from);
      },
      onTimer(ctx) {
        resend(ctx);
      },
      inspect: () => ({ delivered: [...delivered] }),
    };
  },
  pre,
  post,
});
