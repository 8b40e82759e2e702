import { parseCommandLine, type CommandModule } from "./command";
import { EXIT, exitCodeHelp } from "./exitCodes";

/**
 * The `maze` command. Each sub-command lives in its own module and is loaded only when called, so
 * `maze --help` and every grader run pay only for what they use.
 */
// require, not import(): under node16 module rules import() would load these CommonJS files as ESM.
/** A sub-command: a one-line summary for `maze --help` and a loader for its module. */
export interface CommandEntry {
  readonly summary: string;
  readonly load: () => CommandModule;
}

const COMMANDS: Record<string, CommandEntry> = {
  run: { summary: "run Dedalus programs and print every relation per time", load: () => require("./run") as CommandModule },
  check: { summary: "check Dedalus programs: diagnostics and CALM analysis", load: () => require("./check") as CommandModule },
  ldfi: { summary: "lineage-driven fault injection (Molly-style)", load: () => require("./ldfi") as CommandModule },
};

/** Exit codes shared by every sub-command (DESIGN.md section 6), from their one table. */
export { EXIT } from "./exitCodes";

/** The package's version, read from package.json beside dist/ (or beside lib/ under ts-jest). */
export function mazeVersion(): string {
  const fs = require("node:fs") as typeof import("node:fs");
  const path = require("node:path") as typeof import("node:path");
  for (const up of ["../..", "../../.."]) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, up, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "maze" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // not at this level: try the next
    }
  }
  return "unknown";
}

/** The text of `maze --help` (lib/cli/README.md embeds it; a test keeps the two equal). */
function usage(commands: Record<string, CommandEntry>): string {
  const lines = ["usage: maze <command> [options]", "       maze --version", "", "commands:"];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(8)} ${c.summary}`);
  lines.push("", "Run `maze <command> --help` for a command's options.", "", exitCodeHelp());
  return lines.join("\n");
}

/**
 * Runs the CLI with the given arguments (without node and script) and resolves to the exit code.
 * `extra` adds commands that live outside lib/ — `grade` executes notebooks, so it lives in kernel/
 * and bin/maze.js registers it (lib/ never imports kernel/).
 */
export async function main(argv: string[], extra: Record<string, CommandEntry> = {}): Promise<number> {
  const commands = { ...COMMANDS, ...extra };
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage(commands) + "\n");
    return name === undefined ? EXIT.error : EXIT.ok;
  }
  if (name === "--version" || name === "-v" || name === "version") {
    process.stdout.write(`maze ${mazeVersion()} (node ${process.versions.node})\n`);
    return EXIT.ok;
  }
  const entry = commands[name];
  if (!entry) {
    process.stderr.write(`maze: unknown command '${name}'\n\n${usage(commands)}\n`);
    return EXIT.error;
  }
  const mod = entry.load();
  const parsed = parseCommandLine(mod.spec, rest);
  if ("error" in parsed) {
    process.stderr.write(`maze ${name}: ${parsed.error}\n`);
    return EXIT.error;
  }
  if (parsed.help) {
    process.stdout.write(mod.spec.help + "\n");
    return EXIT.ok;
  }
  return mod.execute(parsed.values, parsed.positionals);
}
