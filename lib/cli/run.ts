import type { CommandSpec, OptionValues } from "./command";

/** `maze run` — not built yet; see the issue tracker. */
export const spec: CommandSpec = { help: "usage: maze run ... (not implemented yet)", options: {} };

export async function execute(_values: OptionValues, _positionals: string[]): Promise<number> {
  process.stderr.write("maze run: not implemented yet\n");
  return 2;
}
