import { convergenceChart, pnCounter } from "../../lib/index";
import { runReplicas } from "../../lib/internals";

type Point = { t: number; replica: string; value: number };

function points(spec: ReturnType<typeof convergenceChart>): Point[] {
  const json = JSON.stringify(spec);
  const m = /"values":(\[\{"t":[^\]]*\])/.exec(json);
  return JSON.parse(m?.[1] ?? "[]") as Point[];
}

test("a replica whose first value is recorded at time 0 gets no synthetic bottom point", () => {
  const run = runReplicas({
    crdt: pnCounter,
    replicas: ["a", "b"],
    ops: [{ at: 0, replica: "a", op: { op: "inc", by: 10 } }],
    until: 50,
  });
  const atZero = points(convergenceChart(run.trace)).filter((p) => p.t === 0 && p.replica === "a");
  expect(atZero.map((p) => p.value)).toEqual([10]);
});

test("the value axis can be titled for what is measured", () => {
  const run = runReplicas({ crdt: pnCounter, replicas: 2, ops: [{ at: 1, replica: "a", op: { op: "inc" } }], until: 30 });
  expect(JSON.stringify(convergenceChart(run.trace, { valueTitle: "text length" }))).toContain('"title":"text length"');
});
