/**
 * Small wording helpers for findings written from computed values, so a notebook's prose stays
 * true when the model, seed or data change: a metric with its interval, and a verb chosen by
 * comparing two numbers.
 *
 * @example
 * ```ts
 * import { compareWord, formatMetricInterval } from "./findings.ts";
 * const row = { recall_at_1: 0.9, recall_at_1_lo: 0.85, recall_at_1_hi: 0.95 };
 * console.log(formatMetricInterval(row, "recall_at_1")); // "0.900 [0.850, 0.950]"
 * console.log(compareWord(0.9, 0.8, ["beats", "ties with", "trails"])); // "beats"
 * ```
 * @module
 */

export { formatMetricInterval } from "../evaluation/format.ts";

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
  return aLo <= bHi && bLo <= aHi;
}
