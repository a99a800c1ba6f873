/**
 * Small threshold × cap grids on a prepared protocol, for notebooks: the match lists are computed
 * once (`matchSequences`), every (s, m) re-scores them (`scoreSequences`) and is evaluated with
 * `evaluateScores`. The sweep (`lib/sweep`) does the same at scale with workers and a journal;
 * this is the in-process version for a handful of cells, plus the numbers that explain failures:
 * how many pairs had no match passing s, and how many queries could not be ranked at all.
 *
 * @example
 * ```ts ignore
 * import { thresholdCapGrid } from "./local.ts";
 * const rows = thresholdCapGrid(prepared, { method: "greedy", s: [null, 0.8], m: [1, null] });
 * ```
 * @module
 */

import type { PreparedProtocol } from "../evaluation/prepare.ts";
import { evaluateScores } from "../evaluation/run.ts";
import {
  type MatchMethod,
  matchSequences,
  scoreSequences,
  scoreSimilarityMatrix,
  type SimilarityMatrix,
} from "../matching/mod.ts";

/** How many pairs and queries a strict (s, m) leaves without any score. */
export interface NoMatchStats {
  /** Fraction of (query, gallery) pairs where no match passed s (score −Infinity). */
  no_match_rate: number;
  /** Fraction of queries whose relevant gallery set got no score. */
  relevant_unscored_rate: number;
  /** Fraction of queries for which every gallery set got no score (the ranking is all ties). */
  unrankable_rate: number;
}

/** Count the −Infinity ("no match passed s") scores of a query × gallery score matrix. */
export function noMatchStats(
  scores: Float64Array,
  shape: { nQuery: number; nGallery: number; relevance?: Uint8Array; excluded?: Uint8Array | null },
): NoMatchStats {
  const { nQuery, nGallery, relevance, excluded } = shape;
  if (scores.length !== nQuery * nGallery) {
    throw new RangeError(`scores must have ${nQuery * nGallery} values, got ${scores.length}`);
  }
  let none = 0, pairs = 0, relevantNone = 0, withRelevant = 0, unrankable = 0;
  for (let q = 0; q < nQuery; q++) {
    let scored = 0, relevantScored = 0, hasRelevant = false;
    for (let g = 0; g < nGallery; g++) {
      const at = q * nGallery + g;
      if (excluded?.[at]) continue;
      pairs++;
      const finite = Number.isFinite(scores[at]);
      if (finite) scored++;
      else none++;
      if (relevance?.[at]) {
        hasRelevant = true;
        if (finite) relevantScored++;
      }
    }
    if (scored === 0) unrankable++;
    if (hasRelevant) {
      withRelevant++;
      if (relevantScored === 0) relevantNone++;
    }
  }
  return {
    no_match_rate: pairs ? none / pairs : 0,
    relevant_unscored_rate: withRelevant ? relevantNone / withRelevant : 0,
    unrankable_rate: nQuery ? unrankable / nQuery : 0,
  };
}

/** Options of {@link thresholdCapGrid}. */
export interface GridOptions {
  /** A method with match lists: ordered, greedy, optimal, lp, chamfer. */
  method: MatchMethod;
  /** Thresholds; `null` = none. */
  s: readonly (number | null)[];
  /** Caps; `null` = all matches. */
  m: readonly (number | null)[];
  /** Bootstrap resamples (default 1000). */
  bootstrap?: number;
}

/** One (s, m) cell of the grid. */
export interface GridRow extends NoMatchStats {
  method: string;
  s: number | null;
  m: number | null;
  recall_at_1: number;
  recall_at_1_lo: number;
  recall_at_1_hi: number;
  map: number;
  map_lo: number;
  map_hi: number;
}

/** Evaluate every (s, m) of the grid on a prepared protocol, in s-major order. */
export function thresholdCapGrid(prepared: PreparedProtocol, options: GridOptions): GridRow[] {
  if (options.s.length === 0 || options.m.length === 0) {
    throw new RangeError("s and m grids must not be empty");
  }
  const lists = matchSequences(prepared, { method: options.method });
  const shape = {
    nQuery: prepared.querySets.length,
    nGallery: prepared.gallerySets.length,
    relevance: prepared.relevance,
    excluded: prepared.excluded,
  };
  const rows: GridRow[] = [];
  for (const s of options.s) {
    for (const m of options.m) {
      const scores = scoreSequences(lists, { s: s ?? undefined, m: m ?? undefined });
      const metrics = evaluateScores(scores, prepared, { bootstrap: options.bootstrap });
      rows.push({
        method: options.method,
        s,
        m,
        recall_at_1: metrics.recall_at_1,
        recall_at_1_lo: metrics.ci95.recall_at_1[0],
        recall_at_1_hi: metrics.ci95.recall_at_1[1],
        map: metrics.map,
        map_lo: metrics.ci95.map[0],
        map_hi: metrics.ci95.map[1],
        ...noMatchStats(scores, shape),
      });
    }
  }
  return rows;
}

/** One set pair to score under every (s, m) of {@link pairThresholdGrid}. */
export interface NamedMatrix {
  name: string;
  similarity: SimilarityMatrix;
}

/**
 * Each pair's score under every (s, m) (s-major), for a list-averaging method: one row per
 * setting with `s` ("none"), `m` ("all") and one column per pair name (null = no match passed s).
 */
export function pairThresholdGrid(
  pairs: readonly NamedMatrix[],
  options: {
    method?: "greedy" | "optimal" | "ordered" | "lp" | "chamfer";
    s: readonly (number | null)[];
    m: readonly (number | null)[];
  },
): Record<string, string | number | null>[] {
  if (pairs.length === 0) throw new RangeError("pairs must not be empty");
  const method = options.method ?? "greedy";
  const rows: Record<string, string | number | null>[] = [];
  for (const s of options.s) {
    for (const m of options.m) {
      const row: Record<string, string | number | null> = { s: s ?? "none", m: m ?? "all" };
      for (const pair of pairs) {
        row[pair.name] =
          scoreSimilarityMatrix(pair.similarity, { method, s: s ?? undefined, m: m ?? undefined }).score;
      }
      rows.push(row);
    }
  }
  return rows;
}

/**
 * Per-cell difference `b − a` of `metric` between two grids over the same (s, m) cells (e.g. with
 * and without augmentation): rows `{ s, m, a, b, difference }`. Cells are matched by (s, m).
 */
export function gridDifference(
  a: readonly GridRow[],
  b: readonly GridRow[],
  metric: "recall_at_1" | "map",
): { s: number | null; m: number | null; a: number; b: number; difference: number }[] {
  const key = (r: { s: number | null; m: number | null }) => `${r.s}|${r.m}`;
  const byKey = new Map(b.map((r) => [key(r), r]));
  if (byKey.size !== a.length || a.some((r) => !byKey.has(key(r)))) {
    throw new RangeError("gridDifference: the two grids must cover the same (s, m) cells");
  }
  return a.map((r) => {
    const other = byKey.get(key(r))!;
    return { s: r.s, m: r.m, a: r[metric], b: other[metric], difference: other[metric] - r[metric] };
  });
}
