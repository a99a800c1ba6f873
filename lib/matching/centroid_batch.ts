/**
 * The `centroid` method in batch: one unit centroid per set, then one matrix product for every
 * (query set, gallery set) pair.
 * @module
 */

import type { Embeddings } from "../types.ts";
import { unitCentroid } from "./centroid.ts";
import { checkSets, type SetPairsInput } from "./sets.ts";
import { dotProductMatrix, normalizeRows } from "./similarity.ts";
import { NO_MATCH_SCORE } from "./types.ts";
import { validateEmbeddings } from "./validate.ts";

/**
 * The centroid score of every (query set, gallery set) pair, row-major: the cosine of the sets'
 * mean unit vectors (as `centroidScore`, up to float32 rounding), {@link NO_MATCH_SCORE} where a
 * mean vector is zero.
 */
export function centroidSetPairs(input: SetPairsInput): Float64Array {
  const { queryEmbeddings, galleryEmbeddings, querySets, gallerySets } = input;
  if (!queryEmbeddings || !galleryEmbeddings) {
    throw new RangeError(`method "centroid" needs input.queryEmbeddings and input.galleryEmbeddings`);
  }
  validateEmbeddings(queryEmbeddings, "queryEmbeddings");
  validateEmbeddings(galleryEmbeddings, "galleryEmbeddings");
  if (queryEmbeddings.dim !== galleryEmbeddings.dim) {
    throw new RangeError(
      `dimension mismatch: queryEmbeddings has dimension ${queryEmbeddings.dim}, galleryEmbeddings ${galleryEmbeddings.dim}`,
    );
  }
  checkSets(querySets, queryEmbeddings.count, "querySets", "queryEmbeddings row");
  checkSets(gallerySets, galleryEmbeddings.count, "gallerySets", "galleryEmbeddings row");
  const qc = unitCentroids(normalizeRows(queryEmbeddings, "queryEmbeddings"), querySets);
  const gc = unitCentroids(normalizeRows(galleryEmbeddings, "galleryEmbeddings"), gallerySets);
  const dots = new Float64Array(querySets.length * gallerySets.length);
  dotProductMatrix(qc.data, querySets.length, gc.data, gallerySets.length, queryEmbeddings.dim, dots);
  for (let q = 0; q < querySets.length; q++) {
    for (let g = 0; g < gallerySets.length; g++) {
      const p = q * gallerySets.length + g;
      dots[p] = qc.zero[q] || gc.zero[g] ? NO_MATCH_SCORE : Math.max(-1, Math.min(1, dots[p]));
    }
  }
  return dots;
}

/** Each set's mean unit vector, rescaled to unit length (zero means flagged). */
function unitCentroids(e: Embeddings, sets: ArrayLike<number>[]): { data: Float32Array; zero: Uint8Array } {
  const data = new Float32Array(sets.length * e.dim);
  const zero = new Uint8Array(sets.length);
  sets.forEach((set, k) => {
    const unit = unitCentroid(e, set);
    if (unit === undefined) zero[k] = 1;
    else data.set(unit, k * e.dim);
  });
  return { data, zero };
}
