import { loadProgram } from "../../lib/dedalus/load";
import { runProgram } from "../../lib/dedalus/runtime";
import { renderSvg } from "../../lib/viz/render";
import { layoutLineage, lineageChart, lineageOf, type LineageGraph } from "../../lib/viz/lineage";

/** `log("b","m")@2` derived by a message from a, whose premises were bcast and member at `a@1`, plus a notin. */
const graph: LineageGraph = {
  root: "log_b_2",
  truncated: false,
  nodes: [
    { id: "log_b_2", kind: "fact", label: 'log("b", "m")@2', node: "b", time: 2 },
    { id: "d1", kind: "derivation", label: "log", detail: "log(M, P)@async :- bcast(N, P), member(N, M);" },
    { id: "bcast", kind: "fact", label: 'bcast("a", "m")@1', node: "a", time: 1 },
    { id: "member", kind: "fact", label: 'member("a", "b")@1', node: "a", time: 1 },
    { id: "neg", kind: "negated", label: 'notin muted("a")@1', node: "a", time: 1 },
  ],
  edges: [
    { from: "bcast", to: "d1", kind: "premise" },
    { from: "member", to: "d1", kind: "premise" },
    { from: "neg", to: "d1", kind: "negated" },
    { from: "d1", to: "log_b_2", kind: "message", label: "a -> b @1" },
  ],
};

test("layout: inputs at the bottom, root on top, each node in its own slot", () => {
  const placed = layoutLineage(graph);
  const y = new Map(placed.map((p) => [p.id, p.y]));
  expect([y.get("log_b_2"), y.get("d1"), y.get("bcast"), y.get("member"), y.get("neg")]).toEqual([0, 1, 2, 2, 2]);
  const slots = new Set(placed.map((p) => `${p.x},${p.y}`));
  expect(slots.size).toBe(placed.length);
});

test("layout: barycenter ordering uncrosses two independent derivations", () => {
  // Two chains whose inputs are listed in the opposite order to their conclusions.
  const g: LineageGraph = {
    root: "r",
    truncated: false,
    nodes: ["r", "d", "p", "q", "dp", "dq", "q0", "p0"].map((id) => ({
      id,
      kind: id.startsWith("d") ? ("derivation" as const) : ("fact" as const),
      label: id,
    })),
    edges: [
      { from: "p", to: "d", kind: "premise" },
      { from: "q", to: "d", kind: "premise" },
      { from: "d", to: "r", kind: "derives" },
      { from: "dp", to: "p", kind: "derives" },
      { from: "dq", to: "q", kind: "derives" },
      { from: "p0", to: "dp", kind: "premise" },
      { from: "q0", to: "dq", kind: "premise" },
    ],
  };
  const x = new Map(layoutLineage(g).map((p) => [p.id, p.x]));
  // p left of q implies p0 left of q0 (no crossing between the two chains).
  expect(Math.sign((x.get("p") as number) - (x.get("q") as number))).toBe(Math.sign((x.get("p0") as number) - (x.get("q0") as number)));
});

test("layout rejects unknown nodes and cycles", () => {
  expect(() => layoutLineage({ ...graph, edges: [{ from: "x", to: "d1", kind: "premise" }] })).toThrow(/unknown node/);
  expect(() => layoutLineage({ ...graph, edges: [...graph.edges, { from: "log_b_2", to: "bcast", kind: "premise" }] })).toThrow(/cycle/);
});

test("the chart renders: one rule per edge, one symbol per node, labels and the message label", async () => {
  const svg = await renderSvg(lineageChart(graph));
  expect(svg.startsWith("<svg")).toBe(true);
  expect((svg.match(/aria-roledescription="rule mark"/g) ?? []).length).toBe(4);
  expect((svg.match(/aria-roledescription="point"/g) ?? []).length).toBe(5);
  expect(svg).toContain("a -&gt; b @1");
  expect(svg).toContain("log(&quot;b&quot;, &quot;m&quot;)@2");
});

describe("lineageOf a real run", () => {
  const GOLDEN = `${__dirname}/../../protocols/golden`;
  // reach.ded is classic Datalog (its first column is a vertex), loaded as --allow-nonlocal
  const run = (file: string, eot: number) =>
    runProgram(loadProgram([`${GOLDEN}/${file}`], file === "reach.ded" ? { locality: "warn" } : {}).program, { eot, provenance: true });

  test("a broadcast message: the receiver's log at 3 comes from its log at 2, which crossed the network from a", () => {
    const g = lineageOf(run("broadcast.ded", 4), { rel: "log", args: ["b", "hello"], time: 3 });
    expect(g.root).toBe('log("b", "hello")@3');
    expect(
      g.nodes
        .filter((n) => n.kind === "fact")
        .map((n) => n.id)
        .sort(),
    ).toEqual(['bcast("a", "hello")@1', 'log("b", "hello")@2', 'log("b", "hello")@3', 'member("a", "b")@1']);
    expect(g.edges.filter((e) => e.kind === "message").map((e) => e.label)).toEqual(["a -> b @1"]);
    expect(g.truncated).toBe(false);
  });

  test("recursive reachability stays acyclic (all derivations) and 'first' keeps one derivation per tuple", () => {
    const r = run("reach.ded", 1);
    const all = lineageOf(r, { rel: "reach", args: ["a", "a"], time: 1 });
    expect(() => layoutLineage(all)).not.toThrow();
    const first = lineageOf(r, { rel: "reach", args: ["a", "a"], time: 1 }, { derivations: "first" });
    for (const n of first.nodes.filter((x) => x.kind === "fact"))
      expect(first.edges.filter((e) => e.to === n.id).length).toBeLessThanOrEqual(1);
    // a reaches itself round the cycle a -> b -> c -> a: every edge of it is in the lineage.
    for (const e of ['edge("a", "b")@1', 'edge("b", "c")@1', 'edge("c", "a")@1']) expect(first.nodes.map((n) => n.id)).toContain(e);
  });

  test("2PC's commit shows its notin premise, and the node cap truncates", async () => {
    const r = runProgram(loadProgram([`${GOLDEN}/twopc.ded`]).program, { eot: 5, provenance: true });
    const g = lineageOf(r, { rel: "outcome", args: ["a", "t1", "commit"], time: 4 });
    expect(g.nodes.some((n) => n.kind === "negated" && n.label.startsWith('notin missing("k", "t1")@3'))).toBe(true);
    const svg = await renderSvg(lineageChart(g));
    expect((svg.match(/aria-roledescription="point"/g) ?? []).length).toBe(g.nodes.length);
    const small = lineageOf(r, { rel: "outcome", args: ["a", "t1", "commit"], time: 4 }, { maxNodes: 5 });
    expect(small.truncated).toBe(true);
    expect(small.nodes.length).toBeLessThanOrEqual(5);
  });

  test("asking for a tuple that does not hold is a RangeError", () => {
    expect(() => lineageOf(run("broadcast.ded", 4), { rel: "log", args: ["b", "hello"], time: 1 })).toThrow(RangeError);
  });
});
