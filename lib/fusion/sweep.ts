/**
 * Sweep the fusion weight w and measure retrieval at each value with `lib/evaluation`'s
 * tie-aware metrics and bootstrap intervals — each weight a {@link FusionCell}, the grid-cell type
 * of every setsim grid, so `bestCell` and `formatEstimate` read it — and evaluate category
 * restriction; and find the queries whose ranking text fixes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fusionSweep, fusionSweepCells } from "./sweep.ts";
 * const image = { rows: 2, cols: 2, data: Float64Array.from([0.2, 0.9, 0.9, 0.2]) };
 * const text = { rows: 2, cols: 2, data: Float64Array.from([0.9, 0.1, 0.1, 0.9]) };
 * const relevant = Uint8Array.from([1, 0, 0, 1]);
 * const rows = fusionSweep({ image, text, relevant, weights: [0, 1], bootstrap: 0 });
 * assert.deepEqual(Array.from(rows.map((r) => r.map)), [0.5, 1]);
 * const cells = fusionSweepCells({ image, text, relevant, weights: [0, 1], bootstrap: 0 });
 * assert.deepEqual(cells[1].setting, { weight: 1, restricted: false });
 * assert.deepEqual(cells[1].metrics.map, { value: 1 }); // no resamples, no interval
 * ```
 * @module
 */

import { estimateColumns, estimatesOf, type GridCell, hasInterval } from "../evaluation/estimate.ts";
import { evaluateRanking, METRIC_NAMES, type MetricName, perQueryMetrics } from "../evaluation/metrics.ts";
import { createRng, shuffle } from "../random/mod.ts";
import type { SimilarityMatrix } from "../matching/types.ts";
import { precisionAtK } from "../retrieval/neighbours.ts";
import { fuseSimilarities, restrictByCategory, type ScoreMatrix } from "./fuse.ts";

/** Input of {@link fusionSweep}. */
export interface FusionSweepInput {
  image: SimilarityMatrix;
  text: SimilarityMatrix;
  /** Row-major queries × candidates relevance. */
  relevant: Uint8Array;
  /** Candidates left out per query (e.g. the query itself). */
  excluded?: Uint8Array | null;
  /** Weights of text to evaluate (default 0, 0.05, …, 1). */
  weights?: readonly number[];
  /** Per-query category for per-category metrics. */
  categories?: readonly string[];
  /** Restrict each query to candidates of its own category (`[queryCategories, candidateCategories]`). */
  restrict?: [readonly string[], readonly string[]];
  /** Bootstrap resamples (default 1000). */
  bootstrap?: number;
  seed?: number;
}

/** One weight of a sweep: its setting, an estimate per headline metric, and how many queries were scored. */
export interface FusionCell extends GridCell<{ weight: number; restricted: boolean }> {
  n_queries: number;
}

/**
 * One weight's metrics as a table row (the committed `weight-sweep.csv` columns): every headline
 * metric with `<name>_lo`/`<name>_hi` (95% bootstrap; left out without resamples).
 */
export type FusionSweepRow =
  & { weight: number; restricted: boolean; n_queries: number }
  & Record<string, number | boolean>;

/** Default weight grid 0, 0.05, …, 1. */
export const DEFAULT_WEIGHTS: readonly number[] = Array.from(
  { length: 21 },
  (_, i) => Math.round(i * 5) / 100,
);

/** Evaluate w · text + (1 − w) · image at every weight, one {@link FusionCell} per weight. */
export function fusionSweepCells(input: FusionSweepInput): FusionCell[] {
  const weights = input.weights ?? DEFAULT_WEIGHTS;
  if (weights.length === 0) throw new RangeError("weights is empty");
  return weights.map((w) => {
    let fused = fuseSimilarities(input.image, input.text, w);
    if (input.restrict) fused = restrictByCategory(fused, input.restrict[0], input.restrict[1]);
    const m = evaluateRanking(
      {
        scores: fused.data,
        relevant: input.relevant,
        excluded: input.excluded ?? null,
        nQuery: fused.rows,
        nGallery: fused.cols,
        categories: input.categories,
      },
      { seed: input.seed ?? 0, bootstrap: input.bootstrap ?? 1000 },
    );
    return {
      setting: { weight: w, restricted: Boolean(input.restrict) },
      metrics: estimatesOf(m, METRIC_NAMES),
      n_queries: m.n_queries,
    };
  });
}

/** The table rows of fusion cells: `weight, restricted, n_queries`, then each metric with its interval. */
export function fusionSweepTable(
  cells: readonly FusionCell[],
): (FusionSweepRow & Record<MetricName, number>)[] {
  return cells.map((cell) => {
    const row: Record<string, number | boolean> = { ...cell.setting, n_queries: cell.n_queries };
    for (const [name, e] of Object.entries(cell.metrics)) Object.assign(row, estimateColumns(name, e));
    return row as FusionSweepRow & Record<MetricName, number>;
  });
}

/** {@link fusionSweepCells} as table rows ({@link fusionSweepTable}). */
export function fusionSweep(input: FusionSweepInput): (FusionSweepRow & Record<MetricName, number>)[] {
  return fusionSweepTable(fusionSweepCells(input));
}

/** A query whose top-k improved when text was fused in. */
export interface TextFix {
  query: number;
  /** precision@k with image only, and fused. */
  imagePrecision: number;
  fusedPrecision: number;
  gain: number;
}

/**
 * Queries whose precision@k is higher under `fused` than under `image`, largest gain first
 * (ties: lower query index). `worse` lists the opposite, so a notebook can show both sides.
 */
export function textFixes(
  image: SimilarityMatrix,
  fused: SimilarityMatrix,
  relevant: Uint8Array,
  options: { k?: number; excluded?: Uint8Array | null } = {},
): { fixed: TextFix[]; worse: TextFix[] } {
  const k = options.k ?? 3;
  const a = precisionAtK(image, relevant, k, { excluded: options.excluded });
  const b = precisionAtK(fused, relevant, k, { excluded: options.excluded });
  const all: TextFix[] = Array.from(
    a,
    (p, q) => ({ query: q, imagePrecision: p, fusedPrecision: b[q], gain: b[q] - p }),
  );
  const order = (x: TextFix, y: TextFix) => Math.abs(y.gain) - Math.abs(x.gain) || x.query - y.query;
  return {
    fixed: all.filter((f) => f.gain > 1e-12).sort(order),
    worse: all.filter((f) => f.gain < -1e-12).sort(order),
  };
}

/** Result of {@link crossValidatedWeight}. */
export interface CrossValidatedWeight {
  metric: MetricName;
  /** Per fold: the weight chosen on the other folds and the metric on this fold at that weight. */
  folds: {
    fold: number;
    n_queries: number;
    chosen_weight: number;
    train_value: number;
    test_value: number;
  }[];
  /** Mean over all queries of their held-out value (each query is tested once). */
  held_out_value: number;
  /** The weight that is best on all queries together, and its (in-sample, optimistic) value. */
  in_sample_weight: number;
  in_sample_value: number;
}

/**
 * How optimistic is "the best weight"? k-fold cross-validation over queries: for each fold,
 * choose w maximising the mean metric on the other folds (ties: the smaller w), then measure
 * the metric on the held-out fold at that w. Folds are a seeded shuffle of the queries that
 * have a relevant candidate.
 */
export function crossValidatedWeight(
  input: FusionSweepInput & { folds?: number; metric?: MetricName },
): CrossValidatedWeight {
  const weights = input.weights ?? DEFAULT_WEIGHTS;
  const metric = input.metric ?? "map";
  const k = input.folds ?? 5;
  if (weights.length === 0) throw new RangeError("weights is empty");
  if (!(METRIC_NAMES as readonly string[]).includes(metric)) {
    throw new RangeError(`unknown metric "${metric}"; choose from ${METRIC_NAMES.join(", ")}`);
  }
  const perWeight = weights.map((w) => {
    let fused = fuseSimilarities(input.image, input.text, w);
    if (input.restrict) fused = restrictByCategory(fused, input.restrict[0], input.restrict[1]);
    return perQueryMetrics({
      scores: fused.data,
      relevant: input.relevant,
      excluded: input.excluded ?? null,
      nQuery: fused.rows,
      nGallery: fused.cols,
    })[metric];
  });
  const valid: number[] = [];
  for (let q = 0; q < input.image.rows; q++) if (!Number.isNaN(perWeight[0][q])) valid.push(q);
  if (!Number.isInteger(k) || k < 2 || k > valid.length) {
    throw new RangeError(
      `folds must be an integer in [2, ${valid.length}] (queries with a relevant candidate), got ${k}`,
    );
  }
  const order = shuffle(valid, createRng(input.seed ?? 0, "fusion:folds"));
  const foldOf = new Map(order.map((q, i) => [q, i % k]));
  const mean = (values: Float64Array, rows: number[]) =>
    rows.reduce((s, q) => s + values[q], 0) / rows.length;
  const best = (rows: number[]) => {
    let index = 0;
    for (let i = 1; i < weights.length; i++) {
      if (mean(perWeight[i], rows) > mean(perWeight[index], rows)) index = i;
    }
    return index;
  };
  const folds = [];
  let heldOut = 0;
  for (let f = 0; f < k; f++) {
    const test = valid.filter((q) => foldOf.get(q) === f);
    const train = valid.filter((q) => foldOf.get(q) !== f);
    const chosen = best(train);
    const testValue = mean(perWeight[chosen], test);
    heldOut += testValue * test.length;
    folds.push({
      fold: f,
      n_queries: test.length,
      chosen_weight: weights[chosen],
      train_value: mean(perWeight[chosen], train),
      test_value: testValue,
    });
  }
  const all = best(valid);
  return {
    metric,
    folds,
    held_out_value: heldOut / valid.length,
    in_sample_weight: weights[all],
    in_sample_value: mean(perWeight[all], valid),
  };
}

/** One scoring of the category-restriction table: a label and the scores it ranks by. */
export interface RestrictionSetting {
  setting: string;
  scores: ScoreMatrix;
}

/** A row of the category-restriction table (`category-restriction.csv`). */
export interface RestrictionRow {
  sample: string;
  setting: string;
  precision_at_5: number;
  p5_lo?: number;
  p5_hi?: number;
  map: number;
  map_lo?: number;
  map_hi?: number;
}

/**
 * precision@5 and mAP with their 95% intervals for each setting of one sample (e.g. image only,
 * restricted, fused, both), every query ranking all candidates of the square score matrix.
 */
export function restrictionRows(
  sample: string,
  settings: readonly RestrictionSetting[],
  protocol: {
    relevant: Uint8Array;
    excluded?: Uint8Array | null;
    categories: readonly string[];
    seed?: number;
    bootstrap?: number;
  },
): RestrictionRow[] {
  return settings.map(({ setting, scores }) => {
    const m = evaluateRanking(
      {
        scores: scores.data,
        relevant: protocol.relevant,
        excluded: protocol.excluded ?? null,
        nQuery: protocol.categories.length,
        nGallery: protocol.categories.length,
        categories: protocol.categories,
      },
      { seed: protocol.seed ?? 0, bootstrap: protocol.bootstrap ?? 1000 },
    );
    const { precision_at_5: p5, map } = estimatesOf(m, ["precision_at_5", "map"]);
    return {
      sample,
      setting,
      precision_at_5: p5.value,
      ...(hasInterval(p5) ? { p5_lo: p5.lo, p5_hi: p5.hi } : {}),
      map: map.value,
      ...(hasInterval(map) ? { map_lo: map.lo, map_hi: map.hi } : {}),
    };
  });
}
