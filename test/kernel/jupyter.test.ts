import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { KERNEL_NAME, PROJECT_ROOT, jupyterEnv, which } from "../../kernel/jupyterPaths";
import { readNotebook } from "../../kernel/headless/notebookFormat";

// The real kernel path: Jupyter's own nbconvert starts the committed "maze" kernelspec (tslab over
// ZeroMQ) and executes lesson 00. Skipped only on a developer machine without Jupyter; CI installs it.
const nbconvert = which("jupyter-nbconvert", jupyterEnv());
if (!nbconvert && process.env["CI"]) throw new Error("jupyter-nbconvert is missing: .ci/run must install Debian's jupyter-nbconvert");
if (!nbconvert)
  console.warn(
    "skipping the real-Jupyter smoke test: jupyter-nbconvert not found (apt-get install -y jupyter-nbconvert python3-ipykernel)",
  );
const maybe = nbconvert ? test : test.skip;

maybe(
  "notebooks/00-start-here.ipynb executes in Jupyter with the maze kernel",
  () => {
    const outDir = path.join(PROJECT_ROOT, "build", "jupyter-smoke");
    fs.rmSync(outDir, { recursive: true, force: true });
    const kernels = execFileSync("jupyter", ["kernelspec", "list", "--json"], { env: jupyterEnv(), encoding: "utf8" });
    expect(Object.keys((JSON.parse(kernels) as { kernelspecs: Record<string, unknown> }).kernelspecs)).toContain(KERNEL_NAME);
    execFileSync(
      nbconvert as string,
      [
        "--to",
        "notebook",
        "--execute",
        `--ExecutePreprocessor.kernel_name=${KERNEL_NAME}`,
        "--ExecutePreprocessor.timeout=120",
        "--output-dir",
        outDir,
        path.join(PROJECT_ROOT, "notebooks", "00-start-here.ipynb"),
      ],
      { env: jupyterEnv(), stdio: "pipe" },
    );
    const nb = readNotebook(path.join(outDir, "00-start-here.ipynb"));
    const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
    const text = outputs.flatMap((o) => (o.output_type === "stream" ? [o.text] : [])).join("");
    // Seeded: the same five delays in Jupyter as in the headless runner, twice.
    expect(text).toContain("9.19, 5.95, 19.14, 11.08, 1.92\n9.19, 5.95, 19.14, 11.08, 1.92\n");
    const chart = outputs.find((o) => o.output_type === "display_data" && "application/vnd.vegalite.v5+json" in o.data);
    expect(chart).toBeDefined();
    expect(String((chart as { data: Record<string, unknown> }).data["image/svg+xml"])).toMatch(/^<svg/);
    expect(outputs.filter((o) => o.output_type === "error")).toEqual([]);
  },
  180_000,
);
