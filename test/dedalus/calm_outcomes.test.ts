import * as path from "node:path";
import { loadProgram, parseSource } from "../../lib/dedalus/load";
import { analyzeCalm } from "../../lib/dedalus/calm";
import { outcomeSpread, scheduleDelay, MAX_SCHEDULES } from "../../lib/dedalus/outcomes";
import { runProgram } from "../../lib/dedalus/runtime";
import { GOLDEN_CASES } from "./goldenCases";

const DIR = path.join(__dirname, "..", "..", "protocols", "golden");
const load = (...files: string[]) => loadProgram(files.map((f) => path.join(DIR, f))).program;
const loadCase = (c: (typeof GOLDEN_CASES)[number]) =>
  loadProgram(
    c.files.map((f) => path.join(DIR, f)),
    c.locality ? { locality: c.locality } : {},
  ).program;

describe("the delay hook of the runtime", () => {
  const program = load("broadcast.ded");
  test("delay 1 for every message is exactly Molly's schedule", () => {
    expect(runProgram(program, { eot: 4, delay: () => 1 }).facts()).toEqual(runProgram(program, { eot: 4 }).facts());
  });
  test("a delay of 3 makes the message arrive at send time + 3; past EOT it is lost as after-eot", () => {
    const r = runProgram(program, { eot: 5, delay: (m) => (m.to === "b" ? 3 : 1) });
    expect(
      r
        .facts("log")
        .filter((f) => f.args[0] === "b")
        .map((f) => f.time),
    ).toEqual([4, 5]);
    expect(
      r
        .facts("log")
        .filter((f) => f.args[0] === "c")
        .map((f) => f.time),
    ).toEqual([2, 3, 4, 5]);
    const late = runProgram(program, { eot: 3, delay: (m) => (m.to === "b" ? 3 : 1) });
    expect(late.messages.filter((m) => m.to === "b").map((m) => m.lost)).toEqual(["after-eot"]);
    expect(late.facts("log").some((f) => f.args[0] === "b")).toBe(false);
  });
  test("a delay below 1 is rejected", () => {
    expect(() => runProgram(program, { eot: 3, delay: () => 0 })).toThrow(RangeError);
  });
  test("schedules are reproducible from (seed, index) and differ across indexes", () => {
    const draws = (i: number) => {
      const d = scheduleDelay(7, i, 5);
      return Array.from({ length: 20 }, () => d({ from: "a", to: "b", sendTime: 1, rel: "x" }));
    };
    expect(draws(3)).toEqual(draws(3));
    expect(draws(3)).not.toEqual(draws(4));
    expect(draws(3).every((d) => d >= 1 && d <= 5)).toBe(true);
  });
});

describe("CALM, demonstrated", () => {
  test("the monotone grow-only set has one outcome under 100 schedules: every node has everything", () => {
    const s = outcomeSpread(load("gossip_set.ded"), { schedules: 100, seed: 1, eot: 10, maxDelay: 3, relations: ["has"] });
    expect(s.distinct).toBe(1);
    expect(s.outcomes[0]!.facts).toEqual(s.synchronous);
    expect(s.synchronous.length).toBe(9);
  });

  test("the put/delete race has several: the delete overtaking the put leaves the key for ever", () => {
    const s = outcomeSpread(load("put_delete_race.ded"), { schedules: 100, seed: 1, eot: 10, maxDelay: 3, relations: ["store"] });
    expect(s.distinct).toBe(2);
    expect(s.outcomes.map((o) => o.facts).sort()).toEqual([[], ['store("s", "k")']]);
    expect(s.synchronous).toEqual([]);
    // P(del overtakes put) = P(put delay 3, del delay 1) = 1/9: about 11 of 100.
    const kept = s.outcomes.find((o) => o.facts.length === 1)!;
    expect(kept.schedules).toBeGreaterThan(3);
    expect(kept.schedules).toBeLessThan(25);
    // The first schedule that kept the key replays to the same outcome.
    const replay = runProgram(load("put_delete_race.ded"), { eot: 10, delay: scheduleDelay(1, kept.firstSchedule, 3) });
    expect(replay.facts("store", 10).length).toBe(1);
  });

  test("every golden program the analysis calls monotone has exactly one outcome; the race programs it flags have more", () => {
    const monotone: string[] = [];
    for (const c of GOLDEN_CASES) {
      const program = loadCase(c);
      if (!analyzeCalm(program).monotone) continue;
      monotone.push(c.name);
      expect([c.name, outcomeSpread(program, { schedules: 25, seed: 2, eot: 12, maxDelay: 3 }).distinct]).toEqual([c.name, 1]);
    }
    expect(monotone.sort()).toEqual(["counter", "gossip_set", "reach", "samegen", "sites"]); // broadcast is not: its invariant reads notin crash
    for (const [name, rels] of [
      ["heartbeat", ["suspect"]],
      ["put_delete_race", ["store"]],
    ] as const) {
      const c = GOLDEN_CASES.find((g) => g.name === name)!;
      const program = load(...c.files);
      expect(analyzeCalm(program).points.length).toBeGreaterThan(0);
      expect(outcomeSpread(program, { schedules: 50, seed: 3, eot: 10, maxDelay: 3, relations: rels }).distinct).toBeGreaterThan(1);
    }
  });

  test("faults apply to every schedule: with the put lost, the race has one outcome again", () => {
    const s = outcomeSpread(load("put_delete_race.ded"), {
      schedules: 40,
      seed: 1,
      eot: 10,
      relations: ["store"],
      failures: { omissions: [{ from: "c", to: "s", time: 1 }], crashes: [] },
    });
    expect(s.distinct).toBe(1);
    expect(s.synchronous).toEqual([]);
  });

  test("bad options are RangeErrors naming the bound", () => {
    const p = parseSource(`p("a")@1;`).program;
    expect(() => outcomeSpread(p, { schedules: 0, seed: 1, eot: 2 })).toThrow(/MAX_SCHEDULES/);
    expect(() => outcomeSpread(p, { schedules: MAX_SCHEDULES + 1, seed: 1, eot: 2 })).toThrow(/MAX_SCHEDULES/);
    expect(() => outcomeSpread(p, { schedules: 1, seed: 1, eot: 2, maxDelay: 0 })).toThrow(/maxDelay/);
  });
});
