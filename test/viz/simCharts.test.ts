import { gossipDemo, orSet, gCounter, spacetimeDiagram, latencyHistogram, convergenceChart } from "../../lib/index";
import { runSimulation, runReplicas } from "../../lib/internals";
import { renderSvg, type VegaLiteSpec } from "../../lib/viz/render";
import * as fs from "node:fs";

const count = (svg: string, role: string): number => (svg.match(new RegExp(`aria-roledescription="${role}"`, "g")) ?? []).length;

function hasTitleAndAxisTitles(spec: VegaLiteSpec, svg: string, axisTitles: string[]): void {
  expect(spec.title).toBeDefined();
  for (const t of axisTitles) expect(svg).toContain(t);
}

describe("spacetime diagram", () => {
  const trace = runSimulation<string>({
    seed: 4,
    nodes: {
      a: {
        onStart: (ctx) => {
          ctx.send("b", "m1");
          ctx.send("c", "m2");
          ctx.setTimer(30, "again");
        },
        onTimer: (ctx) => ctx.broadcast("m3"),
      },
      b: { onMessage: (ctx, m, from) => ctx.send(from, `ack ${m}`) },
      c: {},
    },
    network: { latency: 5 },
    links: [{ from: "a", to: "c", loss: 1 }],
    partitions: [{ at: 25, heal: 45, groups: [["a"], ["b", "c"]] }],
    crashes: [{ node: "c", at: 10, recover: 20 }],
  });

  test("draws a lane per node, an arrow per delivery, a dashed line per lost message, crashes and partitions", async () => {
    const spec = spacetimeDiagram(trace);
    const svg = await renderSvg(spec);
    const s = trace.summary();
    const lost = s.dropped.loss + s.dropped.partition + s.dropped.crashed;
    expect(s.delivered).toBe(2); // m1 and its ack; m2 lost, m3 copies cut by the partition
    expect(lost).toBeGreaterThanOrEqual(3);
    // rules: 3 lanes + one per message copy (delivered or lost)
    expect(count(svg, "rule mark")).toBe(3 + s.delivered + lost);
    expect(svg).toContain('stroke-dasharray="5,4"');
    // arrowheads + lost crosses + event dots + crash/recover symbols are all "point" marks
    const events = trace.events.filter((e) => ["send", "deliver", "timer", "start"].includes(e.kind)).length;
    expect(count(svg, "point")).toBe(s.delivered + lost + events + 2);
    expect(count(svg, "rect mark")).toBe(1);
    hasTitleAndAxisTitles(spec, svg, ["Spacetime diagram (seed 4)", "node", "simulated time (ms)"]);
  });

  test("can use Lamport clocks as the vertical axis", async () => {
    const svg = await renderSvg(spacetimeDiagram(trace, { time: "lamport" }));
    expect(svg).toContain("Lamport clock");
    expect(count(svg, "rect mark")).toBe(0);
  });

  test("arrowheads point from sender to receiver", () => {
    const spec = spacetimeDiagram(gossipDemo(2, { network: { latency: 5 } }), { width: 400, height: 400 });
    const heads = (spec["layer"] as { data: { values: { x1: number; x2: number; angle: number }[] } }[])[2]!.data.values;
    expect(heads.length).toBeGreaterThan(0);
    for (const h of heads) expect(Math.sign(h.angle)).toBe(Math.sign(h.x2 - h.x1)); // rightward arrows turn clockwise
  });
});

test("latency histogram bins every delivery and labels its axes", async () => {
  const trace = gossipDemo(1, { nodes: 6, rounds: 8, network: { latency: { kind: "exponential", mean: 6, min: 1 } } });
  const spec = latencyHistogram(trace);
  const svg = await renderSvg(spec);
  expect(count(svg, "bar")).toBeGreaterThan(2);
  hasTitleAndAxisTitles(spec, svg, ["Message latency", "latency (ms)", "messages"]);
  expect(JSON.stringify(spec)).toContain(`${trace.latencies().length} deliveries`);
});

test("convergence chart: one line per replica, divergence during the partition, back to one state", async () => {
  const run = runReplicas({
    crdt: gCounter,
    replicas: 3,
    seed: 2,
    ops: [
      { at: 5, replica: "a", op: { op: "inc" } },
      { at: 30, replica: "b", op: { op: "inc", by: 2 } },
      { at: 40, replica: "a", op: { op: "inc" } },
    ],
    partitions: [{ at: 20, heal: 80, groups: [["a"]] }],
  });
  const spec = convergenceChart(run.trace);
  const svg = await renderSvg(spec);
  expect(count(svg, "line mark")).toBe(4); // 3 replicas + the distinct-states line
  expect(count(svg, "rect mark")).toBe(2); // the partition, shaded in both panels
  hasTitleAndAxisTitles(spec, svg, ["Replica state and divergence over time", "replica value", "distinct states", "simulated time (ms)"]);
  expect(JSON.stringify(spec)).toContain("replicas converged");
  if (process.env["MAZE_WRITE_CHARTS"]) {
    fs.writeFileSync("/tmp/convergence.svg", svg);
    fs.writeFileSync(
      "/tmp/spacetime.svg",
      await renderSvg(
        spacetimeDiagram(
          runReplicas({
            crdt: orSet,
            replicas: 3,
            ops: [{ at: 1, replica: "a", op: { op: "add", element: "x" } }],
            partitions: [{ at: 0, heal: 30, groups: [["a"]] }],
            network: { loss: 0.2 },
            until: 60,
          }).trace,
        ),
      ),
    );
  }
});
