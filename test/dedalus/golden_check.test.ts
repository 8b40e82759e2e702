/**
 * Golden output of `maze check` (warnings with carets and notes, the CALM report) for a program
 * written to trigger every warning and one coordination point. The golden file was checked by hand:
 * each line:col was counted in the source, and the CALM counts follow from the rules (see the
 * comments in protocols/golden/check_warnings.ded). UPDATE=1 rewrites it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { checkFiles, formatCheckReport } from "../../lib/cli/check";

const DIR = path.join(__dirname, "..", "..", "protocols", "golden");

/** Paths as a reader at the repository root would see them. */
const relative = (text: string): string => text.split(DIR + path.sep).join("protocols/golden/");

function expectGolden(file: string, text: string): void {
  const golden = path.join(DIR, file);
  if (process.env["UPDATE"] === "1") fs.writeFileSync(golden, text);
  expect(text).toBe(fs.readFileSync(golden, "utf8"));
}

// check_warnings keeps its non-local join to show the warning --allow-nonlocal turns it into.
test.each([
  ["check_warnings", { locality: "warn" }],
  ["put_delete_race", {}],
  ["twopc_abort", {}],
] as const)("maze check golden: %s", (name, options) => {
  const report = checkFiles([path.join(DIR, `${name}.ded`)], options);
  const { stdout, stderr } = formatCheckReport(report);
  expect(stderr).toBe("");
  expectGolden(`${name}.check.txt`, relative(stdout));
});

test("maze check golden: locality errors, one per non-local rule, on stderr", () => {
  const report = checkFiles([path.join(DIR, "locality.ded")]);
  const { stdout, stderr } = formatCheckReport(report);
  expect(report.diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toEqual([
    "non-local-head",
    "non-local-head",
    "non-local-join",
  ]);
  expect(stdout).toBe("");
  expectGolden("locality.check.txt", relative(stderr));
});
