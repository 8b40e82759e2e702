import * as path from "node:path";
import { handlerSearch } from "../lib/ldfi/handlers/search";
import { handlerTarget } from "../lib/ldfi/handlers/target";
import { loadSimProtocol } from "../lib/ldfi/handlers/load";
import { loadTwins, parseBounds } from "../lib/ldfi/handlers/twins";
import type { Strategy } from "../lib/ldfi/result";
import { printTable, type BenchSuite } from "./harness";

/**
 * LDFI on protocols written as handlers (DESIGN.md section 13), on the twins of
 * protocols/handlers/twins.json: executions and time to the first counterexample for LDFI, random
 * (mean over seeds) and exhaustive search; and for certified rows what certification costs — LDFI's
 * phase, the completion phase, and plain exhaustive search for comparison.
 */
const DIR = path.join(__dirname, "..", "..", "protocols", "handlers");
const RANDOM_SEEDS = 10;
/** Plain exhaustive search on the largest rows enumerates millions of fault sets: cut it here (--quick: 200). */
const EXHAUSTIVE_CAP = 20_000;
const QUICK_EXHAUSTIVE_CAP = 200;
/** --quick: one seed, and rows up to this EOT only (each twin's smallest bounds). */
const QUICK_MAX_EOT = 4;

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
      const search = (strategy: Strategy, seed = 1) => handlerSearch(target, { bounds, strategy, seed, maxRuns: quick ? QUICK_EXHAUSTIVE_CAP : EXHAUSTIVE_CAP, timeoutMs: 120_000 });
      const ldfi = search("ldfi");
      const exhaustive = search("exhaustive");
      const fmt = (r: { verdict: string; executions: number; limit: string | null }) => (r.verdict === "inconclusive" ? `> ${r.executions} (${r.limit})` : r.executions);
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
        ceRows.push([twin.name, row.bounds, fmt(ldfi), ldfi.wallMs.toFixed(1), `${(randomRuns / seeds).toFixed(1)} (${found}/${seeds} found)`, (randomMs / seeds).toFixed(1), fmt(exhaustive), exhaustive.wallMs.toFixed(1)]);
      } else {
        certRows.push([twin.name, row.bounds, ldfi.verdict, ldfi.ldfiExecutions, ldfi.completion?.executions ?? 0, ldfi.completion ? `${ldfi.completion.coveredByLdfi}/${ldfi.completion.effectiveSets}` : "-", ldfi.executions, ldfi.wallMs.toFixed(0), fmt(exhaustive), exhaustive.wallMs.toFixed(0)]);
      }
    }
  }
  printTable("Handler twins: executions (ms) to the first counterexample", ["twin", "EOT/EFF/crashes", "LDFI", "ms", "random (mean)", "ms", "exhaustive", "ms"], ceRows);
  printTable(
    "Handler twins: the cost of certification (LDFI phase + completion) against plain exhaustive search",
    ["twin", "EOT/EFF/crashes", "verdict", "LDFI phase", "completion runs", "effective sets already run", "total", "ms", "exhaustive", "ms"],
    certRows,
  );
};
