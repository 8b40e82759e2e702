import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT } from "../../lib/cli/exitCodes";
import { SCHEMA_VERSION } from "../../lib/cli/jsonSchema";
import { LABS } from "../../lib/labs/registry";
import { writeFileAtomic } from "../headless/notebookFormat";
import { PROJECT_ROOT } from "../jupyterPaths";
import { gradeNotebook, gradescopeResults } from "./gradeNotebook";

/**
 * `run_autograder` on Gradescope: grades the one `.ipynb` in `ROOT/submission` and writes
 * `ROOT/results/results.json` in Gradescope's format (a lab's hidden tests visible after the due
 * date, the others at once); a submission with no
 * notebook, several, or one of another lab gets one failed test saying so, never a crash.
 */

function write(root: string, results: Record<string, unknown>): void {
  writeFileAtomic(path.join(root, "results", "results.json"), JSON.stringify(results, null, 2) + "\n");
}

/** The results of a submission that could not be graded: one failed test that says why. */
function refusal(lab: string, why: string): Record<string, unknown> {
  const max = (LABS[lab]?.tests ?? []).reduce((n, t) => n + t.points, 0);
  return {
    score: 0,
    output: why,
    tests: [{ name: "submission", score: 0, max_score: max, output: why, visibility: "visible" }],
    extra_data: { schemaVersion: SCHEMA_VERSION, lab },
  };
}

function notebooksIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith(".")) out.push(...notebooksIn(p));
    else if (e.isFile() && e.name.endsWith(".ipynb") && !e.name.startsWith(".")) out.push(p);
  }
  return out.sort();
}

/** Grades the submission under `root` (Gradescope's /autograder). Returns the exit code. */
export async function runAutograder(root: string): Promise<number> {
  const labFile = path.join(PROJECT_ROOT, "grading-lab");
  const lab = fs.existsSync(labFile) ? fs.readFileSync(labFile, "utf8").trim() : "";
  const found = notebooksIn(path.join(root, "submission"));
  if (found.length !== 1) {
    write(
      root,
      refusal(
        lab,
        found.length === 0
          ? "no .ipynb notebook in the submission: upload your lab notebook"
          : `the submission holds ${found.length} notebooks (${found.map((f) => path.basename(f)).join(", ")}): upload exactly one`,
      ),
    );
    return EXIT.ok;
  }
  try {
    const report = await gradeNotebook(found[0] as string);
    if (lab && report.lab !== lab) {
      write(root, refusal(lab, `this autograder grades ${lab}, but the notebook is ${report.lab}`));
      return EXIT.ok;
    }
    write(root, gradescopeResults(report, true));
  } catch (e) {
    write(root, refusal(lab, `the notebook could not be graded: ${e instanceof Error ? e.message : String(e)}`));
  }
  return EXIT.ok;
}

if (require.main === module) {
  void runAutograder(path.resolve(process.argv[2] ?? process.env["AUTOGRADER_ROOT"] ?? "/autograder")).then((code) => process.exit(code));
}
