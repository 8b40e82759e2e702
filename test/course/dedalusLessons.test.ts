import { DedalusError } from "../../lib/dedalus/diagnostics";
import { outcomeSpread } from "../../lib/dedalus/outcomes";
import { runProgram } from "../../lib/dedalus/runtime";
import { dedalusProgram } from "../../lib/dedalus/inlineProgram";
import { distinctOutcomesByEot, distinctOutcomesByEotSpec, outcomeCountRows, outcomeCountsSpec } from "../../course/outcomeCounts";
import { renderSvg } from "../../lib/viz/render";

const GROW = `
peer("a", "b")@1;
peer("b", "a")@1;
has("a", "x")@1;
has("b", "y")@1;
peer(N, M)@next :- peer(N, M);
has(N, V)@next :- has(N, V);
has(M, V)@async :- has(N, V), peer(N, M);
`;
const RACE = `
srv("c", "s")@1;
wput("c", "k")@1;
wdel("c", "k")@2;
srv(C, S)@next :- srv(C, S);
put(S, K)@async :- wput(C, K), srv(C, S);
del(S, K)@async :- wdel(C, K), srv(C, S);
store(S, K) :- put(S, K);
store(S, K)@next :- store(S, K), notin del(S, K);
`;

describe("dedalusProgram: inline lesson programs, checked up front", () => {
  test("a valid program parses, checks and runs", () => {
    const r = runProgram(dedalusProgram(GROW, "grow.ded"), { eot: 4 });
    expect(r.has("has", ["a", "y"], 4)).toBe(true);
  });

  test("a syntax error throws a DedalusError located at file:line:col with a caret", () => {
    expect(() => dedalusProgram(`p("a")@1;\nq(X) :- p(X)\n`, "bad.ded")).toThrow(DedalusError);
    expect(() => dedalusProgram(`p("a")@1;\nq(X) :- p(X)\n`, "bad.ded")).toThrow(/^bad\.ded:\d+:\d+: error: .*\n.*\n.*\^/);
  });

  test("a check error (an unsafe variable) is thrown too, not left for the run", () => {
    expect(() => dedalusProgram(`p("a")@1;\nq(X, Y) :- p(X);\n`, "unsafe.ded")).toThrow(/^unsafe\.ded:2:\d+: error: .*Y/);
  });
});

describe("outcome counts chart", () => {
  const grow = outcomeSpread(dedalusProgram(GROW), { schedules: 40, seed: 1, eot: 8, relations: ["has"] });
  const race = outcomeSpread(dedalusProgram(RACE), { schedules: 40, seed: 1, eot: 8, relations: ["store"], nodes: ["c", "s"] });
  const entries = [
    { program: "grow-only set", spread: grow },
    { program: "put/delete race", spread: race },
  ];

  test("one row per distinct outcome, counts adding up to the schedules, the synchronous outcome marked", () => {
    const rows = outcomeCountRows(entries);
    expect(rows.filter((r) => r.program === "grow-only set")).toHaveLength(1);
    expect(rows.filter((r) => r.program === "put/delete race")).toHaveLength(race.distinct);
    expect(race.distinct).toBeGreaterThan(1);
    for (const e of entries) expect(rows.filter((r) => r.program === e.program).reduce((n, r) => n + r.schedules, 0)).toBe(40);
    expect(rows.find((r) => r.program === "put/delete race" && r.facts === "(nothing)")?.synchronous).toBe(true);
    expect(rows.find((r) => r.program === "put/delete race" && r.facts !== "(nothing)")?.synchronous).toBe(false);
  });

  test("the chart is titled, has labelled axes, says how many outcomes each program had, and renders", async () => {
    const spec = outcomeCountsSpec(entries);
    const text = JSON.stringify(spec);
    expect(spec.title).toMatch(/40 random delivery schedules/);
    expect(text).toContain('"title":"program"');
    expect(text).toContain("schedules ending in this outcome");
    expect(text).toContain('"label":"1 outcome"');
    expect(text).toContain(`"label":"${race.distinct} outcomes"`);
    const svg = await renderSvg(spec);
    expect(svg).toContain("put/delete race");
    expect(svg).toContain("1 outcome");
  });
});

/** Vega cuts a label or title that exceeds its limit with an ellipsis; the SVG then shows "…". */
const cutTexts = (svg: string): string[] =>
  [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!).filter((t) => t.includes("…"));

describe("outcome counts chart: long names", () => {
  test("program names and the legend title are drawn whole, not cut with an ellipsis", async () => {
    const race = outcomeSpread(dedalusProgram(RACE), { schedules: 20, seed: 1, eot: 8, relations: ["store"], nodes: ["c", "s"] });
    const svg = await renderSvg(
      outcomeCountsSpec([
        { program: "put/delete race (deletion)", spread: race },
        { program: "count read when sealed by everyone", spread: race },
      ]),
    );
    expect(cutTexts(svg)).toEqual([]);
    expect(svg).toContain("outcome (1 = most frequent)");
  });
});

describe("distinct outcomes by EOT (confluence is about the end)", () => {
  const cases = [
    { name: "grow", program: dedalusProgram(GROW), relations: ["has"] },
    { name: "race", program: dedalusProgram(RACE), relations: ["store"], nodes: ["c", "s"] },
  ];
  const rows = distinctOutcomesByEot(cases, [1, 2, 4, 8], { schedules: 30, seed: 1, maxDelay: 3 });
  const at = (name: string, eot: number) => rows.find((r) => r.program === name && r.eot === eot)!;

  test("the monotone gossip has several outcomes while messages are in flight and one after", () => {
    expect(at("grow", 2).distinct).toBeGreaterThan(1);
    // every message is at most 3 steps late, and the sends that matter happen at 1
    expect(at("grow", 4).distinct).toBe(1);
    expect(at("grow", 8)).toMatchObject({ distinct: 1, commonest: 30, schedules: 30 });
  });

  test("the racing delete keeps two outcomes however late the runs stop", () => {
    expect(at("race", 4).distinct).toBe(2);
    expect(at("race", 8).distinct).toBe(2);
  });

  test("each point re-runs the same schedules: it equals a spread run to that EOT", () => {
    const direct = outcomeSpread(cases[0]!.program, { schedules: 30, seed: 1, eot: 2, maxDelay: 3, relations: ["has"] });
    expect(at("grow", 2).distinct).toBe(direct.distinct);
    expect(at("grow", 2).commonest).toBe(direct.outcomes[0]!.schedules);
  });

  test("the chart has one line per program, a log axis, and renders with nothing cut", async () => {
    const spec = distinctOutcomesByEotSpec(rows, "by EOT");
    expect(JSON.stringify(spec)).toContain('"type":"log"');
    const svg = await renderSvg(spec);
    expect(svg).toContain("grow");
    expect(cutTexts(svg)).toEqual([]);
  });
});
