import { spawn } from "node:child_process";
import * as path from "node:path";
import { EXIT } from "../lib/cli/exitCodes";
import { JUPYTER_INSTALL_HINT, PROJECT_ROOT, jupyterEnv, which } from "./jupyterPaths";

/**
 * `npm run lab`: starts JupyterLab if installed, else the classic Notebook, in notebooks/, with the
 * "maze (TypeScript)" kernel selectable. Without Jupyter it prints the install command and exits 1.
 */
function main(): void {
  const env = jupyterEnv();
  const server = which("jupyter-lab", env) ?? which("jupyter-notebook", env);
  if (!server) {
    process.stderr.write(`${JUPYTER_INSTALL_HINT}\n`);
    process.exit(EXIT.failed);
  }
  const cwd = path.join(PROJECT_ROOT, "notebooks");
  process.stdout.write(`Starting ${path.basename(server)} in ${cwd} (kernel: "maze (TypeScript)")\n`);
  // Jupyter refuses to start as root without this flag (containers and CI machines run as root).
  const rootFlag = process.getuid?.() === 0 ? ["--allow-root"] : [];
  const child = spawn(server, [...rootFlag, ...process.argv.slice(2)], { cwd, env, stdio: "inherit" });
  child.on("error", (e) => {
    process.stderr.write(`could not start ${server}: ${e.message}\n`);
    process.exit(EXIT.failed);
  });
  child.on("exit", (code) => process.exit(code ?? EXIT.failed));
}

main();
