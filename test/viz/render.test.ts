import { renderSvg } from "../../lib/viz/render";

test("renders a Vega-Lite bar chart to SVG with one mark per datum", async () => {
  const svg = await renderSvg({
    data: {
      values: [
        { x: "a", y: 1 },
        { x: "b", y: 3 },
        { x: "c", y: 2 },
      ],
    },
    mark: "bar",
    encoding: { x: { field: "x", type: "nominal" }, y: { field: "y", type: "quantitative" } },
  });
  expect(svg.startsWith("<svg")).toBe(true);
  expect((svg.match(/aria-roledescription="bar"/g) ?? []).length).toBe(3);
});
