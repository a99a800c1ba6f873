/**
 * Nearest-neighbour queries over a score matrix (query rows × candidate columns; higher score =
 * nearer), and the tie-aware precision@k that the article's "3 nearest shoes" needs.
 * `lib/evaluation` reports precision at 1, 5 and 10 only; this module gives any k, per query.
 *
 * precision@k of query q = E[(1/k) Σ_{i≤k} rel(i)], the expectation over a uniformly random
 * order within each group of tied scores (McSherry & Najork 2008): a tie group of t candidates
 * of which r are relevant, cut after m of its members by the cutoff, contributes r·m/t.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { precisionAtK, topK } from "./neighbours.ts";
 * const scores = { rows: 2, cols: 3, data: Float64Array.from([0.9, 0.5, 0.1, 0.2, 0.8, 0.8]) };
 * assert.deepEqual(Array.from(topK(scores, 2).indices), [0, 1, 1, 2]);
 * const relevant = Uint8Array.from([1, 0, 1, 0, 1, 0]);
 * assert.deepEqual(Array.from(precisionAtK(scores, relevant, 2)), [0.5, 0.5]);
 * ```
 * @module
 */

import type { SimilarityMatrix } from "../matching/types.ts";
import { createRng } from "../random/mod.ts";
import { quantileSorted } from "../evaluation/metrics.ts";

/** Score matrix plus which candidates each query may not return (e.g. itself). */
export interface NeighbourOptions {
  /** Row-major rows × cols; 1 = leave this candidate out for this query. */
  excluded?: Uint8Array | null;
}

/** The k best candidates of every query. */
export interface TopK {
  k: number;
  rows: number;
  /** `indices[q * k + r]` = column of query q's (r+1)-th nearest candidate (−1 if fewer than k exist). */
  indices: Int32Array;
  /** The matching scores (NaN where the index is −1). */
  scores: Float64Array;
}

function checkMatrix(scores: SimilarityMatrix, excluded?: Uint8Array | null): void {
  const { rows, cols, data } = scores;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(`scores must have positive integer rows and cols, got ${rows} × ${cols}`);
  }
  if (data.length !== rows * cols) {
    throw new RangeError(`scores has ${data.length} values, expected ${rows * cols}`);
  }
  if (excluded && excluded.length !== rows * cols) {
    throw new RangeError(`excluded has ${excluded.length} values, expected ${rows * cols}`);
  }
}

/** A mask excluding the diagonal: each item of a square "everything vs everything" matrix is not its own neighbour. */
export function diagonalMask(n: number): Uint8Array {
  const mask = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) mask[i * n + i] = 1;
  return mask;
}

/**
 * Query q's candidate columns (those not excluded), best score first, equal scores in column
 * order. Throws on a NaN score, naming its cell.
 */
function rankedCandidates(
  data: ArrayLike<number>,
  cols: number,
  q: number,
  excluded: Uint8Array | null | undefined,
): number[] {
  const candidates: number[] = [];
  for (let g = 0; g < cols; g++) {
    if (excluded?.[q * cols + g]) continue;
    if (Number.isNaN(data[q * cols + g])) throw new RangeError(`score (${q}, ${g}) is NaN`);
    candidates.push(g);
  }
  return candidates.sort((a, b) => data[q * cols + b] - data[q * cols + a] || a - b);
}

/** The k highest-scoring candidates of every query, best first; equal scores go to the lower column. */
export function topK(scores: SimilarityMatrix, k: number, options: NeighbourOptions = {}): TopK {
  checkMatrix(scores, options.excluded);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const { rows, cols, data } = scores;
  const indices = new Int32Array(rows * k).fill(-1);
  const values = new Float64Array(rows * k).fill(NaN);
  for (let q = 0; q < rows; q++) {
    const candidates = rankedCandidates(data, cols, q, options.excluded);
    for (let r = 0; r < Math.min(k, candidates.length); r++) {
      indices[q * k + r] = candidates[r];
      values[q * k + r] = data[q * cols + candidates[r]];
    }
  }
  return { k, rows, indices, scores: values };
}

/** Tie-aware precision@k of every query (divided by k even if fewer candidates exist). */
export function precisionAtK(
  scores: SimilarityMatrix,
  relevant: Uint8Array,
  k: number,
  options: NeighbourOptions = {},
): Float64Array {
  checkMatrix(scores, options.excluded);
  const { rows, cols, data } = scores;
  if (relevant.length !== rows * cols) {
    throw new RangeError(`relevant has ${relevant.length} values, expected ${rows * cols}`);
  }
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const out = new Float64Array(rows);
  for (let q = 0; q < rows; q++) {
    const candidates = rankedCandidates(data, cols, q, options.excluded);
    let taken = 0;
    let hits = 0;
    let start = 0;
    while (start < candidates.length && taken < k) {
      const s = data[q * cols + candidates[start]];
      let end = start + 1;
      while (end < candidates.length && data[q * cols + candidates[end]] === s) end++;
      const t = end - start;
      let r = 0;
      for (let i = start; i < end; i++) r += relevant[q * cols + candidates[i]] ? 1 : 0;
      const m = Math.min(t, k - taken);
      hits += (r * m) / t;
      taken += m;
      start = end;
    }
    out[q] = hits / k;
  }
  return out;
}

/** A mean with its percentile-bootstrap 95% interval. */
export interface MeanInterval {
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/** Mean of `values[rows]` (default all) with a seeded percentile-bootstrap 95% interval. */
export function meanWithInterval(
  values: ArrayLike<number>,
  options: { rows?: readonly number[]; seed?: number; bootstrap?: number } = {},
): MeanInterval {
  const rows = options.rows ?? Array.from({ length: values.length }, (_, i) => i);
  const n = rows.length;
  if (n === 0) throw new RangeError("meanWithInterval needs at least one value");
  const resamples = options.bootstrap ?? 1000;
  if (!Number.isInteger(resamples) || resamples < 0) {
    throw new RangeError(`bootstrap must be an integer ≥ 0, got ${resamples}`);
  }
  let sum = 0;
  for (const r of rows) {
    if (!Number.isFinite(values[r])) throw new RangeError(`value ${r} is ${values[r]}`);
    sum += values[r];
  }
  const mean = sum / n;
  if (resamples === 0) return { mean, lo: mean, hi: mean, n };
  const rng = createRng(options.seed ?? 0, "retrieval:bootstrap");
  const draws = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[rows[Math.floor(rng() * n)]];
    draws[b] = s / n;
  }
  draws.sort();
  return { mean, lo: quantileSorted(draws, 0.025), hi: quantileSorted(draws, 0.975), n };
}

/**
 * How often each label's queries find each label among their k nearest: rows
 * `{query_label, neighbour_label, count, fraction}` (fraction of that query label's neighbours).
 */
export function neighbourLabelMix(
  top: TopK,
  queryLabels: readonly string[],
  candidateLabels: readonly string[],
): { query_label: string; neighbour_label: string; count: number; fraction: number }[] {
  if (queryLabels.length !== top.rows) {
    throw new RangeError(`queryLabels has ${queryLabels.length} entries for ${top.rows} queries`);
  }
  const counts = new Map<string, Map<string, number>>();
  const totals = new Map<string, number>();
  const labels = [...new Set([...queryLabels, ...candidateLabels])].sort();
  for (let q = 0; q < top.rows; q++) {
    for (let r = 0; r < top.k; r++) {
      const g = top.indices[q * top.k + r];
      if (g < 0) continue;
      if (g >= candidateLabels.length) throw new RangeError(`candidate ${g} has no label`);
      const row = counts.get(queryLabels[q]) ?? new Map<string, number>();
      row.set(candidateLabels[g], (row.get(candidateLabels[g]) ?? 0) + 1);
      counts.set(queryLabels[q], row);
      totals.set(queryLabels[q], (totals.get(queryLabels[q]) ?? 0) + 1);
    }
  }
  const out = [];
  for (const ql of labels) {
    if (!totals.has(ql)) continue;
    for (const nl of labels) {
      const count = counts.get(ql)?.get(nl) ?? 0;
      out.push({ query_label: ql, neighbour_label: nl, count, fraction: count / totals.get(ql)! });
    }
  }
  return out;
}

/** `relevant[q * n + g] = 1` where `labels[q] === labels[g]` (square, everything vs everything). */
export function sameLabelMask(labels: readonly string[]): Uint8Array {
  const n = labels.length;
  const out = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = labels[i] === labels[j] ? 1 : 0;
  return out;
}
