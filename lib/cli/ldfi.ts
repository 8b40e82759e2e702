import type { CommandSpec, OptionValues } from "./command";

/** `maze ldfi` — not built yet; see the issue tracker. */
export const spec: CommandSpec = { help: "usage: maze ldfi ... (not implemented yet)", options: {} };

export async function execute(_values: OptionValues, _positionals: string[]): Promise<number> {
  process.stderr.write("maze ldfi: not implemented yet\n");
  return 2;
}
