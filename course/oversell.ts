import { fnv1a, type ReplicaObservation } from "../lib/crdt/antiEntropy";
import type { ReplicaId } from "../lib/crdt/lattice";
import { pnCounter, type PNCounterState } from "../lib/crdt/pnCounter";
import type { LinkBehaviour, NodeId, PartitionSpec } from "../lib/sim/config";
import { demoNodeNames } from "../lib/sim/demos";
import type { NodeHandlers } from "../lib/sim/node";
import { runSimulation } from "../lib/sim/simulator";
import type { Trace } from "../lib/sim/trace";
import { Random } from "../lib/random/random";

/**
 * How a shop decides whether it may sell:
 * - `"local-view"`: sell when its replica of the shared stock counter shows more than 0 — a read of
 *   a value that other shops' sales can still lower (not monotone);
 * - `"escrow"`: each shop owns an equal share of the stock up front and sells only from its own share
 *   — a fact about its own sales only, which nothing another shop does can contradict.
 */
export type SalePolicy = "local-view" | "escrow";

/** Options of {@link oversell}. */
export interface OversellOptions {
  /** Units in stock before the shops open. Default 10. */
  readonly stock?: number;
  /** Number of shops, each holding a replica of the stock counter (named a, b, c, ...). Default 3. */
  readonly shops?: number;
  /** Customers, each arriving at a random shop at a random time in `[0, window)`. Default 16. */
  readonly customers?: number;
  /** Default 200 ms. */
  readonly window?: number;
  readonly policy?: SalePolicy;
  readonly seed?: number;
  /** Default: 1–10 ms with 10% loss. */
  readonly network?: LinkBehaviour;
  readonly partitions?: readonly PartitionSpec[];
}

/** Outcome of one day of sales. */
export interface OversellResult {
  readonly policy: SalePolicy;
  readonly stock: number;
  /** Units sold, across all shops. */
  readonly sold: number;
  /** Customers turned away. */
  readonly refused: number;
  /** Units sold that did not exist: `max(0, sold - stock)`. */
  readonly oversold: number;
  /** The stock counter every shop shows at the end. */
  readonly finalStock: number;
  /** All shops ended with the same counter state. */
  readonly converged: boolean;
  /** The run: each shop records its counter value as `replica` notes (so `convergenceChart` draws it) and each sale as a `sale` note. */
  readonly trace: Trace;
}

/** The replica id under which the initial stock is counted: the warehouse's delivery, replicated before opening. */
const WAREHOUSE = "warehouse";
/** Gossip period (ms) and how long after the last customer shops keep gossiping: enough rounds to repair 10% loss. */
const GOSSIP_EVERY = 10;
const GOSSIP_TAIL = 300;

type StockMessage = { readonly state: unknown };

/**
 * A day of sales at shops that share one stock counter, a PN-Counter replicated by state gossip.
 * Every shop's counter converges — to a negative number when the shops sold on a stale view of it.
 */
export function oversell(options: OversellOptions = {}): OversellResult {
  const stock = options.stock ?? 10;
  const names = demoNodeNames(options.shops ?? 3);
  const policy = options.policy ?? "local-view";
  const window = options.window ?? 200;
  const seed = options.seed ?? 1;
  const rng = new Random(seed);
  const arrivals = Array.from({ length: options.customers ?? 16 }, () => ({ at: rng.next() * window, shop: rng.pick(names) }));
  const share = (i: number): number => Math.floor(stock / names.length) + (i < stock % names.length ? 1 : 0);
  const states = new Map<ReplicaId, PNCounterState>();
  let sold = 0,
    refused = 0;
  const nodes: Record<NodeId, NodeHandlers<StockMessage>> = {};
  names.forEach((name, index) => {
    let state = pnCounter.apply(pnCounter.bottom(), { op: "inc", by: stock }, WAREHOUSE);
    let mySales = 0;
    states.set(name, state);
    const record = (ctx: { observe(k: string, v: unknown): void }): void => {
      states.set(name, state);
      ctx.observe("replica", {
        value: pnCounter.value(state),
        digest: fnv1a(JSON.stringify(pnCounter.encode(state))),
      } satisfies ReplicaObservation<number>);
    };
    const mine = arrivals.filter((a) => a.shop === name);
    nodes[name] = {
      onStart: (ctx) => {
        record(ctx);
        mine.forEach((a) => ctx.setTimer(a.at, "customer"));
        if (ctx.peers.length > 0) ctx.setTimer(ctx.random.next() * GOSSIP_EVERY, "gossip");
      },
      onTimer: (ctx, tag) => {
        if (tag === "customer") {
          const allowed = policy === "local-view" ? pnCounter.value(state) > 0 : mySales < share(index);
          if (!allowed) {
            refused++;
            return;
          }
          sold++;
          mySales++;
          state = pnCounter.applyInPlace(state, { op: "dec" }, name);
          ctx.observe("sale", pnCounter.value(state));
          return record(ctx);
        }
        if (ctx.now > window + GOSSIP_TAIL) return;
        ctx.send(ctx.random.pick(ctx.peers), { state: pnCounter.encode(state) });
        ctx.setTimer(GOSSIP_EVERY, "gossip");
      },
      onMessage: (ctx, m) => {
        const incoming = pnCounter.decode(m.state);
        if (pnCounter.leq(incoming, state)) return;
        state = pnCounter.joinInto(state, incoming);
        record(ctx);
      },
    };
  });
  const trace = runSimulation<StockMessage>({
    seed,
    nodes,
    network: options.network ?? { loss: 0.1 },
    ...(options.partitions ? { partitions: options.partitions } : {}),
  });
  const final = names.map((n) => pnCounter.value(states.get(n) as PNCounterState));
  const encoded = names.map((n) => JSON.stringify(pnCounter.encode(states.get(n) as PNCounterState)));
  return {
    policy,
    stock,
    sold,
    refused,
    oversold: Math.max(0, sold - stock),
    finalStock: final[0] as number,
    converged: encoded.every((e) => e === encoded[0]),
    trace,
  };
}

/** One row per schedule of {@link oversellOverSchedules}. */
export type OversellRow = Omit<OversellResult, "trace"> & { readonly seed: number };

/** Runs {@link oversell} under `schedules` seeds (1..schedules) and drops the traces. */
export function oversellOverSchedules(schedules: number, options: Omit<OversellOptions, "seed"> = {}): OversellRow[] {
  return Array.from({ length: schedules }, (_, i) => {
    const { trace: _trace, ...rest } = oversell({ ...options, seed: i + 1 });
    return { ...rest, seed: i + 1 };
  });
}
