/**
 * Reproducible choices of examples: the sets nearest to a target (by the cosine of their mean unit
 * vectors), the hardest negatives of a scored protocol (the most similar pairs of *different*
 * items), and the similarity block of one set pair.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nearestSets, subMatrix } from "./selection.ts";
 * import { embeddingsFromRows } from "../types.ts";
 * const e = embeddingsFromRows([[1, 0], [0.9, 0.1], [0, 1], [0.1, 1]]);
 * assert.deepEqual(nearestSets(e, [[0], [1], [2, 3]], 0).map((r) => r.set), [1, 2]);
 * const S = { rows: 2, cols: 2, data: new Float32Array([1, 2, 3, 4]) };
 * assert.deepEqual(Array.from(subMatrix(S, [1], [0, 1]).data), [3, 4]);
 * ```
 * @module
 */

import {
  centroid,
  type MatchMethod,
  meanVectorCosine,
  scoreSetPairs,
  type SimilarityMatrix,
} from "../matching/mod.ts";
import { type Embeddings, selectRows } from "../types.ts";

/** A set and its similarity to the target. */
export interface RankedSet {
  /** Index into the given sets. */
  set: number;
  /** Cosine of the two sets' mean unit vectors (the `centroid` score). */
  similarity: number;
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
    return centroid(selectRows(embeddings, set));
  });
  const ranked: RankedSet[] = [];
  centroids.forEach((c, k) => {
    if (k === target) return;
    const cosine = meanVectorCosine(centroids[target], c);
    if (cosine.zero === undefined) ranked.push({ set: k, similarity: cosine.value });
  });
  return ranked.sort((x, y) => y.similarity - x.similarity || x.set - y.set);
}

/** A scored (query set, gallery set) pair. */
export interface ScoredPair {
  /** The query set (row). */
  query: number;
  /** The gallery set (column). */
  gallery: number;
  /** Their set score. */
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
  return topPairs(
    nQuery,
    nGallery,
    k,
    (query, gallery, at) =>
      relevance[at] || excluded?.[at] || !Number.isFinite(scores[at])
        ? null
        : { query, gallery, score: scores[at] },
    (pair) => pair.score,
  );
}

/**
 * The `k` pairs with the largest `key`, ties by query then gallery. `pairAt` builds the pair of
 * cell (query, gallery) at row-major index `at`, or returns null to leave the cell out.
 */
function topPairs<T extends ScoredPair>(
  nQuery: number,
  nGallery: number,
  k: number,
  pairAt: (query: number, gallery: number, at: number) => T | null,
  key: (pair: T) => number,
): T[] {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be an integer ≥ 1, got ${k}`);
  const pairs: T[] = [];
  for (let q = 0; q < nQuery; q++) {
    for (let g = 0; g < nGallery; g++) {
      const pair = pairAt(q, g, q * nGallery + g);
      if (pair) pairs.push(pair);
    }
  }
  pairs.sort((x, y) => key(y) - key(x) || x.query - y.query || x.gallery - y.gallery);
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

/** A short label for an image path: the file name without folders and extension (`obj12__90`). */
export function imageLabel(path: string): string {
  const file = path.replace(/^.*[\\/]/, "");
  const dot = file.lastIndexOf(".");
  return dot > 0 ? file.slice(0, dot) : file;
}

/** One (query set, gallery set) pair of a prepared protocol, ready to explain. */
export interface SetPairBlock {
  /** The query set (row of the protocol). */
  query: number;
  /** The gallery set (column of the protocol). */
  gallery: number;
  /** The query set's id. */
  queryId: string;
  /** The gallery set's id. */
  galleryId: string;
  /** Image paths of both sets (after dropping failed images). */
  queryImages: string[];
  /** Image paths of the gallery set. */
  galleryImages: string[];
  /** The |query set| × |gallery set| similarity block. */
  similarity: SimilarityMatrix;
  /** {@link imageLabel}s of the images, in matrix order. */
  rowLabels: string[];
  /** {@link imageLabel}s of the gallery images, in matrix order. */
  colLabels: string[];
}

/**
 * The similarity block of query set `query` and gallery set `gallery` of a prepared protocol, with
 * image labels. Augmented copies (when the protocol added them) are left out: the block covers the
 * original images, which are the first rows of each set only when no augmentation was used, so
 * this requires an un-augmented protocol.
 */
export function setPairBlock(
  prepared: {
    similarity: SimilarityMatrix;
    querySets: number[][];
    gallerySets: number[][];
    queries: { id: string; images: string[] }[];
    gallery: { id: string; images: string[] }[];
  },
  query: number,
  gallery: number,
): SetPairBlock {
  const Q = prepared.querySets[query], G = prepared.gallerySets[gallery];
  if (!Q) {
    throw new RangeError(`query = ${query} is not a query set index in 0..${prepared.querySets.length - 1}`);
  }
  if (!G) {
    throw new RangeError(
      `gallery = ${gallery} is not a gallery set index in 0..${prepared.gallerySets.length - 1}`,
    );
  }
  const q = prepared.queries[query], g = prepared.gallery[gallery];
  if (q.images.length !== Q.length || g.images.length !== G.length) {
    throw new RangeError("setPairBlock needs a protocol without augmentation (one row per image)");
  }
  return {
    query,
    gallery,
    queryId: q.id,
    galleryId: g.id,
    queryImages: q.images,
    galleryImages: g.images,
    similarity: subMatrix(prepared.similarity, Q, G),
    rowLabels: q.images.map(imageLabel),
    colLabels: g.images.map(imageLabel),
  };
}

/** A pair on which two methods' scores differ. */
export interface Disagreement extends ScoredPair {
  /** The other method's score of the same pair. */
  other: number;
  /** other − score. */
  gap: number;
}

/**
 * The `k` (query, gallery) pairs where two score matrices differ most (|b − a| descending; ties by
 * query then gallery); pairs where either score is not finite are skipped. `score` is a's value.
 */
export function largestDisagreements(
  a: Float64Array,
  b: Float64Array,
  shape: { nQuery: number; nGallery: number; excluded?: Uint8Array | null },
  k = 1,
): Disagreement[] {
  const { nQuery, nGallery, excluded } = shape;
  const n = nQuery * nGallery;
  if (a.length !== n || b.length !== n) {
    throw new RangeError(`score matrices must have ${n} values, got ${a.length} and ${b.length}`);
  }
  return topPairs(
    nQuery,
    nGallery,
    k,
    (query, gallery, at) =>
      excluded?.[at] || !Number.isFinite(a[at]) || !Number.isFinite(b[at])
        ? null
        : { query, gallery, score: a[at], other: b[at], gap: b[at] - a[at] },
    (pair) => Math.abs(pair.gap),
  );
}

/** The hardest negative of a prepared protocol under one method, with its block. */
export interface HardestNegativeExample {
  /** The method's query × gallery scores (row = query set). */
  scores: Float64Array;
  /** The pair and its score. */
  pair: ScoredPair;
  /** Its similarity block and labels. */
  block: SetPairBlock;
  /** The query's own (first relevant) gallery set and its score under the method. */
  ownGallery: number;
  /** Its score under the method. */
  ownScore: number;
}

/**
 * The most similar pair of *different* items under `method` (default greedy) — a reproducible
 * "two similar but different items" example — with its block and the query's own gallery set.
 */
export function hardestNegativeExample(
  prepared: Parameters<typeof setPairBlock>[0] & {
    relevance: Uint8Array;
    excluded: Uint8Array | null;
    queryEmbeddings?: Embeddings;
    galleryEmbeddings?: Embeddings;
  },
  method: MatchMethod = "greedy",
): HardestNegativeExample {
  const nQuery = prepared.querySets.length, nGallery = prepared.gallerySets.length;
  const scores = scoreSetPairs(prepared, { method }).data;
  const [pair] = hardestNegatives(scores, prepared.relevance, {
    nQuery,
    nGallery,
    excluded: prepared.excluded,
  });
  if (!pair) throw new Error("the protocol has no scored pair of different items");
  let ownGallery = -1;
  for (let g = 0; g < nGallery; g++) {
    if (prepared.relevance[pair.query * nGallery + g]) {
      ownGallery = g;
      break;
    }
  }
  return {
    scores,
    pair,
    block: setPairBlock(prepared, pair.query, pair.gallery),
    ownGallery,
    ownScore: ownGallery >= 0 ? scores[pair.query * nGallery + ownGallery] : NaN,
  };
}

/** A target set and its nearest neighbours. */
export interface CrowdedTarget {
  /** The target set. */
  target: number;
  /** The target's `k` nearest other sets, nearest first. */
  neighbours: RankedSet[];
}

/**
 * The set whose k-th nearest other set (by centroid cosine, {@link nearestSets}) is the most
 * similar — the target with the most look-alikes — and those k neighbours. Ties go to the lower
 * index. O(n² · dim) for n sets.
 */
export function crowdedTarget(embeddings: Embeddings, sets: readonly number[][], k = 2): CrowdedTarget {
  if (!Number.isInteger(k) || k < 1 || k >= sets.length) {
    throw new RangeError(`k must be an integer in 1..${sets.length - 1}, got ${k}`);
  }
  let best: CrowdedTarget | null = null;
  for (let t = 0; t < sets.length; t++) {
    const neighbours = nearestSets(embeddings, sets, t).slice(0, k);
    if (neighbours.length < k) continue;
    if (!best || neighbours[k - 1].similarity > best.neighbours[k - 1].similarity) {
      best = { target: t, neighbours };
    }
  }
  if (!best) throw new Error(`no set has ${k} neighbours with a non-zero centroid`);
  return best;
}
