import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { scratchDir } from "./fixtures";
import { JUPYTER_INSTALL_HINT, PROJECT_ROOT } from "../../kernel/jupyterPaths";

test("`npm run lab` without Jupyter prints the install command and exits 1, no stack trace", () => {
  // A PATH with node on it and nothing else (Debian puts jupyter beside node in /usr/bin).
  const bin = scratchDir("lab-path");
  fs.symlinkSync(process.execPath, path.join(bin, "node"));
  const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "dist", "kernel", "startJupyter.js")], {
    env: { PATH: bin },
    encoding: "utf8",
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(`${JUPYTER_INSTALL_HINT}\n`);
  expect(r.stdout).toBe("");
});
