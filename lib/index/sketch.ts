/**
 * Sketches: short random projections of unit vectors that keep their cosines approximately
 * (Johnson–Lindenstrauss: with k dimensions the error of a cosine is about 1/√k), so that a
 * shortlist can scan every item in memory in a few milliseconds and leave the exact answer to the
 * re-rank. The projection matrix is a seeded Gaussian matrix, regenerated (and cached) from
 * (dim, k, seed), so index builds and searches agree without storing it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { projectRows } from "./sketch.ts";
 * // Two unit vectors with cosine 0.6, sketched to 256 dimensions (seed 0).
 * const out = projectRows(new Float32Array([1, 0, 0, 0.6, 0.8, 0]), 3, 256, 0);
 * assert.equal(out.length, 2 * 256);
 * const cosine = out.subarray(0, 256).reduce((sum, x, d) => sum + x * out[256 + d], 0);
 * assert.ok(Math.abs(cosine - 0.6) < 3 / Math.sqrt(256)); // 0.628: within a few 1/√k
 * assert.deepEqual(projectRows(new Float32Array([1, 0, 0, 0.6, 0.8, 0]), 3, 256, 0), out); // same seed, same sketch
 * ```
 * @module
 */

import { createRng, gaussianPair } from "../random/mod.ts";

/** Dimension of the item-centroid sketches stored by `buildIndex`. */
export const SKETCH_DIM = 256;
/** Seed of their projection. */
export const SKETCH_SEED = 0;

const cache = new Map<string, Float32Array>();

/** The `from × to` Gaussian projection matrix for `seed` (row-major, cached). */
export function projectionMatrix(from: number, to: number, seed: number): Float32Array {
  const key = `${from}:${to}:${seed}`;
  let P = cache.get(key);
  if (P === undefined) {
    const rng = createRng(seed, "random-projection");
    P = new Float32Array(from * to);
    for (let k = 0; k < P.length; k += 2) {
      const [a, b] = gaussianPair(rng);
      P[k] = a;
      if (k + 1 < P.length) P[k + 1] = b;
    }
    cache.set(key, P);
  }
  return P;
}

/** Project row-major `data` (rows of `from` values) to `to` dimensions and L2-normalise each row. */
export function projectRows(data: Float32Array, from: number, to: number, seed: number): Float32Array {
  const rows = data.length / from;
  const P = projectionMatrix(from, to, seed);
  const out = new Float32Array(rows * to);
  for (let r = 0; r < rows; r++) {
    const row = data.subarray(r * from, (r + 1) * from);
    const target = out.subarray(r * to, (r + 1) * to);
    for (let i = 0; i < from; i++) {
      const x = row[i];
      if (x === 0) continue;
      const p = P.subarray(i * to, (i + 1) * to);
      for (let d = 0; d < to; d++) target[d] += x * p[d];
    }
    let n = 0;
    for (let d = 0; d < to; d++) n += target[d] * target[d];
    n = Math.sqrt(n) || 1;
    for (let d = 0; d < to; d++) target[d] /= n;
  }
  return out;
}
