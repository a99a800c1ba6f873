/**
 * Per-view tables for ordered matching: when a target and each candidate show the same labelled
 * views in the same order (e.g. right, top, back, front), ordered matching compares view i with
 * view i. These tables list each candidate's per-view similarity S_ii, their mean (the ordered
 * score) and the pick (the best candidate, k = 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { orderedViewTable } from "./views.ts";
 * const rows = orderedViewTable(["right", "top"], [
 *   { name: "mug", similarity: { rows: 2, cols: 2, data: new Float64Array([0.9, 0, 0, 0.7]) } },
 *   { name: "cup", similarity: { rows: 2, cols: 2, data: new Float64Array([0.6, 0, 0, 0.5]) } },
 * ]);
 * assert.ok(Math.abs((rows[0].mean as number) - 0.8) < 1e-12);
 * assert.equal(rows[0].pick, true);
 * ```
 * @module
 */

import { orderedMatch, type SimilarityMatrix } from "../matching/mod.ts";

/** A candidate of an ordered comparison: its name and its |views| × |views| matrix with the target. */
export interface OrderedCandidate {
  /** The candidate's name. */
  name: string;
  /** Rows: the target's views, columns: the candidate's views, both in `views` order. */
  similarity: SimilarityMatrix;
}

/** One row of {@link orderedViewTable}: the candidate, one column per view, mean, rank and pick. */
export type OrderedViewRow = Record<string, string | number | boolean> & {
  candidate: string;
  mean: number;
  rank: number;
  pick: boolean;
};

/**
 * Per-view similarity S_ii of every candidate (one column per view name), the mean (the
 * `ordered` score), the rank by mean (1 = best; ties share the better rank) and `pick` for the
 * rank-1 candidates (k = 1). Rows keep the candidates' order.
 */
export function orderedViewTable(
  views: readonly string[],
  candidates: readonly OrderedCandidate[],
): OrderedViewRow[] {
  if (views.length === 0) throw new RangeError("views must name at least one view");
  if (new Set(views).size !== views.length) {
    throw new RangeError(`view names must differ: ${views.join(", ")}`);
  }
  const reserved = ["candidate", "mean", "rank", "pick"];
  const clash = views.find((v) => reserved.includes(v));
  if (clash) throw new RangeError(`view name "${clash}" clashes with a table column`);
  if (candidates.length === 0) throw new RangeError("candidates must not be empty");
  const scored = candidates.map((c) => {
    const { rows, cols } = c.similarity;
    if (rows !== views.length || cols !== views.length) {
      throw new RangeError(
        `candidate "${c.name}": similarity is ${rows} × ${cols}, expected ${views.length} × ${views.length}`,
      );
    }
    const result = orderedMatch(c.similarity);
    return { c, perPosition: result.perPosition!, mean: result.score as number };
  });
  const means = scored.map((r) => r.mean);
  return scored.map(({ c, perPosition, mean }) => {
    const row: OrderedViewRow = {
      candidate: c.name,
      mean,
      rank: 1 + means.filter((m) => m > mean).length,
      pick: false,
    };
    views.forEach((v, i) => (row[v] = perPosition[i]));
    row.pick = row.rank === 1;
    // Column order: candidate, views…, mean, rank, pick.
    return Object.fromEntries([
      ["candidate", row.candidate],
      ...views.map((v) => [v, row[v]]),
      ["mean", row.mean],
      ["rank", row.rank],
      ["pick", row.pick],
    ]) as OrderedViewRow;
  });
}
