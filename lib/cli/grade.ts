import type { CommandSpec, OptionValues } from "./command";

/** `maze grade` — not built yet; see the issue tracker. */
export const spec: CommandSpec = { help: "usage: maze grade ... (not implemented yet)", options: {} };

export async function execute(_values: OptionValues, _positionals: string[]): Promise<number> {
  process.stderr.write("maze grade: not implemented yet\n");
  return 2;
}
