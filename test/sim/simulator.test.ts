import fc from "fast-check";
import { gossipDemo, slowOrDeadDemo, type Trace } from "../../lib/index";
import { runSimulation, SimConfigError, SimHandlerError, simulate, type SimConfig, type NodeHandlers } from "../../lib/internals";

/** CI runs at least 1,000 cases per property; locally fewer, for a quick edit-test loop. */
const NUM_RUNS = process.env["CI"] ? 1000 : 200;

/** Every node pings a random peer every 5 ms for `rounds` rounds and echoes what it hears once. */
function chatty(names: string[], rounds: number): Record<string, NodeHandlers<{ n: number; echo: boolean }>> {
  const nodes: Record<string, NodeHandlers<{ n: number; echo: boolean }>> = {};
  for (const name of names) {
    let left = rounds;
    nodes[name] = {
      onStart: (ctx) => void ctx.setTimer(ctx.random.int(0, 4), "tick"),
      onTimer: (ctx) => {
        if (left-- <= 0) return;
        ctx.send(ctx.random.pick(ctx.peers), { n: left, echo: false });
        ctx.setTimer(5, "tick");
      },
      onMessage: (ctx, m, from) => {
        if (!m.echo) ctx.send(from, { n: m.n, echo: true });
        ctx.observe("heard", m.n);
      },
    };
  }
  return nodes;
}

const arbNetworkConfig = fc.record({
  seed: fc.integer(),
  nodes: fc.integer({ min: 2, max: 4 }),
  loss: fc.double({ min: 0, max: 0.5, noNaN: true }),
  duplicate: fc.double({ min: 0, max: 0.5, noNaN: true }),
  reorder: fc.double({ min: 0, max: 1, noNaN: true }),
  partition: fc.option(fc.record({ at: fc.integer({ min: 0, max: 30 }), len: fc.integer({ min: 0, max: 30 }) })),
  crash: fc.option(fc.record({ at: fc.integer({ min: 0, max: 30 }), len: fc.integer({ min: 1, max: 30 }) })),
});

type NetworkParams = {
  seed: number;
  nodes: number;
  loss: number;
  duplicate: number;
  reorder: number;
  partition: { at: number; len: number } | null;
  crash: { at: number; len: number } | null;
};

function configOf(p: NetworkParams): SimConfig<{ n: number; echo: boolean }> {
  const names = ["a", "b", "c", "d"].slice(0, p.nodes);
  return {
    seed: p.seed,
    nodes: chatty(names, 4),
    network: { latency: { kind: "exponential", mean: 4, min: 1 }, loss: p.loss, duplicate: p.duplicate, reorder: p.reorder },
    partitions: p.partition ? [{ at: p.partition.at, heal: p.partition.at + p.partition.len, groups: [["a"]] }] : [],
    crashes: p.crash ? [{ node: "b", at: p.crash.at, recover: p.crash.at + p.crash.len }] : [],
  };
}

describe("determinism", () => {
  test("the same seed and program give the identical trace", () => {
    fc.assert(
      fc.property(arbNetworkConfig, (p) => {
        const a = JSON.stringify(runSimulation(configOf(p)));
        const b = JSON.stringify(runSimulation(configOf(p)));
        expect(a).toBe(b);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test("different seeds give different schedules", () => {
    const traces = new Set([1, 2, 3, 4, 5].map((seed) => JSON.stringify(gossipDemo(seed).toJSON().events)));
    expect(traces.size).toBeGreaterThan(1);
  });
});

describe("clocks and causality", () => {
  test("happened-before (vector clocks) implies a smaller Lamport clock; a send happens before its delivery", () => {
    fc.assert(
      fc.property(arbNetworkConfig, (p) => {
        const t = runSimulation(configOf(p));
        for (const m of t.messages())
          for (const d of m.deliveries) {
            expect(t.happenedBefore(m.send, d)).toBe(true);
            expect(t.happenedBefore(d, m.send)).toBe(false);
            expect(d.lamport).toBeGreaterThan(m.send.lamport);
          }
        const clocked = t.events.filter((e) => "vc" in e);
        for (let i = 0; i + 1 < clocked.length && i < 40; i++) {
          const a = clocked[i]!,
            b = clocked[(i * 7 + 3) % clocked.length]!;
          if (t.happenedBefore(a.seq, b.seq)) expect((a as { lamport: number }).lamport).toBeLessThan((b as { lamport: number }).lamport);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test("events at one node are totally ordered; unrelated first events are concurrent", () => {
    const t = gossipDemo(7);
    const a = t.atNode("a");
    for (let i = 0; i + 1 < a.length; i++) expect(t.happenedBefore(a[i]!, a[i + 1]!)).toBe(true);
    const startA = t.ofKind("start").find((e) => e.node === "a")!;
    const startB = t.ofKind("start").find((e) => e.node === "b")!;
    expect(t.concurrent(startA, startB)).toBe(true);
    expect(t.vectorClock(startB)).toEqual({ a: 0, b: 1, c: 0, d: 0, e: 0 });
  });
});

describe("network faults", () => {
  test("with reorder 0 each link delivers in send order (FIFO)", () => {
    fc.assert(
      fc.property(arbNetworkConfig, (p) => {
        const t = runSimulation(configOf({ ...p, reorder: 0, duplicate: 0 }));
        for (const from of t.nodes)
          for (const to of t.nodes) {
            const ids = t
              .ofKind("deliver")
              .filter((d) => d.from === from && d.node === to)
              .map((d) => d.msgId);
            expect(ids).toEqual([...ids].sort((x, y) => x - y));
          }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test("every copy is delivered or dropped or still in flight: nothing vanishes", () => {
    fc.assert(
      fc.property(arbNetworkConfig, (p) => {
        const t = runSimulation(configOf(p));
        const s = t.summary();
        const copies = t.messages().reduce((k, m) => k + m.deliveries.length + m.drops.length, 0);
        expect(copies + s.stop.inFlight).toBeGreaterThanOrEqual(s.sent);
        expect(s.delivered + s.dropped.loss + s.dropped.partition + s.dropped.crashed).toBe(copies);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test("loss 1 drops everything, with reason loss", () => {
    const t = runSimulation({ seed: 1, nodes: chatty(["a", "b"], 3), network: { loss: 1 } });
    expect(t.ofKind("deliver")).toHaveLength(0);
    expect(t.drops().length).toBe(t.ofKind("send").length);
    expect(t.drops().every((d) => d.reason === "loss")).toBe(true);
  });

  test("duplicate 1 delivers each message twice, the second marked copy 2", () => {
    const t = runSimulation({ seed: 1, nodes: chatty(["a", "b"], 2), network: { duplicate: 1 }, limits: { maxEvents: 200 } });
    const first = t.messages()[0]!;
    expect(first.deliveries.map((d) => d.copy).sort()).toEqual([1, 2]);
    expect(t.summary().duplicatesDelivered).toBeGreaterThan(0);
  });

  test("a partition drops messages across it with reason partition, and heals", () => {
    const t = runSimulation({
      seed: 2,
      nodes: chatty(["a", "b", "c"], 10),
      partitions: [{ at: 0, heal: 30, groups: [["a"], ["b", "c"]] }],
    });
    const cross = t.drops("partition");
    expect(cross.length).toBeGreaterThan(0);
    for (const d of cross) expect(d.from === "a" || d.to === "a").toBe(true);
    expect(t.ofKind("deliver").some((d) => (d.from === "a" || d.node === "a") && d.sentAt >= 30)).toBe(true);
    expect(t.ofKind("partition")[0]!.time).toBe(0);
    expect(t.ofKind("heal")[0]!.time).toBe(30);
  });

  test("a crashed node receives nothing, its timers die, and it restarts on recovery", () => {
    const fired: string[] = [];
    const t = runSimulation<string>({
      seed: 1,
      nodes: {
        a: {
          onStart: (ctx) => {
            ctx.setTimer(5, "x");
            ctx.setTimer(20, "too-late");
          },
          onTimer: (ctx, tag) => {
            fired.push(`${tag}@${ctx.now}`);
            ctx.send("b", tag);
          },
          onRecover: (ctx) => void ctx.setTimer(1, "back"),
        },
        b: { onMessage: (ctx, m) => ctx.send("a", `re:${m}`) },
      },
      network: { latency: 2 },
      crashes: [{ node: "a", at: 6, recover: 40 }],
    });
    expect(fired).toEqual(["x@5", "back@41"]);
    expect(t.drops("crashed").map((d) => d.message)).toEqual(["re:x"]);
    expect(t.ofKind("crash").map((e) => e.time)).toEqual([6]);
    expect(t.ofKind("recover").map((e) => e.time)).toEqual([40]);
    expect(t.messagesBetween("b", "a").map((m) => m.message)).toEqual(["re:x", "re:back"]);
  });
});

describe("bounds", () => {
  const forever: NodeHandlers<never> = { onStart: (ctx) => void ctx.setTimer(1), onTimer: (ctx) => void ctx.setTimer(1) };
  test("an endless timer loop stops at the event bound and says so", () => {
    const t = runSimulation({ seed: 1, nodes: { a: forever }, limits: { maxEvents: 50 } });
    expect(t.stop.reason).toBe("max-events");
    expect(t.events).toHaveLength(50);
  });
  test("or at the time bound", () => {
    const t = runSimulation({ seed: 1, nodes: { a: forever }, limits: { maxTime: 10 } });
    expect(t.stop).toMatchObject({ reason: "max-time", time: 10 });
    expect(t.ofKind("timer").at(-1)!.time).toBe(10);
  });
  test("a run with nothing left to do is quiescent", () => {
    expect(gossipDemo(1).stop.reason).toBe("quiescent");
  });
});

describe("bad input", () => {
  const ok = { a: {}, b: {} };
  const cases: [string, Partial<SimConfig<unknown>>, string][] = [
    ["negative latency", { network: { latency: -1 } }, "network.latency"],
    ["uniform max below min", { network: { latency: { kind: "uniform", min: 5, max: 1 } } }, "network.latency.max"],
    ["loss above 1", { network: { loss: 1.5 } }, "network.loss"],
    ["negative duplicate in a link", { links: [{ from: "a", to: "*", duplicate: -0.1 }] }, "links[0].duplicate"],
    ["unknown node in a partition", { partitions: [{ at: 0, groups: [["a"], ["zed"]] }] }, "partitions[0].groups[1][0]"],
    ["heal before start", { partitions: [{ at: 5, heal: 1, groups: [["a"]] }] }, "partitions[0].heal"],
    ["node in two groups", { partitions: [{ at: 0, groups: [["a"], ["a"]] }] }, "partitions[0].groups[1][0]"],
    ["unknown crash node", { crashes: [{ node: "q", at: 1 }] }, "crashes[0].node"],
    ["zero event bound", { limits: { maxEvents: 0 } }, "limits.maxEvents"],
    ["no nodes", { nodes: {} }, "nodes"],
  ];
  test.each(cases)("%s is a SimConfigError naming the field", (_name, patch, field) => {
    const run = (): Trace => runSimulation({ seed: 1, nodes: ok, ...patch });
    expect(run).toThrow(SimConfigError);
    try {
      run();
    } catch (e) {
      expect((e as SimConfigError).field).toBe(field);
    }
  });

  test("a handler that throws becomes a SimHandlerError naming the node and time", () => {
    const run = (): Trace =>
      simulate({
        nodes: {
          a: {
            onStart: (ctx) => void ctx.setTimer(3),
            onTimer: () => {
              throw new Error("boom");
            },
          },
        },
      });
    expect(run).toThrow(SimHandlerError);
    expect(run).toThrow(/node a at t=3 in onTimer: boom/);
  });

  test("sending to an unknown node is a SimHandlerError", () => {
    expect(() => simulate<string>({ nodes: { a: { onStart: (ctx) => ctx.send("nobody", "hi") } } })).toThrow(
      /unknown destination node "nobody"/,
    );
  });
});

describe("demos", () => {
  test("gossip informs every node when the network is reliable", () => {
    const t = gossipDemo(1, { network: { latency: 2 }, rounds: 10 });
    expect(new Set(t.notes("informed").map((n) => n.node)).size).toBe(5);
  });
  test("slow or dead: a crash makes the client suspect the server; so can a slow link", () => {
    const dead = slowOrDeadDemo(1, { crashAt: 60 });
    expect(dead.notes("suspect").at(-1)!.value).toBe(true);
    const slowSuspicions = [1, 2, 3, 4, 5, 6].flatMap((s) =>
      slowOrDeadDemo(s, { meanLatency: 15 })
        .notes("suspect")
        .filter((n) => n.value === true),
    );
    expect(slowSuspicions.length).toBeGreaterThan(0);
  });
  test("slow or dead: the slow server's replies do reach the client, late, and this client throws them away", () => {
    const slow = slowOrDeadDemo(1, { meanLatency: 30 });
    const ignored = slow.notes("ignored reply");
    expect(ignored.length).toBeGreaterThan(3);
    // Each thrown-away reply answers a ping older than the one the client is waiting for, and
    // changes no verdict: the suspicions stay.
    const pongsDelivered = slow.events.filter((e) => e.kind === "deliver" && e.node === "client").length;
    expect(pongsDelivered).toBe(ignored.length + slow.notes("suspect").filter((n) => n.value === false).length);
    expect(slowOrDeadDemo(1, { crashAt: 60 }).notes("ignored reply")).toEqual([]);
  });
});
