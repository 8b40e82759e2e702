import { edgeLabel, minimalCuts, singleLossImpact, singleLossSpec, supportEdges } from "../../course/lineageSupport";
import { executionsToFirstBug, raceSummary, executionsToFirstBugSpec } from "../../course/injectionRace";
import { faults, ldfiCheck, ldfiRunRows, ldfiSummary, lostPost, replayFaults } from "../../lib/ldfi/lessonSearch";
import { protocolProgram, protocolSource, PROTOCOLS_DIR } from "../../lib/protocols/corpus";
import { faultRunSpacetime } from "../../lib/viz/ldfiSpacetime";
import { DedalusError } from "../../lib/dedalus/diagnostics";
import { dedalusProgram } from "../../lib/dedalus/inlineProgram";
import { renderSvg } from "../../lib/viz/render";

/** Vega cuts a label that exceeds its limit with an ellipsis; the SVG then shows "…". */
const cutTexts = (svg: string): string[] =>
  [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!).filter((t) => t.includes("…"));

const simple = protocolProgram("simple_delivery.ded", "delivery_assert.ded");
const retry = protocolProgram("retry_delivery.ded", "delivery_assert.ded");

describe("ldfiCheck", () => {
  test("reproduces the corpus verdicts lesson 8 quotes, and the counterexample replays", () => {
    const s = ldfiCheck(simple, { eot: 4, eff: 2, crashes: 0 });
    expect(s.verdict).toBe("counterexample");
    expect(lostPost(simple, 4, s.counterexample!.faults)).toEqual([...s.counterexample!.missing]);
    expect(ldfiCheck(retry, { eot: 4, eff: 2, crashes: 0 }).verdict).toBe("certified");
    const r = ldfiCheck(retry, { eot: 4, eff: 2, crashes: 1 });
    expect(r.verdict).toBe("counterexample");
    expect(r.counterexample!.faults.crashes).toHaveLength(1);
    expect(ldfiSummary("retry", r)).toMatchObject({
      bounds: "4/2/1",
      verdict: "counterexample",
      faults: expect.stringContaining("crash(a,"),
    });
  });

  test("a fault-free replay loses nothing; an invalid inline program is a located DedalusError", () => {
    expect(lostPost(retry, 4, faults())).toEqual([]);
    expect(() => dedalusProgram("p(X) :- q(Y);", "bad.ded")).toThrow(DedalusError);
    expect(() => protocolProgram("no_such_file.ded")).toThrow(/cannot read input file/);
  });

  test("the random strategy never certifies: without a bug it stops at its run cap", () => {
    const r = ldfiCheck(retry, { eot: 4, eff: 2, crashes: 0, strategy: "random", seed: 3, maxRuns: 15 });
    expect(r).toMatchObject({ verdict: "inconclusive", limit: "max-runs", executions: 15 });
  });

  test("the spacetime diagram of a counterexample draws its lost message", () => {
    const spec = faultRunSpacetime(simple, 4, faults([{ from: "a", to: "b", time: 1 }]), "lost a->b") as {
      layer: { data: { values: { status?: string; from?: string }[] } }[];
    };
    const msgs = spec.layer[1]!.data.values;
    expect(msgs.filter((m) => m.status === "lost")).toEqual([expect.objectContaining({ from: "a", to: "b" })]);
  });
});

describe("lineage support (lesson 7)", () => {
  const direct = protocolProgram("lessons/lineage_direct.ded");
  const twoRoutes = protocolProgram("lessons/lineage_two_routes.ded");
  const goal = { rel: "log", args: ["c", "hello"], time: 4 };

  test("one route: the support is one message, and losing it loses the goal", () => {
    const run = replayFaults(direct, 4, faults());
    expect(supportEdges(run, goal).map(edgeLabel)).toEqual(["a→c @1"]);
    expect(singleLossImpact("direct", direct, 4, goal)).toEqual([
      { program: "direct", message: "a→c @1", predicted: "lost", actual: "lost" },
    ]);
  });

  test("two routes: no single loss breaks the goal; the minimal cuts take one message from each route", () => {
    const rows = singleLossImpact("two", twoRoutes, 4, goal);
    expect(rows.map((r) => r.actual)).toEqual(["survives", "survives", "survives"]);
    const cuts = minimalCuts(replayFaults(twoRoutes, 4, faults()), goal, 3).map((c) => c.map(edgeLabel).sort().join(" + "));
    expect(cuts.sort()).toEqual(["a→b @1 + a→c @2", "a→c @2 + b→c @2"]);
  });

  test("retry: the resend before the acknowledgement is back is a second derivation; no single loss hurts", () => {
    const goalC = { rel: "delivered", args: ["c", "hello"], time: 4 };
    expect(singleLossImpact("retry", retry, 4, goalC)).toEqual([
      { program: "retry", message: "a→c @1", predicted: "survives", actual: "survives" },
      { program: "retry", message: "a→c @2", predicted: "survives", actual: "survives" },
    ]);
    expect(minimalCuts(replayFaults(retry, 4, faults()), goalC, 3).map((c) => c.map(edgeLabel).join(" + "))).toEqual(["a→c @1 + a→c @2"]);
  });

  test("timeout retry: the good run's lineage predicts a loss that the re-run survives (the fault creates a derivation)", () => {
    const timeoutRetry = protocolProgram("lessons/lineage_timeout_retry.ded");
    const rows = singleLossImpact("timeout", timeoutRetry, 4, goal);
    expect(rows).toEqual([{ program: "timeout", message: "a→c @1", predicted: "lost", actual: "survives" }]);
    expect((singleLossSpec(rows, "t") as { data: { values: { row: string; outcome: string }[] } }).data.values).toEqual([
      { row: "timeout: lineage predicts", message: "a→c @1", outcome: "lost" },
      { row: "timeout: re-run shows", message: "a→c @1", outcome: "survives" },
    ]);
    // the re-run's lineage holds the resend at 3, which the good run never sent
    expect(supportEdges(replayFaults(timeoutRetry, 4, faults([{ from: "a", to: "c", time: 1 }])), goal).map(edgeLabel)).toEqual(["a→c @3"]);
  });

  test("the single-loss chart draws its row names whole", async () => {
    const rows = singleLossImpact("retry delivery", retry, 4, { rel: "delivered", args: ["c", "hello"], time: 4 });
    const svg = await renderSvg(singleLossSpec(rows, "t"));
    expect(svg).toContain("retry delivery: lineage predicts");
    expect(cutTexts(svg)).toEqual([]);
  });

  test("asking about a fact that does not hold is a RangeError", () => {
    expect(() => singleLossImpact("d", direct, 4, { rel: "log", args: ["c", "bye"], time: 4 })).toThrow(RangeError);
  });
});

describe("LDFI vs random race (lesson 8)", () => {
  test("one deterministic LDFI row and one row per seed; everyone finds the simple-delivery bug", () => {
    const rows = executionsToFirstBug([{ name: "simple", program: simple, eot: 4, eff: 2, crashes: 0 }], [1, 2, 3], 100);
    expect(rows.map((r) => [r.strategy, r.seed])).toEqual([
      ["ldfi", null],
      ["random", 1],
      ["random", 2],
      ["random", 3],
    ]);
    expect(rows.every((r) => r.found)).toBe(true);
    expect(rows[0]!.executions).toBe(2);
    const [s] = raceSummary(rows);
    expect(s!.ldfi).toBe(2);
    expect(s!.randomMean).toBeCloseTo(rows.slice(1).reduce((n, r) => n + r.executions, 0) / 3, 1);
    expect(JSON.stringify(executionsToFirstBugSpec(rows, "race"))).toContain("log");
  });

  test("case names with their bounds are drawn whole on the chart", async () => {
    const rows = executionsToFirstBug(
      [{ name: "classic broadcast 5/3/0 (relay once)", program: simple, eot: 4, eff: 2, crashes: 0 }],
      [1],
      20,
    );
    const svg = await renderSvg(executionsToFirstBugSpec(rows, "race"));
    expect(svg).toContain("classic broadcast 5/3/0 (relay once)");
    expect(cutTexts(svg)).toEqual([]);
  });
});

describe("commit, consensus and Kafka (lesson 8)", () => {
  test("2PC blocks on one crash; 3PC is certified with one crash, broken by a loss plus a crash, and by two crashes", () => {
    const twoPc = protocolProgram("2pc.ded", "commit_assert.ded");
    const threePc = protocolProgram("3pc.ded", "commit_assert.ded");
    expect(ldfiSummary("2pc", ldfiCheck(twoPc, { eot: 8, eff: 0, crashes: 1 }))).toMatchObject({
      verdict: "counterexample",
      faults: "crash(C,4)",
    });
    expect(ldfiCheck(threePc, { eot: 8, eff: 0, crashes: 1 }).verdict).toBe("certified");
    const loss = ldfiCheck(threePc, { eot: 9, eff: 7, crashes: 1 });
    expect(ldfiSummary("3pc", loss)).toMatchObject({
      verdict: "counterexample",
      faults: "omit(a,C,4) crash(C,6)",
      lost: 'post("agreement", "tx")',
    });
    // the lesson's story: the coordinator aborted, the agents committed
    const run = replayFaults(threePc, 9, loss.counterexample!.faults);
    expect(
      run
        .facts("decided", 9)
        .map((f) => f.args.join(" "))
        .sort(),
    ).toEqual(["C tx abort", "a tx commit", "b tx commit", "d tx commit"]);
    expect(ldfiCheck(threePc, { eot: 8, eff: 0, crashes: 2 }).verdict).toBe("counterexample");
  });

  test("Paxos is certified at 8/2/1", () => {
    const r = ldfiCheck(protocolProgram("paxos_synod.ded"), { eot: 8, eff: 2, crashes: 1 });
    expect(r.verdict).toBe("certified");
    // the lesson says it needs more runs than anything before it: the atomic-commit table's searches
    const threePc = protocolProgram("3pc.ded", "commit_assert.ded");
    const above = [
      ldfiCheck(protocolProgram("2pc.ded", "commit_assert.ded"), { eot: 8, eff: 0, crashes: 1 }),
      ...[
        { eot: 8, eff: 0, crashes: 1 },
        { eot: 9, eff: 7, crashes: 1 },
        { eot: 8, eff: 0, crashes: 2 },
      ].map((b) => ldfiCheck(threePc, b)),
    ];
    expect(r.executions).toBeGreaterThan(Math.max(...above.map((x) => x.executions)));
  });

  test("Kafka at 6/4/1: a lost ISR report plus the leader's crash; each fault alone survived", () => {
    const kafka = protocolProgram("kafka_isr.ded");
    const r = ldfiCheck(kafka, { eot: 6, eff: 4, crashes: 1 });
    expect(ldfiSummary("kafka", r)).toMatchObject({ verdict: "counterexample", faults: "omit(Z,a,2) crash(a,4)", executions: 11 });
    const tried = new Map(ldfiRunRows(r).map((row) => [row.faults, row.outcome]));
    expect(tried.get("omit(Z,a,2)")).toBe("ok");
    // crash(a,4) alone is discharged by crash(a,5), whose lineage needs nothing a sends at 4 (the lesson says so)
    expect(tried.get("crash(a,5)")).toBe("ok");
    expect(tried.has("crash(a,4)")).toBe(false);
    const bad = replayFaults(kafka, 6, r.counterexample!.faults);
    expect(bad.facts("stored", 6).map((f) => f.args[0])).toEqual(["a"]);
    expect(bad.facts("in_sync", 3)).toEqual([]);
    expect(bad.has("ack", ["C", "a", "d1"], 4)).toBe(true);
  });
});

describe("composition (lesson 9)", () => {
  test("channel and merchant are each certified at 7/5/0; their composition has a counterexample", () => {
    const b = { eot: 7, eff: 5, crashes: 0 };
    expect(ldfiCheck(protocolProgram("lessons/compose_channel_test.ded"), b).verdict).toBe("certified");
    expect(ldfiCheck(protocolProgram("lessons/compose_merchant_test.ded"), b).verdict).toBe("certified");
    const shop = ldfiCheck(protocolProgram("lessons/compose_shop.ded"), b);
    expect(shop.verdict).toBe("counterexample");
    expect(shop.counterexample!.missing).toEqual(['post("never ships cancelled", "o1")']);
  });

  test("exercise 1: a deadline at tick 5 is beaten by losing the cancel's three sends (2, 3, 4)", () => {
    const later =
      'include "compose_channel.ded";\ninclude "compose_never_ships_cancelled.ded";\n' +
      'request("cust", "shop", "order", "o1")@1;\nrequest("cust", "shop", "order", "o2")@1;\nrequest("cust", "shop", "cancel", "o1")@2;\n' +
      protocolSource("lessons/compose_merchant.ded").replace("T >= 3", "T >= 5");
    const r = ldfiCheck(dedalusProgram(later, PROTOCOLS_DIR + "/lessons/later.ded"), { eot: 7, eff: 5, crashes: 0 });
    expect(r.verdict).toBe("counterexample");
    expect(ldfiSummary("later", r).faults).toBe("omit(cust,shop,2) omit(cust,shop,3) omit(cust,shop,4)");
    expect(r.counterexample!.missing).toEqual(['post("never ships cancelled", "o1")']);
  });
});
