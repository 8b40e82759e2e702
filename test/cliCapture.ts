import { main } from "../lib/cli/main";

/** What one in-process `maze` call printed, and its exit code. */
export interface CliOutput {
  code: number;
  out: string;
  err: string;
}

/** Runs `maze ARGS` in-process (lib/cli's `main`), capturing stdout and stderr. */
export async function runMaze(args: string[]): Promise<CliOutput> {
  let out = "",
    err = "";
  const o = jest.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = jest.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
