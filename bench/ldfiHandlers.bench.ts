import * as path from "node:path";
import { handlerSearch } from "../lib/ldfi/handlers/search";
import { handlerTarget } from "../lib/ldfi/handlers/target";
import { loadSimProtocol } from "../lib/ldfi/handlers/load";
import { loadTwins, parseBounds } from "../lib/ldfi/handlers/twins";
import type { Strategy } from "../lib/ldfi/result";
import {
  LAB5_BOUNDS,
  LAB5_NODES,
  lab5Audit,
  lab5Payload,
  lab5Post,
  lab5Pre,
  LAB5_PUBLIC_SEED,
  localOracle,
} from "../lib/labs/lab5Handlers";
import { sessionTarget } from "../lib/labs/protocolSession";
import { printTable, type BenchSuite } from "./harness";
import * as lab5 from "./lab5Variants";

/**
 * LDFI on protocols written as handlers (DESIGN.md section 13), on the twins of
 * protocols/handlers/twins.json: executions and time to the first counterexample for LDFI, random
 * (mean over seeds) and exhaustive search; and for certified rows what certification costs — LDFI's
 * phase, the completion phase, and plain exhaustive search for comparison. Then the same on lab 5's
 * reference solution and buggy variants, searched as the grader searches them: through a protocol
 * session (every run answered as JSON, validated and replayed; lib/labs/protocolSession.ts).
 */
const DIR = path.join(__dirname, "..", "..", "protocols", "handlers");
const RANDOM_SEEDS = 10;
/** Plain exhaustive search on the largest rows enumerates millions of fault sets: cut it here (--quick: 200). */
const EXHAUSTIVE_CAP = 20_000;
const QUICK_EXHAUSTIVE_CAP = 200;
/** --quick: one seed, and rows up to this EOT only (each twin's smallest bounds). */
const QUICK_MAX_EOT = 4;

/** Lab 5's answers at both bounds, through the session the grader uses (in process here); exported so the rows can be run alone. */
export function lab5Rows(quick: boolean): { ce: (string | number)[][]; cert: (string | number)[][] } {
  const ce: (string | number)[][] = [];
  const cert: (string | number)[][] = [];
  const variants = { reference: lab5.reference, sendOnce: lab5.sendOnce, relayOnce: lab5.relayOnce, retryFromOrigin: lab5.retryFromOrigin };
  for (const [name, factory] of Object.entries(variants)) {
    for (const [which, b] of Object.entries(LAB5_BOUNDS)) {
      const search = (strategy: Strategy, seed = 1) => {
        const target = sessionTarget(localOracle(factory), {
          nodes: LAB5_NODES,
          eot: b.eot,
          payload: lab5Payload(LAB5_PUBLIC_SEED),
          pre: lab5Pre,
          post: lab5Post,
          maxQuestions: 50_000,
          audit: lab5Audit,
        });
        return handlerSearch(target, {
          bounds: { ...b, nodes: LAB5_NODES },
          strategy,
          seed,
          maxRuns: quick ? QUICK_EXHAUSTIVE_CAP : EXHAUSTIVE_CAP,
          timeoutMs: 120_000,
        });
      };
      const bounds = `${b.eot}/${b.eff}/${b.crashes} (${which})`;
      const ldfi = search("ldfi");
      const exhaustive = search("exhaustive");
      const fmt = (r: { verdict: string; executions: number; limit: string | null }) =>
        r.verdict === "inconclusive" ? `> ${r.executions} (${r.limit})` : r.executions;
      if (ldfi.verdict === "counterexample") {
        const seeds = quick ? 3 : RANDOM_SEEDS;
        let runs = 0;
        let ms = 0;
        let found = 0;
        for (let seed = 1; seed <= seeds; seed++) {
          const r = search("random", seed);
          runs += r.executions;
          ms += r.wallMs;
          if (r.verdict === "counterexample") found++;
        }
        ce.push([
          `lab5 ${name}`,
          bounds,
          fmt(ldfi),
          ldfi.wallMs.toFixed(1),
          `${(runs / seeds).toFixed(1)} (${found}/${seeds} found)`,
          (ms / seeds).toFixed(1),
          fmt(exhaustive),
          exhaustive.wallMs.toFixed(1),
        ]);
      } else {
        cert.push([
          `lab5 ${name}`,
          bounds,
          ldfi.verdict,
          ldfi.ldfiExecutions,
          ldfi.completion?.executions ?? 0,
          ldfi.completion ? `${ldfi.completion.coveredByLdfi}/${ldfi.completion.effectiveSets}` : "-",
          ldfi.executions,
          ldfi.wallMs.toFixed(0),
          fmt(exhaustive),
          exhaustive.wallMs.toFixed(0),
        ]);
      }
    }
  }
  return { ce, cert };
}

export const run: BenchSuite = async ({ quick }) => {
  const ceRows: (string | number)[][] = [];
  const certRows: (string | number)[][] = [];
  for (const twin of loadTwins(DIR)) {
    const { protocol, guard } = loadSimProtocol(path.join(DIR, twin.handlers));
    for (const row of twin.bounds) {
      const b = parseBounds(row.bounds);
      if (quick && b.eot > QUICK_MAX_EOT) continue;
      const target = handlerTarget(protocol, { eot: b.eot, guard });
      const bounds = { ...b, nodes: protocol.nodes };
      const search = (strategy: Strategy, seed = 1) =>
        handlerSearch(target, { bounds, strategy, seed, maxRuns: quick ? QUICK_EXHAUSTIVE_CAP : EXHAUSTIVE_CAP, timeoutMs: 120_000 });
      const ldfi = search("ldfi");
      const exhaustive = search("exhaustive");
      const fmt = (r: { verdict: string; executions: number; limit: string | null }) =>
        r.verdict === "inconclusive" ? `> ${r.executions} (${r.limit})` : r.executions;
      if (row.verdict === "counterexample") {
        let randomRuns = 0;
        let randomMs = 0;
        let found = 0;
        for (let seed = 1; seed <= (quick ? 1 : RANDOM_SEEDS); seed++) {
          const r = handlerSearch(target, { bounds, strategy: "random", seed, maxRuns: 2000 });
          randomRuns += r.executions;
          randomMs += r.wallMs;
          if (r.verdict === "counterexample") found++;
        }
        const seeds = quick ? 1 : RANDOM_SEEDS;
        ceRows.push([
          twin.name,
          row.bounds,
          fmt(ldfi),
          ldfi.wallMs.toFixed(1),
          `${(randomRuns / seeds).toFixed(1)} (${found}/${seeds} found)`,
          (randomMs / seeds).toFixed(1),
          fmt(exhaustive),
          exhaustive.wallMs.toFixed(1),
        ]);
      } else {
        certRows.push([
          twin.name,
          row.bounds,
          ldfi.verdict,
          ldfi.ldfiExecutions,
          ldfi.completion?.executions ?? 0,
          ldfi.completion ? `${ldfi.completion.coveredByLdfi}/${ldfi.completion.effectiveSets}` : "-",
          ldfi.executions,
          ldfi.wallMs.toFixed(0),
          fmt(exhaustive),
          exhaustive.wallMs.toFixed(0),
        ]);
      }
    }
  }
  const l5 = lab5Rows(quick);
  ceRows.push(...l5.ce);
  certRows.push(...l5.cert);
  printTable(
    "Handler twins and lab 5: executions (ms) to the first counterexample",
    ["twin", "EOT/EFF/crashes", "LDFI", "ms", "random (mean)", "ms", "exhaustive", "ms"],
    ceRows,
  );
  printTable(
    "Handler twins and lab 5: the cost of certification (LDFI phase + completion) against plain exhaustive search",
    [
      "twin",
      "EOT/EFF/crashes",
      "verdict",
      "LDFI phase",
      "completion runs",
      "effective sets already run",
      "total",
      "ms",
      "exhaustive",
      "ms",
    ],
    certRows,
  );
};
