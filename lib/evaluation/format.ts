/**
 * Formats for reporting a metric with its 95% interval, shared by the eval CLI, the notebooks'
 * computed findings and the summary tables, so a number reads the same everywhere; and the
 * wording helpers of findings written from computed values (a verb chosen by comparing two
 * numbers, whether two intervals overlap), so a notebook's prose stays true when the model, seed
 * or data change.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatInterval, formatMetricInterval } from "./format.ts";
 * assert.equal(formatInterval(0.6403, 0.6011, 0.6764), "0.640 [0.601, 0.676]");
 * const row = { recall_at_1: 0.9, recall_at_1_lo: 0.85, recall_at_1_hi: 0.95 };
 * assert.equal(formatMetricInterval(row, "recall_at_1"), "0.900 [0.850, 0.950]");
 * assert.equal(compareWord(0.9, 0.8, ["beats", "ties with", "trails"]), "beats");
 * ```
 * @module
 */

import { estimate, estimateFromColumns, estimatesOverlap, formatEstimate } from "./estimate.ts";

/**
 * "mean [lo, hi]" with `digits` decimals (default 3): {@link formatEstimate} of three numbers;
 * rejects non-finite values and reversed ends.
 */
export function formatInterval(mean: number, lo: number, hi: number, digits = 3): string {
  return formatEstimate(estimate(mean, lo, hi), digits);
}

/**
 * {@link formatEstimate} of a row's flat `metric`, `metric_lo` and `metric_hi` columns; the value
 * alone when the row has no interval (both ends absent or blank: a run without bootstrap resamples).
 */
export function formatMetricInterval(row: Record<string, unknown>, metric: string, digits = 3): string {
  return formatEstimate(estimateFromColumns(row, metric), digits);
}

/**
 * `words[0]` when a > b + tolerance, `words[2]` when a < b − tolerance, else `words[1]`.
 * Use it for verdicts that could flip on another run.
 */
export function compareWord(
  a: number,
  b: number,
  words: readonly [above: string, level: string, below: string],
  tolerance = 0,
): string {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new TypeError(`compareWord needs finite numbers, got ${a} and ${b}`);
  }
  if (!(tolerance >= 0)) throw new RangeError(`tolerance must be ≥ 0, got ${tolerance}`);
  return a > b + tolerance ? words[0] : a < b - tolerance ? words[2] : words[1];
}

/** Whether the intervals [aLo, aHi] and [bLo, bHi] overlap (touching counts as overlap). */
export function intervalsOverlap(aLo: number, aHi: number, bLo: number, bHi: number): boolean {
  return estimatesOverlap({ value: aLo, lo: aLo, hi: aHi }, { value: bLo, lo: bLo, hi: bHi });
}
