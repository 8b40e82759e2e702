import { fnv1a, type ReplicaObservation } from "../lib/crdt/antiEntropy";
import { gSet, type GSetState } from "../lib/crdt/gSet";
import type { LinkBehaviour, NodeId, PartitionSpec } from "../lib/sim/config";
import type { NodeHandlers } from "../lib/sim/node";
import { runSimulation } from "../lib/sim/simulator";
import type { Trace } from "../lib/sim/trace";

/**
 * How the replica that receives the checkout decides what to ship:
 * - `"naive"`: whatever its replica of the cart holds when the request arrives — it silently assumes
 *   that nothing else is on its way (a conclusion from absence: not monotone);
 * - `"sealed"`: the request carries a manifest, the ids of every action the shopper performed; the
 *   replica waits until its cart holds all of them ("manifest ⊆ cart" only ever turns from false to
 *   true: monotone), then ships.
 */
export type CheckoutPolicy = "naive" | "sealed";

/** One thing the shopper does to the cart. */
export interface CartAction {
  readonly op: "add" | "remove";
  readonly item: string;
}

/** The default session: the shopper changes their mind twice, so order of arrival matters for a naive read. */
export const SHOPPING_SESSION: readonly CartAction[] = [
  { op: "add", item: "milk" },
  { op: "add", item: "eggs" },
  { op: "add", item: "bread" },
  { op: "remove", item: "eggs" },
  { op: "add", item: "jam" },
  { op: "add", item: "coffee" },
  { op: "remove", item: "milk" },
];

/** Options of {@link cartCheckout}. */
export interface CartOptions {
  readonly actions?: readonly CartAction[];
  readonly policy?: CheckoutPolicy;
  /** Cart replicas (the shopper's requests go to any of them, as behind a load balancer). Default a, b, c. */
  readonly replicas?: readonly NodeId[];
  /** Time between two of the shopper's actions (ms). Default 10. */
  readonly actionEvery?: number;
  /** Time from the last action to the checkout request (ms). Default 10. */
  readonly checkoutDelay?: number;
  /** The replica the checkout request goes to. Default: a random one, like every other request. */
  readonly checkoutTo?: NodeId;
  readonly seed?: number;
  /** Between replicas; default 1–10 ms, 10% loss, 20% reordering. The shopper's own requests are never lost. */
  readonly network?: LinkBehaviour;
  readonly partitions?: readonly PartitionSpec[];
}

/** Outcome of one shopping session. */
export interface CartResult {
  readonly policy: CheckoutPolicy;
  /** What the shopper meant to buy: the cart after all their actions. */
  readonly intended: readonly string[];
  /** What was shipped, or `undefined` if the checkout never completed (a sealed checkout still waiting). */
  readonly shipped: readonly string[] | undefined;
  /** When it was shipped (ms), if it was. */
  readonly shippedAt: number | undefined;
  /** Shipped exactly the intended cart. */
  readonly correct: boolean;
  /** Every replica's cart is the intended one at the end (anti-entropy did its job). */
  readonly converged: boolean;
  readonly trace: Trace;
}

/** The shopper's node name in the trace. */
export const SHOPPER = "shopper";
const GOSSIP_EVERY = 10;
/** Replicas gossip this long after the checkout and after the last heal: enough rounds to repair the default 10% loss. */
const GOSSIP_TAIL = 300;

type CartMessage =
  | { readonly kind: "action"; readonly action: string }
  | { readonly kind: "checkout"; readonly manifest: readonly string[] }
  | { readonly kind: "gossip"; readonly state: unknown };

/** An action as a G-Set element: a numbered record, so two identical actions stay two. */
function record(i: number, a: CartAction): string {
  return `${String(i).padStart(2, "0")} ${a.op} ${a.item}`;
}

/**
 * The cart's contents from a set of action records: per item, adds minus removes. A set has no
 * order, so this gives the same answer whatever order the records arrived in; what it cannot tell is
 * whether records are still missing.
 */
export function cartContents(records: Iterable<string>): string[] {
  const count = new Map<string, number>();
  for (const r of records) {
    const [, op, item] = r.split(" ") as [string, string, string];
    count.set(item, (count.get(item) ?? 0) + (op === "add" ? 1 : -1));
  }
  return [...count]
    .filter(([, n]) => n > 0)
    .map(([item]) => item)
    .sort();
}

/**
 * A shopping session against a replicated cart, after the "disorderly" cart of the Bloom papers: the
 * cart is a G-Set of action records, gossiped between replicas by whole state; the shopper sends each
 * action, then the checkout, to a random replica. The cart always converges; whether the shipped
 * order is right depends on the checkout policy.
 */
export function cartCheckout(options: CartOptions = {}): CartResult {
  const actions = options.actions ?? SHOPPING_SESSION;
  const records = actions.map((a, i) => record(i, a));
  const intended = cartContents(records);
  const policy = options.policy ?? "naive";
  const replicas = options.replicas ?? ["a", "b", "c"];
  if (options.checkoutTo !== undefined && !replicas.includes(options.checkoutTo)) {
    throw new RangeError(`checkoutTo: ${JSON.stringify(options.checkoutTo)} is not a cart replica (they are ${replicas.join(", ")})`);
  }
  const every = options.actionEvery ?? 10;
  const checkoutAt = every * actions.length + (options.checkoutDelay ?? 10);
  const lastHeal = (options.partitions ?? []).reduce((m, p) => Math.max(m, p.heal ?? 0), 0);
  const gossipUntil = Math.max(checkoutAt, lastHeal) + GOSSIP_TAIL;
  let shipped: string[] | undefined, shippedAt: number | undefined;
  const carts = new Map<NodeId, GSetState>();
  const nodes: Record<NodeId, NodeHandlers<CartMessage>> = {
    [SHOPPER]: {
      onStart: (ctx) => {
        records.forEach((_, i) => ctx.setTimer(every * (i + 1), `action:${i}`));
        ctx.setTimer(checkoutAt, "checkout");
      },
      onTimer: (ctx, tag) => {
        const to = ctx.random.pick(replicas);
        if (tag === "checkout") return ctx.send(options.checkoutTo ?? to, { kind: "checkout", manifest: records });
        ctx.send(to, { kind: "action", action: records[Number(tag.slice(7))] as string });
      },
    },
  };
  for (const name of replicas) {
    let cart: GSetState = gSet.bottom();
    let waiting: readonly string[] | undefined;
    carts.set(name, cart);
    const changed = (ctx: { now: number; observe(k: string, v: unknown): void }): void => {
      carts.set(name, cart);
      const value = cartContents(cart);
      ctx.observe("replica", { value, digest: fnv1a(JSON.stringify(gSet.encode(cart))) } satisfies ReplicaObservation<string[]>);
      if (waiting && waiting.every((r) => cart.has(r))) ship(ctx, value);
    };
    const ship = (ctx: { now: number; observe(k: string, v: unknown): void }, value: string[]): void => {
      waiting = undefined;
      shipped = value;
      shippedAt = ctx.now;
      ctx.observe("shipped", value);
    };
    nodes[name] = {
      onStart: (ctx) => void ctx.setTimer(ctx.random.next() * GOSSIP_EVERY, "gossip"),
      onTimer: (ctx) => {
        if (ctx.now > gossipUntil) return;
        ctx.send(ctx.random.pick(replicas.filter((r) => r !== name)), { kind: "gossip", state: gSet.encode(cart) });
        ctx.setTimer(GOSSIP_EVERY, "gossip");
      },
      onMessage: (ctx, m) => {
        if (m.kind === "checkout") {
          if (policy === "naive") return ship(ctx, cartContents(cart));
          waiting = m.manifest;
          if (waiting.every((r) => cart.has(r))) ship(ctx, cartContents(cart));
          return;
        }
        const incoming = m.kind === "action" ? new Set([m.action]) : gSet.decode(m.state);
        if (gSet.leq(incoming, cart)) return;
        cart = gSet.joinInto(cart, incoming);
        changed(ctx);
      },
    };
  }
  const trace = runSimulation<CartMessage>({
    seed: options.seed ?? 1,
    nodes,
    network: options.network ?? { loss: 0.1, reorder: 0.2 },
    // The shopper's requests are retried until a replica has them (think TCP plus a client retry), so
    // only replica-to-replica gossip is lossy: a lost action would make any checkout wrong. They go
    // over one connection per replica, in order (FIFO).
    links: [{ from: SHOPPER, to: "*", loss: 0, duplicate: 0, reorder: 0 }],
    ...(options.partitions ? { partitions: options.partitions } : {}),
  });
  const same = (x: readonly string[] | undefined): boolean => x !== undefined && x.join() === intended.join();
  return {
    policy,
    intended,
    shipped,
    shippedAt,
    correct: same(shipped),
    converged: replicas.every((r) => same(cartContents(carts.get(r) as GSetState)) && (carts.get(r) as GSetState).size === records.length),
    trace,
  };
}

/** One row of {@link checkoutOutcomes}: how often a policy shipped one particular cart. */
export interface CheckoutOutcome {
  readonly policy: CheckoutPolicy;
  /** The shipped cart as text (`"(still waiting)"` when a sealed checkout never completed). */
  readonly shipped: string;
  readonly correct: boolean;
  readonly runs: number;
}

/**
 * Runs both policies under `schedules` seeds (1..schedules) and counts the distinct carts each
 * shipped. A monotone decision ships one cart under every schedule; a non-monotone one ships several.
 */
export function checkoutOutcomes(schedules: number, options: Omit<CartOptions, "seed" | "policy"> = {}): CheckoutOutcome[] {
  const counts = new Map<string, CheckoutOutcome>();
  for (const policy of ["naive", "sealed"] as const) {
    for (let seed = 1; seed <= schedules; seed++) {
      const r = cartCheckout({ ...options, policy, seed });
      const shipped = r.shipped === undefined ? "(still waiting)" : r.shipped.length === 0 ? "(empty)" : r.shipped.join(", ");
      const key = `${policy}|${shipped}`;
      const old = counts.get(key);
      counts.set(key, { policy, shipped, correct: r.correct, runs: (old?.runs ?? 0) + 1 });
    }
  }
  return [...counts.values()].sort((x, y) => (x.policy === y.policy ? y.runs - x.runs : x.policy < y.policy ? -1 : 1));
}

/** One row of {@link wrongCheckoutsByDelay}. */
export interface DelayRow {
  readonly checkoutDelay: number;
  /** Fraction of schedules in which the naive checkout shipped the wrong cart. */
  readonly wrong: number;
}

/** For each delay between the last action and the checkout, the fraction of `schedules` seeds in which a naive checkout ships the wrong cart. */
export function wrongCheckoutsByDelay(
  delays: readonly number[],
  schedules: number,
  options: Omit<CartOptions, "seed" | "policy" | "checkoutDelay"> = {},
): DelayRow[] {
  return delays.map((checkoutDelay) => {
    let wrong = 0;
    for (let seed = 1; seed <= schedules; seed++) if (!cartCheckout({ ...options, checkoutDelay, seed, policy: "naive" }).correct) wrong++;
    return { checkoutDelay, wrong: wrong / schedules };
  });
}
