/**
 * The golden corpus: programs in protocols/golden/, the runs to make of each (EOT, nodes, faults),
 * the relations to record, and — independently of the evaluator — what those relations must hold.
 *
 * The expectations are written two ways, never by recording the evaluator:
 * - graph programs (reach, unreach, paths, same-generation) are recomputed here in plain JavaScript
 *   (BFS, walk enumeration, a naive fixpoint) from the same edge lists as the .ded files;
 * - time/space programs are hand-traced: each tuple is listed with the timesteps it holds, with the
 *   reasoning in a comment (send at t arrives at t+1; `@next` carries to t+1; sends from a crashed
 *   node at or after its crash time are lost; omissions drop one (from, to, sendTime)).
 *
 * golden.test.ts checks that (1) these expectations render to exactly the golden file and (2) the
 * evaluator renders to exactly the golden file.
 */

import type { LocalityMode } from "../../lib/dedalus/ast";
import { formatTuple } from "../../lib/dedalus/factText";

/** A tuple value, as in the Dedalus runtime. */
export type GoldenValue = string | number;

/** A fact the golden files talk about: relation, arguments, time. */
export interface GoldenFact {
  rel: string;
  args: GoldenValue[];
  time: number;
}

/** The failure spec of one golden run (same shape as the runtime's FailureSpec). */
export interface GoldenFailures {
  omissions: { from: string; to: string; time: number }[];
  crashes: { node: string; time: number }[];
}

/** One run of a golden program: options, relations recorded, and the independent expectation. */
export interface GoldenRun {
  name: string;
  eot: number;
  nodes?: string[];
  failures?: GoldenFailures;
  /** Relations whose full content at every time 1..eot is recorded. */
  relations: string[];
  /** Every fact of those relations at times 1..eot, computed without the evaluator. */
  expect: () => GoldenFact[];
}

/** A golden program: its input files (in protocols/golden/) and runs. */
export interface GoldenCase {
  name: string;
  files: string[];
  /**
   * `"warn"` for programs that are not local on purpose: the graph programs are classic Datalog
   * whose first column is a vertex, not a node, and `sites` pins down where Molly runs non-local
   * rules. They are loaded as `--allow-nonlocal` would.
   */
  locality?: LocalityMode;
  runs: GoldenRun[];
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** `rel(args)` holds at every time in [from, to]. */
function during(rel: string, args: GoldenValue[], from: number, to: number): GoldenFact[] {
  return range(from, to).map((time) => ({ rel, args, time }));
}

/** `rel(args)` holds at exactly the listed times. */
function at(rel: string, args: GoldenValue[], ...times: number[]): GoldenFact[] {
  return times.map((time) => ({ rel, args, time }));
}

/** Every crash(Observer, Crashed, Time) tuple: it holds at every node at every time of a crash run. */
function crashTuples(nodes: string[], crashes: { node: string; time: number }[], eot: number): GoldenFact[] {
  return nodes.flatMap((obs) => crashes.flatMap((c) => during("crash", [obs, c.node, c.time], 1, eot)));
}

const none: GoldenFailures = { omissions: [], crashes: [] };

// ---------------------------------------------------------------------------------------------
// Independent computations for the graph programs (plain JavaScript, no Datalog).

type Edge = [string, string];

/** Everything reachable from `x` in one or more steps (BFS). */
function reachableFrom(edges: Edge[], x: string): Set<string> {
  const seen = new Set<string>();
  const queue = edges.filter(([a]) => a === x).map(([, b]) => b);
  while (queue.length > 0) {
    const y = queue.shift() as string;
    if (seen.has(y)) continue;
    seen.add(y);
    for (const [a, b] of edges) if (a === y && !seen.has(b)) queue.push(b);
  }
  return seen;
}

function closure(edges: Edge[]): Edge[] {
  const sources = [...new Set(edges.map(([a]) => a))];
  return sources.flatMap((x) => [...reachableFrom(edges, x)].map((y): Edge => [x, y]));
}

const reachEdges1: Edge[] = [
  ["a", "b"],
  ["b", "c"],
  ["c", "a"],
  ["c", "d"],
  ["e", "f"],
];
const reachEdges2: Edge[] = [["d", "g"]];

const unreachEdges: Edge[] = [
  ["a", "b"],
  ["b", "a"],
  ["b", "c"],
  ["c", "d"],
  ["d", "c"],
];

function unreachExpect(): GoldenFact[] {
  const vertices = [...new Set(unreachEdges.flat())].sort();
  const reach = closure(unreachEdges);
  const has = new Set(reach.map(([x, y]) => `${x}>${y}`));
  const unreach = vertices.flatMap((x) => vertices.filter((y) => !has.has(`${x}>${y}`)).map((y): Edge => [x, y]));
  const partial = [...new Set(unreach.map(([x]) => x))];
  const settled = vertices.filter((v) => !partial.includes(v));
  return [
    ...vertices.map((v) => ({ rel: "vertex", args: [v], time: 1 })),
    ...reach.map((e) => ({ rel: "reach", args: e, time: 1 })),
    ...unreach.map((e) => ({ rel: "unreach", args: e, time: 1 })),
    ...partial.map((v) => ({ rel: "partial", args: [v], time: 1 })),
    ...settled.map((v) => ({ rel: "settled", args: [v], time: 1 })),
  ];
}

const pathEdges: Edge[] = [
  ["a", "b"],
  ["b", "c"],
  ["c", "a"],
  ["a", "c"],
];

/** Enumerates every walk of 1..3 edges and aggregates the lengths per (from, to) and per from. */
function pathsExpect(): GoldenFact[] {
  const walks = new Set<string>();
  const extend = (from: string, at: string, len: number): void => {
    for (const [a, b] of pathEdges) {
      if (a !== at) continue;
      walks.add(JSON.stringify([from, b, len + 1]));
      if (len + 1 < 3) extend(from, b, len + 1);
    }
  };
  for (const v of new Set(pathEdges.map(([a]) => a))) extend(v, v, 0);
  const list = [...walks].map((w) => JSON.parse(w) as [string, string, number]);
  const facts: GoldenFact[] = list.map((w) => ({ rel: "walk", args: w, time: 1 }));
  const byPair = new Map<string, number[]>();
  const byFrom = new Map<string, Set<number>>();
  for (const [x, y, n] of list) {
    byPair.set(JSON.stringify([x, y]), [...(byPair.get(JSON.stringify([x, y])) ?? []), n]);
    byFrom.set(x, (byFrom.get(x) ?? new Set()).add(n));
  }
  for (const [pair, ns] of byPair) {
    const [x, y] = JSON.parse(pair) as [string, string];
    facts.push({ rel: "shortest", args: [x, y, Math.min(...ns)], time: 1 });
    facts.push({ rel: "longest", args: [x, y, Math.max(...ns)], time: 1 });
  }
  for (const [x, ns] of byFrom) facts.push({ rel: "lengths", args: [x, ns.size], time: 1 });
  return facts;
}

const parents: Edge[] = [
  ["b", "r"],
  ["c", "r"],
  ["d", "b"],
  ["e", "b"],
  ["f", "c"],
  ["g", "c"],
  ["h", "d"],
  ["i", "g"],
  ["j", "g"],
];

/** Same generation by a naive fixpoint over pairs: siblings, then children of same-generation pairs. */
function samegenExpect(): GoldenFact[] {
  const sg = new Set<string>();
  for (const [x, p] of parents) for (const [y, q] of parents) if (p === q && x !== y) sg.add(`${x} ${y}`);
  for (let changed = true; changed;) {
    changed = false;
    for (const [x, p] of parents)
      for (const [y, q] of parents)
        if (sg.has(`${p} ${q}`) && !sg.has(`${x} ${y}`)) {
          sg.add(`${x} ${y}`);
          changed = true;
        }
  }
  return [...sg].map((s) => ({ rel: "sg", args: s.split(" "), time: 1 }));
}

// ---------------------------------------------------------------------------------------------

/** The corpus. Names are unique; each case's runs are written to protocols/golden/<name>.golden.txt. */
export const GOLDEN_CASES: GoldenCase[] = [
  {
    name: "reach",
    locality: "warn",
    files: ["reach.ded"],
    runs: [
      {
        name: "failure-free",
        eot: 3,
        relations: ["reach"],
        // Time 1 and time 2 have separate graphs (nothing persists); time 3 has none.
        expect: () => [
          ...closure(reachEdges1).map((e) => ({ rel: "reach", args: e, time: 1 })),
          ...closure(reachEdges2).map((e) => ({ rel: "reach", args: e, time: 2 })),
        ],
      },
    ],
  },
  {
    name: "unreach",
    locality: "warn",
    files: ["unreach.ded"],
    runs: [{ name: "failure-free", eot: 2, relations: ["vertex", "reach", "unreach", "partial", "settled"], expect: unreachExpect }],
  },
  {
    name: "paths",
    locality: "warn",
    files: ["paths.ded"],
    runs: [{ name: "failure-free", eot: 1, relations: ["walk", "shortest", "longest", "lengths"], expect: pathsExpect }],
  },
  {
    name: "samegen",
    locality: "warn",
    files: ["samegen.ded"],
    runs: [{ name: "failure-free", eot: 2, relations: ["sg"], expect: samegenExpect }],
  },
  {
    name: "persist_delete",
    files: ["persist_delete.ded"],
    runs: [
      {
        name: "failure-free",
        eot: 5,
        relations: ["item"],
        // y deleted at 2 -> gone from 3; z deleted at 4 -> gone from 5; w added at 3, and at 4 both
        // added and deleted -> present at 4 only through the add, not carried to 5.
        expect: () => [
          ...during("item", ["s", "x"], 1, 5),
          ...during("item", ["s", "y"], 1, 2),
          ...during("item", ["s", "z"], 1, 4),
          ...during("item", ["s", "w"], 3, 4),
        ],
      },
    ],
  },
  {
    name: "aggregates",
    files: ["aggregates.ded"],
    runs: [
      {
        name: "failure-free",
        eot: 2,
        relations: ["total", "bykind", "kinds", "cheapest", "dearest", "mean", "big"],
        // s sells {apples 3, apples 5, pears 5, plums 5}: distinct quantities {3, 5}. t sells
        // {apples 2, figs 10}, plus kiwis 3 from time 2: distinct quantities {2, 10} then {2, 3, 10}.
        expect: () => [
          ...during("total", ["s", 8], 1, 2),
          ...at("total", ["t", 12], 1),
          ...at("total", ["t", 15], 2),
          ...during("bykind", ["s", "apples", 8], 1, 2),
          ...during("bykind", ["s", "pears", 5], 1, 2),
          ...during("bykind", ["s", "plums", 5], 1, 2),
          ...during("bykind", ["t", "apples", 2], 1, 2),
          ...during("bykind", ["t", "figs", 10], 1, 2),
          ...at("bykind", ["t", "kiwis", 3], 2),
          ...during("kinds", ["s", 3], 1, 2),
          ...at("kinds", ["t", 2], 1),
          ...at("kinds", ["t", 3], 2),
          ...during("cheapest", ["s", 3], 1, 2),
          ...during("cheapest", ["t", 2], 1, 2),
          ...during("dearest", ["s", 5], 1, 2),
          ...during("dearest", ["t", 10], 1, 2),
          ...during("mean", ["s", 4], 1, 2),
          ...at("mean", ["t", 6], 1),
          ...at("mean", ["t", 5], 2),
          ...during("big", ["t"], 1, 2),
        ],
      },
    ],
  },
  {
    name: "counter",
    files: ["counter.ded"],
    runs: [
      {
        name: "failure-free",
        eot: 5,
        relations: ["tick", "seen", "now", "double", "half", "back", "odd"],
        // tick counts 0..3 at times 1..4 and stops (T < 3 fails at 3); seed exists at time 1 only.
        expect: () => [
          ...[0, 1, 2, 3].flatMap((t) => at("tick", ["a", t], t + 1)),
          ...during("seen", ["a", 7], 1, 4),
          ...at("now", ["a", 7], 1),
          ...[0, 1, 2, 3].flatMap((t) => at("double", ["a", 2 * t], t + 1)),
          ...at("half", ["a", 0], 1, 2),
          ...at("half", ["a", 1], 3, 4),
          ...[0, 1, 2, 3].flatMap((t) => at("back", ["a", 10 - t], t + 1)),
          ...at("odd", ["a", 1], 2),
          ...at("odd", ["a", 3], 4),
        ],
      },
    ],
  },
  {
    name: "broadcast",
    files: ["broadcast.ded", "broadcast_assert.ded"],
    runs: [
      {
        name: "failure-free",
        eot: 4,
        relations: ["log", "pre", "post", "crash"],
        expect: () => [
          ...during("log", ["a", "hello"], 1, 4),
          ...during("log", ["b", "hello"], 2, 4),
          ...during("log", ["c", "hello"], 2, 4),
          ...during("pre", ["b", "hello"], 1, 4),
          ...during("pre", ["c", "hello"], 1, 4),
          ...during("post", ["b", "hello"], 2, 4),
          ...during("post", ["c", "hello"], 2, 4),
        ],
      },
      {
        name: "omit a->b at 1",
        eot: 4,
        failures: { omissions: [{ from: "a", to: "b", time: 1 }], crashes: [] },
        relations: ["log", "pre", "post"],
        // The only send to b is lost; nothing retries.
        expect: () => [
          ...during("log", ["a", "hello"], 1, 4),
          ...during("log", ["c", "hello"], 2, 4),
          ...during("pre", ["b", "hello"], 1, 4),
          ...during("pre", ["c", "hello"], 1, 4),
          ...during("post", ["c", "hello"], 2, 4),
        ],
      },
      {
        name: "crash a at 1",
        eot: 4,
        failures: { omissions: [], crashes: [{ node: "a", time: 1 }] },
        relations: ["log", "pre", "post", "crash"],
        // a is mute from its first send: it still logs locally; b and c are not crashed so pre holds.
        expect: () => [
          ...during("log", ["a", "hello"], 1, 4),
          ...during("pre", ["b", "hello"], 1, 4),
          ...during("pre", ["c", "hello"], 1, 4),
          ...crashTuples(["a", "b", "c"], [{ node: "a", time: 1 }], 4),
        ],
      },
    ],
  },
  {
    name: "retry_broadcast",
    files: ["retry_broadcast.ded"],
    runs: [
      {
        name: "failure-free",
        eot: 6,
        relations: ["pending", "msg", "ack", "acked", "log"],
        // msg sent at 1,2,3 (pending at 1..3) arrives 2..4; acks sent 2..4 arrive 3..5; acked from 3
        // stops pending after 3.
        expect: () =>
          ["b", "c"].flatMap((m) => [
            ...during("pending", ["a", m, "hello"], 1, 3),
            ...during("msg", [m, "a", "hello"], 2, 4),
            ...during("ack", ["a", m, "hello"], 3, 5),
            ...during("acked", ["a", m, "hello"], 3, 6),
            ...during("log", [m, "hello"], 2, 6),
          ]),
      },
      {
        name: "omit a->b at 1",
        eot: 6,
        failures: { omissions: [{ from: "a", to: "b", time: 1 }], crashes: [] },
        relations: ["pending", "msg", "ack", "acked", "log"],
        // b first hears the copy sent at 2 (arrives 3), acks it at 3 (arrives 4): pending to b
        // lasts 1..4, so copies sent 2,3,4 arrive 3..5 and their acks 4..6.
        expect: () => [
          ...during("pending", ["a", "b", "hello"], 1, 4),
          ...during("msg", ["b", "a", "hello"], 3, 5),
          ...during("ack", ["a", "b", "hello"], 4, 6),
          ...during("acked", ["a", "b", "hello"], 4, 6),
          ...during("log", ["b", "hello"], 3, 6),
          ...during("pending", ["a", "c", "hello"], 1, 3),
          ...during("msg", ["c", "a", "hello"], 2, 4),
          ...during("ack", ["a", "c", "hello"], 3, 5),
          ...during("acked", ["a", "c", "hello"], 3, 6),
          ...during("log", ["c", "hello"], 2, 6),
        ],
      },
      {
        name: "omit b->a at 2 (lost ack)",
        eot: 6,
        failures: { omissions: [{ from: "b", to: "a", time: 2 }], crashes: [] },
        relations: ["pending", "msg", "ack", "acked", "log"],
        // b's first ack (sent 2) is lost; its second (sent 3) arrives at 4: pending 1..4, copies
        // sent 1..4 arrive 2..5, acks sent 3,4,5 arrive 4..6.
        expect: () => [
          ...during("pending", ["a", "b", "hello"], 1, 4),
          ...during("msg", ["b", "a", "hello"], 2, 5),
          ...during("ack", ["a", "b", "hello"], 4, 6),
          ...during("acked", ["a", "b", "hello"], 4, 6),
          ...during("log", ["b", "hello"], 2, 6),
          ...during("pending", ["a", "c", "hello"], 1, 3),
          ...during("msg", ["c", "a", "hello"], 2, 4),
          ...during("ack", ["a", "c", "hello"], 3, 5),
          ...during("acked", ["a", "c", "hello"], 3, 6),
          ...during("log", ["c", "hello"], 2, 6),
        ],
      },
      {
        name: "omit a->b at 1, crash a at 2",
        eot: 6,
        failures: { omissions: [{ from: "a", to: "b", time: 1 }], crashes: [{ node: "a", time: 2 }] },
        relations: ["pending", "msg", "ack", "acked", "log", "crash"],
        // Only the copy to c sent at 1 gets out. c acks at 2 (c is not crashed), so a stops
        // retrying c after 3; a keeps retrying b for ever, into the void.
        expect: () => [
          ...during("pending", ["a", "b", "hello"], 1, 6),
          ...during("pending", ["a", "c", "hello"], 1, 3),
          ...at("msg", ["c", "a", "hello"], 2),
          ...at("ack", ["a", "c", "hello"], 3),
          ...during("acked", ["a", "c", "hello"], 3, 6),
          ...during("log", ["c", "hello"], 2, 6),
          ...crashTuples(["a", "b", "c"], [{ node: "a", time: 2 }], 6),
        ],
      },
    ],
  },
  {
    name: "kvstore",
    files: ["kvstore.ded"],
    runs: [
      {
        name: "failure-free",
        eot: 6,
        relations: ["put", "kv", "ack", "acked"],
        // req 1 sent at 1 -> put at 2 -> kv k=v1 from 3, ack at 3. reqs 2,3 sent at 3 -> puts at 4 ->
        // k=v2 and j=w from 5 (k=v1 not carried past 4), acks at 5.
        expect: () => [
          ...at("put", ["s", "c", 1, "k", "v1"], 2),
          ...at("put", ["s", "c", 2, "k", "v2"], 4),
          ...at("put", ["s", "c", 3, "j", "w"], 4),
          ...during("kv", ["s", "init", "0"], 1, 6),
          ...during("kv", ["s", "k", "v1"], 3, 4),
          ...during("kv", ["s", "k", "v2"], 5, 6),
          ...during("kv", ["s", "j", "w"], 5, 6),
          ...at("ack", ["c", 1], 3),
          ...at("ack", ["c", 2], 5),
          ...at("ack", ["c", 3], 5),
          ...during("acked", ["c", 1], 3, 6),
          ...during("acked", ["c", 2], 5, 6),
          ...during("acked", ["c", 3], 5, 6),
        ],
      },
      {
        name: "omit c->s at 1",
        eot: 6,
        failures: { omissions: [{ from: "c", to: "s", time: 1 }], crashes: [] },
        relations: ["put", "kv", "acked"],
        // The first put is lost and never retried: k=v1 never exists, request 1 is never acked.
        expect: () => [
          ...at("put", ["s", "c", 2, "k", "v2"], 4),
          ...at("put", ["s", "c", 3, "j", "w"], 4),
          ...during("kv", ["s", "init", "0"], 1, 6),
          ...during("kv", ["s", "k", "v2"], 5, 6),
          ...during("kv", ["s", "j", "w"], 5, 6),
          ...during("acked", ["c", 2], 5, 6),
          ...during("acked", ["c", 3], 5, 6),
        ],
      },
      {
        name: "crash s at 2",
        eot: 6,
        failures: { omissions: [], crashes: [{ node: "s", time: 2 }] },
        relations: ["kv", "acked", "crash"],
        // s keeps receiving and computing (kv as failure-free) but every ack it sends is lost.
        expect: () => [
          ...during("kv", ["s", "init", "0"], 1, 6),
          ...during("kv", ["s", "k", "v1"], 3, 4),
          ...during("kv", ["s", "k", "v2"], 5, 6),
          ...during("kv", ["s", "j", "w"], 5, 6),
          ...crashTuples(["c", "s"], [{ node: "s", time: 2 }], 6),
        ],
      },
    ],
  },
  {
    name: "twopc",
    files: ["twopc.ded"],
    runs: [
      {
        name: "failure-free",
        eot: 7,
        relations: ["prepare", "vote", "missing", "decide", "outcome"],
        // prepare sent at 1 (begin holds at 1 only) arrives 2; votes sent 2 arrive 3 and persist;
        // no vote missing from 3 -> commit at 3, re-sent every step -> outcome from 4.
        expect: () => [
          ...["a", "b", "d"].flatMap((a) => [
            ...at("prepare", [a, "k", "t1"], 2),
            ...during("vote", ["k", a, "t1", "Y"], 3, 7),
            ...during("outcome", [a, "t1", "commit"], 4, 7),
          ]),
          ...during("missing", ["k", "t1"], 1, 2),
          ...during("decide", ["k", "t1", "commit"], 3, 7),
        ],
      },
      {
        name: "omit a->k at 2 (lost vote)",
        eot: 7,
        failures: { omissions: [{ from: "a", to: "k", time: 2 }], crashes: [] },
        relations: ["prepare", "vote", "missing", "decide", "outcome"],
        // a votes once (prepare arrives once); that vote is lost, so the coordinator blocks.
        expect: () => [
          ...["a", "b", "d"].flatMap((a) => at("prepare", [a, "k", "t1"], 2)),
          ...["b", "d"].flatMap((a) => during("vote", ["k", a, "t1", "Y"], 3, 7)),
          ...during("missing", ["k", "t1"], 1, 7),
        ],
      },
      {
        name: "crash k at 3",
        eot: 7,
        failures: { omissions: [], crashes: [{ node: "k", time: 3 }] },
        relations: ["vote", "decide", "outcome", "crash"],
        // k decides at 3 but every outcome message is sent at 3 or later: the agents never learn it.
        expect: () => [
          ...["a", "b", "d"].flatMap((a) => during("vote", ["k", a, "t1", "Y"], 3, 7)),
          ...during("decide", ["k", "t1", "commit"], 3, 7),
          ...crashTuples(["a", "b", "d", "k"], [{ node: "k", time: 3 }], 7),
        ],
      },
    ],
  },
  {
    name: "twopc_abort",
    files: ["twopc_abort.ded"],
    runs: [
      {
        name: "failure-free",
        eot: 7,
        relations: ["vote", "missing", "decide", "outcome"],
        // d has no `can`, votes "N" (arrives 3): abort at 3; d's "Y" is missing for ever.
        expect: () => [
          ...during("vote", ["k", "a", "t1", "Y"], 3, 7),
          ...during("vote", ["k", "b", "t1", "Y"], 3, 7),
          ...during("vote", ["k", "d", "t1", "N"], 3, 7),
          ...during("missing", ["k", "t1"], 1, 7),
          ...during("decide", ["k", "t1", "abort"], 3, 7),
          ...["a", "b", "d"].flatMap((a) => during("outcome", [a, "t1", "abort"], 4, 7)),
        ],
      },
    ],
  },
  {
    name: "heartbeat",
    files: ["heartbeat.ded"],
    runs: [
      {
        name: "failure-free",
        eot: 5,
        relations: ["hb", "started", "suspect"],
        expect: () => [
          ...during("hb", ["a", "b"], 2, 5),
          ...during("hb", ["b", "a"], 2, 5),
          ...during("started", ["a"], 2, 5),
          ...during("started", ["b"], 2, 5),
        ],
      },
      {
        name: "crash b at 3",
        eot: 5,
        failures: { omissions: [], crashes: [{ node: "b", time: 3 }] },
        relations: ["hb", "suspect"],
        // b's heartbeats sent at 1 and 2 arrive at 2 and 3; none after: a suspects b from 4.
        expect: () => [...during("hb", ["a", "b"], 2, 3), ...during("hb", ["b", "a"], 2, 5), ...during("suspect", ["a", "b"], 4, 5)],
      },
      {
        name: "omit a->b at 2 (false suspicion)",
        eot: 5,
        failures: { omissions: [{ from: "a", to: "b", time: 2 }], crashes: [] },
        relations: ["hb", "suspect"],
        expect: () => [...during("hb", ["a", "b"], 2, 5), ...at("hb", ["b", "a"], 2, 4, 5), ...at("suspect", ["b", "a"], 3)],
      },
    ],
  },
  {
    name: "sites",
    locality: "warn",
    files: ["sites.ded"],
    runs: [
      {
        name: "default nodes (a, b)",
        eot: 3,
        relations: ["hello", "mark", "echo", "target"],
        // hello to "z" is never delivered; echo(z, a) would run at site z, not a node.
        expect: () => [
          ...at("hello", ["b", "a"], 2),
          ...at("hello", ["a", "b"], 3),
          ...at("mark", ["b", "a"], 1),
          ...at("mark", ["z", "a"], 1),
          ...at("mark", ["a", "b"], 2),
          ...at("echo", ["b", "a"], 1),
          ...at("echo", ["a", "b"], 2),
          ...at("target", ["b"], 1),
          ...at("target", ["z"], 1),
          ...at("target", ["a"], 2),
        ],
      },
      {
        name: "nodes a only",
        eot: 3,
        nodes: ["a"],
        relations: ["hello", "mark", "echo", "target"],
        // b is no longer a node: nothing is delivered to it, and rules sited at b do not fire.
        // target's site is `_`, which fires at every node whatever the first column holds.
        expect: () => [
          ...at("mark", ["b", "a"], 1),
          ...at("mark", ["z", "a"], 1),
          ...at("target", ["b"], 1),
          ...at("target", ["z"], 1),
          ...at("target", ["a"], 2),
        ],
      },
      {
        name: "nodes a, b, z",
        eot: 3,
        nodes: ["a", "b", "z"],
        relations: ["hello", "echo"],
        expect: () => [
          ...at("hello", ["b", "a"], 2),
          ...at("hello", ["z", "a"], 2),
          ...at("hello", ["a", "b"], 3),
          ...at("echo", ["b", "a"], 1),
          ...at("echo", ["z", "a"], 1),
          ...at("echo", ["a", "b"], 2),
        ],
      },
    ],
  },
  {
    name: "crash",
    files: ["crash.ded"],
    runs: [
      {
        name: "failure-free",
        eot: 4,
        relations: ["pong", "heard", "alive", "knows", "crash"],
        expect: () => [
          ...during("pong", ["a", "b"], 2, 4),
          ...during("pong", ["b", "a"], 2, 4),
          ...during("heard", ["a", "b"], 2, 4),
          ...during("heard", ["b", "a"], 2, 4),
          ...during("alive", ["a"], 1, 4),
          ...during("alive", ["b"], 1, 4),
        ],
      },
      {
        name: "crash b at 2",
        eot: 4,
        failures: { omissions: [], crashes: [{ node: "b", time: 2 }] },
        relations: ["pong", "heard", "alive", "knows", "crash"],
        // crash() is prophetic: b is not alive even at time 1; b still hears a's pongs.
        expect: () => [
          ...at("pong", ["a", "b"], 2),
          ...during("pong", ["b", "a"], 2, 4),
          ...during("heard", ["a", "b"], 2, 4),
          ...during("heard", ["b", "a"], 2, 4),
          ...during("alive", ["a"], 1, 4),
          ...during("knows", ["a", "b", 2], 1, 4),
          ...during("knows", ["b", "b", 2], 1, 4),
          ...crashTuples(["a", "b"], [{ node: "b", time: 2 }], 4),
        ],
      },
    ],
  },
  {
    name: "gossip_set",
    files: ["gossip_set.ded"],
    runs: [
      {
        name: "failure-free",
        eot: 3,
        relations: ["has"],
        expect: () =>
          (["a", "b", "c"] as const).flatMap((n) =>
            (["x", "y", "z"] as const).flatMap((v) => during("has", [n, v], { a: "x", b: "y", c: "z" }[n] === v ? 1 : 2, 3)),
          ),
      },
      {
        name: "omit a->b and a->c at 1",
        eot: 3,
        failures: {
          omissions: [
            { from: "a", to: "b", time: 1 },
            { from: "a", to: "c", time: 1 },
          ],
          crashes: [],
        },
        relations: ["has"],
        // x leaves a only at 2 (gossip repeats), arriving at 3; y and z travel as usual.
        expect: () => [
          ...during("has", ["a", "x"], 1, 3),
          ...during("has", ["a", "y"], 2, 3),
          ...during("has", ["a", "z"], 2, 3),
          ...at("has", ["b", "x"], 3),
          ...during("has", ["b", "y"], 1, 3),
          ...during("has", ["b", "z"], 2, 3),
          ...at("has", ["c", "x"], 3),
          ...during("has", ["c", "y"], 2, 3),
          ...during("has", ["c", "z"], 1, 3),
        ],
      },
    ],
  },
  {
    name: "put_delete_race",
    files: ["put_delete_race.ded"],
    runs: [
      {
        name: "failure-free",
        eot: 5,
        relations: ["put", "del", "store"],
        // put arrives at 2, del at 3: the key is stored at 2 and 3 and not carried past 3.
        expect: () => [...at("put", ["s", "k"], 2), ...at("del", ["s", "k"], 3), ...during("store", ["s", "k"], 2, 3)],
      },
      {
        name: "omit c->s at 1",
        eot: 5,
        failures: { omissions: [{ from: "c", to: "s", time: 1 }], crashes: [] },
        relations: ["put", "del", "store"],
        expect: () => [...at("del", ["s", "k"], 3)],
      },
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// The golden text format: one section per run, one line per tuple with the times it holds.

function compareValues(a: GoldenValue[], b: GoldenValue[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as GoldenValue,
      y = b[i] as GoldenValue;
    if (x === y) continue;
    if (typeof x !== typeof y) return typeof x === "number" ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** `1..3, 5` for the times `{1, 2, 3, 5}`. */
export function formatTimes(times: number[]): string {
  const sorted = [...new Set(times)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}..${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(", ");
}

/** The header line of a run section: its name and options, so a golden file documents itself. */
export function runHeader(run: GoldenRun): string {
  const f = run.failures ?? none;
  const faults = [...f.omissions.map((o) => `omit(${o.from}, ${o.to}, ${o.time})`), ...f.crashes.map((c) => `crash(${c.node}, ${c.time})`)];
  return `== ${run.name} | eot ${run.eot} | nodes ${run.nodes ? run.nodes.join(",") : "default"} | ${faults.length > 0 ? faults.join(" ") : "no faults"}`;
}

/** Renders the recorded relations of one run: every tuple with the times (1..eot) it holds. */
export function renderRun(run: GoldenRun, facts: GoldenFact[]): string {
  const lines = [runHeader(run)];
  for (const rel of [...run.relations].sort()) {
    const byTuple = new Map<string, { args: GoldenValue[]; times: number[] }>();
    for (const f of facts) {
      if (f.rel !== rel || f.time < 1 || f.time > run.eot) continue;
      const k = JSON.stringify(f.args);
      const entry = byTuple.get(k) ?? { args: f.args, times: [] };
      entry.times.push(f.time);
      byTuple.set(k, entry);
    }
    const tuples = [...byTuple.values()].sort((a, b) => compareValues(a.args, b.args));
    if (tuples.length === 0) lines.push(`${rel}: (never)`);
    for (const t of tuples) lines.push(`${formatTuple(rel, t.args)} @ ${formatTimes(t.times)}`);
  }
  return lines.join("\n");
}

/** Renders a whole golden file from per-run facts. */
export function renderCase(c: GoldenCase, factsPerRun: GoldenFact[][]): string {
  const head = `# golden: ${c.files.join(" + ")} (expected values computed independently in test/dedalus/goldenCases.ts)`;
  return [head, ...c.runs.map((r, i) => renderRun(r, factsPerRun[i] ?? []))].join("\n\n") + "\n";
}
