/**
 * Unit-length rows for every embedding model (local CNNs, CLIP, text encoders), so that a dot
 * product is a cosine similarity.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { l2NormalizeRows } from "./normalize.ts";
 * // [3, 4] / 5; the zero row stays zero (no NaN).
 * assert.deepEqual(l2NormalizeRows(new Float32Array([3, 4, 0, 0]), 2), new Float32Array([0.6, 0.8, 0, 0]));
 * ```
 * @module
 */

/**
 * Scale each row of a row-major matrix to unit L2 norm, in place.
 *
 * A row whose norm is 0 stays all-zero (its cosine similarity to anything is then 0, never NaN).
 * A row containing a non-finite value is an error: it means the model broke, and silently
 * passing it on would poison every similarity computed from it.
 *
 * @param data row-major values, length `rows * dim`.
 * @param dim length of each row.
 * @param what how to name the matrix in the error.
 * @returns `data`, for chaining.
 */
export function l2NormalizeRows(data: Float32Array, dim: number, what = "embeddings"): Float32Array {
  if (!Number.isInteger(dim) || dim <= 0 || data.length % dim !== 0) {
    throw new RangeError(`${what}: length ${data.length} is not a multiple of dim ${dim}`);
  }
  const rows = data.length / dim;
  for (let r = 0; r < rows; r++) {
    const start = r * dim;
    let sum = 0;
    for (let j = start; j < start + dim; j++) sum += data[j] * data[j];
    if (!Number.isFinite(sum)) {
      throw new RangeError(`${what}: row ${r} contains a non-finite value`);
    }
    if (sum === 0) continue;
    const scale = 1 / Math.sqrt(sum);
    for (let j = start; j < start + dim; j++) data[j] *= scale;
  }
  return data;
}
