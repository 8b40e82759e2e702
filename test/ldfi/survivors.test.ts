import { faultKey, faultSet, type CrashFault, type FaultBounds, type FaultSet, type OmissionFault } from "../../lib/ldfi/faults";
import { Survivors, type RunEffect } from "../../lib/ldfi/survivors";

const bounds: FaultBounds = { eot: 6, eff: 3, crashes: 1, nodes: ["a", "b", "c"] };
const om = (from: string, to: string, time: number): OmissionFault => ({ from, to, time });
const cr = (node: string, time: number): CrashFault => ({ node, time });
const fs = (...faults: (OmissionFault | CrashFault)[]): FaultSet =>
  faultSet(
    faults.filter((f): f is OmissionFault => "from" in f),
    faults.filter((f): f is CrashFault => "node" in f),
  );
const effect = (e: Partial<RunEffect> = {}): RunEffect => ({
  idle: [],
  firstSend: [
    ["a", 1],
    ["b", 1],
    ["c", 1],
  ],
  crashLost: [],
  ...e,
});
const discharged = (s: Survivors, f: FaultSet): boolean => s.dischargerOf(faultKey(f), f) !== null;

describe("Survivors (subsumption by runs that were no violation)", () => {
  it("discharges a hypothesis that extends a run without any of its breakers, and joins the breakers in its place", () => {
    const s = new Survivors(bounds, false);
    const seed = fs(om("a", "b", 1));
    s.add(seed, [fs(om("a", "b", 1), om("b", "a", 1)), fs(om("a", "b", 1), cr("c", 2))], effect());
    expect(discharged(s, fs(om("a", "b", 1), om("a", "c", 2)))).toBe(true);
    expect(discharged(s, fs(om("a", "b", 1), om("b", "a", 1)))).toBe(false);
    expect(discharged(s, fs(om("a", "c", 2)))).toBe(false); // does not extend the run's faults
    const h = fs(om("a", "b", 1), om("a", "c", 2));
    expect(s.joinsThrough(h, s.dischargerOf(faultKey(h), h)!).map(faultKey)).toEqual(["omit(b,a,1)", "crash(c,2)"]);
  });

  it("needs only the omissions that lost a message in the run, and joins what a breaker adds beyond them", () => {
    // omit(c,b,2) lost nothing there (c sent nothing to b at 2): the run is the run of omit(a,b,1) alone
    const s = new Survivors(bounds, false);
    s.add(
      fs(om("a", "b", 1), om("c", "b", 2)),
      [fs(om("a", "b", 1), om("c", "b", 2), om("b", "a", 1))],
      effect({ idle: [om("c", "b", 2)] }),
    );
    const h = fs(om("a", "b", 1), om("a", "c", 2));
    expect(discharged(s, h)).toBe(true);
    expect(discharged(s, fs(om("a", "b", 1), om("b", "a", 1)))).toBe(false);
    // the join must not add the idle omission: a counterexample above h need not have it
    expect(s.joinsThrough(h, s.dischargerOf(faultKey(h), h)!).map(faultKey)).toEqual(["omit(b,a,1)"]);
  });

  it("reads a crash before a node's first send in the run as its crash at that first send", () => {
    // In the run, c first sends at 3, so its encoding's crash variables start at 3: a breaker
    // crash(c,3) also stands for crash(c,1) and crash(c,2), which lose the same messages there.
    const s = new Survivors(bounds, false);
    const seed = fs(om("a", "b", 1));
    const firstSend: RunEffect["firstSend"] = [
      ["a", 1],
      ["b", 1],
      ["c", 3],
    ];
    s.add(seed, [fs(om("a", "b", 1), cr("c", 3))], effect({ firstSend }));
    expect(discharged(s, fs(om("a", "b", 1), cr("c", 1)))).toBe(false);
    expect(discharged(s, fs(om("a", "b", 1), cr("c", 2)))).toBe(false);
    expect(discharged(s, fs(om("a", "b", 1), cr("c", 4)))).toBe(true);
    // a crash at EOT is no variable of any encoding: no breaker can judge it
    expect(discharged(s, fs(om("a", "b", 1), cr("c", 6)))).toBe(false);
  });

  it("joins a breaker's crash that a discharged hypothesis already has at an earlier time, and skips one it contradicts", () => {
    const s = new Survivors(bounds, false);
    const firstSend: RunEffect["firstSend"] = [
      ["a", 1],
      ["b", 1],
      ["c", 3],
    ];
    s.add(
      fs(om("a", "b", 1)),
      [fs(om("a", "b", 1), om("b", "a", 2), cr("c", 3)), fs(om("a", "b", 1), om("b", "c", 1), cr("c", 4))],
      effect({ firstSend }),
    );
    // crash(c,2) is crash(c,3) there: the first breaker only needs omit(b,a,2) more, the second needs crash(c,4) (no)
    const h = fs(om("a", "b", 1), om("a", "c", 1), cr("c", 2));
    const by = s.dischargerOf(faultKey(h), h);
    expect(by).not.toBeNull();
    expect(s.joinsThrough(h, by!).map(faultKey)).toEqual(["omit(b,a,2)"]);
  });

  it("reads a hypothesis's crash as losing that node's later sends, omissions the run had among them", () => {
    const s = new Survivors(bounds, false);
    s.add(fs(om("c", "a", 2)), [fs(om("c", "a", 2), om("b", "a", 1))], effect());
    expect(discharged(s, fs(cr("c", 1)))).toBe(true); // crash(c,1) loses c->a at 2, as the run did
    expect(discharged(s, fs(cr("c", 3)))).toBe(false); // later: c->a at 2 is delivered
    const t = new Survivors(bounds, false);
    t.add(fs(om("c", "a", 2)), [fs(om("c", "a", 2), om("c", "b", 2))], effect());
    expect(discharged(t, fs(cr("c", 1)))).toBe(false); // it also loses c->b at 2: a breaker
  });

  it("takes a crash of the run's crashed node up to its first loss as that crash, and an earlier one by the breakers, where crash times are not read", () => {
    // The run crashed a at 5 and its first lost send is at 6. Its lineage needs a's send at 2 (a
    // crash at 2 or 1 breaks it alone) and b->a at 1 with any crash of a (the enumeration moves a
    // seed's crash earlier, so every such minimal set is a breaker).
    const breakers = [fs(cr("a", 1)), fs(cr("a", 2)), ...[3, 4, 5].map((t) => fs(om("b", "a", 1), cr("a", t)))];
    const e = effect({ crashLost: [["a", [om("a", "b", 6)]]] });
    const blind = new Survivors(bounds, true);
    blind.add(fs(cr("a", 5)), breakers, e);
    expect(discharged(blind, fs(cr("a", 3)))).toBe(true);
    expect(discharged(blind, fs(cr("a", 4), om("c", "b", 1)))).toBe(true);
    expect(discharged(blind, fs(cr("a", 2)))).toBe(false); // a breaker: loses a's send at 2
    expect(discharged(blind, fs(cr("a", 3), om("b", "a", 1)))).toBe(false); // a breaker
    expect(discharged(blind, fs(cr("b", 3)))).toBe(false); // another node
    expect(discharged(blind, fs(cr("a", 6)))).toBe(true); // a sent nothing at 5: the same run
    expect(discharged(blind, fs(cr("a", 7)))).toBe(false); // delivers a's send at 6, which the run lost
    // joined in place of crash(a,3): what the breakers with that crash add, and none with another
    const h = fs(cr("a", 3));
    expect(blind.joinsThrough(h, blind.dischargerOf(faultKey(h), h)!).map(faultKey)).toEqual(["omit(b,a,1)"]);
    // where crash times are read, only the run's own crash time extends it
    const exact = new Survivors(bounds, false);
    exact.add(fs(cr("a", 5)), breakers, e);
    expect(discharged(exact, fs(cr("a", 3)))).toBe(false);
    expect(discharged(exact, fs(cr("a", 5), om("c", "b", 1)))).toBe(true);
  });
});

describe("Survivors: a later crash with omissions in between", () => {
  // The run crashed a at 1; its crash lost a->b at 1, a->b and a->c at 2, and a->c at 4 (EOT 6, EFF 3).
  const lost = [om("a", "b", 1), om("a", "b", 2), om("a", "c", 2), om("a", "c", 4)];
  const e = effect({ crashLost: [["a", lost]] });
  const breakers = [fs(cr("a", 1), om("b", "c", 1))];

  it("takes a later crash of the crashed node as that crash when omissions lose each send the crash lost before it", () => {
    const s = new Survivors(bounds, true);
    s.add(fs(cr("a", 1)), breakers, e);
    expect(discharged(s, fs(om("a", "b", 1), cr("a", 2)))).toBe(true); // the same run
    expect(discharged(s, fs(om("a", "b", 1), om("a", "b", 2), om("a", "c", 2), cr("a", 3)))).toBe(true);
    expect(discharged(s, fs(om("a", "b", 1), om("a", "b", 2), om("a", "c", 2), cr("a", 4)))).toBe(true); // nothing sent at 3
    expect(discharged(s, fs(om("a", "b", 1), om("a", "b", 2), cr("a", 3)))).toBe(false); // delivers a->c at 2
    expect(discharged(s, fs(om("a", "b", 1), om("a", "b", 2), om("a", "c", 2), cr("a", 5)))).toBe(false); // delivers a->c at 4
    expect(discharged(s, fs(om("a", "b", 1), cr("a", 2), om("b", "c", 1)))).toBe(false); // a breaker
  });

  it("keeps crash times exact where the program reads them", () => {
    const s = new Survivors(bounds, false);
    s.add(fs(cr("a", 1)), breakers, e);
    expect(discharged(s, fs(om("a", "b", 1), cr("a", 2)))).toBe(false);
  });
});
