/**
 * lib/cli/README.md carries the contracts graders read: every `--help` text (`maze --help` with
 * its exit codes included) and the exit-code table. They are generated from the code — the
 * commands' specs and lib/cli/exitCodes.ts — and this test fails when the README differs.
 * UPDATE=1 rewrites the README's blocks from the code.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT, EXIT_MEANINGS, exitCodeHelp, exitCodeMarkdown, exitCodeRows } from "../../lib/cli/exitCodes";
import * as checkCommand from "../../lib/cli/check";
import * as ldfiCommand from "../../lib/cli/ldfi";
import * as runCommand from "../../lib/cli/run";
import * as gradeCommand from "../../kernel/grading/command";

const ROOT = path.join(__dirname, "..", "..");
const README = path.join(ROOT, "lib", "cli", "README.md");

/** `maze --help` as bin/maze.js prints it (with `grade`, which bin/maze.js registers). */
function mazeHelp(): string {
  return execFileSync(process.execPath, [path.join(ROOT, "bin", "maze.js"), "--help"], { encoding: "utf8" }).trimEnd();
}

/** Each README block: its marker name and the text the code generates for it. */
function blocks(): [string, string][] {
  return [
    ["exit-codes", exitCodeMarkdown()],
    ["help:maze", "```\n" + mazeHelp() + "\n```"],
    ["help:run", "```\n" + runCommand.spec.help + "\n```"],
    ["help:check", "```\n" + checkCommand.spec.help + "\n```"],
    ["help:ldfi", "```\n" + ldfiCommand.spec.help + "\n```"],
    ["help:grade", "```\n" + gradeCommand.spec.help + "\n```"],
  ];
}

function between(text: string, name: string): string | undefined {
  return text.split(`<!-- ${name}:start -->\n`)[1]?.split(`\n<!-- ${name}:end -->`)[0];
}

test("lib/cli/README.md carries the exit-code table and every --help text, as the code generates them", () => {
  let readme = fs.readFileSync(README, "utf8");
  if (process.env["UPDATE"] === "1") {
    for (const [name, text] of blocks()) {
      const start = `<!-- ${name}:start -->`,
        end = `<!-- ${name}:end -->`;
      const from = readme.indexOf(start),
        to = readme.indexOf(end);
      if (from < 0 || to < from) throw new Error(`lib/cli/README.md lacks the markers of ${name}`);
      readme = `${readme.slice(0, from)}${start}\n${text}\n${readme.slice(to)}`;
    }
    fs.writeFileSync(README, readme);
  }
  for (const [name, text] of blocks()) expect({ name, text: between(readme, name) }).toEqual({ name, text });
});

test("maze --help ends with the exit-code table", () => {
  expect(mazeHelp().endsWith(exitCodeHelp())).toBe(true);
  for (const r of exitCodeRows()) expect(exitCodeHelp()).toMatch(new RegExp(`^  ${r.code} ${r.name} `, "m"));
});

test("the exit codes keep their numbers: graders outside the project branch on them", () => {
  expect(EXIT).toEqual({ ok: 0, counterexample: 1, failed: 1, error: 2, inconclusive: 3 });
  expect(Object.keys(EXIT_MEANINGS)).toEqual(Object.keys(EXIT));
});

test("no literal exit code is left in lib/cli or kernel: each comes from the table", () => {
  const exits = /process\.exit\(\s*\d|process\.exitCode\s*=\s*\d/;
  const returns = /\breturn\s+[0-3]\s*;|\?\s*[0-3]\s*:\s*[0-3]\b/;
  const offenders: string[] = [];
  const scan = (file: string, patterns: RegExp[]): void => {
    fs.readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (patterns.some((p) => p.test(line))) offenders.push(`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
      });
  };
  const walk = (dir: string, patterns: RegExp[]): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, patterns);
      else if (e.name.endsWith(".ts")) scan(p, patterns);
    }
  };
  // Every function in lib/cli returns exit codes; kernel/ also returns small numbers that are not
  // exit codes, so there only process exits are read, and the returns of the commands that exit.
  walk(path.join(ROOT, "lib", "cli"), [exits, returns]);
  walk(path.join(ROOT, "kernel"), [exits]);
  for (const f of ["grading/command.ts", "grading/gradescope.ts"]) scan(path.join(ROOT, "kernel", f), [returns]);
  expect(offenders).toEqual([]);
});
