/**
 * Retrieval metrics over a query × gallery score matrix, tie-aware, with seeded bootstrap
 * confidence intervals.
 *
 * For query q, the candidates are the gallery sets not excluded for q, ranked by score (higher is
 * better; `-Infinity` means "no match passed the threshold" and ranks last). Let R be the number
 * of relevant candidates and rel(i) ∈ {0,1} the relevance at rank i. Then
 *
 * - `recall_at_k` = 1[∃ i ≤ k: rel(i) = 1], the hit rate used in metric-learning retrieval
 *   (Oh Song et al., CVPR 2016); with one relevant set per query it equals classic recall@k.
 * - `precision_at_k` = (1/k) Σ_{i≤k} rel(i) (divided by k even if fewer than k candidates).
 * - AP = (1/R) Σ_i rel(i) · P@i; `map` is its mean over queries.
 *
 * Tied scores are not broken arbitrarily: every metric is its exact expectation over a uniformly
 * random order within each group of tied scores (McSherry & Najork, ECIR 2008). For a tie group
 * of t candidates with r relevant starting after p ranked candidates of which r₀ are relevant:
 * P(no relevant among the first m of the group) = C(t−r, m) / C(t, m); expected relevant among
 * them = r·m/t; and each relevant member's expected precision is
 * (1/t) Σ_{j=1..t} (r₀ + 1 + (j−1)(r−1)/(t−1)) / (p + j).
 *
 * Confidence intervals: percentile bootstrap over queries (B resamples with replacement,
 * 2.5th and 97.5th percentiles, linear interpolation), seeded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateRanking } from "./metrics.ts";
 * const scores = Float64Array.from([0.9, 0.1, 0.2, 0.8]); // 2 queries × 2 gallery sets
 * const relevant = Uint8Array.from([1, 0, 0, 1]);
 * const m = evaluateRanking({ scores, relevant, nQuery: 2, nGallery: 2 }, { seed: 0 });
 * assert.equal(m.recall_at_1, 1);
 * assert.equal(m.map, 1);
 * ```
 * @module
 */

import { quantileSorted as d3QuantileSorted } from "d3-array";
import { createRng } from "../random/mod.ts";

/** Ranks at which recall and precision are reported. */
export const RANK_CUTOFFS = [1, 5, 10] as const;

/** Names of the headline metrics (each gets a `ci95`). */
export const METRIC_NAMES = [
  "recall_at_1",
  "recall_at_5",
  "recall_at_10",
  "precision_at_1",
  "precision_at_5",
  "precision_at_10",
  "map",
] as const;
/** A headline metric name. */
export type MetricName = typeof METRIC_NAMES[number];

/** How each metric is written in figures, tables and prose (the one label table). */
export const METRIC_LABELS: Readonly<Record<MetricName, string>> = {
  recall_at_1: "Recall@1",
  recall_at_5: "Recall@5",
  recall_at_10: "Recall@10",
  precision_at_1: "Precision@1",
  precision_at_5: "Precision@5",
  precision_at_10: "Precision@10",
  map: "mAP",
};

/** The label of a metric (`map` → `mAP`); an unknown name is its own label. */
export function metricLabel(name: string): string {
  return (METRIC_LABELS as Record<string, string>)[name] ?? name;
}

/** The input of {@link evaluateRanking}: row-major nQuery × nGallery matrices. */
export interface RankingInput {
  /** Row-major nQuery × nGallery set scores (higher is more similar). */
  scores: Float64Array;
  /** 1 where gallery set g is relevant to query q. */
  relevant: Uint8Array;
  /** 1 where gallery set g must not be ranked for query q (e.g. the query itself). */
  excluded?: Uint8Array | null;
  /** Query sets (rows). */
  nQuery: number;
  /** Gallery sets (columns). */
  nGallery: number;
  /** Category of each query, for per-category results. */
  categories?: readonly string[];
}

/** Metrics of one group of queries (all, or one category). */
export type MetricValues = Record<MetricName, number> & { n_queries: number };

/** Result of {@link evaluateRanking}. */
export interface Metrics extends MetricValues {
  /**
   * 95% percentile-bootstrap interval of every headline metric; empty when there were no
   * resamples (`bootstrap: 0`) or no valid queries: no resamples, no interval.
   */
  ci95: Partial<Record<MetricName, [number, number]>>;
  /** Bootstrap resamples used (0: no intervals were computed). */
  bootstrap: number;
  /** Per-category metrics (no intervals), when categories were given. */
  per_category: Record<string, MetricValues>;
  /** Queries left out because no candidate was relevant to them. */
  n_queries_without_relevant: number;
}

/** Per-query values, one array per metric (NaN for queries without a relevant candidate). */
export type PerQueryMetrics = Record<MetricName, Float64Array>;

function missProbability(t: number, r: number, m: number): number {
  // C(t-r, m) / C(t, m) as a running product, exact for the small t here.
  let p = 1;
  for (let i = 0; i < m; i++) {
    p *= (t - r - i) / (t - i);
    if (p <= 0) return 0;
  }
  return p;
}

/**
 * Metrics of one query: `scores`, `relevant` are its candidates' values (excluded ones removed).
 * Returns null when no candidate is relevant.
 */
export function queryMetrics(
  scores: ArrayLike<number>,
  relevant: ArrayLike<number>,
): Record<MetricName, number> | null {
  const n = scores.length;
  let totalRelevant = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new RangeError(`score of candidate ${i} is NaN`);
    if (relevant[i]) totalRelevant++;
  }
  if (totalRelevant === 0) return null;
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => scores[y] - scores[x] || 0);
  const miss = RANK_CUTOFFS.map(() => 1);
  const expectedHits = RANK_CUTOFFS.map(() => 0);
  let apSum = 0;
  let before = 0;
  let relevantBefore = 0;
  let start = 0;
  while (start < n) {
    let end = start + 1;
    const s = scores[order[start]];
    // -Infinity === -Infinity, so "no match" candidates form one tie group, as they should.
    while (end < n && scores[order[end]] === s) end++;
    const t = end - start;
    let r = 0;
    for (let i = start; i < end; i++) if (relevant[order[i]]) r++;
    RANK_CUTOFFS.forEach((k, c) => {
      if (before >= k) return;
      const m = Math.min(t, k - before);
      miss[c] *= missProbability(t, r, m);
      expectedHits[c] += (r * m) / t;
    });
    if (r > 0) {
      let sum = 0;
      for (let j = 1; j <= t; j++) {
        const othersBefore = t > 1 ? ((j - 1) * (r - 1)) / (t - 1) : 0;
        sum += (relevantBefore + 1 + othersBefore) / (before + j);
      }
      apSum += (r * sum) / t;
    }
    before += t;
    relevantBefore += r;
    start = end;
  }
  return {
    recall_at_1: 1 - miss[0],
    recall_at_5: 1 - miss[1],
    recall_at_10: 1 - miss[2],
    precision_at_1: expectedHits[0] / 1,
    precision_at_5: expectedHits[1] / 5,
    precision_at_10: expectedHits[2] / 10,
    map: apSum / totalRelevant,
  };
}

function checkShapes(input: RankingInput): void {
  const { scores, relevant, excluded, nQuery, nGallery, categories } = input;
  const size = nQuery * nGallery;
  if (!Number.isInteger(nQuery) || !Number.isInteger(nGallery) || nQuery < 1 || nGallery < 1) {
    throw new RangeError(`nQuery and nGallery must be positive integers, got ${nQuery} × ${nGallery}`);
  }
  if (scores.length !== size) throw new RangeError(`scores has ${scores.length} values, expected ${size}`);
  if (relevant.length !== size) {
    throw new RangeError(`relevant has ${relevant.length} values, expected ${size}`);
  }
  if (excluded && excluded.length !== size) {
    throw new RangeError(`excluded has ${excluded.length} values, expected ${size}`);
  }
  if (categories && categories.length !== nQuery) {
    throw new RangeError(`categories has ${categories.length} entries, expected ${nQuery} (one per query)`);
  }
}

/** Per-query metrics for every query (NaN rows for queries without a relevant candidate). */
export function perQueryMetrics(input: RankingInput): PerQueryMetrics {
  checkShapes(input);
  const { scores, relevant, excluded, nQuery, nGallery } = input;
  const out = Object.fromEntries(METRIC_NAMES.map((m) => [m, new Float64Array(nQuery)])) as PerQueryMetrics;
  const s: number[] = [];
  const r: number[] = [];
  for (let q = 0; q < nQuery; q++) {
    s.length = 0;
    r.length = 0;
    for (let g = 0; g < nGallery; g++) {
      const at = q * nGallery + g;
      if (excluded?.[at]) continue;
      s.push(scores[at]);
      r.push(relevant[at]);
    }
    let m: Record<MetricName, number> | null;
    try {
      m = queryMetrics(s, r);
    } catch (error) {
      throw new RangeError(`query ${q}: ${(error as Error).message}`);
    }
    for (const name of METRIC_NAMES) out[name][q] = m ? m[name] : NaN;
  }
  return out;
}

function mean(values: Float64Array, rows: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < rows.length; i++) sum += values[rows[i]];
  return rows.length > 0 ? sum / rows.length : NaN;
}

/** Linear-interpolation quantile (type 7, numpy's default) of sorted values: d3-array's; NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  return d3QuantileSorted(sorted as Iterable<number> & ArrayLike<number>, p) ?? NaN;
}

/** Options of {@link evaluateRanking}. */
export interface EvaluateOptions {
  /** Seed of the bootstrap resampling. */
  seed: number;
  /** Bootstrap resamples (default 1000; 0 disables intervals). */
  bootstrap?: number;
}

/**
 * Percentile-bootstrap 95% intervals of the means of per-query values (rows = valid queries).
 * Without resamples or without queries there is no interval: the result is empty (an interval
 * [x, x] would claim a certainty nothing measured).
 */
export function bootstrapIntervals(
  perQuery: PerQueryMetrics,
  rows: readonly number[],
  options: EvaluateOptions,
): Partial<Record<MetricName, [number, number]>> {
  const resamples = options.bootstrap ?? 1000;
  if (!Number.isInteger(resamples) || resamples < 0) {
    throw new RangeError(`bootstrap must be an integer ≥ 0, got ${resamples}`);
  }
  const ci: Partial<Record<MetricName, [number, number]>> = {};
  if (resamples === 0 || rows.length === 0) return ci;
  const rng = createRng(options.seed, "bootstrap");
  const n = rows.length;
  const draws = METRIC_NAMES.map(() => new Float64Array(resamples));
  // Hot loop (sweeps run it per cell): index columns by position, not by name.
  const columns = METRIC_NAMES.map((name) => perQuery[name]);
  const k = columns.length;
  const sums = new Float64Array(k);
  for (let b = 0; b < resamples; b++) {
    sums.fill(0);
    for (let i = 0; i < n; i++) {
      const q = rows[Math.floor(rng() * n)];
      for (let m = 0; m < k; m++) sums[m] += columns[m][q];
    }
    for (let m = 0; m < k; m++) draws[m][b] = sums[m] / n;
  }
  METRIC_NAMES.forEach((name, m) => {
    const sorted = draws[m].sort();
    ci[name] = [quantileSorted(sorted, 0.025), quantileSorted(sorted, 0.975)];
  });
  return ci;
}

/**
 * Flat table columns of a result's metrics, each followed by its interval ends:
 * `name, name_lo, name_hi` (the ends are left out for a metric without an interval, as after
 * `--bootstrap 0`). The column order is the committed tables' order.
 */
export function metricIntervalColumns(
  result: Partial<Record<MetricName, number>> & {
    ci95: Partial<Record<MetricName, readonly [number, number]>>;
  },
  names: readonly MetricName[] = METRIC_NAMES,
): Record<string, number> {
  const columns: Record<string, number> = {};
  for (const name of names) {
    const value = result[name];
    if (value === undefined) continue;
    columns[name] = value;
    const interval = result.ci95[name];
    if (interval === undefined) continue;
    columns[`${name}_lo`] = interval[0];
    columns[`${name}_hi`] = interval[1];
  }
  return columns;
}

function summarise(perQuery: PerQueryMetrics, rows: readonly number[]): MetricValues {
  const values = { n_queries: rows.length } as MetricValues;
  for (const name of METRIC_NAMES) values[name] = mean(perQuery[name], rows);
  return values;
}

/**
 * Rank every query's candidates by score and compute the headline metrics, their bootstrap
 * intervals and per-category values.
 */
export function evaluateRanking(input: RankingInput, options: EvaluateOptions): Metrics {
  const perQuery = perQueryMetrics(input);
  const rows: number[] = [];
  for (let q = 0; q < input.nQuery; q++) if (!Number.isNaN(perQuery.map[q])) rows.push(q);
  if (rows.length === 0) throw new RangeError("no query has a relevant candidate; nothing to evaluate");
  const perCategory: Record<string, MetricValues> = {};
  if (input.categories) {
    const byCategory = new Map<string, number[]>();
    for (const q of rows) {
      const c = input.categories[q];
      const list = byCategory.get(c);
      if (list) list.push(q);
      else byCategory.set(c, [q]);
    }
    for (const c of [...byCategory.keys()].sort()) perCategory[c] = summarise(perQuery, byCategory.get(c)!);
  }
  return {
    ...summarise(perQuery, rows),
    ci95: bootstrapIntervals(perQuery, rows, options),
    bootstrap: options.bootstrap ?? 1000,
    per_category: perCategory,
    n_queries_without_relevant: input.nQuery - rows.length,
  };
}

/** Agreement of two methods' score matrices on the same prepared protocol. */
export interface Agreement {
  /** Fraction of queries whose top-ranked gallery set is the same under both methods. */
  same_top1_rate: number;
  /** Mean of (b − a) over query × gallery pairs where both scores are finite. */
  mean_score_gap: number;
  /** Mean of |b − a| over the same pairs. */
  mean_abs_score_gap: number;
  /** Largest |b − a|. */
  max_abs_score_gap: number;
  /** Mean of (b − a) at each query's top-1 candidate under `b`, where both are finite. */
  mean_top1_score_gap: number;
  /** Pairs where both scores are finite (the gaps are averaged over these). */
  n_finite_pairs: number;
  /** Queries compared. */
  n_queries: number;
}

function topCandidate(
  scores: Float64Array,
  q: number,
  nGallery: number,
  excluded?: Uint8Array | null,
): number {
  let best = -1;
  for (let g = 0; g < nGallery; g++) {
    const at = q * nGallery + g;
    if (excluded?.[at]) continue;
    if (best < 0 || scores[at] > scores[q * nGallery + best]) best = g;
  }
  return best;
}

/**
 * Compare two methods' scores (e.g. a = greedy, b = optimal): same top-1 rate and score gaps.
 * Ties for the top rank resolve to the lowest gallery index under both methods alike.
 */
export function compareScores(
  a: Float64Array,
  b: Float64Array,
  shape: { nQuery: number; nGallery: number; excluded?: Uint8Array | null },
): Agreement {
  const { nQuery, nGallery, excluded } = shape;
  if (a.length !== nQuery * nGallery || b.length !== a.length) {
    throw new RangeError(
      `score matrices must both have ${nQuery * nGallery} values, got ${a.length} and ${b.length}`,
    );
  }
  let same = 0;
  let sum = 0;
  let sumAbs = 0;
  let maxAbs = 0;
  let finite = 0;
  let topSum = 0;
  let topCount = 0;
  for (let q = 0; q < nQuery; q++) {
    const ta = topCandidate(a, q, nGallery, excluded);
    const tb = topCandidate(b, q, nGallery, excluded);
    if (ta === tb) same++;
    for (let g = 0; g < nGallery; g++) {
      const at = q * nGallery + g;
      if (excluded?.[at] || !Number.isFinite(a[at]) || !Number.isFinite(b[at])) continue;
      const d = b[at] - a[at];
      sum += d;
      sumAbs += Math.abs(d);
      maxAbs = Math.max(maxAbs, Math.abs(d));
      finite++;
    }
    const at = q * nGallery + tb;
    if (tb >= 0 && Number.isFinite(a[at]) && Number.isFinite(b[at])) {
      topSum += b[at] - a[at];
      topCount++;
    }
  }
  return {
    same_top1_rate: same / nQuery,
    mean_score_gap: finite > 0 ? sum / finite : NaN,
    mean_abs_score_gap: finite > 0 ? sumAbs / finite : NaN,
    max_abs_score_gap: maxAbs,
    mean_top1_score_gap: topCount > 0 ? topSum / topCount : NaN,
    n_finite_pairs: finite,
    n_queries: nQuery,
  };
}
