// Agreement for a broadcast, the twin of ../delivery_assert.ded. Keys are "node:payload".
// post: a node's delivery counts only while no node lacks that payload.
// pre: excuses the originator (it delivers without any message) and crashed nodes.
import type { SimRunView } from "maze";

/** What every broadcast twin's inspect() returns. */
export interface DeliveryState {
  readonly delivered: readonly string[];
}

/** The node that starts the broadcast and its payload (delivery_setup.ded). */
export const ORIGIN = "a";
export const PAYLOAD = "hello";
export const NODES = ["a", "b", "c"] as const;

export function pre(run: SimRunView<DeliveryState>): string[] {
  return run.nodes.filter((n) => n !== ORIGIN && !run.crashed(n)).flatMap((n) => run.state(n).delivered.map((p) => `${n}:${p}`));
}

export function post(run: SimRunView<DeliveryState>): string[] {
  const lacks = (p: string) => run.nodes.some((m) => !run.state(m).delivered.includes(p));
  return run.nodes.flatMap((n) =>
    run
      .state(n)
      .delivered.filter((p) => !lacks(p))
      .map((p) => `${n}:${p}`),
  );
}
