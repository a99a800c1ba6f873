/**
 * Where the relevant gallery set lands in a query's ranking, and how that changes between two
 * scorings (e.g. lenient vs strict s and m): the numbers behind "this setting broke these queries".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { relevantRanks } from "./ranks.ts";
 * // 2 queries × 2 gallery sets; gallery set 0 is the relevant one for both.
 * const scores = new Float64Array([0.9, 0.8, 0.3, 0.7]);
 * assert.deepEqual(relevantRanks(scores, { nQuery: 2, nGallery: 2, relevance: new Uint8Array([1, 0, 1, 0]) }), [
 *   { query: 0, rank: 1, top: 0 },
 *   { query: 1, rank: 2, top: 1 }, // 0.7 for the wrong set beats 0.3 for the right one
 * ]);
 * ```
 * @module
 */

/** The rank of a query's best-placed relevant gallery set. */
export interface RelevantRank {
  /** The query set (row). */
  query: number;
  /**
   * 1 + the number of gallery sets scored strictly higher than the best relevant one (optimistic
   * under ties); `null` when no relevant set got a finite score or the query has none.
   */
  rank: number | null;
  /** The top-scoring gallery set (lowest index among ties), −1 when none is finite. */
  top: number;
}

/** Rank of the relevant set for every query of a query × gallery score matrix. */
export function relevantRanks(
  scores: Float64Array,
  shape: { nQuery: number; nGallery: number; relevance: Uint8Array; excluded?: Uint8Array | null },
): RelevantRank[] {
  const { nQuery, nGallery, relevance, excluded } = shape;
  const n = nQuery * nGallery;
  if (scores.length !== n || relevance.length !== n) {
    throw new RangeError(
      `scores and relevance must have ${n} values, got ${scores.length} and ${relevance.length}`,
    );
  }
  const out: RelevantRank[] = [];
  for (let q = 0; q < nQuery; q++) {
    let best = -Infinity, top = -1;
    for (let g = 0; g < nGallery; g++) {
      const at = q * nGallery + g;
      if (excluded?.[at]) continue;
      const v = scores[at];
      if (relevance[at] && v > best) best = v;
      if (Number.isFinite(v) && (top < 0 || v > scores[q * nGallery + top])) top = g;
    }
    let rank: number | null = null;
    if (Number.isFinite(best)) {
      rank = 1;
      for (let g = 0; g < nGallery; g++) {
        const at = q * nGallery + g;
        if (!excluded?.[at] && scores[at] > best) rank++;
      }
    }
    out.push({ query: q, rank, top });
  }
  return out;
}

/** How one query's relevant rank changed between two scorings. */
export interface RankChange {
  /** The query set (row). */
  query: number;
  /** Rank of its best relevant gallery set before (null: none ranked). */
  before: number | null;
  /** The same rank after. */
  after: number | null;
  /** The top gallery set under the second scoring. */
  topAfter: number;
}

/**
 * Queries ranked first under `before` but not under `after` (lower rank or no score), worst
 * first (no score counts as worst; ties by query index).
 */
export function lostTopRanks(
  before: Float64Array,
  after: Float64Array,
  shape: { nQuery: number; nGallery: number; relevance: Uint8Array; excluded?: Uint8Array | null },
): RankChange[] {
  const a = relevantRanks(before, shape), b = relevantRanks(after, shape);
  const lost: RankChange[] = [];
  a.forEach((r, q) => {
    if (r.rank === 1 && b[q].rank !== 1) {
      lost.push({ query: q, before: 1, after: b[q].rank, topAfter: b[q].top });
    }
  });
  const key = (c: RankChange) => c.after ?? Infinity;
  return lost.sort((x, y) => key(y) - key(x) || x.query - y.query);
}
