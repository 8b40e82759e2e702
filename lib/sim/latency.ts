import type { Random } from "../random/random";
import { SimConfigError } from "./errors";

/**
 * How long a message spends on a link, in simulated milliseconds. A bare number is a constant
 * latency. Distributions are sampled from the run's seeded generator, so they are reproducible.
 */
export type Latency =
  | number
  | { readonly kind: "constant"; readonly ms: number }
  | { readonly kind: "uniform"; readonly min: number; readonly max: number }
  /** `min` plus an exponential tail with the given mean: most messages fast, a few very slow. */
  | { readonly kind: "exponential"; readonly mean: number; readonly min?: number }
  /** Normal around `mean`, clamped at `min` (default 0) so no message arrives before it is sent. */
  | { readonly kind: "normal"; readonly mean: number; readonly sd: number; readonly min?: number };

function nonNegative(field: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new SimConfigError(field, `must be a finite number, got ${String(v)}`);
  if (v < 0) throw new SimConfigError(field, `must not be negative, got ${v}`);
  return v;
}

/** Throws a {@link SimConfigError} naming `field` when `l` is not a valid latency. */
export function validateLatency(field: string, l: unknown): Latency {
  if (typeof l === "number") return nonNegative(field, l);
  if (typeof l !== "object" || l === null) throw new SimConfigError(field, `must be a number or a latency distribution object`);
  const d = l as Record<string, unknown>;
  switch (d["kind"]) {
    case "constant":
      nonNegative(`${field}.ms`, d["ms"]);
      break;
    case "uniform": {
      const min = nonNegative(`${field}.min`, d["min"]);
      const max = nonNegative(`${field}.max`, d["max"]);
      if (max < min) throw new SimConfigError(`${field}.max`, `must be >= min (${min}), got ${max}`);
      break;
    }
    case "exponential":
      nonNegative(`${field}.mean`, d["mean"]);
      if (d["min"] !== undefined) nonNegative(`${field}.min`, d["min"]);
      break;
    case "normal":
      nonNegative(`${field}.mean`, d["mean"]);
      nonNegative(`${field}.sd`, d["sd"]);
      if (d["min"] !== undefined) nonNegative(`${field}.min`, d["min"]);
      break;
    default:
      throw new SimConfigError(`${field}.kind`, `must be one of constant, uniform, exponential, normal; got ${String(d["kind"])}`);
  }
  return l as Latency;
}

/** Draws one latency from `l`. Always ≥ 0. */
export function sampleLatency(l: Latency, random: Random): number {
  if (typeof l === "number") return l;
  switch (l.kind) {
    case "constant":
      return l.ms;
    case "uniform":
      return l.min + random.next() * (l.max - l.min);
    case "exponential":
      return (l.min ?? 0) + random.exponential(l.mean);
    case "normal": {
      // Box-Muller; two draws per sample keeps the stream position independent of the outcome.
      const u = 1 - random.next();
      const v = random.next();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return Math.max(l.min ?? 0, l.mean + l.sd * z);
    }
  }
}
