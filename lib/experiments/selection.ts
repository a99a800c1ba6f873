/**
 * Reproducible choices of examples: the sets nearest to a target (by the cosine of their mean unit
 * vectors), the hardest negatives of a scored protocol (the most similar pairs of *different*
 * items), and the similarity block of one set pair.
 *
 * @example
 * ```ts
 * import { nearestSets, subMatrix } from "./selection.ts";
 * import { embeddingsFromRows } from "../types.ts";
 * const e = embeddingsFromRows([[1, 0], [0.9, 0.1], [0, 1], [0.1, 1]]);
 * console.log(nearestSets(e, [[0], [1], [2, 3]], 0)); // [{ set: 1, … }, { set: 2, … }]
 * const S = { rows: 2, cols: 2, data: new Float32Array([1, 2, 3, 4]) };
 * console.log(subMatrix(S, [1], [0, 1]).data); // [3, 4]
 * ```
 * @module
 */

import { meanUnitVector, type SimilarityMatrix } from "../matching/mod.ts";
import { type Embeddings, selectRows } from "../types.ts";

/** A set and its similarity to the target. */
export interface RankedSet {
  /** Index into the given sets. */
  set: number;
  /** Cosine of the two sets' mean unit vectors (the `centroid` score). */
  similarity: number;
}

function cosine(a: Float64Array, b: Float64Array): number {
  let dot = 0, na = 0, nb = 0;
  for (let k = 0; k < a.length; k++) {
    dot += a[k] * b[k];
    na += a[k] * a[k];
    nb += b[k] * b[k];
  }
  if (na === 0 || nb === 0) return NaN;
  return dot / Math.sqrt(na * nb);
}

/**
 * Every other set ranked by the cosine between its mean unit vector and the target's (descending;
 * ties by index), i.e. by the `centroid` set similarity. Sets with a zero mean are left out.
 *
 * @param embeddings one row per image.
 * @param sets each set as row indices of `embeddings`.
 * @param target index of the target set.
 */
export function nearestSets(embeddings: Embeddings, sets: readonly number[][], target: number): RankedSet[] {
  if (!Number.isInteger(target) || target < 0 || target >= sets.length) {
    throw new RangeError(`target = ${target} is not a set index in 0..${sets.length - 1}`);
  }
  const centroids = sets.map((set, k) => {
    if (set.length === 0) throw new RangeError(`sets[${k}] is empty`);
    for (const r of set) {
      if (!Number.isInteger(r) || r < 0 || r >= embeddings.count) {
        throw new RangeError(`sets[${k}] has row ${r}, not in 0..${embeddings.count - 1}`);
      }
    }
    return meanUnitVector(selectRows(embeddings, set));
  });
  const ranked: RankedSet[] = [];
  centroids.forEach((c, k) => {
    if (k === target) return;
    const similarity = cosine(centroids[target], c);
    if (Number.isFinite(similarity)) ranked.push({ set: k, similarity });
  });
  return ranked.sort((x, y) => y.similarity - x.similarity || x.set - y.set);
}

/** A scored (query set, gallery set) pair. */
export interface ScoredPair {
  query: number;
  gallery: number;
  score: number;
}

/**
 * The `k` highest-scoring pairs of a query × gallery score matrix whose gallery set is NOT
 * relevant to the query (and not excluded): the most confusable different items. Descending by
 * score, ties by query then gallery; non-finite scores are skipped.
 */
export function hardestNegatives(
  scores: Float64Array,
  relevance: Uint8Array,
  shape: { nQuery: number; nGallery: number; excluded?: Uint8Array | null },
  k = 1,
): ScoredPair[] {
  const { nQuery, nGallery, excluded } = shape;
  const n = nQuery * nGallery;
  if (scores.length !== n || relevance.length !== n) {
    throw new RangeError(
      `scores and relevance must have ${n} values, got ${scores.length} and ${relevance.length}`,
    );
  }
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be an integer ≥ 1, got ${k}`);
  const pairs: ScoredPair[] = [];
  for (let q = 0; q < nQuery; q++) {
    for (let g = 0; g < nGallery; g++) {
      const at = q * nGallery + g;
      if (relevance[at] || excluded?.[at] || !Number.isFinite(scores[at])) continue;
      pairs.push({ query: q, gallery: g, score: scores[at] });
    }
  }
  pairs.sort((x, y) => y.score - x.score || x.query - y.query || x.gallery - y.gallery);
  return pairs.slice(0, k);
}

/** The block of S at the given rows and columns (in the given order), as a Float64 matrix. */
export function subMatrix(
  S: SimilarityMatrix,
  rows: readonly number[],
  cols: readonly number[],
): SimilarityMatrix {
  const data = new Float64Array(rows.length * cols.length);
  rows.forEach((i, a) => {
    if (!Number.isInteger(i) || i < 0 || i >= S.rows) {
      throw new RangeError(`row ${i} is not in 0..${S.rows - 1}`);
    }
    cols.forEach((j, b) => {
      if (!Number.isInteger(j) || j < 0 || j >= S.cols) {
        throw new RangeError(`column ${j} is not in 0..${S.cols - 1}`);
      }
      data[a * cols.length + b] = S.data[i * S.cols + j];
    });
  });
  return { rows: rows.length, cols: cols.length, data };
}
