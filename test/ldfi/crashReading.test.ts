import { parseSource } from "../../lib/dedalus/load";
import { crashReading } from "../../lib/ldfi/dedalusEngine";

const reading = (rules: string): ReturnType<typeof crashReading> => {
  const text = ['node("a")@1;', 'node("b")@1;', "node(N)@next :- node(N);", "got(M)@async :- node(N), node(M);", rules].join("\n");
  const { program, diagnostics } = parseSource(text, "crash.ded");
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return crashReading(program);
};

describe("crashReading (how a program reads the crash built-in)", () => {
  it("is blind to crash times when every crash atom leaves the time column unread", () => {
    expect(reading("pre(N) :- got(N), notin crash(N, N, _);\npost(N) :- got(N);")).toEqual({ crashSensitive: false, crashTimeBlind: true });
    // a variable that occurs nowhere else in the rule reads nothing
    expect(reading("pre(N) :- got(N), notin crash(N, N, T);\npost(N) :- got(N);")).toEqual({ crashSensitive: false, crashTimeBlind: true });
  });

  it("reads crash times through a constant or a variable used elsewhere in the rule", () => {
    expect(reading("pre(N) :- got(N), notin crash(N, N, 2);\npost(N) :- got(N);").crashTimeBlind).toBe(false);
    expect(reading("late(N) :- got(N), crash(N, N, T), T > 2;\npre(N) :- got(N);\npost(N) :- got(N), notin late(N);").crashTimeBlind).toBe(
      false,
    );
  });

  it("is crash-sensitive, and so never time-blind, when post reads a positive crash", () => {
    expect(reading("pre(N) :- got(N);\npost(N) :- got(N), crash(N, N, _);")).toEqual({ crashSensitive: true, crashTimeBlind: false });
  });
});
