import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { JUPYTER_INSTALL_HINT, PROJECT_ROOT } from "../../kernel/jupyterPaths";

test("`npm run lab` without Jupyter prints the install command and exits 1, no stack trace", () => {
  const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "dist", "kernel", "lab.js")], {
    env: { PATH: path.dirname(process.execPath) },
    encoding: "utf8",
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(`${JUPYTER_INSTALL_HINT}\n`);
  expect(r.stdout).toBe("");
});
