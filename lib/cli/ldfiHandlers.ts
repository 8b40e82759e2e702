import {
  checkBounds,
  FaultBoundsError,
  faultSet,
  formatFaults,
  type CrashFault,
  type FaultBounds,
  type FaultSet,
  type OmissionFault,
} from "../ldfi/faults";
import { handlerSearch, ReplayMismatchError, type HandlerSearchResult } from "../ldfi/handlers/search";
import { handlerTarget } from "../ldfi/handlers/target";
import { loadSimProtocol, ProtocolLoadError, type LoadedProtocol } from "../ldfi/handlers/load";
import { SimProtocolError } from "../ldfi/handlers/protocol";
import { runTicks, type TickRun } from "../ldfi/handlers/ticks";
import { messageLabel } from "../ldfi/handlers/target";
import type { Strategy } from "../ldfi/result";
import { SimHandlerError } from "../sim/errors";
import type { OptionValues } from "./command";
import { ldfiJson } from "./ldfiJson";
import { delayedProgress } from "./progress";
import { EXIT, verdictExit } from "./exitCodes";
import { versioned } from "./jsonSchema";

/** The flags `maze ldfi` has already parsed and checked when it hands a protocol module over. */
export interface ProtocolSearchArgs {
  readonly values: OptionValues;
  readonly files: readonly string[];
  readonly eot: number;
  readonly eff: number;
  readonly crashes: number;
  readonly maxRuns: number;
  readonly seed: number;
  readonly timeoutMs: number;
  readonly strategy: Strategy;
  /** `--max-tuples`, which bounds the trace events of one handler run (default DEFAULT_MAX_TICK_EVENTS). */
  readonly maxTuples?: number;
}

function fail(command: string, message: string): number {
  process.stderr.write(`maze ${command}: ${message}\n`);
  return EXIT.error;
}

/** Loads the one protocol module of a command line, or reports why not (exit 2). */
function loadOne(command: string, files: readonly string[], values: OptionValues): LoadedProtocol | number {
  if (files.length !== 1) return fail(command, `a protocol module runs alone: give one .ts or .js file, got ${files.join(" ")}`);
  if (values["nodes"] !== undefined)
    return fail(command, "--nodes does not apply to a protocol module: its nodes are the `nodes` of defineSimProtocol");
  try {
    return loadSimProtocol(files[0] as string);
  } catch (e) {
    if (e instanceof ProtocolLoadError) return fail(command, e.message);
    if (e instanceof SimProtocolError) return fail(command, `${files[0]}: ${e.message}`);
    throw e;
  }
}

/** A protocol's contract broken during a run: exit 2 with the file, node, handler and tick. */
function runError(command: string, file: string, e: unknown): number {
  if (e instanceof SimHandlerError || e instanceof ReplayMismatchError) return fail(command, `${file}: ${e.message}`);
  throw e;
}

/**
 * `maze ldfi protocol.ts ...`: the handler search (DESIGN.md section 13) with the flags, JSON shape,
 * exit codes and report of the Dedalus search. Resolves to the exit code.
 */
export async function executeProtocolSearch(args: ProtocolSearchArgs): Promise<number> {
  const loaded = loadOne("ldfi", args.files, args.values);
  if (typeof loaded === "number") return loaded;
  const file = loaded.file;
  const bounds: FaultBounds = { eot: args.eot, eff: args.eff, crashes: args.crashes, nodes: loaded.protocol.nodes };
  try {
    checkBounds(bounds);
  } catch (e) {
    if (e instanceof FaultBoundsError) return fail("ldfi", e.message);
    throw e;
  }
  const progress = delayedProgress();
  const reportDir = typeof args.values["report"] === "string" ? args.values["report"] : undefined;
  const target = handlerTarget(loaded.protocol, { eot: args.eot, guard: loaded.guard });
  let result: HandlerSearchResult;
  try {
    result = handlerSearch(target, {
      bounds,
      strategy: args.strategy,
      maxRuns: args.maxRuns,
      timeoutMs: args.timeoutMs,
      seed: args.seed,
      ...(args.maxTuples !== undefined ? { runLimits: { maxTuples: args.maxTuples } } : {}),
      progress,
      keepObservations: reportDir !== undefined,
    });
  } catch (e) {
    return runError("ldfi", file, e);
  }
  for (const w of result.warnings) process.stderr.write(`maze ldfi: warning: ${w}\n`);

  if (reportDir !== undefined) {
    const { writeLdfiReport } = require("../viz/report") as typeof import("../viz/report");
    const ff = result.runs[0]?.observation;
    const goal = result.counterexample?.missing[0] ?? result.failureFreePost[0];
    const lineage = ff && goal !== undefined ? { goal, graph: ff.lineage([goal]) } : undefined;
    const out = await writeLdfiReport(reportDir, { result, files: args.files, nodes: bounds.nodes, ...(lineage ? { lineage } : {}) });
    process.stderr.write(`maze ldfi: report written to ${out}\n`);
  }

  if (args.values["json"] === true) {
    process.stdout.write(JSON.stringify(ldfiJson(result)) + "\n");
  } else {
    const lines = [
      `${result.verdict}${result.limit ? ` (limit: ${result.limit})` : ""} for EOT ${bounds.eot}, EFF ${bounds.eff}, crashes ${bounds.crashes} on nodes ${bounds.nodes.join(",")}`,
      `${result.executions} execution${result.executions === 1 ? "" : "s"} (${result.strategy}) in ${result.wallMs.toFixed(0)} ms` +
        (result.completion
          ? `; LDFI ${result.ldfiExecutions}, then the completion phase ${result.completion.executions} (${result.completion.coveredByLdfi} of ${result.completion.effectiveSets} effective fault sets already run)`
          : ""),
    ];
    if (result.counterexample) {
      const ce = result.counterexample;
      const { replayCommand } = require("../viz/report") as typeof import("../viz/report");
      lines.push(
        `faults: ${formatFaults(ce.faults)}`,
        `lost while pre held: ${ce.missing.join(", ")}`,
        `replay: ${replayCommand({ files: args.files, eot: bounds.eot }, ce.faults)}`,
      );
    }
    // Only a finished failure-free run says so (a search stopped by a limit may not have one).
    if (result.verdict === "certified" && result.failureFreePost.length === 0)
      lines.push("the failure-free run has no post keys at EOT: nothing can be violated");
    process.stdout.write(lines.join("\n") + "\n");
  }
  return verdictExit(result.verdict);
}

/**
 * The `--json` object of `maze run protocol.ts`:
 * `{schemaVersion, eot, faults, messages: [{from, to, time, message, fate}], states: {node: state}, pre, post}`.
 */
export function protocolRunJson(run: TickRun<unknown>, faults: FaultSet): object {
  const messages = run.messages.map((m) => ({ from: m.from, to: m.to, time: m.sendTime, message: m.message, fate: m.fate }));
  const states = Object.fromEntries([...run.states].map(([n, s]) => [n, s]));
  return versioned({ eot: run.eot, faults: formatFaults(faults), messages, states, pre: run.pre, post: run.post });
}

/** The flags `maze run` has parsed when it hands a protocol module over. */
export interface ProtocolRunArgs {
  readonly values: OptionValues;
  readonly files: readonly string[];
  readonly eot: number;
  readonly omissions: readonly OmissionFault[];
  readonly crashes: readonly CrashFault[];
}

/**
 * `maze run protocol.ts --eot N [--omit from,to,t]... [--crash node,t]... [--json]`: one execution
 * under the given faults (the replay of a counterexample). Prints every message with its fate, each
 * node's state after EOT and the `pre`/`post` keys; with `--json` one object
 * `{"eot", "faults", "messages": [{from, to, time, message, fate}], "states": {node: state}, "pre", "post"}`.
 */
export async function executeProtocolRun(args: ProtocolRunArgs): Promise<number> {
  const loaded = loadOne("run", args.files, args.values);
  if (typeof loaded === "number") return loaded;
  const nodes = loaded.protocol.nodes;
  for (const n of [...args.omissions.flatMap((o) => [o.from, o.to]), ...args.crashes.map((c) => c.node)]) {
    if (!nodes.includes(n)) return fail("run", `'${n}' in a fault is not a node of ${loaded.file} (nodes: ${nodes.join(",")})`);
  }
  if (args.eot < 1) return fail("run", `--eot must be at least 1 for a protocol module, got ${args.eot}`);
  const faults: FaultSet = faultSet(args.omissions, args.crashes);
  let run;
  try {
    run = runTicks(loaded.protocol, { eot: args.eot, faults, guard: loaded.guard });
  } catch (e) {
    return runError("run", loaded.file, e);
  }
  if (args.values["json"] === true) {
    process.stdout.write(JSON.stringify(protocolRunJson(run, faults)) + "\n");
    return EXIT.ok;
  }
  const lines = [
    `eot ${run.eot} · nodes ${nodes.join(", ")} · ${loaded.file} · faults: ${formatFaults(faults)}`,
    "",
    "messages (time from -> to: message, fate)",
  ];
  for (const m of run.messages)
    lines.push(
      `  ${m.sendTime} ${m.from} -> ${m.to}: ${messageLabel(m.message)} ${JSON.stringify(m.message)}${m.fate === "delivered" ? "" : ` (${m.fate})`}`,
    );
  if (run.messages.length === 0) lines.push("  (none)");
  lines.push("", "state after EOT");
  for (const [n, s] of run.states) lines.push(`  ${n}: ${JSON.stringify(s)}`);
  lines.push("", `pre:  ${run.pre.join(", ") || "(none)"}`, `post: ${run.post.join(", ") || "(none)"}`);
  process.stdout.write(lines.join("\n") + "\n");
  return EXIT.ok;
}
