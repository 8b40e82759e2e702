/**
 * Golden output of `maze check` (warnings with carets and notes, the CALM report) for a program
 * written to trigger every warning and one coordination point. The golden file was checked by hand:
 * each line:col was counted in the source, and the CALM counts follow from the rules (see the
 * comments in protocols/golden/check_warnings.ded). UPDATE_GOLDEN=1 rewrites it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { checkFiles, formatCheckReport } from "../../lib/cli/check";

const DIR = path.join(__dirname, "..", "..", "protocols", "golden");

test.each(["check_warnings", "put_delete_race", "twopc_abort"])("maze check golden: %s", (name) => {
  const report = checkFiles([path.join(DIR, `${name}.ded`)]);
  const { stdout, stderr } = formatCheckReport(report);
  expect(stderr).toBe("");
  // Paths as a reader at the repository root would see them.
  const text = stdout.split(DIR + path.sep).join("protocols/golden/");
  const golden = path.join(DIR, `${name}.check.txt`);
  if (process.env["UPDATE_GOLDEN"] === "1") fs.writeFileSync(golden, text);
  expect(text).toBe(fs.readFileSync(golden, "utf8"));
});
