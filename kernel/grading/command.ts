import * as path from "node:path";
import { intOption, type CommandSpec, type OptionValues } from "../../lib/cli/command";
import { writeFileAtomic } from "../headless/notebookFormat";
import { formatReport, gradeNotebook } from "./gradeNotebook";

/** `maze grade`: lives in kernel/ because it executes notebooks; bin/maze.js registers it. */
export const spec: CommandSpec = {
  help: [
    "usage: maze grade NOTEBOOK [--out results.json] [--timeout SECONDS]",
    "",
    "Executes a lab notebook headless, runs the lab's graded tests against the code in it, prints a",
    "table and writes a Gradescope-compatible results.json (score, tests[name, score, max_score, output]).",
    "A cell or test running longer than --timeout (default 30) is stopped and reported.",
  ].join("\n"),
  options: { out: { type: "string" }, timeout: { type: "string" } },
};

export async function execute(values: OptionValues, positionals: string[]): Promise<number> {
  if (positionals.length !== 1) {
    process.stderr.write(`maze grade: expected one notebook, got ${positionals.length}\n${spec.help}\n`);
    return 2;
  }
  const timeout = intOption(values, "timeout", 30, 1);
  if (typeof timeout !== "number") {
    process.stderr.write(`maze grade: ${timeout.error}\n`);
    return 2;
  }
  const file = positionals[0] as string;
  const out = typeof values["out"] === "string" ? values["out"] : path.join(path.dirname(file), "results.json");
  try {
    const report = await gradeNotebook(file, { cellTimeoutMs: timeout * 1000, log: (l) => process.stderr.write(l + "\n") });
    process.stdout.write(formatReport(report) + "\n");
    const { score, output, tests } = report;
    writeFileAtomic(out, JSON.stringify({ score, output, tests }, null, 2) + "\n");
    process.stdout.write(`\nwrote ${out}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`maze grade: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}
