/**
 * Small computed facts and number formats for notebook findings, so the prose that states a
 * number is built from the number itself and stays true when the model or seed changes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatInterval, percent } from "./describe.ts";
 * assert.equal(formatInterval(0.6403, 0.6011, 0.6764), "0.640 [0.601, 0.676]");
 * assert.equal(percent(0.384), "38%");
 * ```
 * @module
 */

import type { SimilarityMatrix } from "../matching/types.ts";
import { quantileSorted } from "../evaluation/metrics.ts";

export { formatInterval } from "../evaluation/format.ts";
import type { TopK } from "./neighbours.ts";

function checkFinite(value: number, name: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, got ${value}`);
}

/** A share in [0, 1] as a rounded percentage ("38%"). */
export function percent(share: number, digits = 0): string {
  checkFinite(share, "share");
  return `${(100 * share).toFixed(digits)}%`;
}

/**
 * Quantiles (linear interpolation, as numpy's default) of the off-diagonal entries of a square
 * similarity matrix — the spread of "item vs other item" scores, without the trivial self-matches.
 */
export function offDiagonalQuantiles(matrix: SimilarityMatrix, probabilities: readonly number[]): number[] {
  const { rows, cols, data } = matrix;
  if (rows !== cols || rows < 2) {
    throw new RangeError(`matrix must be square with at least 2 rows, got ${rows} × ${cols}`);
  }
  if (data.length !== rows * cols) {
    throw new RangeError(`matrix has ${data.length} values, expected ${rows * cols}`);
  }
  const values = new Float64Array(rows * (rows - 1));
  let t = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (i === j) continue;
      const v = data[i * cols + j];
      if (Number.isNaN(v)) throw new RangeError(`matrix[${i}][${j}] is NaN`);
      values[t++] = v;
    }
  }
  values.sort();
  return probabilities.map((p) => {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`probability ${p} is not in [0, 1]`);
    return quantileSorted(values, p);
  });
}

/**
 * Mean share of each query's top-k neighbours whose title starts with the same word as the
 * query's (case-insensitive). In a product catalogue the first word is usually the brand, so
 * this measures how much a ranking follows brand names. `queries` defaults to every row.
 */
export function sharedFirstWordRate(
  titles: readonly string[],
  top: TopK,
  queries?: readonly number[],
): number {
  if (titles.length < top.rows) {
    throw new RangeError(`titles has ${titles.length} entries, top-k has ${top.rows} rows`);
  }
  const first = titles.map((t) => t.trim().split(/\s+/)[0].toLowerCase());
  const rows = queries ?? Array.from({ length: top.rows }, (_, q) => q);
  if (rows.length === 0) throw new RangeError("queries is empty");
  let sum = 0;
  for (const q of rows) {
    if (!Number.isInteger(q) || q < 0 || q >= top.rows) {
      throw new RangeError(`query ${q} is not a row of the top-k`);
    }
    let same = 0, found = 0;
    for (let r = 0; r < top.k; r++) {
      const g = top.indices[q * top.k + r];
      if (g < 0) continue;
      found++;
      if (first[g] === first[q]) same++;
    }
    if (found === 0) throw new RangeError(`query ${q} has no neighbours`);
    sum += same / found;
  }
  return sum / rows.length;
}
