/**
 * 2-D maps of embeddings and the tools to judge them: seeded exact t-SNE, seeded UMAP
 * (umap-js), PCA, trustworthiness, k-means with silhouette and adjusted Rand index, seriation
 * orders for similarity matrices, and scatter-plot builders.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trustworthiness, tsne } from "./mod.ts";
 * // Two clouds of 20 points (a 4 × 5 grid of step 1/4 each), 10 apart on every axis.
 * const data = Float32Array.from({ length: 40 * 3 }, (_, i) => {
 *   const p = Math.floor(i / 3), d = i % 3, g = p % 20;
 *   return (p < 20 ? 0 : 10) + (d === 0 ? g % 4 : d === 1 ? Math.floor(g / 4) : 0) / 4;
 * });
 * const points = { data, count: 40, dim: 3 };
 * const map = tsne(points, { perplexity: 5, iterations: 1000, seed: 1 });
 * assert.equal(map.coords.length, 2 * 40);
 * // The map keeps each point's 5 nearest neighbours nearly intact (0.99 here; 0.5 is chance).
 * assert.ok(trustworthiness(points, map.coords, { k: 5 }) > 0.95);
 * ```
 * @module
 */

export { jointProbabilities, tsne, type TsneOptions, type TsneResult } from "./tsne.ts";
export { umap, type UmapOptions, type UmapResult } from "./umap.ts";
export { pca, type PcaResult } from "./pca.ts";
export { trustworthiness, type TrustworthinessOptions } from "./trustworthiness.ts";
export { checkPoints, coordinateDistances, type PointMetric, squaredDistances } from "./distance.ts";
export {
  adjustedRandIndex,
  kMeans,
  type KMeansOptions,
  type KMeansResult,
  silhouette,
  silhouetteSamples,
} from "./cluster.ts";
export { groupedSeriation, nearestNeighbourChain } from "./seriation.ts";
export { type MapScatterOptions, mapScatterOptions } from "./figures.ts";
export { closestToCenters, distinctiveWords, fieldMix, titleWords } from "./describe.ts";
