import type { Trace } from "../sim/trace";
import type { VegaLiteSpec } from "./render";

/** Options of {@link latencyHistogram}. */
export interface HistogramOptions {
  readonly title?: string;
  /** Upper bound on the number of bins (default 30). */
  readonly maxBins?: number;
  readonly width?: number;
  readonly height?: number;
}

/**
 * A histogram of message delivery latencies — from a trace (every delivered copy) or from a plain
 * list of milliseconds. Shows the shape of the delay distribution: the long tail is why a timeout
 * cannot tell a slow node from a dead one.
 */
export function latencyHistogram(source: Trace | readonly number[], options: HistogramOptions = {}): VegaLiteSpec {
  const latencies = Array.isArray(source) ? (source as readonly number[]) : (source as Trace).latencies();
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const subtitle =
    sorted.length === 0
      ? "no deliveries"
      : `${sorted.length} deliveries; median ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms`;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: options.title ?? "Message latency", subtitle },
    width: options.width ?? 420,
    height: options.height ?? 220,
    data: { values: latencies.map((ms) => ({ ms })) },
    mark: { type: "bar", tooltip: true },
    encoding: {
      x: { field: "ms", type: "quantitative", bin: { maxbins: options.maxBins ?? 30 }, title: "latency (ms)" },
      y: { aggregate: "count", type: "quantitative", title: "messages" },
    },
  };
}
