import * as fs from "node:fs";
import type { Program } from "../dedalus/ast";
import { DedalusError, formatDiagnostic, type Diagnostic } from "../dedalus/diagnostics";
import { DEFAULT_MAX_TUPLES, DedalusLimitError, DedalusRuntimeError } from "../dedalus/limits";
import { JOIN_BUDGET } from "../dedalus/negativeSupport";
import { compileProgram } from "../dedalus/runtime";
import { dedalusProgramTarget, crashReading } from "../ldfi/dedalusEngine";
import { checkBounds, FaultBoundsError, formatFaults, type FaultBounds } from "../ldfi/faults";
import { DEFAULT_MAX_RUNS, DEFAULT_TIMEOUT_MS, SEARCH_LIMITS, type SearchResult, type Strategy } from "../ldfi/result";
import { isProtocolModulePath } from "../ldfi/handlers/load";
import { defaultJobs } from "../ldfi/pool";
import { searchFaults } from "../ldfi/search";
import { intOptions, nodesOption, type CommandSpec, type OptionValues } from "./command";
import { ALLOW_NONLOCAL_OPTION, loadOptionsOf, loadRunnableProgram } from "./loadRunnable";
import { ldfiJson } from "./ldfiJson";
import { delayedProgress } from "./progress";
import { EXIT, verdictExit } from "./exitCodes";

export { ldfiJson } from "./ldfiJson";

/** Molly's default bounds. */
const DEFAULTS = { eot: 3, eff: 2, crashes: 0 } as const;

/** `maze ldfi FILE... [options]`: lineage-driven fault injection. */
export const spec: CommandSpec = {
  help: [
    "usage: maze ldfi FILE... [--eot N] [--eff N] [--crashes N] [--nodes a,b] [--max-runs N] [--timeout S]",
    "                 [--max-tuples N] [--strategy ldfi|random|exhaustive] [--seed N] [--jobs N] [--join-budget N] [--json]",
    "                 [--report DIR] [--allow-nonlocal]",
    "",
    "Searches for faults (message omissions before EFF, crashes of at most N nodes) that make the program",
    "lose a `post` tuple of its failure-free run at EOT while the matching `pre` tuple still holds.",
    "FILE may instead be one protocol module (.ts/.js, default export from defineSimProtocol): handlers on",
    "ticks, judged by its pre/post keys; `certified` then also needs every effective fault set covered.",
    "",
    "  --eot N         last timestep (default 3)",
    "  --eff N         end of finite failures: omissions only at send times < EFF (default 2)",
    "  --crashes N     most nodes that may crash (default 0); a crashed node sends nothing to others",
    "  --nodes a,b     the nodes (default: first columns of the program's facts)",
    `  --max-runs N    stop after N executions, failure-free run included (default ${DEFAULT_MAX_RUNS})`,
    `  --timeout S     stop after S seconds, checked between runs and inside each (default ${DEFAULT_TIMEOUT_MS / 1000})`,
    `  --max-tuples N  stop when one run holds more than N tuples (default ${DEFAULT_MAX_TUPLES})`,
    "  --strategy X    ldfi (default): lineage + SAT; random: seeded random faults; exhaustive: every fault set",
    "  --seed N        seed of the random strategy (default 1)",
    "  --jobs N        threads running LDFI hypotheses at once (default: every core); the verdict, the",
    "                  counterexample and the execution count are the same for every N",
    `  --join-budget N join steps the lineage of a \`notin\` may take per rule before it reads the rest`,
    `                  coarsely (default ${JOIN_BUDGET}); larger: sharper lineage, fewer executions, slower runs`,
    "  --json          print one JSON object {schemaVersion, verdict, executions, wallMs, counterexample, limit}",
    "  --report DIR    write DIR/index.html: summary, runs, spacetime diagrams, lineage of the goal",
    "  --allow-nonlocal  report rules that move data without @async (non-local-join, non-local-head)",
    "                  as warnings, not errors (Molly's own programs are not all local)",
    "",
    `Exit ${EXIT.ok} certified, ${EXIT.counterexample} counterexample, ${EXIT.error} error (bad program or flags), ${EXIT.inconclusive} inconclusive: a limit was hit,`,
    `named in the output and in the JSON's "limit": ${Object.keys(SEARCH_LIMITS).join(", ")}.`,
  ].join("\n"),
  options: {
    eot: { type: "string" },
    eff: { type: "string" },
    crashes: { type: "string" },
    nodes: { type: "string" },
    "max-runs": { type: "string" },
    "max-tuples": { type: "string" },
    timeout: { type: "string" },
    strategy: { type: "string" },
    seed: { type: "string" },
    jobs: { type: "string" },
    "join-budget": { type: "string" },
    json: { type: "boolean" },
    report: { type: "string" },
    ...ALLOW_NONLOCAL_OPTION,
  },
};

/**
 * Prepares the `--report` directory before the search (so a bad path fails in milliseconds, not after
 * a long search): creates it if needed. Returns an error message for an empty path, a path that exists
 * and is not a directory, or one that cannot be created.
 */
export function prepareReportDir(dir: string): string | null {
  if (dir.trim().length === 0) return "--report expects a directory path, got an empty one";
  try {
    if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory())
      return `--report ${dir}: exists and is not a directory (the report is written to DIR/index.html)`;
    fs.mkdirSync(dir, { recursive: true });
    return null;
  } catch (e) {
    return `--report ${dir}: cannot create the report directory (${fsReason(e)})`;
  }
}

/** A file-system error in words: its code and message, without a stack. */
function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err && typeof err.message === "string" ? err.message : String(e);
}

function fail(message: string): number {
  process.stderr.write(`maze ldfi: ${message}\n`);
  return EXIT.error;
}

/** Every string constant the program mentions (facts and rules), to recognise node names. */
function programConstants(program: Program): Set<string> {
  const out = new Set<string>();
  for (const f of program.facts) for (const a of f.args) if (typeof a === "string") out.add(a);
  const visit = (t: unknown): void => {
    if (t && typeof t === "object") {
      const o = t as { kind?: string; value?: unknown };
      if (o.kind === "const" && typeof o.value === "string") out.add(o.value);
      for (const v of Object.values(o)) if (v && typeof v === "object") visit(v);
    }
  };
  for (const r of program.rules) {
    visit(r.head.args);
    visit(r.body);
  }
  return out;
}

/** The bounds, limits and strategy of one `maze ldfi` search, as its flags give them. */
export interface LdfiFlags {
  readonly eot: number;
  readonly eff: number;
  readonly crashes: number;
  /** The nodes; default: the first columns of the program's facts. */
  readonly nodes?: readonly string[];
  readonly maxRuns: number;
  /** Most tuples one run may hold (the evaluator's bound inside each run). */
  readonly maxTuples?: number;
  readonly timeoutMs: number;
  readonly strategy: Strategy;
  readonly seed: number;
  /** Threads running hypotheses at once (LDFI only; default 1). The result does not depend on it. */
  readonly jobs?: number;
  /** The blocking analysis's join budget (lib/dedalus `SupportOptions.joinBudget`); default `JOIN_BUDGET`. */
  readonly joinBudget?: number;
  readonly progress?: (line: string) => void;
  readonly keepObservations?: boolean;
}

/** A search that ran, or why it could not: a message, the program's diagnostics, or a located runtime error. */
export type LdfiOutcome =
  | { readonly result: SearchResult; readonly nodes: string[]; readonly explicitNodes: boolean }
  | { readonly error: string; readonly diagnostics: Diagnostic[]; readonly located: boolean };

/**
 * The search behind `maze ldfi` on a checked program, without printing: validates nodes and bounds
 * against the program, runs the strategy, and turns every failure into an error value (never a
 * throw for a bad program or bound). `files` name the program in messages.
 */
export function searchProgram(program: Program, flags: LdfiFlags, files: readonly string[]): LdfiOutcome {
  const failWith = (error: string, diagnostics: Diagnostic[] = [], located = false): LdfiOutcome => ({ error, diagnostics, located });
  let defaultNodes: string[];
  try {
    defaultNodes = compileProgram(program).defaultNodes;
  } catch (e) {
    if (e instanceof DedalusError) return failWith(e.message, e.diagnostics);
    throw e;
  }
  if (!program.rules.some((r) => r.head.rel === "post") && !program.facts.some((f) => f.rel === "post")) {
    return failWith(
      `${files.join(" ")}: nothing derives post; LDFI judges runs by the invariant post (and its precondition pre), so add rules for them (e.g. an assertion file)`,
    );
  }
  let nodes = defaultNodes;
  const explicitNodes = flags.nodes !== undefined;
  if (flags.nodes !== undefined) {
    nodes = [...flags.nodes];
    if (nodes.length === 0) return failWith("--nodes is empty");
    const known = programConstants(program);
    const unknown = nodes.filter((n) => !known.has(n));
    if (unknown.length > 0)
      return failWith(
        `--nodes: unknown node${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `'${n}'`).join(", ")} (the program never mentions ${unknown.length > 1 ? "them" : "it"}; its default nodes are ${defaultNodes.join(",")})`,
      );
  }
  const bounds: FaultBounds = { eot: flags.eot, eff: flags.eff, crashes: flags.crashes, nodes };
  try {
    checkBounds(bounds);
  } catch (e) {
    if (e instanceof FaultBoundsError) return failWith(e.message);
    throw e;
  }
  const target = dedalusProgramTarget(program, {
    eot: bounds.eot,
    ...(explicitNodes ? { nodes } : {}),
    ...crashReading(program),
    ...(flags.joinBudget !== undefined ? { joinBudget: flags.joinBudget } : {}),
  });
  try {
    const result = searchFaults(target, {
      bounds,
      strategy: flags.strategy,
      maxRuns: flags.maxRuns,
      timeoutMs: flags.timeoutMs,
      seed: flags.seed,
      ...(flags.jobs !== undefined ? { jobs: flags.jobs } : {}),
      ...(flags.progress ? { progress: flags.progress } : {}),
      keepObservations: flags.keepObservations === true,
      ...(flags.maxTuples !== undefined ? { runLimits: { maxTuples: flags.maxTuples } } : {}),
    });
    return { result, nodes, explicitNodes };
  } catch (e) {
    if (e instanceof DedalusError) return failWith(e.message, e.diagnostics);
    if (e instanceof DedalusLimitError) return failWith(`a run hit the evaluator's ${e.limit} bound: ${e.message}`);
    if (e instanceof DedalusRuntimeError) return failWith(e.message, [], true);
    if (e instanceof Error && /provenance|support/.test(e.message)) return failWith(`lineage is unavailable: ${e.message}`);
    throw e;
  }
}

/**
 * Runs `maze ldfi`: validates flags and program (exit 2 with a located or named error), searches,
 * prints the result (JSON with --json), writes the report, and resolves to the exit code.
 */
export async function execute(values: OptionValues, positionals: string[]): Promise<number> {
  if (positionals.length === 0) return fail("no input files (usage: maze ldfi FILE... [options]; see --help)");
  const parsed = intOptions(values, [
    ["eot", DEFAULTS.eot, 1],
    ["eff", DEFAULTS.eff, 0],
    ["crashes", DEFAULTS.crashes, 0],
    ["max-runs", DEFAULT_MAX_RUNS, 1],
    ["seed", 1, 0],
    ["max-tuples", DEFAULT_MAX_TUPLES, 1],
    ["jobs", defaultJobs(), 1],
    ["join-budget", JOIN_BUDGET, 1],
  ]);
  if ("error" in parsed) return fail(parsed.error);
  const { ints } = parsed;
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (values["timeout"] !== undefined) {
    const raw = String(values["timeout"]);
    const s = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || !(s > 0)) return fail(`--timeout expects a positive number of seconds, got '${raw}'`);
    timeoutMs = s * 1000;
  }
  const strategy = (values["strategy"] ?? "ldfi") as string;
  if (strategy !== "ldfi" && strategy !== "random" && strategy !== "exhaustive")
    return fail(`--strategy must be ldfi, random or exhaustive, got '${strategy}'`);
  // A protocol written as handlers (DESIGN.md section 13) has its own loader and search.
  if (positionals.some(isProtocolModulePath)) {
    if (values["join-budget"] !== undefined)
      return fail("--join-budget tunes the lineage of Dedalus programs; a protocol module's lineage is its causal past");
    const { executeProtocolSearch } = require("./ldfiHandlers") as typeof import("./ldfiHandlers");
    return executeProtocolSearch({
      values,
      files: positionals,
      eot: ints.eot,
      eff: ints.eff,
      crashes: ints.crashes,
      maxRuns: ints["max-runs"],
      seed: ints.seed,
      timeoutMs,
      strategy,
      ...(values["max-tuples"] !== undefined ? { maxTuples: ints["max-tuples"] } : {}),
    });
  }

  const program = loadRunnableProgram(positionals, loadOptionsOf(values));
  if (!program) return EXIT.error;
  const progress = delayedProgress();
  const reportDir = typeof values["report"] === "string" ? values["report"] : undefined;
  if (reportDir !== undefined) {
    const bad = prepareReportDir(reportDir);
    if (bad) return fail(bad);
  }
  const nodeFlag = nodesOption(values);
  if (nodeFlag !== undefined && "error" in nodeFlag) return fail(nodeFlag.error);
  const searched = searchProgram(
    program,
    {
      eot: ints.eot,
      eff: ints.eff,
      crashes: ints.crashes,
      ...(nodeFlag !== undefined ? { nodes: nodeFlag } : {}),
      maxRuns: ints["max-runs"],
      maxTuples: ints["max-tuples"],
      timeoutMs,
      strategy: strategy,
      seed: ints.seed,
      jobs: ints.jobs,
      ...(values["join-budget"] !== undefined ? { joinBudget: ints["join-budget"] } : {}),
      progress,
      keepObservations: reportDir !== undefined,
    },
    positionals,
  );
  if ("error" in searched) {
    if (searched.diagnostics.length > 0)
      for (const d of searched.diagnostics) process.stderr.write(formatDiagnostic(d, program.sources) + "\n");
    else process.stderr.write(searched.located ? `${searched.error}\n` : `maze ldfi: ${searched.error}\n`);
    return EXIT.error;
  }
  const { result, nodes, explicitNodes } = searched;
  for (const w of result.warnings) process.stderr.write(`maze ldfi: warning: ${w}\n`);

  if (reportDir !== undefined) {
    const { writeLdfiReport } = require("../viz/report") as typeof import("../viz/report");
    const ff = result.runs[0]?.observation;
    const goal = result.counterexample?.missing[0] ?? result.failureFreePost[0];
    let lineage: { goal: string; graph: import("../ldfi/lineage").SupportGraph } | undefined;
    // lineage is recorded for every strategy's failure-free run, so random and exhaustive reports show it too
    if (ff && goal !== undefined) lineage = { goal, graph: ff.lineage([goal]) };
    let file: string;
    try {
      file = await writeLdfiReport(reportDir, { result, files: positionals, nodes, explicitNodes, ...(lineage ? { lineage } : {}) });
    } catch (e) {
      if ((e as NodeJS.ErrnoException)?.code === undefined) throw e;
      return fail(`--report ${reportDir}: cannot write the report (${fsReason(e)})`);
    }
    process.stderr.write(`maze ldfi: report written to ${file}\n`);
  }

  if (values["json"] === true) {
    process.stdout.write(JSON.stringify(ldfiJson(result)) + "\n");
  } else {
    const b = result.bounds;
    const lines = [
      `${result.verdict}${result.limit ? ` (limit: ${result.limit})` : ""} for EOT ${b.eot}, EFF ${b.eff}, crashes ${b.crashes} on nodes ${b.nodes.join(",")}`,
      `${result.executions} execution${result.executions === 1 ? "" : "s"} (${result.strategy}) in ${result.wallMs.toFixed(0)} ms`,
    ];
    if (result.counterexample) {
      const ce = result.counterexample;
      lines.push(`faults: ${formatFaults(ce.faults)}`, `lost while pre held: ${ce.missing.join(", ")}`);
      const { replayCommand } = require("../viz/report") as typeof import("../viz/report");
      lines.push(`replay: ${replayCommand({ files: positionals, eot: b.eot, ...(explicitNodes ? { nodes } : {}) }, ce.faults)}`);
    }
    // Only a finished failure-free run says so (a search stopped by a limit may not have one).
    if (result.verdict === "certified" && result.failureFreePost.length === 0)
      lines.push("the failure-free run has no post tuples at EOT: nothing can be violated");
    process.stdout.write(lines.join("\n") + "\n");
  }
  return verdictExit(result.verdict);
}
