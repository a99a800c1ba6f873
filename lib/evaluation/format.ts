/**
 * Formats for reporting a metric with its 95% interval, shared by the eval CLI, the notebooks'
 * computed findings and the summary tables, so a number reads the same everywhere.
 *
 * @example
 * ```ts
 * import { formatInterval, formatMetricInterval } from "./format.ts";
 * console.log(formatInterval(0.6403, 0.6011, 0.6764)); // "0.640 [0.601, 0.676]"
 * const row = { recall_at_1: 0.9, recall_at_1_lo: 0.85, recall_at_1_hi: 0.95 };
 * console.log(formatMetricInterval(row, "recall_at_1")); // "0.900 [0.850, 0.950]"
 * ```
 * @module
 */

function checkFinite(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number, got ${String(value)}`);
  }
  return value;
}

/** "mean [lo, hi]" with `digits` decimals (default 3); rejects non-finite values and reversed ends. */
export function formatInterval(mean: number, lo: number, hi: number, digits = 3): string {
  checkFinite(mean, "mean");
  checkFinite(lo, "lo");
  checkFinite(hi, "hi");
  if (lo > hi) throw new RangeError(`interval ends are reversed: lo ${lo} > hi ${hi}`);
  return `${mean.toFixed(digits)} [${lo.toFixed(digits)}, ${hi.toFixed(digits)}]`;
}

/** {@link formatInterval} of a row's `metric`, `metric_lo` and `metric_hi` columns. */
export function formatMetricInterval(row: Record<string, unknown>, metric: string, digits = 3): string {
  return formatInterval(
    checkFinite(row[metric], `row.${metric}`),
    checkFinite(row[`${metric}_lo`], `row.${metric}_lo`),
    checkFinite(row[`${metric}_hi`], `row.${metric}_hi`),
    digits,
  );
}
