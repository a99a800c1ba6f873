/**
 * Computed criteria for the notebooks' example choices: which strict (s, m) setting reproduces the
 * article's failure mode (a *different* item outranks the right one because only its single
 * near-identical detail counts), and how often the optimal assignment differs from greedy in the
 * way the article describes (lower total distance, better worst match, without the best pair).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pickFailureSetting, strictFailureScan } from "./failures.ts";
 * import { prepareProtocol } from "./prepare.ts";
 * import { scoreSetPairs } from "../matching/mod.ts";
 * const prepared = await prepareProtocol({ dataset: "coil100", protocol: "unordered", seed: 0 });
 * const baseline = scoreSetPairs(prepared, { method: "greedy" }); // s = none, m = all
 * const rows = strictFailureScan(prepared, baseline.data, { s: [0.8, 0.85, 0.9], m: 1 });
 * // At every s, query set 91 loses rank 1 to gallery set 60: outranked, not unscored.
 * assert.deepEqual(rows.map((r) => [r.s, r.lost, r.outranked]), [[0.8, 1, 1], [0.85, 1, 1], [0.9, 1, 1]]);
 * assert.deepEqual(rows[0].changes, [{ query: 91, before: 1, after: 2, topAfter: 60 }]);
 * assert.equal(pickFailureSetting(rows)?.s, 0.9); // ties go to the strictest s
 * ```
 * @module
 */

import type { PreparedProtocol } from "./prepare.ts";
import { greedyMatch, optimalAssignment, scoreSetPairs } from "../matching/mod.ts";
import { lostTopRanks, type RankChange } from "./ranks.ts";
import { subMatrix } from "./selection.ts";

type Scorable = Parameters<typeof scoreSetPairs>[0] & Pick<PreparedProtocol, "relevance" | "excluded">;

/** What one strict greedy setting does to the queries ranked first by a baseline scoring. */
export interface StrictFailureRow {
  /** Threshold, or null for none. */
  s: number | null;
  /** Cap on counted matches. */
  m: number;
  /** Queries ranked first by the baseline that are not ranked first under (s, m). */
  lost: number;
  /** …because their relevant gallery set got no score (no match passed s). */
  own_unscored: number;
  /** …because a different gallery set now scores at least as high: the article's failure. */
  outranked: number;
  /** The lost queries, worst first (see {@link lostTopRanks}). */
  changes: RankChange[];
}

/**
 * Score every set pair with greedy under each threshold `s` and the cap `m` and compare the ranks
 * with `baseline` (usually greedy with s = none, m = all). Splits the lost rank-1 queries into
 * those whose own set lost its score (s too high for the right item) and those outranked by a
 * different item (the failure the article warns about).
 */
export function strictFailureScan(
  prepared: Scorable,
  baseline: Float64Array,
  options: { s: readonly (number | null)[]; m: number },
): StrictFailureRow[] {
  const { s, m } = options;
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`m must be a positive integer, got ${m}`);
  if (s.length === 0) throw new RangeError("s must list at least one threshold");
  const nQuery = prepared.querySets.length, nGallery = prepared.gallerySets.length;
  if (baseline.length !== nQuery * nGallery) {
    throw new RangeError(`baseline has ${baseline.length} scores, expected ${nQuery} × ${nGallery}`);
  }
  const shape = { nQuery, nGallery, relevance: prepared.relevance, excluded: prepared.excluded };
  return s.map((threshold) => {
    if (threshold !== null && !Number.isFinite(threshold)) {
      throw new RangeError(`s must be finite numbers or null, got ${threshold}`);
    }
    const scores = scoreSetPairs(prepared, { method: "greedy", s: threshold ?? undefined, m }).data;
    const changes = lostTopRanks(baseline, scores, shape);
    const ownUnscored = changes.filter((c) => c.after === null).length;
    return {
      s: threshold,
      m,
      lost: changes.length,
      own_unscored: ownUnscored,
      outranked: changes.length - ownUnscored,
      changes,
    };
  });
}

/**
 * The row with the most outranked queries (ties: the higher s, the strictest setting that still
 * shows the failure; null = no threshold counts as the lowest); null when no row has any.
 */
export function pickFailureSetting(rows: readonly StrictFailureRow[]): StrictFailureRow | null {
  let best: StrictFailureRow | null = null;
  for (const row of rows) {
    if (
      row.outranked > 0 &&
      (!best || row.outranked > best.outranked ||
        (row.outranked === best.outranked && (row.s ?? -Infinity) > (best.s ?? -Infinity)))
    ) {
      best = row;
    }
  }
  return best;
}

/** How greedy and the optimal assignment differ over every scored set pair of a protocol. */
export interface AssignmentContrast {
  /** Set pairs compared (excluded pairs left out). */
  pairs: number;
  /** Pairs where the optimal total distance is lower than greedy's (by more than `tolerance`). */
  differ: number;
  /** Of those, pairs where the optimum's best match is below greedy's (it gives up the best pair). */
  drops_best_pair: number;
  /** Of those, pairs where the optimum's worst match is above greedy's. */
  better_worst: number;
  /** Largest total-distance saving of the optimum over greedy. */
  max_saving: number;
}

/**
 * Compare greedy and optimal matchings (both without s or m) on every non-excluded set pair.
 * Greedy always takes the matrix maximum first, so whenever the optimum is strictly better it
 * either gives up that best pair or keeps it and rearranges the rest; `drops_best_pair` counts
 * the first case, which is the article's "does not pick the single best pair".
 */
export function greedyOptimalContrast(
  prepared: Pick<PreparedProtocol, "similarity" | "querySets" | "gallerySets" | "excluded">,
  tolerance = 1e-9,
): AssignmentContrast {
  if (!(tolerance >= 0)) throw new RangeError(`tolerance must be ≥ 0, got ${tolerance}`);
  const nGallery = prepared.gallerySets.length;
  const out: AssignmentContrast = { pairs: 0, differ: 0, drops_best_pair: 0, better_worst: 0, max_saving: 0 };
  const stats = (pairs: { similarity: number }[]) => {
    let total = 0, best = -Infinity, worst = Infinity;
    for (const p of pairs) {
      total += 1 - p.similarity;
      best = Math.max(best, p.similarity);
      worst = Math.min(worst, p.similarity);
    }
    return { total, best, worst };
  };
  prepared.querySets.forEach((Q, q) => {
    prepared.gallerySets.forEach((G, g) => {
      if (prepared.excluded?.[q * nGallery + g]) return;
      const S = subMatrix(prepared.similarity, Q, G);
      const a = stats(greedyMatch(S).pairs), b = stats(optimalAssignment(S).pairs);
      out.pairs++;
      const saving = a.total - b.total;
      out.max_saving = Math.max(out.max_saving, saving);
      if (saving > tolerance) {
        out.differ++;
        if (b.best < a.best - tolerance) out.drops_best_pair++;
        if (b.worst > a.worst + tolerance) out.better_worst++;
      }
    });
  });
  return out;
}
