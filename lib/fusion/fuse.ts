/**
 * Fusing image and text similarity, the article's two ways of bringing product text into
 * image search:
 *
 * 1. **Weighted average** ({@link fuseSimilarities}): S = w · S_text + (1 − w) · S_image,
 *    element-wise over query × candidate matrices, w ∈ [0, 1]. w = 0 is image only, w = 1 text
 *    only. Both inputs are cosine similarities, so they share the [−1, 1] range; their spreads
 *    differ (image similarities of shoes bunch in a narrow band, text ones spread wider), which
 *    is why the useful w is found by a sweep, not assumed to be 0.5.
 * 2. **Category restriction** ({@link restrictByCategory}): a candidate whose category differs
 *    from the query's is never returned; its score becomes −∞, which the evaluation metrics rank
 *    last (tied), exactly as a search that filtered the catalogue first would.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fuseSimilarities, restrictByCategory } from "./fuse.ts";
 * const image = { rows: 1, cols: 2, data: Float64Array.from([0.9, 0.8]) };
 * const text = { rows: 1, cols: 2, data: Float64Array.from([0.1, 0.7]) };
 * assert.deepEqual(Array.from(fuseSimilarities(image, text, 0.5).data), [0.5, 0.75]);
 * assert.deepEqual(Array.from(restrictByCategory(image, ["shoe"], ["shoe", "sandal"]).data), [0.9, -Infinity]);
 * ```
 * @module
 */

import type { SimilarityMatrix } from "../matching/types.ts";

/** A score matrix in Float64 (what `lib/evaluation` ranks). */
export interface ScoreMatrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

function checkMatrix(m: SimilarityMatrix, name: string): void {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 1 || m.cols < 1) {
    throw new RangeError(`${name}: rows and cols must be positive integers, got ${m.rows} × ${m.cols}`);
  }
  if (m.data.length !== m.rows * m.cols) {
    throw new RangeError(`${name}: data has ${m.data.length} values, expected ${m.rows * m.cols}`);
  }
}

/**
 * w · text + (1 − w) · image, element-wise. Errors name a shape mismatch, a weight outside
 * [0, 1] or a NaN input (−∞, from an earlier restriction, stays −∞).
 */
export function fuseSimilarities(
  image: SimilarityMatrix,
  text: SimilarityMatrix,
  weight: number,
): ScoreMatrix {
  checkMatrix(image, "image similarity");
  checkMatrix(text, "text similarity");
  if (image.rows !== text.rows || image.cols !== text.cols) {
    throw new RangeError(
      `image similarity is ${image.rows} × ${image.cols} but text similarity is ${text.rows} × ${text.cols}`,
    );
  }
  if (!(weight >= 0 && weight <= 1)) throw new RangeError(`weight must be in [0, 1], got ${weight}`);
  const out = new Float64Array(image.data.length);
  for (let k = 0; k < out.length; k++) {
    const a = image.data[k];
    const b = text.data[k];
    if (Number.isNaN(a) || Number.isNaN(b)) {
      throw new RangeError(
        `NaN at (${Math.floor(k / image.cols)}, ${k % image.cols}) of the ${
          Number.isNaN(a) ? "image" : "text"
        } similarity`,
      );
    }
    // Avoid 0 · (−∞) = NaN: an endpoint weight ignores the other matrix entirely.
    out[k] = weight === 0 ? a : weight === 1 ? b : weight * b + (1 - weight) * a;
  }
  return { rows: image.rows, cols: image.cols, data: out };
}

/** Scores of candidates outside the query's category set to −∞ (a copy; the input is untouched). */
export function restrictByCategory(
  scores: SimilarityMatrix,
  queryCategories: readonly string[],
  candidateCategories: readonly string[],
): ScoreMatrix {
  checkMatrix(scores, "scores");
  if (queryCategories.length !== scores.rows) {
    throw new RangeError(`queryCategories has ${queryCategories.length} entries for ${scores.rows} queries`);
  }
  if (candidateCategories.length !== scores.cols) {
    throw new RangeError(
      `candidateCategories has ${candidateCategories.length} entries for ${scores.cols} candidates`,
    );
  }
  const out = Float64Array.from(scores.data);
  for (let q = 0; q < scores.rows; q++) {
    for (let g = 0; g < scores.cols; g++) {
      if (queryCategories[q] !== candidateCategories[g]) out[q * scores.cols + g] = -Infinity;
    }
  }
  return { rows: scores.rows, cols: scores.cols, data: out };
}
