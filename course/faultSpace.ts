/**
 * Lesson 8's blow-up of top-down testing: how many fault combinations a search from the entrance
 * of the maze must consider as the bounds grow, against the executions LDFI needs to certify the
 * same program. The combinations are counted analytically (they are far too many to enumerate
 * beyond the smallest bounds); exhaustive search is run where it can finish, to show that it
 * really pays one execution per combination.
 */
import * as path from "node:path";
import type { Program } from "../lib/dedalus/ast";
import type { VegaLiteSpec } from "../lib/viz/render";
import { ldfiCheck } from "../lib/ldfi/lessonSearch";
import { PROTOCOLS_DIR } from "../lib/protocols/corpus";
import { dedalusProgram } from "../lib/dedalus/inlineProgram";

/** Bounds of a fault space by node count: the number of combinations does not depend on names. */
export interface FaultSpaceBounds {
  readonly eot: number;
  readonly eff: number;
  readonly crashes: number;
  readonly nodes: number;
}

function checkBounds(b: FaultSpaceBounds): void {
  for (const [name, v] of Object.entries(b) as [string, number][]) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`fault space: ${name} must be a non-negative integer, got ${v}`);
  }
  if (b.eot < 1) throw new RangeError(`fault space: eot must be at least 1, got ${b.eot}`);
  if (b.eff > b.eot) throw new RangeError(`fault space: eff (${b.eff}) cannot exceed eot (${b.eot})`);
}

function binomial(n: number, k: number): bigint {
  let r = 1n;
  for (let i = 0; i < k; i++) r = (r * BigInt(n - i)) / BigInt(i + 1);
  return r;
}

/**
 * The number of distinct fault sets within the bounds, the empty set included — exactly the sets
 * that exhaustive search (`allFaultSets` in lib/ldfi/baselines.ts) enumerates, one execution each.
 *
 * An omission is a (sender, receiver, send time) with sender != receiver and time in 1..EFF-1, so
 * each node has `(nodes-1)(EFF-1)` of them. Up to `crashes` distinct nodes crash, each at a time in
 * 1..EOT-1; a node crashed at t sends nothing from t on, so only its omissions before t still
 * differ (the others are the same run). With `A = Σ_{t=1}^{EOT-1} 2^{(nodes-1)·min(t-1, EFF-1)}`:
 *
 *     `combinations = Σ_{c=0}^{crashes} C(nodes, c) · A^c · 2^{(nodes-c)(nodes-1)(EFF-1)}`
 *
 * Exact (a bigint): at 5 nodes and EFF 4 the count already has 25 digits.
 */
export function faultCombinations(b: FaultSpaceBounds): bigint {
  checkBounds(b);
  const lossy = Math.max(b.eff - 1, 0); // send times that may lose messages
  const perNode = BigInt((b.nodes - 1) * lossy);
  let crashChoices = 0n; // A: one crashing node's crash time, with the omissions still possible before it
  for (let t = 1; t <= b.eot - 1; t++) crashChoices += 2n ** BigInt((b.nodes - 1) * Math.min(t - 1, lossy));
  let total = 0n;
  for (let c = 0; c <= Math.min(b.crashes, b.nodes); c++) {
    total += binomial(b.nodes, c) * crashChoices ** BigInt(c) * 2n ** (BigInt(b.nodes - c) * perNode);
  }
  return total;
}

/** Largest node count of {@link gossipBroadcast}: one lower-case letter per node. */
export const MAX_GOSSIP_NODES = 26;

/**
 * A broadcast over `nodes` fully connected nodes (`a`, `b`, …) in which every node that has the
 * payload sends it to every peer at every step — the corpus's replog, generalised to any node
 * count — with the corpus's agreement invariant (`delivery_assert.ded`). It tolerates any loss
 * before EFF and a crash, so LDFI and exhaustive search both run to certification: the honest
 * comparison of how much work each needs to *prove* a program tolerant.
 */
export function gossipBroadcast(nodes: number): Program {
  if (!Number.isInteger(nodes) || nodes < 2 || nodes > MAX_GOSSIP_NODES) {
    throw new RangeError(`gossipBroadcast: nodes must be an integer in 2..${MAX_GOSSIP_NODES}, got ${nodes}`);
  }
  const names = Array.from({ length: nodes }, (_, i) => String.fromCharCode(97 + i));
  const links = names.flatMap((n) => names.filter((m) => m !== n).map((m) => `link("${n}", "${m}")@1;`));
  const text = [
    ...links,
    'origin("a", "hello")@1;',
    "link(N, M)@next :- link(N, M);",
    "delivered(N, P) :- origin(N, P);",
    "delivered(N, P)@next :- delivered(N, P);",
    "delivered(M, P)@async :- delivered(N, P), link(N, M);",
    'include "delivery_assert.ded";',
    "",
  ].join("\n");
  // Named inside protocols/ so the include resolves; the file itself never exists on disk.
  return dedalusProgram(text, path.join(PROTOCOLS_DIR, `gossip_${nodes}_nodes.ded`));
}

/** One point of the sweep: which bound varies, the bounds, and what each approach needs. */
export interface FaultSpaceRow {
  /** The bound this point's panel varies. */
  readonly varies: "EOT" | "EFF" | "nodes";
  readonly eot: number;
  readonly eff: number;
  readonly crashes: number;
  readonly nodes: number;
  /** {@link faultCombinations}, exact, as decimal digits. */
  readonly combinations: string;
  /** The same, as a number for a log axis (Infinity past 1e308). */
  readonly combinationsApprox: number;
  /** Executions exhaustive search needed to certify; null where it was not run (over the cap). */
  readonly exhaustive: number | null;
  /** Executions LDFI needed (the failure-free run included). */
  readonly ldfi: number;
  readonly ldfiVerdict: string;
}

/** Options of {@link faultSpaceSweep}. */
export interface FaultSpaceSweepOptions {
  /**
   * Exhaustive search runs only where the combinations are at most this many (each is one
   * execution; a notebook cell should not take minutes).
   */
  readonly maxExhaustive: number;
  /** The program at a node count; default {@link gossipBroadcast}. */
  readonly programFor?: (nodes: number) => Program;
}

/** A sweep: the base bounds and, per bound, the values it takes while the others stay at the base. */
export interface FaultSpaceSweep {
  readonly base: FaultSpaceBounds;
  readonly eot?: readonly number[];
  readonly eff?: readonly number[];
  readonly nodes?: readonly number[];
}

/**
 * Counts the combinations at every point of the sweep, runs LDFI at every point, and runs
 * exhaustive search where the combinations are at most `maxExhaustive`. Throws a RangeError for
 * bounds that describe no search (see {@link faultCombinations}) or a negative cap.
 */
export function faultSpaceSweep(sweep: FaultSpaceSweep, options: FaultSpaceSweepOptions): FaultSpaceRow[] {
  if (!Number.isInteger(options.maxExhaustive) || options.maxExhaustive < 0) {
    throw new RangeError(`faultSpaceSweep: maxExhaustive must be a non-negative integer, got ${options.maxExhaustive}`);
  }
  const programFor = options.programFor ?? gossipBroadcast;
  const programs = new Map<number, Program>();
  const program = (n: number): Program => {
    let p = programs.get(n);
    if (!p) programs.set(n, (p = programFor(n)));
    return p;
  };
  const points: { varies: FaultSpaceRow["varies"]; b: FaultSpaceBounds }[] = [
    ...(sweep.eot ?? []).map((eot) => ({ varies: "EOT" as const, b: { ...sweep.base, eot } })),
    ...(sweep.eff ?? []).map((eff) => ({ varies: "EFF" as const, b: { ...sweep.base, eff } })),
    ...(sweep.nodes ?? []).map((nodes) => ({ varies: "nodes" as const, b: { ...sweep.base, nodes } })),
  ];
  return points.map(({ varies, b }) => {
    const combinations = faultCombinations(b);
    const bounds = { eot: b.eot, eff: b.eff, crashes: b.crashes };
    const ldfi = ldfiCheck(program(b.nodes), bounds);
    let exhaustive: number | null = null;
    if (combinations <= BigInt(options.maxExhaustive)) {
      // the cap is the combination count itself (+1 spare), so a complete enumeration is never cut short
      const e = ldfiCheck(program(b.nodes), {
        ...bounds,
        strategy: "exhaustive",
        maxRuns: options.maxExhaustive + 1,
        timeoutMs: 10 * 60_000,
      });
      exhaustive = e.executions;
    }
    return {
      varies,
      ...b,
      combinations: combinations.toString(),
      combinationsApprox: Number(combinations),
      exhaustive,
      ldfi: ldfi.executions,
      ldfiVerdict: ldfi.verdict,
    };
  });
}

const SERIES = ["fault combinations (counted)", "exhaustive search (executions)", "LDFI (executions)"] as const;

/**
 * Panels side by side — combinations and executions (log axis) against EOT, EFF and the number
 * of nodes, one per bound the sweep varies — each with the counted combinations as a line, exhaustive search's measured
 * executions as dots where it ran, and LDFI's executions as a line.
 */
export function faultSpaceSpec(rows: readonly FaultSpaceRow[], title: string): VegaLiteSpec {
  const color = {
    field: "series",
    type: "nominal",
    title: null,
    sort: [...SERIES],
    scale: { domain: [...SERIES], range: ["#57606a", "#bf8700", "#8250df"] },
    legend: { orient: "bottom", labelLimit: 320 },
  };
  const panel = (varies: FaultSpaceRow["varies"], field: "eot" | "eff" | "nodes", xTitle: string): Record<string, unknown> => {
    const values = rows
      .filter((r) => r.varies === varies)
      .flatMap((r) => [
        { x: r[field], series: SERIES[0], count: r.combinationsApprox, exact: r.combinations },
        ...(r.exhaustive === null ? [] : [{ x: r[field], series: SERIES[1], count: r.exhaustive, exact: String(r.exhaustive) }]),
        { x: r[field], series: SERIES[2], count: r.ldfi, exact: `${r.ldfi} (${r.ldfiVerdict})` },
      ]);
    const fixed = rows.find((r) => r.varies === varies);
    const others = fixed
      ? (["eot", "eff", "crashes", "nodes"] as const)
          .filter((k) => k !== field)
          .map((k) => `${k === "eot" || k === "eff" ? k.toUpperCase() : k} ${fixed[k]}`)
          .join(", ")
      : "";
    const x = { field: "x", type: "quantitative", title: xTitle, axis: { tickMinStep: 1 } };
    // one shared log axis: labelled on the first panel only, in SI units (20G rather than 20,602,421,248)
    const first = varies === rows[0]?.varies;
    const y = {
      field: "count",
      type: "quantitative",
      scale: { type: "log" },
      title: first ? "fault sets / executions (log)" : null,
      axis: { format: "~s", labels: first },
    };
    const tooltip = [{ field: "series" }, { field: "x", title: field }, { field: "exact", title: "count" }];
    return {
      title: { text: `${xTitle} (${others})`, fontSize: 11 },
      width: 210,
      height: 220,
      data: { values },
      layer: [
        {
          transform: [{ filter: `datum.series !== '${SERIES[1]}'` }],
          mark: { type: "line", point: { filled: true, size: 40 } },
          encoding: { x, y, color, tooltip },
        },
        {
          transform: [{ filter: `datum.series === '${SERIES[1]}'` }],
          mark: { type: "point", filled: false, size: 140, strokeWidth: 2 },
          encoding: { x, y, color, tooltip },
        },
      ],
    };
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    hconcat: (["EOT", "EFF", "nodes"] as const)
      .filter((v) => rows.some((r) => r.varies === v))
      .map((v) => panel(v, v === "nodes" ? "nodes" : v === "EOT" ? "eot" : "eff", v)),
    resolve: { scale: { y: "shared" } },
  };
}
