import * as fs from "node:fs";
import * as path from "node:path";

/** The project root (this file compiles to dist/kernel/, its source sits in kernel/). */
export const PROJECT_ROOT = path.resolve(__dirname, "..", fs.existsSync(path.join(__dirname, "..", "package.json")) ? "" : "..");

/** The folder holding maze's committed kernelspec (`kernels/maze/kernel.json`). */
export const KERNELSPEC_ROOT = path.join(PROJECT_ROOT, "kernel", "jupyter");

/** The kernel name notebooks record in their metadata. */
export const KERNEL_NAME = "maze";

/**
 * The environment under which Jupyter finds the "maze (TypeScript)" kernel: the committed kernelspec
 * is put first on JUPYTER_PATH, so nothing is written to the user's Jupyter folders.
 */
export function jupyterEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const prior = base["JUPYTER_PATH"];
  return { ...base, JUPYTER_PATH: prior ? `${KERNELSPEC_ROOT}${path.delimiter}${prior}` : KERNELSPEC_ROOT };
}

/** Finds an executable on PATH, or undefined. */
export function which(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env["PATH"] ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The one line a user needs when Jupyter is missing. */
export const JUPYTER_INSTALL_HINT =
  "Jupyter is not installed. On Debian/Ubuntu run: sudo apt-get install -y jupyter-notebook jupyter-nbconvert python3-ipykernel";
