/**
 * The centroid of a set of image vectors, the one implementation: the float64 mean of its rows
 * ({@link centroid}), and that mean scaled to unit length ({@link unitCentroid}) for cosine
 * scoring, shortlists and stored item centroids. A set whose rows cancel has no direction: its
 * unit centroid is `undefined`, never a NaN vector.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { embeddingsFromRows } from "../types.ts";
 * import { centroid, unitCentroid } from "./centroid.ts";
 * const e = embeddingsFromRows([[1, 0], [0, 1], [-1, 0]]);
 * assert.deepEqual([...centroid(e, [0, 1])], [0.5, 0.5]);
 * assert.deepEqual([...unitCentroid(e, [0, 1])!].map((v) => v.toFixed(4)), ["0.7071", "0.7071"]);
 * assert.equal(unitCentroid(e, [0, 2]), undefined); // opposite rows cancel
 * ```
 * @module
 */

import type { Embeddings } from "../types.ts";

/** The float64 mean of rows `rows` of `e` (every row by default), written to `out`. */
export function centroid(
  e: Embeddings,
  rows?: ArrayLike<number>,
  out: Float64Array = new Float64Array(e.dim),
): Float64Array {
  const { dim, data } = e;
  const count = rows ? rows.length : e.count;
  out.fill(0);
  for (let i = 0; i < count; i++) {
    const base = (rows ? rows[i] : i) * dim;
    for (let k = 0; k < dim; k++) out[k] += data[base + k];
  }
  for (let k = 0; k < dim; k++) out[k] /= count;
  return out;
}

/**
 * The centroid scaled to unit length, as float32; `undefined` when its length is below 1e-12
 * (the rows cancel, or there are none).
 */
export function unitCentroid(e: Embeddings, rows?: ArrayLike<number>): Float32Array | undefined {
  const mean = centroid(e, rows);
  let sq = 0;
  for (let k = 0; k < mean.length; k++) sq += mean[k] * mean[k];
  if (!(sq >= 1e-24)) return undefined;
  const inv = 1 / Math.sqrt(sq);
  return Float32Array.from(mean, (v) => v * inv);
}
