/**
 * `maze check|run|ldfi --json` as a function of in-memory files: the object the CLI prints, for
 * callers without a command line (the playground's `mazeLive.dedalus` in the browser, tests). It
 * reuses the commands' own builders (checkJson, runToJson, ldfiJson, searchProgram), so the two
 * cannot drift apart. It never throws: a bad request or program is `{ error, diagnostics }`.
 */
import { DedalusError, formatDiagnostic, type Diagnostic } from "../dedalus/diagnostics";
import { MAX_EOT } from "../dedalus/limits";
import { loadChecked, type LoadOptions, type SourceFile } from "../dedalus/load";
import { DEFAULT_MAX_RUNS, DEFAULT_TIMEOUT_MS, type SearchResult, type Strategy } from "../ldfi/result";
import { checkJson, checkLoaded, jsonDiagnostic } from "./check";
import { integerFlag, nodesOption } from "./command";
import { ldfiJson, searchProgram } from "./ldfi";
import { dedalusJsonError, type DedalusJsonError } from "./jsonSchema";
import { checkRunnable, formatShown } from "./loadRunnable";
import { DEFAULT_EOT, runChecked, runToJson } from "./run";

/** One request: the files (name to text, in order: they are one program) and a command with its flags. */
export interface DedalusJsonRequest {
  readonly files: Readonly<Record<string, string>>;
  readonly command: "check" | "run" | "ldfi";
  readonly eot?: number;
  readonly eff?: number;
  readonly crashes?: number;
  /** The nodes (`--nodes a,b`), as a list or comma-separated. */
  readonly nodes?: readonly string[] | string;
  readonly strategy?: Strategy;
  readonly maxRuns?: number;
  readonly seed?: number;
  /** Wall-clock limit of an LDFI search in milliseconds (`--timeout`, default 60 s). */
  readonly timeoutMs?: number;
  /** `--allow-nonlocal`. */
  readonly allowNonlocal?: boolean;
}

/** What a request answers when it cannot run: the CLI's stderr text and the diagnostics behind it. */
export type { DedalusJsonError } from "./jsonSchema";

/** Molly's default LDFI bounds (as `maze ldfi`). */
const LDFI_DEFAULTS = { eot: 3, eff: 2, crashes: 0 } as const;

function intField(
  req: DedalusJsonRequest,
  name: "eot" | "eff" | "crashes" | "maxRuns" | "seed",
  fallback: number,
  min: number,
): number | string {
  const v = req[name];
  if (v === undefined) return fallback;
  const n = integerFlag(
    name === "maxRuns" ? "max-runs" : name,
    typeof v === "number" && Number.isInteger(v) ? v : undefined,
    String(v),
    min,
  );
  return typeof n === "number" ? n : n.error;
}

function errorOf(command: string, message: string, diagnostics: Diagnostic[] = []): DedalusJsonError {
  return dedalusJsonError(`maze ${command}: ${message}`, diagnostics.map(jsonDiagnostic));
}

/**
 * Answers one request with exactly the object `maze <command> --json` prints for the same files
 * and flags (`wallMs` is the time here); `progress` hears the LDFI search's progress lines, and
 * `searchedHook` gets the whole search result (its runs, for the playground's runs table).
 */
export function dedalusJson(
  req: DedalusJsonRequest,
  progress?: (line: string) => void,
  searchedHook?: (result: SearchResult) => void,
): object {
  const command = req?.command;
  try {
    if (command !== "check" && command !== "run" && command !== "ldfi")
      return errorOf("playground", `command must be check, run or ldfi, got '${String(command)}'`);
    if (!req.files || typeof req.files !== "object") return errorOf(command, "files must be an object of file name -> program text");
    const sources: SourceFile[] = Object.entries(req.files).map(([file, text]) => ({ file, text: String(text) }));
    if (sources.length === 0) return errorOf(command, `no input files (usage: maze ${command} FILE...)`);
    const options: LoadOptions = req.allowNonlocal === true ? { locality: "warn" } : {};
    const loaded = loadChecked(sources, options);
    const names = sources.map((s) => s.file);
    if (command === "check") return checkJson(checkLoaded(loaded), names);

    // The CLI's own --nodes parsing (empty lists and duplicates are errors), on the joined list.
    const nodeFlag =
      req.nodes === undefined ? undefined : nodesOption({ nodes: typeof req.nodes === "string" ? req.nodes : [...req.nodes].join(",") });
    if (nodeFlag !== undefined && "error" in nodeFlag) return errorOf(command, nodeFlag.error);
    const nodes = nodeFlag;
    if (command === "run") {
      const eot = intField(req, "eot", DEFAULT_EOT, 0);
      if (typeof eot === "string") return errorOf("run", eot);
      if (eot > MAX_EOT) return errorOf("run", `--eot must be at most ${MAX_EOT}, got ${eot}`);
      const runnable = checkRunnable(loaded);
      if (!runnable.ok) return dedalusJsonError(formatShown(runnable), runnable.shown.map(jsonDiagnostic));
      try {
        const result = runChecked(runnable.program, { eot, ...(nodes ? { nodes } : {}), failures: { omissions: [], crashes: [] } });
        return "error" in result ? errorOf("run", result.error) : runToJson(result);
      } catch (e) {
        // Compile-time errors (e.g. no nodes at all) are located diagnostics, as `maze run` prints them.
        if (e instanceof DedalusError)
          return dedalusJsonError(
            e.diagnostics.map((d) => formatDiagnostic(d, runnable.program.sources)).join("\n"),
            e.diagnostics.map(jsonDiagnostic),
          );
        throw e;
      }
    }

    const ints: Record<string, number> = {};
    for (const [name, fallback, min] of [
      ["eot", LDFI_DEFAULTS.eot, 1],
      ["eff", LDFI_DEFAULTS.eff, 0],
      ["crashes", LDFI_DEFAULTS.crashes, 0],
      ["maxRuns", DEFAULT_MAX_RUNS, 1],
      ["seed", 1, 0],
    ] as const) {
      const v = intField(req, name, fallback, min);
      if (typeof v === "string") return errorOf("ldfi", v);
      ints[name] = v;
    }
    const strategy = req.strategy ?? "ldfi";
    if (strategy !== "ldfi" && strategy !== "random" && strategy !== "exhaustive")
      return errorOf("ldfi", `--strategy must be ldfi, random or exhaustive, got '${String(strategy)}'`);
    const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (typeof timeoutMs !== "number" || !(timeoutMs > 0))
      return errorOf("ldfi", `--timeout expects a positive number of seconds, got '${String(timeoutMs)}'`);
    const runnable = checkRunnable(loaded);
    if (!runnable.ok) return dedalusJsonError(formatShown(runnable), runnable.shown.map(jsonDiagnostic));
    const searched = searchProgram(
      runnable.program,
      {
        eot: ints["eot"]!,
        eff: ints["eff"]!,
        crashes: ints["crashes"]!,
        ...(nodes ? { nodes } : {}),
        maxRuns: ints["maxRuns"]!,
        timeoutMs,
        strategy,
        seed: ints["seed"]!,
        ...(progress ? { progress } : {}),
      },
      names,
    );
    if ("error" in searched) {
      if (searched.diagnostics.length > 0) {
        return dedalusJsonError(
          searched.diagnostics.map((d) => formatDiagnostic(d, runnable.program.sources)).join("\n"),
          searched.diagnostics.map(jsonDiagnostic),
        );
      }
      return searched.located ? dedalusJsonError(searched.error) : errorOf("ldfi", searched.error);
    }
    searchedHook?.(searched.result);
    return ldfiJson(searched.result);
  } catch (e) {
    return errorOf(typeof command === "string" ? command : "playground", `internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}
