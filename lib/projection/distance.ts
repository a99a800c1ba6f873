/**
 * Pairwise distances between the rows of a point matrix, shared by t-SNE, trustworthiness and
 * clustering. Exact O(n² d); meant for the hundreds of points a notebook maps.
 * @module
 */

import type { Embeddings } from "../types.ts";

/** Distances the projection module understands. */
export type PointMetric = "euclidean" | "cosine";

/** Check a row-major point matrix, naming the argument and the first bad value. */
export function checkPoints(points: Embeddings, name: string): void {
  const { data, count, dim } = points;
  if (!Number.isInteger(count) || !Number.isInteger(dim) || count < 1 || dim < 1) {
    throw new RangeError(`${name}: count and dim must be positive integers, got ${count} × ${dim}`);
  }
  if (data.length !== count * dim) {
    throw new RangeError(`${name}: data has ${data.length} values, expected count × dim = ${count * dim}`);
  }
  for (let k = 0; k < data.length; k++) {
    if (!Number.isFinite(data[k])) {
      throw new RangeError(`${name}: value ${data[k]} at row ${Math.floor(k / dim)}, column ${k % dim}`);
    }
  }
}

/**
 * n × n matrix of squared Euclidean distances ‖xᵢ − xⱼ‖², or of cosine distances 1 − cos(xᵢ, xⱼ)
 * for `metric = "cosine"` (rows with zero norm are rejected then).
 */
export function squaredDistances(points: Embeddings, metric: PointMetric = "euclidean"): Float64Array {
  const { data, count: n, dim } = points;
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += data[i * dim + k] * data[i * dim + k];
    norms[i] = s;
    if (metric === "cosine" && s === 0) {
      throw new RangeError(`row ${i} has zero norm; cosine distance is undefined`);
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += data[i * dim + k] * data[j * dim + k];
      const d = metric === "cosine"
        ? Math.max(0, 1 - dot / Math.sqrt(norms[i] * norms[j]))
        : Math.max(0, norms[i] + norms[j] - 2 * dot);
      out[i * n + j] = d;
      out[j * n + i] = d;
    }
  }
  return out;
}

/** Squared Euclidean distances between the points of a flat 2-D (or any `dim`) coordinate array. */
export function coordinateDistances(coords: ArrayLike<number>, dim: number): Float64Array {
  const n = coords.length / dim;
  if (!Number.isInteger(n)) {
    throw new RangeError(`coords length ${coords.length} is not a multiple of ${dim}`);
  }
  return squaredDistances({ data: Float32Array.from(coords), count: n, dim }, "euclidean");
}
