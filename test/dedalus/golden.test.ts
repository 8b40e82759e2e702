/**
 * Golden tests of the Dedalus evaluator. Each program of protocols/golden/ is run with the options
 * of test/dedalus/goldenCases.ts and the recorded relations are compared, as text, with
 * protocols/golden/<name>.golden.txt. The same file is also compared with the independent
 * expectations of goldenCases.ts, so regenerating goldens cannot silently bless a wrong answer, and
 * with the naive oracle (lib/dedalus/naive.ts), a second evaluator sharing no code with the runtime.
 *
 * UPDATE=1 rewrites the golden files from the evaluator (the independent check still runs);
 * UPDATE=expected writes them from the independent expectations.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GOLDEN_CASES, renderCase, type GoldenFact } from "./goldenCases";
import { goldenFactsOfRun } from "./goldenRun";

const DIR = path.join(__dirname, "..", "..", "protocols", "golden");
const UPDATE = process.env["UPDATE"];

function goldenPath(name: string): string {
  return path.join(DIR, `${name}.golden.txt`);
}

describe("golden corpus", () => {
  test("has at least 15 programs and every file exists", () => {
    expect(GOLDEN_CASES.length).toBeGreaterThanOrEqual(15);
    expect(new Set(GOLDEN_CASES.map((c) => c.name)).size).toBe(GOLDEN_CASES.length);
    for (const c of GOLDEN_CASES) for (const f of c.files) expect(fs.existsSync(path.join(DIR, f))).toBe(true);
  });
});

describe.each(GOLDEN_CASES.map((c) => [c.name, c] as const))("golden %s", (_name, c) => {
  const expectedText = renderCase(
    c,
    c.runs.map((r) => r.expect()),
  );

  test("independent expectation matches the golden file", () => {
    if (UPDATE === "expected") fs.writeFileSync(goldenPath(c.name), expectedText);
    expect(expectedText).toBe(fs.readFileSync(goldenPath(c.name), "utf8"));
  });

  test("evaluator matches the golden file", () => {
    const facts: GoldenFact[][] = c.runs.map((r) =>
      goldenFactsOfRun(
        c.files.map((f) => path.join(DIR, f)),
        r,
        "runtime",
        c.locality,
      ),
    );
    const actualText = renderCase(c, facts);
    if (UPDATE === "1") fs.writeFileSync(goldenPath(c.name), actualText);
    expect(actualText).toBe(fs.readFileSync(goldenPath(c.name), "utf8"));
  });

  test("the naive oracle matches the golden file too", () => {
    const facts = c.runs.map((r) =>
      goldenFactsOfRun(
        c.files.map((f) => path.join(DIR, f)),
        r,
        "naive",
        c.locality,
      ),
    );
    expect(renderCase(c, facts)).toBe(fs.readFileSync(goldenPath(c.name), "utf8"));
  });
});

test("protocols/golden/README.md lists every golden program", () => {
  const readme = fs.readFileSync(path.join(DIR, "README.md"), "utf8");
  for (const c of GOLDEN_CASES) expect(readme).toContain(`| \`${c.name}\``);
});
