import { renderSvg } from "../../lib/viz/render";
import { MAX_HEATMAP_ROWS, relationHeatmap, relationTable, tupleTimelines } from "../../lib/viz/relations";
import type { Fact } from "../../lib/dedalus/runtime";

const facts: Fact[] = [
  { rel: "log", time: 1, args: ["a", "m"] },
  { rel: "log", time: 2, args: ["a", "m"] },
  { rel: "log", time: 2, args: ["b", "m"] },
  { rel: "log", time: 3, args: ["a", "m"] },
  { rel: "log", time: 3, args: ["b", "m"] },
  { rel: "ack", time: 3, args: ["a", 1] },
  { rel: "ack", time: 3, args: ["a", 1] }, // duplicates are one cell
];

test("timelines group facts per tuple, sorted by relation then arguments", () => {
  expect(tupleTimelines(facts).map((t) => [t.label, t.node, t.times])).toEqual([
    ['ack("a", 1)', "a", [3]],
    ['log("a", "m")', "a", [1, 2, 3]],
    ['log("b", "m")', "b", [2, 3]],
  ]);
  expect(tupleTimelines(facts, { relations: ["log", "ack"] }).map((t) => t.label)).toEqual([
    'log("a", "m")',
    'log("b", "m")',
    'ack("a", 1)',
  ]);
  expect(tupleTimelines(facts, { eot: 1 }).map((t) => t.label)).toEqual(['log("a", "m")']);
});

test("the text table marks exactly the held cells", () => {
  expect(relationTable(facts, { eot: 4 })).toBe(
    ["time           1 2 3 4", 'ack("a", 1)    . . # .', 'log("a", "m")  # # # .', 'log("b", "m")  . # # .'].join("\n"),
  );
});

test("the heatmap renders one rect per held (tuple, time) and a column per time", async () => {
  const svg = await renderSvg(relationHeatmap(facts, { eot: 5 }));
  expect(svg.startsWith("<svg")).toBe(true);
  expect((svg.match(/aria-roledescription="rect mark"/g) ?? []).length).toBe(6);
  for (const t of ["1", "2", "3", "4", "5"]) expect(svg).toContain(`>${t}</text>`);
  expect(svg).toContain("log(&quot;b&quot;, &quot;m&quot;)");
});

test("too many tuples is a RangeError naming the limit", () => {
  const many: Fact[] = Array.from({ length: MAX_HEATMAP_ROWS + 1 }, (_, i) => ({ rel: "p", time: 1, args: ["a", i] }));
  expect(() => relationHeatmap(many)).toThrow(/MAX_HEATMAP_ROWS/);
  expect(() => relationHeatmap(many, { relations: ["q"] })).not.toThrow();
});
