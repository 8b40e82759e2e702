import type { Program, Span } from "../dedalus/ast";
import { analyzeCalm, formatCalm, type CalmAnalysis } from "../dedalus/calm";
import { formatDiagnostic, formatLocation, hasErrors, sortDiagnostics, type Diagnostic } from "../dedalus/diagnostics";
import { loadChecked, type CheckedProgram } from "../dedalus/load";
import { DEFAULT_MAX_TUPLES, DEFAULT_WALL_MS } from "../dedalus/limits";
import { outcomeSpread, type OutcomeSpread } from "../dedalus/outcomes";
import { checkWarnings } from "../dedalus/warnings";
import { intOptions, type CommandSpec, type OptionValues } from "./command";
import { ALLOW_NONLOCAL_OPTION, loadOptionsOf } from "./loadRunnable";
import type { LoadOptions } from "../dedalus/load";
import { EXIT } from "./exitCodes";
import { versioned, type JsonDiagnostic } from "./jsonSchema";

/** `maze check FILE... [--json]`: diagnostics (errors and warnings) and the CALM analysis. */
export const spec: CommandSpec = {
  help: [
    "usage: maze check FILE... [--json] [--allow-nonlocal] [--schedules N [--eot N] [--max-delay N] [--seed N] [--relations r,s]",
    "                  [--max-tuples N] [--timeout S]]",
    "",
    "Checks Dedalus programs (the files are one program, as for maze run): syntax, arity, column types,",
    "safety, stratification, locality (only @async moves data between nodes), then warnings (relations",
    "never derived or used) and the CALM analysis (which rules are monotone, and where non-monotone",
    "reasoning reads data that arrives asynchronously: the places that need coordination or sealing).",
    "",
    "  --json         print one JSON object {schemaVersion, files, errors, warnings, diagnostics, calm, spread}",
    "  --schedules N  also run the program under N random delivery schedules (each message delayed",
    "                 1..max-delay steps) and count the distinct outcomes at EOT: a monotone program",
    "                 has one. --eot (default 10), --max-delay (default 3), --seed (default 1),",
    "                 --relations (default: all) choose what is run and observed; --max-tuples and",
    `                 --timeout bound each run (defaults ${DEFAULT_MAX_TUPLES} tuples, ${DEFAULT_WALL_MS / 1000} s).`,
    "  --allow-nonlocal  report rules that move data without @async (non-local-join, non-local-head)",
    "                 as warnings, not errors (Molly's own programs are not all local)",
    "",
    `Exit ${EXIT.ok} when there are no errors (warnings allowed), ${EXIT.error} on errors.`,
  ].join("\n"),
  options: {
    json: { type: "boolean" },
    schedules: { type: "string" },
    "max-tuples": { type: "string" },
    timeout: { type: "string" },
    eot: { type: "string" },
    "max-delay": { type: "string" },
    seed: { type: "string" },
    relations: { type: "string" },
    ...ALLOW_NONLOCAL_OPTION,
  },
};

/** A diagnostic as JSON: location flattened, related locations kept. */
export type { JsonDiagnostic } from "./jsonSchema";

/** A diagnostic as `maze check --json` prints it (the playground's `mazeLive.dedalus` too). */
export function jsonDiagnostic(d: Diagnostic): JsonDiagnostic {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: d.span?.file ?? null,
    line: d.span?.line ?? null,
    col: d.span?.col ?? null,
    related: (d.related ?? []).map((r) => ({ message: r.message, location: formatLocation(r.span) })),
  };
}

const loc = (s: Span): string => formatLocation(s);

/** The CALM analysis as plain JSON (rules by location and text, relations, coordination points). */
export function calmToJson(a: CalmAnalysis): object {
  return {
    monotone: a.monotone,
    rules: a.rules.map((r) => ({
      location: loc(r.rule.span),
      rule: r.rule.text,
      monotone: r.monotone,
      reasons: r.reasons.map((x) => x.kind),
    })),
    relations: a.relations.map((r) => ({ rel: r.rel, monotone: r.monotone, asyncFed: r.asyncFed, why: r.why })),
    points: a.points.map((p) => ({
      location: loc(p.span),
      rule: p.rule.text,
      kind: p.reason.kind,
      input: p.input,
      chain: p.chain.map((h) => ({ rel: h.rel, location: loc(h.rule.span) })),
      explanation: p.explanation,
    })),
  };
}

/** Everything `maze check` computes for one program. */
export interface CheckReport {
  program: Program;
  diagnostics: Diagnostic[];
  /** Null when the program has errors (the analysis needs a well-formed program). */
  calm: CalmAnalysis | null;
}

/** Loads, checks, warns and analyses; never throws on bad programs (they become diagnostics). */
export function checkFiles(files: string[], options: LoadOptions = {}): CheckReport {
  return checkLoaded(loadChecked(files, options));
}

/** Warns and analyses a loaded and checked program: the part of {@link checkFiles} after `loadChecked`. */
export function checkLoaded(checked: CheckedProgram): CheckReport {
  const diagnostics = [...checked.diagnostics];
  // A loop, not push(...spread): a large program can have more diagnostics than a call takes arguments.
  for (const d of checkWarnings(checked.program)) diagnostics.push(d);
  const sorted = sortDiagnostics(diagnostics);
  return { program: checked.program, diagnostics: sorted, calm: hasErrors(sorted) ? null : analyzeCalm(checked.program) };
}

/** Most outcome lines printed per distinct outcome (the JSON output has them all). */
const MAX_OUTCOME_LINES = 12;

/** The spread as text: each outcome as its difference from the synchronous (Molly) schedule. */
function formatSpread(s: OutcomeSpread, eot: number, maxDelay: number): string {
  const lines = [
    `CALM demonstration: ${s.schedules} random delivery schedules (each message delayed 1..${maxDelay} steps), observed at EOT ${eot}: ` +
      `${s.distinct} distinct outcome${s.distinct === 1 ? "" : "s"}${s.distinct === 1 ? " (as a monotone program must)" : ""}.`,
  ];
  const sync = new Set(s.synchronous);
  s.outcomes.forEach((o, i) => {
    const mine = new Set(o.facts);
    const diff = [
      ...o.facts.filter((f) => !sync.has(f)).map((f) => `+ ${f}`),
      ...s.synchronous.filter((f) => !mine.has(f)).map((f) => `- ${f}`),
    ];
    const head = `  #${i + 1}: ${o.schedules} schedule${o.schedules === 1 ? "" : "s"} (first: ${o.firstSchedule}), ${o.facts.length} facts`;
    lines.push(diff.length === 0 ? `${head}, same as the synchronous schedule` : `${head}, vs the synchronous schedule:`);
    for (const d of diff.slice(0, MAX_OUTCOME_LINES)) lines.push(`      ${d}`);
    if (diff.length > MAX_OUTCOME_LINES) lines.push(`      ... ${diff.length - MAX_OUTCOME_LINES} more`);
  });
  return lines.join("\n");
}

/**
 * The human-readable report of `maze check`: errors (for stderr, with caret excerpts), then
 * warnings, the CALM analysis and the summary line (for stdout; the summary goes to stderr when
 * there are errors).
 */
export function formatCheckReport(report: CheckReport, extra?: string): { stdout: string; stderr: string } {
  const errors = report.diagnostics.filter((d) => d.severity === "error");
  const warnings = report.diagnostics.filter((d) => d.severity === "warning");
  const err = errors.map((d) => formatDiagnostic(d, report.program.sources) + "\n");
  const out = warnings.map((d) => formatDiagnostic(d, report.program.sources) + "\n");
  if (report.calm) out.push(formatCalm(report.calm) + "\n");
  if (extra) out.push(extra + "\n");
  const summary = `maze check: ${errors.length} error${errors.length === 1 ? "" : "s"}, ${warnings.length} warning${warnings.length === 1 ? "" : "s"}\n`;
  (errors.length > 0 ? err : out).push(summary);
  return { stdout: out.join(""), stderr: err.join("") };
}

/** The spread of `maze check --schedules N`, with the options it ran under. */
export interface CheckSpread {
  readonly spread: OutcomeSpread;
  readonly eot: number;
  readonly maxDelay: number;
}

/** The object `maze check --json` prints. */
export function checkJson(report: CheckReport, files: readonly string[], spread: CheckSpread | null = null): object {
  const errors = report.diagnostics.filter((d) => d.severity === "error");
  const warnings = report.diagnostics.filter((d) => d.severity === "warning");
  const s = spread?.spread;
  return versioned({
    files: [...files],
    errors: errors.length,
    warnings: warnings.length,
    diagnostics: report.diagnostics.map(jsonDiagnostic),
    calm: report.calm ? calmToJson(report.calm) : null,
    spread: s
      ? {
          schedules: s.schedules,
          eot: spread.eot,
          maxDelay: spread.maxDelay,
          distinct: s.distinct,
          synchronous: s.synchronous,
          outcomes: s.outcomes,
        }
      : null,
  });
}

/** Runs `maze check`; resolves to the exit code (0 without errors, 2 with errors or bad flags). */
export async function execute(values: OptionValues, positionals: string[]): Promise<number> {
  if (positionals.length === 0) {
    process.stderr.write("maze check: expects at least one FILE\n" + spec.help + "\n");
    return EXIT.error;
  }
  const parsed = intOptions(values, [
    ["schedules", 0, 0],
    ["eot", 10, 1],
    ["max-delay", 3, 1],
    ["seed", 1, 0],
    ["max-tuples", DEFAULT_MAX_TUPLES, 1],
    ["timeout", DEFAULT_WALL_MS / 1000, 1],
  ]);
  if ("error" in parsed) {
    process.stderr.write(`maze check: ${parsed.error}\n`);
    return EXIT.error;
  }
  const { ints } = parsed;
  const report = checkFiles(positionals, loadOptionsOf(values));
  let spread: OutcomeSpread | null = null;
  const schedules = ints.schedules,
    eot = ints.eot,
    maxDelay = ints["max-delay"];
  if (schedules > 0 && report.calm) {
    try {
      const relations =
        typeof values["relations"] === "string"
          ? values["relations"]
              .split(",")
              .map((r) => r.trim())
              .filter((r) => r !== "")
          : undefined;
      const limits = { maxTuples: ints["max-tuples"], wallMs: ints.timeout * 1000 };
      spread = outcomeSpread(report.program, {
        schedules,
        seed: ints.seed,
        eot,
        maxDelay,
        limits,
        ...(relations ? { relations } : {}),
      });
    } catch (e) {
      process.stderr.write(`maze check: the schedule demonstration failed: ${e instanceof Error ? e.message : String(e)}\n`);
      return EXIT.error;
    }
  }
  const errors = report.diagnostics.filter((d) => d.severity === "error");
  if (values["json"] === true) {
    const out = checkJson(report, positionals, spread ? { spread, eot, maxDelay } : null);
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
  } else {
    // Errors on stderr (DESIGN.md section 6), the rest of the report on stdout.
    const text = formatCheckReport(report, spread ? formatSpread(spread, eot, maxDelay) : undefined);
    process.stderr.write(text.stderr);
    process.stdout.write(text.stdout);
  }
  return errors.length > 0 ? EXIT.error : EXIT.ok;
}
