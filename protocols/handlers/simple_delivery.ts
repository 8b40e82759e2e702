// Simple delivery, the twin of ../simple_delivery.ded: the originator sends its payload once to
// every peer. Nothing is retried, so one lost message leaves a peer without it.
import { defineSimProtocol } from "maze";
import { NODES, ORIGIN, PAYLOAD, pre, post, type DeliveryState } from "./deliveryAssert";

type Msg = { kind: "data"; payload: string };

export default defineSimProtocol<Msg, DeliveryState>({
  nodes: NODES,
  node(self) {
    const delivered = new Set<string>();
    return {
      onStart(ctx) {
        if (self !== ORIGIN) return;
        delivered.add(PAYLOAD);
        ctx.broadcast({ kind: "data", payload: PAYLOAD });
      },
      onMessage(_ctx, msg) {
        delivered.add(msg.payload);
      },
      inspect: () => ({ delivered: [...delivered] }),
    };
  },
  pre,
  post,
});
