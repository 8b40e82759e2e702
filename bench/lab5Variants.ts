import { defineSimProtocol, type NodeContext } from "../lib/index";
import { LAB5_NODES, LAB5_ORIGIN, lab5Post, lab5Pre, type Lab5State } from "../lib/labs/lab5Handlers";

/**
 * Lab 5 answers as real code (no notebook; here, not in lib/, so no library copy carries a solution): the reference solution and the usual mistakes, each a
 * `(payload) => defineSimProtocol(...)` as a student writes it. The grading tests assert what each
 * scores in-process; the notebook tests grade the same ideas through the sandbox.
 */
type Msg = { kind: "data"; payload: string } | { kind: "ack"; payload: string };

interface Options {
  /** Every node that delivers forwards (else only the originator sends). */
  readonly relay: boolean;
  /** Resend every tick to each peer not yet known to hold the payload (else send once). */
  readonly retry: boolean;
}

function broadcast(options: Options) {
  return (payload: string) =>
    defineSimProtocol<Msg, Lab5State>({
      nodes: LAB5_NODES,
      node(self) {
        const delivered = new Set<string>();
        const confirmed = new Set<string>();
        const forward = (ctx: NodeContext<Msg>, p: string): void => {
          const owed = ctx.peers.filter((q) => !confirmed.has(q));
          for (const q of owed) ctx.send(q, { kind: "data", payload: p });
          if (options.retry && owed.length > 0) ctx.setTimer(1, p);
        };
        const deliver = (ctx: NodeContext<Msg>, p: string): void => {
          if (delivered.has(p)) return;
          delivered.add(p);
          if (options.relay || self === LAB5_ORIGIN) forward(ctx, p);
        };
        return {
          onStart(ctx) {
            if (self === LAB5_ORIGIN) deliver(ctx, payload);
          },
          onMessage(ctx, msg, from) {
            confirmed.add(from);
            if (msg.kind === "data") {
              ctx.send(from, { kind: "ack", payload: msg.payload });
              deliver(ctx, msg.payload);
            }
          },
          onTimer(ctx, p) {
            forward(ctx, p);
          },
          inspect: () => ({ delivered: [...delivered] }),
        };
      },
      pre: lab5Pre,
      post: lab5Post,
    });
}

/** Every node relays and retries until acknowledged: the reference solution's idea. */
export const reference = broadcast({ relay: true, retry: true });
/** The originator sends once. */
export const sendOnce = broadcast({ relay: false, retry: false });
/** Every node relays once on first receipt (the classic broadcast). */
export const relayOnce = broadcast({ relay: true, retry: false });
/** The originator retries until acknowledged; nobody else forwards. */
export const retryFromOrigin = broadcast({ relay: false, retry: true });

/** b and c "deliver" the payload from a variable the nodes share: teleporting. */
export const teleport = (payload: string) =>
  defineSimProtocol<Msg, Lab5State>({
    nodes: LAB5_NODES,
    node(self) {
      const delivered = new Set<string>([payload]);
      return {
        onStart(ctx) {
          if (self === LAB5_ORIGIN) ctx.broadcast({ kind: "data", payload });
        },
        inspect: () => ({ delivered: [...delivered] }),
      };
    },
    pre: lab5Pre,
    post: lab5Post,
  });

/** The reference, except that b throws when it gets an ack. */
export const throwing = (payload: string) => {
  const p = reference(payload);
  return defineSimProtocol<Msg, Lab5State>({
    ...p,
    node(self) {
      const h = p.node(self);
      return {
        ...h,
        onMessage: (ctx, m, from) =>
          self === "b" && m.kind === "ack"
            ? (() => {
                throw new Error("b dislikes acks");
              })()
            : h.onMessage?.(ctx, m, from),
      };
    },
  });
};

/** Random resends through Math.random: refused (runs must replay). */
export const usesMathRandom = (payload: string) => {
  const p = reference(payload);
  return defineSimProtocol<Msg, Lab5State>({
    ...p,
    node(self) {
      const h = p.node(self);
      return { ...h, onStart: (ctx) => (Math.random() < 2 ? h.onStart?.(ctx) : undefined) };
    },
  });
};
