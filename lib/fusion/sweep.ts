/**
 * Sweep the fusion weight w and measure retrieval at each value with `lib/evaluation`'s
 * tie-aware metrics and bootstrap intervals; and find the queries whose ranking text fixes.
 *
 * @example
 * ```ts
 * import { fusionSweep } from "./sweep.ts";
 * const image = { rows: 2, cols: 2, data: Float64Array.from([0.2, 0.9, 0.9, 0.2]) };
 * const text = { rows: 2, cols: 2, data: Float64Array.from([0.9, 0.1, 0.1, 0.9]) };
 * const relevant = Uint8Array.from([1, 0, 0, 1]);
 * const rows = fusionSweep({ image, text, relevant, weights: [0, 1], bootstrap: 0 });
 * console.log(rows.map((r) => r.map)); // [0.5, 1]
 * ```
 * @module
 */

import { evaluateRanking, METRIC_NAMES, type MetricName } from "../evaluation/metrics.ts";
import type { SimilarityMatrix } from "../matching/types.ts";
import { precisionAtK } from "../retrieval/neighbours.ts";
import { fuseSimilarities, restrictByCategory } from "./fuse.ts";

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

/** One weight's metrics: every headline metric with `<name>_lo`/`<name>_hi` (95% bootstrap). */
export type FusionSweepRow =
  & { weight: number; restricted: boolean; n_queries: number }
  & Record<string, number | boolean>;

/** Default weight grid 0, 0.05, …, 1. */
export const DEFAULT_WEIGHTS: readonly number[] = Array.from(
  { length: 21 },
  (_, i) => Math.round(i * 5) / 100,
);

/** Evaluate w · text + (1 − w) · image at every weight. */
export function fusionSweep(input: FusionSweepInput): (FusionSweepRow & Record<MetricName, number>)[] {
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
    const row: Record<string, number | boolean> = {
      weight: w,
      restricted: Boolean(input.restrict),
      n_queries: m.n_queries,
    };
    for (const name of METRIC_NAMES) {
      row[name] = m[name];
      row[`${name}_lo`] = m.ci95[name][0];
      row[`${name}_hi`] = m.ci95[name][1];
    }
    return row as FusionSweepRow & Record<MetricName, number>;
  });
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
