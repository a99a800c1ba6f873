/**
 * The input of the batch scorers — many query sets against many gallery sets, as index lists into
 * one precomputed similarity matrix (and, for methods that need them, the embeddings) — and its
 * checks.
 * @module
 */

import type { Progress } from "../progress/mod.ts";
import type { Embeddings } from "../types.ts";
import type { SimilarityMatrix } from "./types.ts";

/** The inputs of the batch functions (`scoreSetPairs`, `matchSequences`, …). */
export interface SetPairsInput {
  /** Similarities between every query image (rows) and every gallery image (columns). */
  similarity: SimilarityMatrix;
  /** Each query set as row indices of `similarity`. */
  querySets: ArrayLike<number>[];
  /** Each gallery set as column indices of `similarity`. */
  gallerySets: ArrayLike<number>[];
  /** `centroid` only: the query embeddings, row i matching row i of `similarity`. */
  queryEmbeddings?: Embeddings;
  /** `centroid` only: the gallery embeddings, row j matching column j of `similarity`. */
  galleryEmbeddings?: Embeddings;
  /** Show progress on stderr (true) or report to a given reporter. */
  progress?: boolean | Progress;
}

/**
 * Throw unless `sets` is a non-empty array of non-empty index lists into `0..limit − 1`, naming the
 * set and position at fault; returns the largest set's size.
 */
export function checkSets(sets: ArrayLike<number>[], limit: number, name: string, axis: string): number {
  if (!Array.isArray(sets) || sets.length === 0) {
    throw new RangeError(`${name} must be a non-empty array of sets`);
  }
  let largest = 0;
  sets.forEach((set, k) => {
    if (!set || set.length === 0) throw new RangeError(`${name}[${k}] is empty; every set needs ≥ 1 item`);
    for (let t = 0; t < set.length; t++) {
      const i = set[t];
      if (!Number.isInteger(i) || i < 0 || i >= limit) {
        throw new RangeError(`${name}[${k}][${t}] = ${i} is not a ${axis} index in 0..${limit - 1}`);
      }
    }
    largest = Math.max(largest, set.length);
  });
  return largest;
}
