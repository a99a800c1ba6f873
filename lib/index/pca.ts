/**
 * The principal subspace behind the vector file's codes (`vector_file.ts`): an orthonormal basis of the
 * top-r principal components of the image vectors, fitted at index time on thousands of 1792-d
 * vectors (the 2-D PCA of the notebooks' figures is `lib/projection/pca.ts`; this one needs
 * hundreds of components and runs its products in onnxruntime).
 * @module
 */

import { multiplyTransposed, OnnxSimilarityCache } from "../matching/similarity_onnx.ts";
import { createRng, gaussian } from "../random/mod.ts";
import type { Embeddings } from "../types.ts";

/** The top principal subspace of a set of vectors, from {@link pcaBasis}. */
export interface PcaBasis {
  /** Input dimension d. */
  dim: number;
  /** Number of components r. */
  components: number;
  /** The sample mean μ (d values). */
  mean: Float32Array;
  /** Orthonormal basis rows B (r × d, row-major): the code of x is B (x − μ). */
  basis: Float32Array;
  /** Fraction of the sample's variance inside the subspace, trace(B C Bᵀ) / trace(C). */
  explainedVarianceRatio: number;
}

/**
 * An orthonormal basis of the top-`components` principal subspace of `points` (rows of d values),
 * by randomized subspace iteration (Halko, Martinsson & Tropp, "Finding structure with randomness",
 * SIAM Review 53(2), 2011, Algorithm 4.4) on the sample covariance C = (X − μ)ᵀ(X − μ) / n:
 * V₀ Gaussian (r × d), then `iterations` times Vₜ₊₁ = orth(Vₜ C) (modified Gram–Schmidt on the rows).
 * The products run in onnxruntime (`multiplyTransposed`), so d = 1792 with n = 20,000 takes
 * seconds. Any orthonormal basis of the subspace serves a projection B(x − μ): dot products of
 * codes approximate (x − μ)·(y − μ), exactly when both lie in the subspace; the rows are not
 * rotated to individual eigenvectors (not needed for that use).
 *
 * @example
 * ```ts
 * import { pcaBasis } from "./pca.ts";
 * import assert from "node:assert/strict";
 * // Points on the line y = 2x (plus an offset): one component explains everything.
 * const points = { data: Float32Array.from([0, 1, 1, 3, 2, 5, 3, 7]), count: 4, dim: 2 };
 * const { basis, mean, explainedVarianceRatio } = await pcaBasis(points, { components: 1 });
 * assert.deepEqual([...mean], [1.5, 4]);
 * assert.ok(Math.abs(Math.abs(basis[1] / basis[0]) - 2) < 1e-4);
 * assert.ok(explainedVarianceRatio > 0.9999);
 * ```
 */
export async function pcaBasis(
  points: Embeddings,
  options: { components: number; iterations?: number; seed?: number; cache?: OnnxSimilarityCache },
): Promise<PcaBasis> {
  const { count: n, dim: d, data } = points;
  const r = options.components;
  if (!Number.isInteger(r) || r < 1 || r > d) {
    throw new RangeError(`pcaBasis: components must be an integer in [1, ${d}], got ${r}`);
  }
  if (n < 2) throw new RangeError(`pcaBasis: needs at least 2 points, got ${n}`);
  const cache = options.cache ?? new OnnxSimilarityCache();
  try {
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
    for (let j = 0; j < d; j++) mean[j] /= n;
    // Xcᵀ (d × n): C = Xcᵀ (Xcᵀ)ᵀ / n is one product.
    const centredT = new Float32Array(d * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) centredT[j * n + i] = data[i * d + j] - mean[j];
    const cov = await multiplyTransposed(centredT, d, centredT, d, n, cache);
    for (let k = 0; k < cov.length; k++) cov[k] /= n;
    let trace = 0;
    for (let j = 0; j < d; j++) trace += cov[j * d + j];
    const rng = createRng(options.seed ?? 0, "pca-basis");
    let v: Float32Array = Float32Array.from(
      { length: r * d },
      () => gaussian(rng),
    );
    orthonormaliseRows(v, r, d);
    for (let t = 0; t < (options.iterations ?? 6); t++) {
      // (V C)ᵀ = C Vᵀ since C is symmetric: one product gives the r × d rows of V C.
      v = await multiplyTransposed(v, r, cov, d, d, cache);
      orthonormaliseRows(v, r, d);
    }
    const vc = await multiplyTransposed(v, r, cov, d, d, cache);
    let captured = 0;
    for (let k = 0; k < r * d; k++) captured += vc[k] * v[k];
    return {
      dim: d,
      components: r,
      mean: Float32Array.from(mean),
      basis: v,
      explainedVarianceRatio: trace > 0 ? captured / trace : 1,
    };
  } finally {
    if (!options.cache) await cache.dispose();
  }
}

/** Modified Gram–Schmidt on the rows of `v` (r × d) in place; a dependent row is replaced by a unit axis. */
function orthonormaliseRows(v: Float32Array, r: number, d: number): void {
  let axis = 0;
  for (let i = 0; i < r; i++) {
    const row = v.subarray(i * d, (i + 1) * d);
    for (let pass = 0; pass < 2; pass++) {
      // Two passes ("twice is enough", Giraud et al. 2005) keep float32 rows orthogonal to ~1e-7.
      for (let k = 0; k < i; k++) {
        const other = v.subarray(k * d, (k + 1) * d);
        let dot = 0;
        for (let j = 0; j < d; j++) dot += row[j] * other[j];
        for (let j = 0; j < d; j++) row[j] -= dot * other[j];
      }
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += row[j] * row[j];
    norm = Math.sqrt(norm);
    if (norm < 1e-6 && axis < d) {
      // Try the next unit axis instead (at most d of them, and r ≤ d, so this ends).
      row.fill(0);
      row[axis++] = 1;
      i--;
      continue;
    }
    for (let j = 0; j < d; j++) row[j] /= norm;
  }
}
