/**
 * Principal component scores by power iteration on the centred Gram matrix — a linear baseline
 * map to compare t-SNE and UMAP against (its trustworthiness is what a non-linear map must beat).
 *
 * With X the centred n × d data, G = X Xᵀ = U Σ² Uᵀ, and the scores of component c are
 * σ_c u_c. Components are found one at a time by power iteration with deflation; each score
 * vector's sign is fixed so that its largest-magnitude entry is positive (repeatable output).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pca } from "./pca.ts";
 * // Four points on the line y = x/2: one component explains everything.
 * const points = { data: Float32Array.from([0, 0, 2, 1, 4, 2, 6, 3]), count: 4, dim: 2 };
 * const { scores, explainedVariance, explainedVarianceRatio } = pca(points, { components: 1 });
 * // Centred points · (2, 1)/√5 = ±3√5/2, ±√5/2 (the sign of a component is arbitrary).
 * assert.deepEqual(Array.from(scores, (s) => Math.abs(s).toFixed(3)), ["3.354", "1.118", "1.118", "3.354"]);
 * assert.equal(explainedVariance[0].toFixed(6), (25 / 4).toFixed(6)); // Σ score² / n
 * assert.equal(explainedVarianceRatio[0].toFixed(6), "1.000000");
 * ```
 * @module
 */

import type { Embeddings } from "../types.ts";
import { createRng } from "../random/mod.ts";
import { checkPoints } from "./distance.ts";

/** Result of {@link pca}: `scores[i * components + c]`. */
export interface PcaResult {
  scores: Float64Array;
  count: number;
  components: number;
  /** Variance captured by each component (σ² / n). */
  explainedVariance: number[];
  /** Fraction of the total variance captured by each component. */
  explainedVarianceRatio: number[];
}

/** The first `components` principal component scores of the rows of `points` (default 2). */
export function pca(points: Embeddings, options: { components?: number; seed?: number } = {}): PcaResult {
  checkPoints(points, "points");
  const { data, count: n, dim } = points;
  const components = options.components ?? 2;
  if (!Number.isInteger(components) || components < 1 || components > Math.min(n, dim)) {
    throw new RangeError(`components must be an integer in [1, ${Math.min(n, dim)}], got ${components}`);
  }
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) mean[k] += data[i * dim + k] / n;
  const gram = new Float64Array(n * n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += (data[i * dim + k] - mean[k]) * (data[j * dim + k] - mean[k]);
      gram[i * n + j] = s;
      gram[j * n + i] = s;
    }
    total += gram[i * n + i];
  }
  const rng = createRng(options.seed ?? 0, "projection:pca");
  const scores = new Float64Array(n * components);
  const explained: number[] = [];
  const v = new Float64Array(n);
  const w = new Float64Array(n);
  for (let c = 0; c < components; c++) {
    for (let i = 0; i < n; i++) v[i] = rng() - 0.5;
    let lambda = 0;
    for (let it = 0; it < 1000; it++) {
      let norm = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += gram[i * n + j] * v[j];
        w[i] = s;
      }
      for (let i = 0; i < n; i++) norm += w[i] * w[i];
      norm = Math.sqrt(norm);
      if (norm === 0) break;
      let change = 0;
      for (let i = 0; i < n; i++) {
        const next = w[i] / norm;
        change += (next - v[i]) ** 2;
        v[i] = next;
      }
      lambda = norm;
      if (change < 1e-20) break;
    }
    let biggest = 0;
    for (let i = 0; i < n; i++) if (Math.abs(v[i]) > Math.abs(v[biggest])) biggest = i;
    const sign = v[biggest] < 0 ? -1 : 1;
    const sigma = Math.sqrt(Math.max(lambda, 0));
    for (let i = 0; i < n; i++) scores[i * components + c] = sign * sigma * v[i];
    // Deflate: G ← G − λ v vᵀ.
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) gram[i * n + j] -= lambda * v[i] * v[j];
    explained.push(lambda / n);
  }
  const totalVariance = total / n;
  return {
    scores,
    count: n,
    components,
    explainedVariance: explained,
    explainedVarianceRatio: explained.map((e) => (totalVariance > 0 ? e / totalVariance : 0)),
  };
}
