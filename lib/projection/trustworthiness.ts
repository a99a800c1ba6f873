/**
 * Trustworthiness of a low-dimensional map (Venna & Kaski, ICANN 2001; the definition of
 * `sklearn.manifold.trustworthiness`): how far the map avoids putting points next to each other
 * that were not neighbours in the original space.
 *
 * T(k) = 1 − 2 / (n k (2n − 3k − 1)) · Σᵢ Σ_{j ∈ Uᵢᵏ} (r(i, j) − k)
 *
 * where r(i, j) is the rank of j among i's neighbours in the original space (1 = nearest) and
 * Uᵢᵏ are the k nearest neighbours of i in the map that are not among its k nearest in the
 * original space. T = 1 for a map that keeps every k-neighbourhood; random maps give about 0.5.
 * Requires k < n / 2. Ties in distance are broken by the lower index (sklearn's argsort breaks
 * them arbitrarily; with real-valued embeddings ties are rare).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trustworthiness } from "./trustworthiness.ts";
 * const high = { data: Float32Array.from([0, 0, 1, 0, 2, 0, 3, 0, 4, 0]), count: 5, dim: 2 };
 * assert.equal(trustworthiness(high, [0, 0, 1, 0, 2, 0, 3, 0, 4, 0], { k: 1 }), 1);
 * ```
 * @module
 */

import type { Embeddings } from "../types.ts";
import { checkPoints, coordinateDistances, type PointMetric, squaredDistances } from "./distance.ts";

/** Options of {@link trustworthiness}. */
export interface TrustworthinessOptions {
  /** Neighbourhood size (default 5, as sklearn). */
  k?: number;
  /** Distance in the original space (default "euclidean"; the map always uses Euclidean). */
  metric?: PointMetric;
  /** Dimension of the map coordinates (default 2). */
  mapDim?: number;
}

function neighbourOrder(d: Float64Array, n: number, i: number): number[] {
  const order: number[] = [];
  for (let j = 0; j < n; j++) if (j !== i) order.push(j);
  return order.sort((a, b) => d[i * n + a] - d[i * n + b] || a - b);
}

/** Trustworthiness T(k) of the map `coords` (flat, `mapDim` values per point) of `points`. */
export function trustworthiness(
  points: Embeddings,
  coords: ArrayLike<number>,
  options: TrustworthinessOptions = {},
): number {
  checkPoints(points, "points");
  const n = points.count;
  const k = options.k ?? 5;
  const mapDim = options.mapDim ?? 2;
  if (coords.length !== n * mapDim) {
    throw new RangeError(`coords has ${coords.length} values, expected ${n} points × ${mapDim}`);
  }
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) {
    throw new RangeError(`k must be an integer with 1 ≤ k < n / 2 = ${n / 2}, got ${k}`);
  }
  const high = squaredDistances(points, options.metric ?? "euclidean");
  const low = coordinateDistances(coords, mapDim);
  let penalty = 0;
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    neighbourOrder(high, n, i).forEach((j, r) => (rank[j] = r + 1));
    const lowNeighbours = neighbourOrder(low, n, i).slice(0, k);
    for (const j of lowNeighbours) if (rank[j] > k) penalty += rank[j] - k;
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}
