/**
 * The threshold `s` and cap `m` shared by every method that averages a list of matches.
 * @module
 */

import type { MatchPair } from "./types.ts";

/** The outcome of applying `s` and `m` to a list of matches. */
export interface CountedScore {
  /** Mean similarity of the counted matches, or null when none counted. */
  score: number | null;
  /** How many matches counted. */
  countedCount: number;
  /** Why the score is null. */
  reason?: string;
}

/**
 * Mark which matches count and return their mean similarity.
 *
 * Match `k` (0-based, in the list's order) counts iff `similarity ≥ s` and `k < m`. Every list setsim
 * builds is non-increasing in similarity (greedy takes the largest remaining entry, which can only
 * shrink; the others are sorted best first), so the counted matches are always a prefix of length
 * `min(m, #{similarity ≥ s})` — which is what makes re-scoring under many (s, m) cheap.
 *
 * Mutates `pairs[k].counted` / `excludedBy`.
 */
export function applyThresholdAndCap(pairs: MatchPair[], s?: number, m?: number): CountedScore {
  let sum = 0;
  let countedCount = 0;
  pairs.forEach((pair, k) => {
    if (s !== undefined && pair.similarity < s) {
      pair.counted = false;
      pair.excludedBy = "s";
    } else if (m !== undefined && k >= m) {
      pair.counted = false;
      pair.excludedBy = "m";
    } else {
      pair.counted = true;
      delete pair.excludedBy;
      sum += pair.similarity;
      countedCount++;
    }
  });
  if (countedCount === 0) {
    return {
      score: null,
      countedCount,
      reason: pairs.length === 0
        ? "there were no matches"
        : `no match passed s = ${s}: the best similarity was ${Math.max(...pairs.map((p) => p.similarity))}`,
    };
  }
  return { score: sum / countedCount, countedCount };
}

/**
 * Score a list of similarities (in match order) under `s` and `m` without building pair objects:
 * the mean of the entries `k < m` with value ≥ `s`, or `noMatch` when none qualifies.
 */
export function scoreSequence(
  values: ArrayLike<number>,
  start: number,
  end: number,
  s: number,
  m: number,
  noMatch: number,
): number {
  let sum = 0;
  let count = 0;
  const last = Math.min(end, start + m);
  for (let k = start; k < last; k++) {
    const v = values[k];
    if (v >= s) {
      sum += v;
      count++;
    }
  }
  return count === 0 ? noMatch : sum / count;
}

/** Rows/columns in `0..n-1` that do not appear in `used`, ascending. */
export function unmatched(n: number, used: Iterable<number>): number[] {
  const seen = new Uint8Array(n);
  for (const i of used) seen[i] = 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (!seen[i]) out.push(i);
  return out;
}

/** Sort pairs best first; ties by row, then column (so results are deterministic). */
export function sortBestFirst<T extends { a: number; b: number; similarity: number }>(pairs: T[]): T[] {
  return pairs.sort((x, y) => y.similarity - x.similarity || x.a - y.a || x.b - y.b);
}
