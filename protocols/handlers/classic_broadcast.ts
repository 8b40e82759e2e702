// Classic reliable broadcast, the twin of ../classic_broadcast.ded: on first receipt every node
// relays the payload once to all its peers, then delivers it.
import { defineSimProtocol } from "maze";
import { NODES, ORIGIN, PAYLOAD, pre, post, type DeliveryState } from "./deliveryAssert";

type Msg = { kind: "relay"; payload: string };

export default defineSimProtocol<Msg, DeliveryState>({
  nodes: NODES,
  node(self) {
    const delivered = new Set<string>();
    return {
      onStart(ctx) {
        if (self !== ORIGIN) return;
        delivered.add(PAYLOAD);
        ctx.broadcast({ kind: "relay", payload: PAYLOAD });
      },
      onMessage(ctx, msg) {
        if (delivered.has(msg.payload)) return;
        delivered.add(msg.payload);
        ctx.broadcast({ kind: "relay", payload: msg.payload });
      },
      inspect: () => ({ delivered: [...delivered] }),
    };
  },
  pre,
  post,
});
