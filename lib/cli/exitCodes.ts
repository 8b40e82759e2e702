/**
 * The exit codes of `maze` and of the project's scripts (DESIGN.md section 6): the one table that
 * every command returns its codes from, that `maze --help` prints and that lib/cli/README.md's
 * table is generated from (test/cli/readme.test.ts keeps the README equal to it). Graders
 * outside the project branch on these numbers, so a code never changes meaning.
 *
 * The module imports nothing, so every command module can import it without a cycle through
 * main.ts.
 */

/** Exit codes by name. Two names share 1: a search's answer "no" and a script's plain failure. */
export const EXIT = {
  ok: 0,
  counterexample: 1,
  failed: 1,
  error: 2,
  inconclusive: 3,
} as const;

/** The name of an exit code in {@link EXIT}. */
export type ExitName = keyof typeof EXIT;

/** An exit code the project returns. */
export type ExitCode = (typeof EXIT)[ExitName];

/** What each code means, for `maze --help` and the README (Markdown code spans allowed). */
export const EXIT_MEANINGS: Readonly<Record<ExitName, string>> = {
  ok: "success; for `maze ldfi`, certified",
  counterexample: "`maze ldfi`: a counterexample (replayable with the printed `maze run ... --omit/--crash` command)",
  failed:
    "`maze grade` with several notebooks: a submission could not be graded; `npm run notebooks`: a notebook failed; `npm run lab`: Jupyter is not installed",
  error: "a bad program, file, or flag (errors on stderr, located as `file:line:col: message` when they are in a program)",
  inconclusive: "`maze ldfi`: inconclusive — a named limit was hit (`limit` in the JSON)",
};

/** The exit code of an LDFI verdict (`maze ldfi` on Dedalus programs and protocol modules alike). */
export function verdictExit(verdict: "certified" | "counterexample" | "inconclusive"): ExitCode {
  return verdict === "certified" ? EXIT.ok : verdict === "counterexample" ? EXIT.counterexample : EXIT.inconclusive;
}

/** The table's rows in code order: code, name, meaning. */
export function exitCodeRows(): { code: ExitCode; name: ExitName; meaning: string }[] {
  return (Object.keys(EXIT) as ExitName[]).map((name) => ({ code: EXIT[name], name, meaning: EXIT_MEANINGS[name] }));
}

/** The table as Markdown, as lib/cli/README.md carries it between its `exit-codes` markers. */
export function exitCodeMarkdown(): string {
  return ["| exit | name | meaning |", "|---|---|---|", ...exitCodeRows().map((r) => `| ${r.code} | \`${r.name}\` | ${r.meaning} |`)].join(
    "\n",
  );
}

/** Width `maze --help` wraps the meanings to, as the commands' own help texts are wrapped. */
const HELP_WIDTH = 100;

/** The table as plain text for `maze --help`: code spans unquoted, meanings wrapped under themselves. */
export function exitCodeHelp(): string {
  const rows = exitCodeRows();
  const width = Math.max(...rows.map((r) => r.name.length));
  const lines = ["exit codes:"];
  for (const r of rows) {
    const lead = `  ${r.code} ${r.name.padEnd(width)}  `;
    let line = lead;
    for (const word of r.meaning.replace(/`/g, "").split(" ")) {
      if (line.length + word.length > HELP_WIDTH && line !== lead) {
        lines.push(line.trimEnd());
        line = " ".repeat(lead.length);
      }
      line += word + " ";
    }
    lines.push(line.trimEnd());
  }
  return lines.join("\n");
}
