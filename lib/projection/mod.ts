/**
 * 2-D maps of embeddings and the tools to judge them: seeded exact t-SNE, seeded UMAP
 * (umap-js), PCA, trustworthiness, k-means with silhouette and adjusted Rand index, seriation
 * orders for similarity matrices, and scatter-plot builders.
 *
 * @example
 * ```ts
 * import { trustworthiness, tsne } from "./mod.ts";
 * const data = Float32Array.from({ length: 40 * 3 }, (_, i) => (i % 3) + (i < 60 ? 0 : 5));
 * const points = { data, count: 40, dim: 3 };
 * const map = tsne(points, { perplexity: 5, iterations: 300, seed: 1 });
 * console.log(trustworthiness(points, map.coords, { k: 5 }));
 * ```
 * @module
 */

export { gaussian, jointProbabilities, tsne, type TsneOptions, type TsneResult } from "./tsne.ts";
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
