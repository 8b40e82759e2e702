import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Program } from "../lib/dedalus/ast";
import { loadProgram } from "../lib/dedalus/load";
import { dedalusProgramTarget, crashReading } from "../lib/ldfi/dedalusEngine";
import { faultKey } from "../lib/ldfi/faults";
import { closeLdfiPool } from "../lib/ldfi/pool";
import type { SearchResult } from "../lib/ldfi/result";
import { searchFaults } from "../lib/ldfi/search";
import { printTable, type BenchSuite } from "./harness";
import { loadMollyProgram, mollyExamplesDir } from "./mollyExamples";

/**
 * The LDFI worker pool (`--jobs N`, lib/ldfi/README.md "Worker pool"): every search with
 * `jobs: 1` and `jobs: 2` in the same run, alternately, checked equal (verdict, executions,
 * counterexample), with the speedup. Small rows come first, in a process with no workers yet, to
 * show that the pool's start-up (deferred by `poolAfterMs`) does not slow them; then the sweeps
 * that take seconds (Paxos 8/3/1, on the corpus program and, with MOLLY_EXAMPLES, on Molly's).
 */

const PROTOCOLS = path.join(__dirname, "..", "..", "protocols");
const PROTOCOLS_DIR = fs.existsSync(PROTOCOLS) ? PROTOCOLS : path.join(__dirname, "..", "protocols");

interface Row {
  readonly label: string;
  readonly program: Program;
  readonly bounds: { eot: number; eff: number; crashes: number };
  readonly nodes?: string[];
  /** The blocking analysis's join budget (`--join-budget`), when not the default. */
  readonly joinBudget?: number;
  /** Alternating repetitions per jobs setting (the median is reported). */
  readonly reps: number;
}

function corpus(files: string[]): Program {
  const loaded = loadProgram(files.map((f) => path.join(PROTOCOLS_DIR, f)));
  if (loaded.diagnostics.some((d) => d.severity === "error")) throw new Error(`bench: ${files.join(" ")} does not load`);
  return loaded.program;
}

/** jobs 1; jobs 2 as `maze ldfi --jobs 2` runs (no worker while every core is busy); jobs 2 with the worker started whatever the load. */
type Setting = "1" | "2" | "2 forced";

function search(row: Row, setting: Setting): SearchResult {
  const target = dedalusProgramTarget(row.program, {
    eot: row.bounds.eot,
    ...(row.nodes ? { nodes: row.nodes } : {}),
    ...crashReading(row.program),
    ...(row.joinBudget !== undefined ? { joinBudget: row.joinBudget } : {}),
  });
  const jobs = setting === "1" ? 1 : 2;
  return searchFaults(target, {
    bounds: { ...row.bounds, nodes: row.nodes ?? target.nodes },
    jobs,
    poolOnBusyMachine: setting === "2 forced",
    timeoutMs: 600_000,
  });
}

const outcome = (r: SearchResult): string => `${r.verdict} ${r.executions} ${r.counterexample ? faultKey(r.counterexample.faults) : "-"}`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export const run: BenchSuite = async ({ quick }) => {
  const small: Row[] = [
    { label: "3pc 9/7/1", program: corpus(["3pc.ded", "commit_assert.ded"]), bounds: { eot: 9, eff: 7, crashes: 1 }, reps: 5 },
    { label: "kafka_isr 7/4/1", program: corpus(["kafka_isr.ded"]), bounds: { eot: 7, eff: 4, crashes: 1 }, reps: 5 },
    {
      label: "2pc_timeout_optimist 6/0/2",
      program: corpus(["2pc_timeout.ded", "commit_assert_optimist.ded"]),
      bounds: { eot: 6, eff: 0, crashes: 2 },
      reps: 5,
    },
    { label: "paxos_synod 8/2/1", program: corpus(["paxos_synod.ded"]), bounds: { eot: 8, eff: 2, crashes: 1 }, reps: 3 },
  ];
  const large: Row[] = [
    {
      label: "ack_broadcast 8/6/1",
      program: corpus(["ack_broadcast.ded", "delivery_assert.ded"]),
      bounds: { eot: 8, eff: 6, crashes: 1 },
      reps: quick ? 1 : 2,
    },
  ];
  if (!quick)
    large.push({ label: "paxos_synod 8/3/1", program: corpus(["paxos_synod.ded"]), bounds: { eot: 8, eff: 3, crashes: 1 }, reps: 1 });
  const molly = mollyExamplesDir();
  if (molly && !quick)
    large.push(
      {
        label: "Molly's paxos_synod.ded 8/3/1",
        program: loadMollyProgram(molly, ["paxos_synod.ded"]),
        bounds: { eot: 8, eff: 3, crashes: 1 },
        nodes: ["a", "b", "c"],
        reps: 1,
      },
      // the old default join budget: the coarser lineage, more executions (350 against 137), each cheaper
      {
        label: "Molly's paxos_synod.ded 8/3/1, --join-budget 200",
        program: loadMollyProgram(molly, ["paxos_synod.ded"]),
        bounds: { eot: 8, eff: 3, crashes: 1 },
        nodes: ["a", "b", "c"],
        joinBudget: 200,
        reps: 1,
      },
    );

  const rows: (string | number)[][] = [];
  for (const row of [...small, ...large]) {
    const ms: Record<Setting, number[]> = { "1": [], "2": [], "2 forced": [] };
    const seen = new Set<string>();
    // --quick (CI's smoke run): each search once per setting
    const reps = quick ? 1 : row.reps;
    for (let i = 0; i < reps; i++) {
      for (const setting of ["1", "2", "2 forced"] as const) {
        const t0 = performance.now();
        const r = search(row, setting);
        ms[setting].push(performance.now() - t0);
        seen.add(outcome(r));
      }
    }
    if (seen.size !== 1) throw new Error(`bench: ${row.label}: --jobs 1 and 2 disagree: ${[...seen].join(" / ")}`);
    const [verdict, executions] = [...seen][0]!.split(" ");
    const one = median(ms["1"]);
    const two = median(ms["2"]);
    const forced = median(ms["2 forced"]);
    rows.push([
      row.label,
      verdict!,
      Number(executions),
      `${(one / 1000).toFixed(2)} s`,
      `${(two / 1000).toFixed(2)} s`,
      `${(one / two).toFixed(2)}x`,
      `${(forced / 1000).toFixed(2)} s`,
      `${(one / forced).toFixed(2)}x`,
      reps,
    ]);
  }
  printTable(
    `LDFI worker pool: --jobs 1 against --jobs 2 (${os.availableParallelism()} cores, load average ${os.loadavg()[0]?.toFixed(1)} at the end; results checked equal)`,
    ["search", "verdict", "executions", "jobs 1", "jobs 2", "speedup", "jobs 2, worker forced", "speedup", "reps"],
    rows,
  );
  await closeLdfiPool();
};
