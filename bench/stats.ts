/** Latency summary used for every steady-rate figure, engine and BullMQ alike. */
export interface Summary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Nearest-rank percentiles (the smallest value with at least p% of the values at or below it),
 * rounded to 0.1 ms. Both systems go through this one function so their figures compare.
 */
export function summarize(values: number[]): Summary {
  if (values.length === 0) return { p50: NaN, p90: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
  const r = (x: number) => Math.round(x * 10) / 10;
  return { p50: r(at(50)), p90: r(at(90)), p99: r(at(99)), max: r(sorted[sorted.length - 1]) };
}
