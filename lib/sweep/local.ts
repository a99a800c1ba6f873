/**
 * Small threshold × cap grids on a prepared protocol, for notebooks: the sweep engine run on one
 * thread — the same plan, cells, match lists and cell evaluation as `deno task sweep`, without
 * workers or a journal — plus the numbers that explain failures: how many pairs had no match
 * passing s, and how many queries could not be ranked at all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { thresholdCapGrid } from "./local.ts";
 * import { prepareProtocol } from "../evaluation/prepare.ts";
 * const prepared = await prepareProtocol({ dataset: "coil100", protocol: "unordered", seed: 0 });
 * const rows = thresholdCapGrid(prepared, { method: "greedy", s: [null, 0.8], m: [1, null] });
 * assert.deepEqual(rows.map((r) => [r.setting.s, r.setting.m, r.metrics.recall_at_1.value]), [
 *   [null, 1, 0.99],
 *   [null, null, 0.99],
 *   [0.8, 1, 0.99],
 *   [0.8, null, 0.98], // s = 0.8 averaged over all matches costs one query its rank 1
 * ]);
 * assert.equal(rows[2].metrics.no_match_rate.value, 0.8281); // 83 % of pairs have no match ≥ 0.8
 * ```
 * @module
 */

import { type Estimate, estimateColumns } from "../evaluation/estimate.ts";
import type { PreparedProtocol } from "../evaluation/prepare.ts";
import type { ThresholdCapCell } from "../figures/grid.ts";
import {
  type MatchMethod,
  matchSequences,
  scoreSimilarityMatrix,
  type SimilarityMatrix,
} from "../matching/mod.ts";
import { cellHash, expandCells, type SweepPlan } from "./cell.ts";
import { cellEstimates, type CellResult } from "./output.ts";
import { cellScores, evaluateCellScores, preparedShared } from "./setsim_backend.ts";

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

/**
 * One (s, m) cell of an in-process grid: the sweep's cell result, with the {@link NoMatchStats}
 * among its metrics as estimates without an interval.
 */
export type GridRow = CellResult;

/** The names of the {@link NoMatchStats}, in table order. */
export const NO_MATCH_STATS = ["no_match_rate", "relevant_unscored_rate", "unrankable_rate"] as const;

/**
 * The sweep engine on one thread, for a grid small enough to evaluate in process on an already
 * prepared protocol: the plan's cells in grid order (s-major; `none` first, `all` last), the method's
 * match lists computed once, every cell evaluated by the sweep's own {@link evaluateCellScores}.
 */
export function thresholdCapGrid(prepared: PreparedProtocol, options: GridOptions): GridRow[] {
  if (options.s.length === 0 || options.m.length === 0) {
    throw new RangeError("s and m grids must not be empty");
  }
  const plan: SweepPlan = {
    datasets: [prepared.dataset],
    protocols: { [prepared.dataset]: [prepared.protocol] },
    methods: [options.method],
    s: [...options.s],
    m: [...options.m],
    seed: prepared.seed,
    model: prepared.model,
    bootstrap: options.bootstrap ?? 1000,
    options: { fingerprint: prepared.fingerprint },
  };
  const shared = preparedShared(prepared);
  const lists = matchSequences(prepared, { method: options.method });
  return expandCells(plan).map((cell) => {
    const scores = cellScores(lists, cell);
    const { metrics, ci95, provenance } = evaluateCellScores(shared, scores, cell);
    const noMatch = noMatchStats(scores, { ...shared, relevance: shared.relevant });
    return {
      hash: cellHash(cell),
      setting: cell,
      metrics: { ...cellEstimates(metrics, ci95), ...cellEstimates({ ...noMatch }) },
      provenance,
    };
  });
}

/**
 * The table of a grid as notebooks save it: `method, s, m`, each of `metrics` with its interval
 * (`<name>_lo`, `<name>_hi`; left out without bootstrap resamples, as the sweep's files and
 * `metricIntervalColumns` leave them), then the no-match statistics.
 */
export function gridTable(
  rows: readonly GridRow[],
  metrics: readonly string[] = ["recall_at_1", "map"],
): Record<string, string | number | null>[] {
  return rows.map((row) => ({
    method: row.setting.method,
    s: row.setting.s,
    m: row.setting.m,
    ...Object.assign({}, ...metrics.map((name) => estimateColumns(name, row.metrics[name]))),
    ...Object.fromEntries(NO_MATCH_STATS.map((name) => [name, row.metrics[name].value])),
  }));
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
 * and without augmentation), as s × m cells with point estimates `a`, `b` and `difference`.
 */
export function gridDifference(
  a: readonly ThresholdCapCell[],
  b: readonly ThresholdCapCell[],
  metric: string,
): ThresholdCapCell[] {
  const key = (c: ThresholdCapCell) => `${c.setting.s}|${c.setting.m}`;
  const byKey = new Map(b.map((c) => [key(c), c]));
  if (byKey.size !== a.length || a.some((c) => !byKey.has(key(c)))) {
    throw new RangeError("gridDifference: the two grids must cover the same (s, m) cells");
  }
  const point = (value: number): Estimate => ({ value });
  return a.map((cell) => {
    const x = cell.metrics[metric].value, y = byKey.get(key(cell))!.metrics[metric].value;
    return {
      setting: { s: cell.setting.s, m: cell.setting.m },
      metrics: { a: point(x), b: point(y), difference: point(y - x) },
    };
  });
}
