/**
 * The benchmark harness. Every figure is printed as a ratio against a baseline measured in the same
 * run on the same machine, so numbers stay comparable across machines and sessions.
 */

/** Timing of one measured function: median and spread over repetitions. */
export interface Timing {
  readonly label: string;
  readonly medianMs: number;
  readonly minMs: number;
  readonly runs: number;
}

/** How often a measurement repeats: at least `minRuns` runs and `minMs` of total time, at most `maxRuns` runs. */
export interface Repetitions {
  readonly minRuns?: number;
  readonly minMs?: number;
  readonly maxRuns?: number;
}

/** Set by `--quick`: every measurement runs once (a smoke run: the figures print, their spread is not measured). */
let once = false;

/** Turns `--quick`'s single runs on or off for every later {@link measure} and {@link repetitions}. */
export function measureOnce(on: boolean): void {
  once = on;
}

/** A measurement's repetitions as asked, or one run under `--quick`. */
export function repetitions(opts: Repetitions): Required<Repetitions> {
  return once
    ? { minRuns: 1, minMs: 0, maxRuns: 1 }
    : { minRuns: opts.minRuns ?? 3, minMs: opts.minMs ?? 200, maxRuns: opts.maxRuns ?? 1000 };
}

/** Runs `fn` until `minRuns` runs and at least `minMs` of total time (once under `--quick`), and returns its timing. */
export async function measure(label: string, fn: () => unknown, opts: Repetitions = {}): Promise<Timing> {
  const { minRuns, minMs, maxRuns } = repetitions(opts);
  const samples: number[] = [];
  let total = 0;
  while (samples.length < maxRuns && (samples.length < minRuns || total < minMs)) {
    const t0 = performance.now();
    await fn();
    const dt = performance.now() - t0;
    samples.push(dt);
    total += dt;
  }
  samples.sort((a, b) => a - b);
  return { label, medianMs: samples[Math.floor(samples.length / 2)] as number, minMs: samples[0] as number, runs: samples.length };
}

/** Prints a table with a header row; numbers are formatted, columns padded. */
export function printTable(title: string, header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  const fmt = (v: string | number): string => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toPrecision(3)) : v);
  const cells = [header.map(String), ...rows.map((r) => r.map(fmt))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  console.log(`\n## ${title}\n`);
  for (const [k, r] of cells.entries()) {
    console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  "));
    if (k === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
}

/**
 * A benchmark suite: a file `bench/<name>.bench.ts` exports `run` with this signature. `quick` is
 * the smoke run CI makes (`npm run bench -- --quick`): the smallest sizes that still print every
 * table and ratio, each measurement once.
 */
export type BenchSuite = (args: { quick: boolean }) => Promise<void>;
