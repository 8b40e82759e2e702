import { parseSource } from "../../lib/dedalus/load";
import fc from "fast-check";
import { crashReading, dedalusEngine } from "../../lib/ldfi/dedalusEngine";
import { dedalusTarget } from "../../lib/ldfi/dedalusTarget";
import { faultSet, withoutDeadOmissions, type FaultSet } from "../../lib/ldfi/faults";
import { generatedProgram, programArb } from "./randomProgramGen";

const reading = (rules: string): ReturnType<typeof crashReading> => {
  const text = [
    'node("a")@1;',
    'node("b")@1;',
    'link("a", "b")@1;',
    'link("b", "a")@1;',
    "node(N)@next :- node(N);",
    "link(N, M)@next :- link(N, M);",
    "got(M)@async :- node(N), link(N, M);",
    rules,
  ].join("\n");
  const { program, diagnostics } = parseSource(text, "crash.ded");
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return crashReading(program);
};

describe("crashReading (how a program reads the crash built-in)", () => {
  it("is blind to crash times when every crash atom leaves the time column unread", () => {
    expect(reading("pre(N) :- got(N), notin crash(N, N, _);\npost(N) :- got(N);")).toEqual({
      crashSensitive: false,
      crashTimeBlind: true,
      crashedStateUnread: false,
    });
    // a variable that occurs nowhere else in the rule reads nothing
    expect(reading("pre(N) :- got(N), notin crash(N, N, T);\npost(N) :- got(N);").crashTimeBlind).toBe(true);
  });

  it("reads crash times through a constant or a variable used elsewhere in the rule", () => {
    expect(reading("pre(N) :- got(N), notin crash(N, N, 2);\npost(N) :- got(N);").crashTimeBlind).toBe(false);
    expect(reading("late(N) :- got(N), crash(N, N, T), T > 2;\npre(N) :- got(N);\npost(N) :- got(N), notin late(N);").crashTimeBlind).toBe(
      false,
    );
  });

  it("is crash-sensitive, and so never time-blind, when post reads a positive crash", () => {
    expect(reading("pre(N) :- got(N);\npost(N) :- got(N), crash(N, N, _);")).toEqual({
      crashSensitive: true,
      crashTimeBlind: false,
      crashedStateUnread: false,
    });
  });

  it("knows pre and post never read a crashed node when every atom they read is guarded on its location", () => {
    const unread = (rules: string): boolean => reading(rules).crashedStateUnread;
    expect(unread("pre(N) :- got(N), notin crash(N, N, _);\npost(N) :- got(N), notin crash(_, N, T);")).toBe(true);
    expect(unread("pre(N) :- got(N), notin crash(N, N, _);\npost(N) :- got(N);")).toBe(false); // post reads got anywhere
    // through a deductive relation that is guarded itself (Molly's `important`), and a notin of one
    const through = "live(N) :- got(N), notin crash(N, N, _);\nboth(N) :- live(N), live(M), N != M;\npre(N) :- live(N);\n";
    expect(unread(through + "post(N) :- live(N), notin both(N);")).toBe(true);
    expect(unread(through + "post(N) :- live(N), notin other(N);\nother(N) :- got(N);")).toBe(false);
    // kept over time (@next) or received (@async) from a crashed node's state: read
    expect(unread("kept(N)@next :- got(N), notin crash(N, N, _);\npre(N) :- kept(N);\npost(N) :- kept(N);")).toBe(false);
    // a guard on another node, or on one crash time only, guards nothing
    expect(unread("pre(N) :- got(N), node(M), notin crash(M, M, _);\npost(N) :- got(N), notin crash(N, N, _);")).toBe(false);
    expect(unread("pre(N) :- got(N), notin crash(N, N, 2);\npost(N) :- got(N), notin crash(N, N, _);")).toBe(false);
    // a non-local rule (--allow-nonlocal) can carry a crashed node's state past the guard
    const guarded = "pre(N) :- copy(N, V), notin crash(N, N, _);\npost(N) :- copy(N, V), notin crash(N, N, _);\n";
    expect(unread(guarded + "copy(M, V) :- got(M), link(M, V), got(V);")).toBe(false); // reads got at V
    expect(unread(guarded + "copy(M, V) :- got(V), link(V, M);")).toBe(false); // stores copy at M
    expect(unread(guarded + "copy(N, N) :- got(N);")).toBe(true);
    // and so can a message that the receiver sends itself, which no crash of the sender loses
    const relayed = "pre(N) :- relay(N, _), notin crash(N, N, _);\npost(N) :- relay(N, _), notin crash(N, N, _);\n";
    expect(unread(relayed + "fwd(N, M) :- got(N), link(N, M);\nrelay(M, 1)@async :- fwd(_, M);")).toBe(false);
    expect(unread(relayed + "relay(M, count<N>)@async :- got(N), link(N, M);")).toBe(false);
    expect(unread(relayed + "relay(M, N)@async :- got(N), link(N, M);")).toBe(true);
    // relations with stated facts only are the same in every run
    expect(unread('flag("a")@1;\npre(N) :- got(N), notin crash(N, N, _);\npost(N) :- got(N), notin crash(N, N, _), flag(M)@1;')).toBe(true);
    expect(unread("pre(N) :- got(N), notin crash(N, N, _);\npost(N) :- got(N), notin crash(N, N, _), node(M)@1;")).toBe(false);
  });

  it("is right: where pre and post never read a crashed node, an omission to it from its crash on changes neither", () => {
    const faultsArb = fc.record({
      // mostly messages to the crashed node: those are the ones that can be dead
      omissions: fc.array(fc.record({ toCrashed: fc.oneof(fc.constant(true), fc.boolean()), time: fc.integer({ min: 1, max: 3 }) }), {
        maxLength: 4,
      }),
      crash: fc.record({ node: fc.constantFrom("a", "b"), time: fc.integer({ min: 1, max: 4 }) }),
    });
    let judged = 0;
    let differed = 0;
    fc.assert(
      fc.property(programArb, faultsArb, (c, f) => {
        const generated = generatedProgram(c);
        if (!generated || !crashReading(generated.program).crashedStateUnread) return;
        const target = dedalusTarget(dedalusEngine, generated.program, { eot: 4, nodes: ["a", "b"] });
        const faults: FaultSet = faultSet(
          f.omissions.map((o) => {
            const other = f.crash.node === "a" ? "b" : "a";
            return o.toCrashed ? { from: other, to: f.crash.node, time: o.time } : { from: f.crash.node, to: other, time: o.time };
          }),
          [f.crash],
        );
        const live = withoutDeadOmissions(faults);
        if (live === faults) return;
        judged++;
        const outcome = (x: FaultSet): string => {
          const obs = target.execute(x);
          return `pre ${[...obs.pre].sort().join(" ")} post ${[...obs.post].sort().join(" ")}`;
        };
        // not vacuous: in many cases the dead omissions do change what the crashed node holds
        const holds = (x: FaultSet): string =>
          JSON.stringify(
            dedalusEngine
              .runProgram(generated.program, {
                eot: 4,
                nodes: ["a", "b"],
                failures: { omissions: [...x.omissions], crashes: [...x.crashes] },
              })
              .facts(),
          );
        if (holds(faults) !== holds(live)) differed++;
        expect(`${outcome(faults)}\n${generated.text}`).toBe(`${outcome(live)}\n${generated.text}`);
      }),
      { numRuns: Number(process.env["LDFI_RUNS"] ?? 1000), seed: Number(process.env["LDFI_SEED"] ?? 42) },
    );
    expect(judged).toBeGreaterThan(20);
    expect(differed).toBeGreaterThan(5);
  });
});
