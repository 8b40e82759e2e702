import { parseArgs } from "node:util";

/** The option table of one sub-command, in node:util parseArgs form, plus its help text. */
export interface CommandSpec {
  readonly help: string;
  readonly options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;
}

/** Parsed option values: strings, booleans, or arrays of strings for repeated flags. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** What every sub-command module exports. */
export interface CommandModule {
  readonly spec: CommandSpec;
  execute(values: OptionValues, positionals: string[]): Promise<number>;
}

/** Parses a command line strictly: unknown flags and missing values are errors, never ignored. */
export function parseCommandLine(
  spec: CommandSpec,
  argv: string[],
): { values: OptionValues; positionals: string[]; help: boolean } | { error: string } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...spec.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    const v = values as OptionValues;
    return { values: v, positionals, help: v["help"] === true };
  } catch (e) {
    // read .message structurally: an error from another realm (a test's VM context) is no `instanceof Error`,
    // and String(e) would prefix "TypeError [ERR_PARSE_ARGS_...]" to a message meant for users
    const message =
      typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string"
        ? (e as { message: string }).message
        : String(e);
    return { error: message };
  }
}

/**
 * The value of the integer flag `--flag` (`value`: the integer given, or undefined when what was
 * given is none; `shown`: as it was given), or an error naming the flag: one wording for the
 * command line and for the playground's JSON requests, which answer as `maze --json` does.
 */
export function integerFlag(flag: string, value: number | undefined, shown: string, min: number): number | { error: string } {
  if (value === undefined) return { error: `--${flag} expects an integer, got '${shown}'` };
  if (value < min) return { error: `--${flag} must be at least ${min}, got ${value}` };
  return value;
}

/** Reads an integer flag; returns an error message naming the flag when it is not one. */
export function intOption(values: OptionValues, name: string, fallback: number, min = 0): number | { error: string } {
  const raw = values[name];
  if (raw === undefined) return fallback;
  return integerFlag(name, typeof raw === "string" && /^-?\d+$/.test(raw) ? Number(raw) : undefined, String(raw), min);
}

/**
 * Reads several integer flags, each `[name, fallback, min]`: the values keyed by flag name (so every
 * read names a flag that was parsed, and the type says so), or the first flag's error.
 */
export function intOptions<const N extends string>(
  values: OptionValues,
  specs: readonly (readonly [N, number, number])[],
): { readonly ints: Readonly<Record<N, number>> } | { readonly error: string } {
  const ints = {} as Record<N, number>;
  for (const [name, fallback, min] of specs) {
    const v = intOption(values, name, fallback, min);
    if (typeof v !== "number") return { error: v.error };
    ints[name] = v;
  }
  return { ints };
}

/**
 * Reads `--nodes a,b,c`: undefined when absent, else the names, or an error message when the list is
 * empty or names a node twice (a run's nodes are a set; a repeated name is a typo, not a second node).
 */
export function nodesOption(values: OptionValues): string[] | undefined | { error: string } {
  const raw = values["nodes"];
  if (raw === undefined) return undefined;
  const nodes = String(raw)
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
  if (nodes.length === 0) return { error: "--nodes expects a comma-separated list of node names" };
  const seen = new Set<string>();
  for (const n of nodes) {
    if (seen.has(n)) return { error: `--nodes names '${n}' more than once (got '${String(raw)}')` };
    seen.add(n);
  }
  return nodes;
}
