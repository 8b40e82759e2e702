import { Random } from "../lib/random/random";
import { EventQueue } from "../lib/sim/eventQueue";
import { runSimulation } from "../lib/sim/simulator";
import type { NodeHandlers } from "../lib/sim/node";
import { measure, printTable, type BenchSuite } from "./harness";

/** A 10-node anti-entropy gossip: every node, every ms, sends its max-known value to a random peer. */
function gossip(events: number): number {
  const nodes: Record<string, NodeHandlers<number>> = {};
  for (let i = 0; i < 10; i++) {
    let known = i;
    nodes[`n${i}`] = {
      onStart: (ctx) => void ctx.setTimer(ctx.random.next(), "tick"),
      onTimer: (ctx) => {
        ctx.send(ctx.random.pick(ctx.peers), known);
        ctx.setTimer(1, "tick");
      },
      onMessage: (_ctx, m) => {
        if (m > known) known = m;
      },
    };
  }
  const trace = runSimulation({
    seed: 7,
    nodes,
    network: { latency: { kind: "uniform", min: 1, max: 10 }, loss: 0.05 },
    limits: { maxEvents: events },
  });
  return trace.events.length;
}

/**
 * The floor: the same number of events through the same priority queue, with a random latency per
 * event and nothing else — no handlers, no clocks, no trace.
 */
function bareLoop(events: number): number {
  const q = new EventQueue<number>();
  const r = new Random(7);
  for (let i = 0; i < 10; i++) q.push(r.next(), i);
  let n = 0;
  while (n < events) {
    const e = q.pop() as { time: number; item: number };
    q.push(e.time + 1 + r.next() * 9, e.item);
    n++;
  }
  return n;
}

export const run: BenchSuite = async ({ quick }) => {
  const rows: (string | number)[][] = [];
  for (const events of quick ? [2_000] : [20_000, 200_000]) {
    const floor = await measure(`pq floor ${events}`, () => bareLoop(events), { minRuns: 3, minMs: 300 });
    const sim = await measure(`sim ${events}`, () => gossip(events), { minRuns: 3, minMs: 300 });
    rows.push(
      ["bare priority-queue loop (floor)", events, floor.medianMs, Math.round(events / (floor.medianMs / 1000)), 1],
      [
        "simulator, 10-node gossip, full trace",
        events,
        sim.medianMs,
        Math.round(events / (sim.medianMs / 1000)),
        sim.medianMs / floor.medianMs,
      ],
    );
  }
  printTable("simulator throughput (events/s; ratio = time / floor)", ["workload", "events", "median ms", "events/s", "x floor"], rows);
};
