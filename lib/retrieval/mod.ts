/**
 * Nearest-neighbour queries over a score matrix: top-k lists, tie-aware precision@k for any k,
 * bootstrap means, neighbour label mixes, and figure builders for large similarity matrices
 * and "query → neighbours" galleries. (`lib/evaluation` holds the headline retrieval metrics.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diagonalMask, precisionAtK, sameLabelMask } from "./mod.ts";
 * const scores = { rows: 3, cols: 3, data: Float64Array.from([1, 0.9, 0.1, 0.9, 1, 0.2, 0.1, 0.2, 1]) };
 * const labels = ["a", "a", "b"];
 * assert.deepEqual(Array.from(precisionAtK(scores, sameLabelMask(labels), 1, { excluded: diagonalMask(3) })), [1, 1, 0]);
 * ```
 * @module
 */

export {
  diagonalMask,
  type MeanInterval,
  meanWithInterval,
  neighbourLabelMix,
  type NeighbourOptions,
  precisionAtK,
  sameLabelMask,
  type TopK,
  topK,
} from "./neighbours.ts";
export {
  type NeighbourGalleryItem,
  neighbourGalleryRows,
  parseColour,
  type SimilarityRasterOptions,
  similarityRasterOptions,
} from "./figures.ts";
export { formatInterval, offDiagonalQuantiles, percent, sharedFirstWordRate } from "./describe.ts";
export { prepareShoeSample, type ShoeSample, type ShoeSampleOptions } from "./shoes.ts";
