import fc from "fast-check";
import { defineSimProtocol, type SimProtocol } from "../../lib/ldfi/handlers/protocol";

/**
 * Random small protocols written as handlers, for the LDFI == exhaustive property: nodes that
 * forward what they learn, retry on timers until acknowledged, acknowledge, count what they
 * receive, and raise an alarm when data is late; `post` over what they hold (locally or only when
 * everyone holds it) and their counts, `pre` over what they hold, optionally excusing the origin and
 * crashed nodes.
 */
export interface GenNode {
  /** Peers a node forwards a new value to (indexes into nodes). */
  readonly forward: readonly number[];
  readonly ack: boolean;
  /** Resend to unacknowledged forward targets every `delay` ticks, at most `max` times. */
  readonly retry: null | { readonly delay: number; readonly max: number };
  /** A key `n:count` once this many data messages arrived (null: no such key). */
  readonly countAt: null | number;
  /**
   * Reacts to absence: with no data by tick `at`, send an alarm to `target`, which then forgets
   * what it holds. The failure-free run shows no trace of this (nothing is sent), so only the
   * completion phase can find what it breaks.
   */
  readonly watch: null | { readonly at: number; readonly target: number };
}

export interface GenProgram {
  readonly nodes: readonly string[];
  readonly perNode: readonly GenNode[];
  readonly agreement: boolean;
  readonly excuse: boolean;
  /** The nodes `pre` and `post` read (the others only help). */
  readonly judged: readonly number[];
}

const NAMES = ["a", "b", "c"];

export const genProgramArb: fc.Arbitrary<GenProgram> = fc.integer({ min: 2, max: 3 }).chain((n) =>
  fc.record({
    nodes: fc.constant(NAMES.slice(0, n)),
    perNode: fc.array(
      fc.record({
        forward: fc.subarray([...Array(n).keys()]),
        ack: fc.boolean(),
        retry: fc.option(fc.record({ delay: fc.integer({ min: 1, max: 2 }), max: fc.integer({ min: 1, max: 3 }) }), { nil: null }),
        countAt: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
        watch: fc.option(fc.record({ at: fc.integer({ min: 2, max: 3 }), target: fc.nat({ max: n - 1 }) }), { nil: null, freq: 3 }),
      }),
      { minLength: n, maxLength: n },
    ),
    agreement: fc.boolean(),
    excuse: fc.boolean(),
    judged: fc.subarray([...Array(n).keys()], { minLength: 1 }),
  }),
);

type Msg = { kind: "data"; v: string } | { kind: "ack"; v: string } | { kind: "alarm" };
interface State {
  readonly log: readonly string[];
  readonly count: number;
}

/** The generated program as a protocol: node 0 originates the value "v". */
export function genProtocol(program: GenProgram): SimProtocol<Msg, State> {
  // the origin forwards to someone, or most programs would send nothing
  let g = program;
  const origin = g.perNode[0] as GenNode;
  if (origin.forward.filter((t) => t !== 0).length === 0) g = { ...g, perNode: [{ ...origin, forward: [1] }, ...g.perNode.slice(1)] };
  return defineSimProtocol<Msg, State>({
    nodes: g.nodes,
    node(self) {
      const i = g.nodes.indexOf(self);
      const spec = g.perNode[i] as GenNode;
      const targets = spec.forward.filter((t) => t !== i).map((t) => g.nodes[t] as string);
      const log = new Set<string>();
      const acked = new Set<string>();
      let count = 0;
      let retries = 0;
      const spread = (ctx: { send(to: string, m: Msg): void; setTimer(d: number, tag?: string): number }, first: boolean) => {
        for (const t of targets) if (!acked.has(t)) ctx.send(t, { kind: "data", v: "v" });
        if (spec.retry && targets.some((t) => !acked.has(t)) && (first || retries < spec.retry.max)) {
          if (!first) retries++;
          if (retries < spec.retry.max) ctx.setTimer(spec.retry.delay, "retry");
        }
      };
      let heard = false;
      return {
        onStart(ctx) {
          if (spec.watch && spec.watch.target !== i) ctx.setTimer(spec.watch.at - 1, "watch");
          if (i !== 0) return;
          log.add("v");
          spread(ctx, true);
        },
        onMessage(ctx, msg, from) {
          if (msg.kind === "ack") {
            acked.add(from);
            return;
          }
          if (msg.kind === "alarm") {
            log.clear();
            return;
          }
          heard = true;
          count++;
          if (spec.ack) ctx.send(from, { kind: "ack", v: msg.v });
          if (log.has(msg.v)) return;
          log.add(msg.v);
          spread(ctx, true);
        },
        onTimer(ctx, tag) {
          if (tag === "watch") {
            if (!heard && i !== 0) ctx.send(g.nodes[(spec.watch as { target: number }).target] as string, { kind: "alarm" });
            return;
          }
          spread(ctx, false);
        },
        inspect: () => ({ log: [...log], count }),
      };
    },
    pre: (run) =>
      judgedNodes(g)
        .filter((n) => !g.excuse || (n !== g.nodes[0] && !run.crashed(n)))
        .flatMap((n) => [...run.state(n).log.map((v) => `${n}:${v}`), ...(run.state(n).log.length > 0 ? [`${n}:count`] : [])]),
    post: (run) =>
      judgedNodes(g).flatMap((n) => {
        const s = run.state(n);
        const held = s.log.filter((v) => !g.agreement || judgedNodes(g).every((m) => run.state(m).log.includes(v)));
        return [...held.map((v) => `${n}:${v}`), ...(countKey(g, g.nodes.indexOf(n), s) ? [`${n}:count`] : [])];
      }),
  });
}

function judgedNodes(g: GenProgram): string[] {
  return g.judged.map((i) => g.nodes[i] as string);
}

function countKey(g: GenProgram, i: number, s: State): boolean {
  const at = (g.perNode[i] as GenNode).countAt;
  return at !== null && s.count >= at;
}
