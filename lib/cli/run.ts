import type { Program } from "../dedalus/ast";
import { DEFAULT_MAX_TUPLES, DEFAULT_WALL_MS, DedalusLimitError, DedalusRuntimeError, MAX_EOT } from "../dedalus/limits";
import { DedalusError, formatDiagnostic } from "../dedalus/diagnostics";
import { formatTuple, formatValue } from "../dedalus/factText";
import { compileProgram, runProgram, type Crash, type Fact, type Omission, type RunOptions, type RunResult } from "../dedalus/runtime";
import { isProtocolModulePath } from "../ldfi/handlers/load";
import { intOption, nodesOption, type CommandSpec, type OptionValues } from "./command";
import { ALLOW_NONLOCAL_OPTION, loadOptionsOf, loadRunnableProgram } from "./loadRunnable";
import { EXIT } from "./exitCodes";
import { SCHEMA_VERSION, versioned, type Versioned } from "./jsonSchema";

/** Molly's default end of time. */
export const DEFAULT_EOT = 3;

/** `maze run FILE... [--eot N] [--nodes a,b] [--omit from,to,t]... [--crash node,t]... [--json]`. */
export const spec: CommandSpec = {
  help: [
    "usage: maze run FILE... [--eot N] [--nodes a,b] [--omit from,to,t]... [--crash node,t]... [--json]",
    "                        [--max-tuples N] [--timeout S] [--allow-nonlocal]",
    "",
    "Runs a Dedalus program (the files are concatenated, e.g. a protocol and its assertions) from time 1",
    "to EOT and prints every relation: one table per relation, rows by time and location.",
    "A protocol module (.ts/.js from defineSimProtocol) instead runs once under the faults: messages, states, keys.",
    "",
    `  --eot N              last timestep (default ${DEFAULT_EOT})`,
    "  --nodes a,b,c        the run's nodes (default: the first columns of the facts)",
    "  --omit from,to,t     lose every message from `from` to `to` sent at time t (repeatable)",
    "  --crash node,t       from time t on, `node` sends nothing to other nodes (repeatable)",
    `  --max-tuples N       stop with an error past N tuples (default ${DEFAULT_MAX_TUPLES})`,
    `  --timeout S          stop with an error after S seconds (default ${DEFAULT_WALL_MS / 1000})`,
    `  --json               print {"schemaVersion": ${SCHEMA_VERSION}, "eot": N, "facts": [{"rel", "time", "args"}]}`,
    "  --allow-nonlocal     report rules that move data without @async (non-local-join, non-local-head)",
    "                       as warnings, not errors (Molly's own programs are not all local)",
    "",
    `Exit ${EXIT.ok} on success, ${EXIT.error} for a bad program or bad flags (errors on stderr as file:line:col: message).`,
  ].join("\n"),
  options: {
    eot: { type: "string" },
    nodes: { type: "string" },
    omit: { type: "string", multiple: true },
    crash: { type: "string", multiple: true },
    json: { type: "boolean" },
    "max-tuples": { type: "string" },
    timeout: { type: "string" },
    ...ALLOW_NONLOCAL_OPTION,
  },
};

function list(values: OptionValues, name: string): string[] {
  const v = values[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [String(v)];
}

/** Parses `--omit from,to,t`. */
export function parseOmission(s: string): Omission | { error: string } {
  const parts = s.split(",").map((p) => p.trim());
  if (parts.length !== 3 || !parts[0] || !parts[1] || !/^\d+$/.test(parts[2]!))
    return { error: `--omit expects from,to,time (e.g. a,b,1), got '${s}'` };
  return { from: parts[0], to: parts[1], time: Number(parts[2]) };
}

/** Parses `--crash node,t`. */
export function parseCrash(s: string): Crash | { error: string } {
  const parts = s.split(",").map((p) => p.trim());
  if (parts.length !== 2 || !parts[0] || !/^\d+$/.test(parts[1]!)) return { error: `--crash expects node,time (e.g. b,2), got '${s}'` };
  return { node: parts[0], time: Number(parts[1]) };
}

/** The readable output: one table per relation, rows sorted by time then location then values. */
export function formatRunTables(result: RunResult, program: Program): string {
  const byRel = new Map<string, Fact[]>();
  for (const f of result.facts()) {
    let l = byRel.get(f.rel);
    if (!l) byRel.set(f.rel, (l = []));
    l.push(f);
  }
  const out: string[] = [];
  const header = `eot ${result.eot} · nodes ${result.nodes.join(", ")} · files ${program.files.join(", ")}`;
  out.push(header);
  const lost = result.messages.filter((m) => m.lost !== null && m.lost !== "after-eot");
  if (lost.length > 0)
    out.push(`lost messages: ${lost.map((m) => `${formatTuple(m.rel, m.args)} ${m.from}->${m.to}@${m.sendTime} (${m.lost})`).join("; ")}`);
  for (const rel of [...byRel.keys()].sort()) {
    const rows = byRel.get(rel)!;
    out.push("", `${rel} (${rows.length} tuple${rows.length === 1 ? "" : "s"})`);
    const cells = rows.map((f) => [String(f.time), String(f.args[0]), f.args.slice(1).map(formatValue).join(", ")]);
    const head = ["time", "node", "values"];
    // A loop, not Math.max(...spread): a relation can hold millions of rows, past the argument limit.
    const widths = head.map((h) => h.length);
    for (const c of cells) for (let i = 0; i < widths.length; i++) if (c[i]!.length > widths[i]!) widths[i] = c[i]!.length;
    const line = (c: string[]): string =>
      "  " +
      c
        .map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd();
    out.push(line(head));
    for (const c of cells) out.push(line(c));
  }
  if (byRel.size === 0) out.push("", "(no tuples)");
  return out.join("\n");
}

/** The `--json` output. */
export function runToJson(result: RunResult): Versioned & { eot: number; facts: Fact[] } {
  return versioned({ eot: result.eot, facts: result.facts().map((f) => ({ rel: f.rel, time: f.time, args: f.args })) });
}

/** The program's default nodes (the first columns of its facts); undefined after printing its errors. */
function compiledNodes(program: Program): string[] | undefined {
  try {
    return compileProgram(program).defaultNodes;
  } catch (e) {
    if (!(e instanceof DedalusError)) throw e;
    process.stderr.write(e.diagnostics.map((d) => formatDiagnostic(d, program.sources)).join("\n") + "\n");
    return undefined;
  }
}

/** Runs a checked program; an evaluator limit or runtime error comes back as a message, never thrown. */
export function runChecked(program: Program, options: RunOptions): RunResult | { error: string } {
  try {
    return runProgram(program, options);
  } catch (e) {
    if (e instanceof DedalusLimitError || e instanceof DedalusRuntimeError) return { error: e.message };
    throw e;
  }
}

/** Runs `maze run` with parsed flags; resolves to the exit code (0, or 2 for a bad program or flags). */
export async function execute(values: OptionValues, positionals: string[]): Promise<number> {
  const fail = (msg: string): number => {
    process.stderr.write(`maze run: ${msg}\n`);
    return EXIT.error;
  };
  if (positionals.length === 0) return fail("no input files (usage: maze run FILE... [--eot N])");
  const eot = intOption(values, "eot", DEFAULT_EOT, 0);
  if (typeof eot !== "number") return fail(eot.error);
  if (eot > MAX_EOT) return fail(`--eot must be at most ${MAX_EOT}, got ${eot}`);
  const maxTuples = intOption(values, "max-tuples", DEFAULT_MAX_TUPLES, 1);
  if (typeof maxTuples !== "number") return fail(maxTuples.error);
  const timeout = intOption(values, "timeout", DEFAULT_WALL_MS / 1000, 1);
  if (typeof timeout !== "number") return fail(timeout.error);
  const omissions: { fault: Omission; flag: string }[] = [];
  for (const s of list(values, "omit")) {
    const o = parseOmission(s);
    if ("error" in o) return fail(o.error);
    omissions.push({ fault: o, flag: `--omit ${s}` });
  }
  const crashes: { fault: Crash; flag: string }[] = [];
  for (const s of list(values, "crash")) {
    const c = parseCrash(s);
    if ("error" in c) return fail(c.error);
    crashes.push({ fault: c, flag: `--crash ${s}` });
  }
  // A protocol written as handlers (DESIGN.md section 13): one execution under these faults.
  if (positionals.some(isProtocolModulePath)) {
    const { executeProtocolRun } = require("./ldfiHandlers") as typeof import("./ldfiHandlers");
    return executeProtocolRun({
      values,
      files: positionals,
      eot,
      omissions: omissions.map((o) => o.fault),
      crashes: crashes.map((c) => c.fault),
    });
  }
  const explicitNodes = nodesOption(values);
  if (explicitNodes !== undefined && "error" in explicitNodes) return fail(explicitNodes.error);
  const nodes = explicitNodes;

  const program = loadRunnableProgram(positionals, loadOptionsOf(values));
  if (!program) return EXIT.error;
  const runNodes = nodes ?? compiledNodes(program);
  if (runNodes === undefined) return EXIT.error;
  // A fault naming something that is not a node would change nothing: it is a typo, said so here.
  const faultNodes = [
    ...omissions.map((o) => ({ names: [o.fault.from, o.fault.to], flag: o.flag })),
    ...crashes.map((c) => ({ names: [c.fault.node], flag: c.flag })),
  ];
  for (const { names, flag } of faultNodes) {
    for (const n of names) {
      if (!runNodes.includes(n))
        return fail(
          `${flag}: '${n}' is not a node of this run (nodes: ${runNodes.join(",") || "none"}${nodes ? ", from --nodes" : ", the first columns of the facts"})`,
        );
    }
  }
  const result = runChecked(program, {
    eot,
    ...(nodes ? { nodes } : {}),
    failures: { omissions: omissions.map((o) => o.fault), crashes: crashes.map((c) => c.fault) },
    limits: { maxTuples, wallMs: timeout * 1000 },
  });
  if ("error" in result) return fail(result.error);
  if (values["json"] === true) process.stdout.write(JSON.stringify(runToJson(result)) + "\n");
  else process.stdout.write(formatRunTables(result, program) + "\n");
  return EXIT.ok;
}
