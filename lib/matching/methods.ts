/**
 * One function per set-matching method. Each takes a similarity matrix S (|A| × |B|, cosine
 * similarities; distance is 1 − S) and returns a {@link SetMatchResult} that explains itself.
 *
 * Shared rule for the methods that average a list of matches (ordered, greedy, optimal, lp, chamfer):
 * with matches listed in the method's order as (a_k, b_k, S_k), k = 0, 1, …,
 *
 *   score = mean{ S_k : S_k ≥ s and k < m },   or null when that set is empty,
 *
 * with s = −∞ and m = ∞ when not given. A null score means "no match passed s" and ranks below every
 * numeric score.
 * @module
 */

import type { Embeddings } from "../types.ts";
import { centroid } from "./centroid.ts";
import { applyThresholdAndCap, sortBestFirst, unmatched } from "./counting.ts";
import {
  chamferKernel,
  chamferReverseKernel,
  greedyKernel,
  lpKernel,
  MatchBuffer,
  optimalKernel,
  orderedKernel,
  sinkhornPlan,
} from "./kernels.ts";
import { normalizeRows } from "./similarity.ts";
import type { MatchPair, SetMatchResult, SimilarityMatrix } from "./types.ts";
import { assertCap, assertThreshold, validateEmbeddings, validateMatrix } from "./validate.ts";

/** The threshold and cap shared by the list-averaging methods. */
export interface ThresholdOptions {
  /** Only matches with similarity ≥ s count (s ∈ [−1, 1]). */
  s?: number;
  /** Only the first m matches count (integer ≥ 1). */
  m?: number;
}

function checkThreshold(options: ThresholdOptions): void {
  assertThreshold(options.s, "s");
  assertCap(options.m, "m");
}

/** A kernel of `kernels.ts`: writes the matches of an `r × c` block into `out`, returns how many. */
type ListKernel = typeof greedyKernel;

function pairsFromBuffer(out: MatchBuffer, n: number): MatchPair[] {
  const pairs: MatchPair[] = [];
  for (let k = 0; k < n; k++) {
    pairs.push({ a: out.a[k], b: out.b[k], similarity: out.similarity[k], counted: true });
  }
  return pairs;
}

function listResult(
  method: SetMatchResult["method"],
  S: SimilarityMatrix,
  pairs: MatchPair[],
  options: ThresholdOptions,
): SetMatchResult {
  const counted = applyThresholdAndCap(pairs, options.s, options.m);
  const result: SetMatchResult = {
    method,
    score: counted.score,
    pairs,
    unmatchedA: unmatched(S.rows, pairs.map((p) => p.a)),
    unmatchedB: unmatched(S.cols, pairs.map((p) => p.b)),
    countedCount: counted.countedCount,
  };
  if (counted.reason) result.reason = counted.reason;
  if (options.s !== undefined) result.s = options.s;
  if (options.m !== undefined) result.m = options.m;
  return result;
}

/**
 * What every list-averaging method but chamfer does: validate S and the threshold options, run the
 * method's kernel and count its matches under s and m.
 */
function kernelListResult(
  method: SetMatchResult["method"],
  kernel: ListKernel,
  S: SimilarityMatrix,
  options: ThresholdOptions,
): SetMatchResult {
  validateMatrix(S);
  checkThreshold(options);
  const out = new MatchBuffer(Math.min(S.rows, S.cols));
  return listResult(method, S, pairsFromBuffer(out, kernel(S.data, S.rows, S.cols, out)), options);
}

/** {@link kernelListResult} plus `totalDistance` = Σ (1 − S) over all the pairs (before s and m). */
function assignmentResult(
  method: SetMatchResult["method"],
  kernel: ListKernel,
  S: SimilarityMatrix,
  options: ThresholdOptions,
): SetMatchResult {
  const result = kernelListResult(method, kernel, S, options);
  result.totalDistance = result.pairs.reduce((t, p) => t + (1 - p.similarity), 0);
  return result;
}

/**
 * Ordered matching: A and B list the same views in the same order (e.g. right, top, back, front),
 * so position i of A is compared with position i of B.
 *
 * score = (1/n) Σ_i S_ii (with s and m applied to the positions sorted best first); the per-position
 * values S_ii are returned in `perPosition`.
 *
 * Requires |A| = |B|.
 */
export function orderedMatch(S: SimilarityMatrix, options: ThresholdOptions = {}): SetMatchResult {
  // orderedKernel throws the RangeError for |A| ≠ |B|, after S, s and m are validated.
  const result = kernelListResult("ordered", orderedKernel, S, options);
  result.perPosition = Array.from({ length: S.rows }, (_, i) => S.data[i * S.cols + i]);
  return result;
}

/**
 * Greedy ("recursive") matching. Repeat until one side is exhausted: take the largest remaining
 * entry S_ab (ties: lowest a, then lowest b), record (a, b), delete row a and column b. This yields
 * min(|A|, |B|) matches with non-increasing similarity, listed in the order taken.
 *
 * score = mean{ S_k : S_k ≥ s, k < m } (null when no match passes s).
 *
 * O(min(|A|,|B|) · |A| · |B|) for small sets, O(|A||B| log(|A||B|)) for large ones.
 *
 * Reference: the greedy approximation to maximum-weight bipartite matching, which attains at least
 * half of the optimal total (D. Avis, 1983, A survey of heuristics for the weighted matching problem,
 * Networks 13, 475–493).
 */
export function greedyMatch(S: SimilarityMatrix, options: ThresholdOptions = {}): SetMatchResult {
  return kernelListResult("greedy", greedyKernel, S, options);
}

/**
 * Optimal assignment ("linear optimization"): the one-to-one matching of min(|A|, |B|) pairs σ that
 * minimises the total distance Σ_a (1 − S_{a σ(a)}) — equivalently maximises Σ S — solved exactly with
 * the shortest-augmenting-path (Jonker–Volgenant / Crouse) solver of `linearSumAssignment`.
 * Matches are listed best first (ties by a, then b) and s, m apply to that list.
 *
 * `totalDistance` = Σ over all pairs of (1 − S), before s and m.
 *
 * Reference: scipy.optimize.linear_sum_assignment; D. F. Crouse (2016), IEEE TAES 52(4), 1679–1696.
 */
export function optimalAssignment(S: SimilarityMatrix, options: ThresholdOptions = {}): SetMatchResult {
  return assignmentResult("optimal", optimalKernel, S, options);
}

/**
 * The same optimal assignment as {@link optimalAssignment}, solved as a linear program with
 * javascript-lp-solver (the original article's method; see `lp.ts` for the formulation). Slow: for
 * fidelity checks, not hot paths. When several assignments are optimal, it may pick a different one
 * than the fast solver; the total distance is the same.
 */
export function lpAssignment(S: SimilarityMatrix, options: ThresholdOptions = {}): SetMatchResult {
  return assignmentResult("lp", lpKernel, S, options);
}

/** Options for {@link chamferScore}. */
export interface ChamferOptions extends ThresholdOptions {
  /** Average both directions (default false: A → B only). */
  symmetric?: boolean;
}

/**
 * Chamfer similarity: each item of A is matched to its most similar item of B (items of B may be
 * reused), and the best-match similarities are averaged:
 *
 *   chamfer(A → B) = (1/|A|) Σ_{a ∈ A} max_{b ∈ B} S_ab
 *   symmetric      = ½ [chamfer(A → B) + chamfer(B → A)]
 *
 * s and m apply to each direction's best-first list; a symmetric score is null if either direction's
 * is. Pairs carry their `direction`.
 *
 * Reference: H. G. Barrow et al. (1977), Parametric correspondence and chamfer matching, IJCAI;
 * H. Fan, H. Su, L. Guibas (2017), A point set generation network, CVPR (the symmetric form).
 */
export function chamferScore(S: SimilarityMatrix, options: ChamferOptions = {}): SetMatchResult {
  validateMatrix(S);
  checkThreshold(options);
  const out = new MatchBuffer(Math.max(S.rows, S.cols));
  const forward = pairsFromBuffer(out, chamferKernel(S.data, S.rows, S.cols, out));
  for (const p of forward) p.direction = "AtoB";
  if (!options.symmetric) return listResult("chamfer", S, forward, options);
  const backward = pairsFromBuffer(out, chamferReverseKernel(S.data, S.rows, S.cols, out));
  for (const p of backward) p.direction = "BtoA";
  const f = applyThresholdAndCap(forward, options.s, options.m);
  const b = applyThresholdAndCap(backward, options.s, options.m);
  const pairs = [...forward, ...backward].sort((x, y) =>
    y.similarity - x.similarity || x.a - y.a || x.b - y.b || (x.direction === "AtoB" ? -1 : 1)
  );
  const result: SetMatchResult = {
    method: "chamfer",
    score: f.score === null || b.score === null ? null : (f.score + b.score) / 2,
    pairs,
    unmatchedA: [],
    unmatchedB: [],
    countedCount: f.countedCount + b.countedCount,
  };
  if (result.score === null) result.reason = f.reason ? `A→B: ${f.reason}` : `B→A: ${b.reason}`;
  if (options.s !== undefined) result.s = options.s;
  if (options.m !== undefined) result.m = options.m;
  return result;
}

/** Options for {@link hausdorffScore}. */
export interface HausdorffOptions {
  /** The symmetric Hausdorff distance (default true); false gives the directed A → B one. */
  symmetric?: boolean;
}

/**
 * Hausdorff similarity, with distance d = 1 − S:
 *
 *   h(A → B) = max_{a ∈ A} min_{b ∈ B} d(a, b),   d_H(A, B) = max{ h(A → B), h(B → A) }
 *   score    = 1 − d_H = min( min_a max_b S_ab, min_b max_a S_ab )
 *
 * The worst-matched item decides, so one outlier image dominates. Pairs are the nearest-neighbour
 * pairs of each direction, best first; the last one attains the score. `distance` = 1 − score.
 *
 * Reference: D. P. Huttenlocher, G. A. Klanderman, W. J. Rucklidge (1993), Comparing images using the
 * Hausdorff distance, IEEE TPAMI 15(9), 850–863.
 */
export function hausdorffScore(S: SimilarityMatrix, options: HausdorffOptions = {}): SetMatchResult {
  validateMatrix(S);
  const symmetric = options.symmetric ?? true;
  const out = new MatchBuffer(Math.max(S.rows, S.cols));
  const pairs = pairsFromBuffer(out, chamferKernel(S.data, S.rows, S.cols, out));
  for (const p of pairs) p.direction = "AtoB";
  if (symmetric) {
    const backward = pairsFromBuffer(out, chamferReverseKernel(S.data, S.rows, S.cols, out));
    for (const p of backward) p.direction = "BtoA";
    pairs.push(...backward);
  }
  pairs.sort((x, y) => y.similarity - x.similarity || x.a - y.a || x.b - y.b);
  const score = pairs[pairs.length - 1].similarity;
  return {
    method: "hausdorff",
    score,
    distance: 1 - score,
    pairs,
    unmatchedA: unmatched(S.rows, pairs.map((p) => p.a)),
    unmatchedB: unmatched(S.cols, pairs.map((p) => p.b)),
    countedCount: pairs.length,
  };
}

/** Defaults of {@link sinkhornScore} (the registry and the batch path read them from here). */
export const SINKHORN_DEFAULTS: Readonly<{ epsilon: number; maxIterations: number; tolerance: number }> = {
  epsilon: 0.05,
  maxIterations: 10000,
  tolerance: 1e-9,
};

/** Options for {@link sinkhornScore}. */
export interface SinkhornOptions {
  /** Entropic regularisation ε > 0 (default 0.05); → 0 approaches the optimal assignment's plan. */
  epsilon?: number;
  /**
   * Iteration limit (default 10000). Sinkhorn converges linearly at a rate that degrades like
   * exp(−Δ/ε) for similarity gaps Δ, so small ε on sharply separated matrices needs many iterations.
   */
  maxIterations?: number;
  /** Stop when the column-marginal L1 error is below this (default 1e-9). */
  tolerance?: number;
}

/**
 * Entropic optimal transport between the uniform distributions on A and B (Sinkhorn):
 *
 *   P* = argmin_{P ∈ U(1/|A|, 1/|B|)} Σ_ab P_ab (1 − S_ab) − ε H(P),   H(P) = −Σ P log P
 *   score = Σ_ab P*_ab S_ab   (the expected similarity under the plan; 1 − transport cost)
 *
 * Unlike the assignment methods every item is (fractionally) matched, so sets of different sizes are
 * compared without leaving anything out. `plan` holds P*; `pairs` lists, for each a, the b receiving
 * most of its mass with `weight` = that fraction of a's mass, best first.
 *
 * Reference: M. Cuturi (2013), Sinkhorn distances: lightspeed computation of optimal transport,
 * NeurIPS; G. Peyré, M. Cuturi (2019), Computational Optimal Transport, §4 (log-domain stabilisation).
 */
export function sinkhornScore(S: SimilarityMatrix, options: SinkhornOptions = {}): SetMatchResult {
  validateMatrix(S);
  const epsilon = options.epsilon ?? SINKHORN_DEFAULTS.epsilon;
  const maxIterations = options.maxIterations ?? SINKHORN_DEFAULTS.maxIterations;
  const tolerance = options.tolerance ?? SINKHORN_DEFAULTS.tolerance;
  if (!(Number.isFinite(epsilon) && epsilon > 0)) throw new RangeError(`epsilon must be > 0; got ${epsilon}`);
  const { plan, score, iterations, marginalError, converged } = sinkhornPlan(
    S.data,
    S.rows,
    S.cols,
    epsilon,
    maxIterations,
    tolerance,
  );
  const pairs: MatchPair[] = [];
  for (let a = 0; a < S.rows; a++) {
    let b = 0;
    for (let j = 1; j < S.cols; j++) if (plan[a * S.cols + j] > plan[a * S.cols + b]) b = j;
    pairs.push({
      a,
      b,
      similarity: S.data[a * S.cols + b],
      counted: true,
      weight: plan[a * S.cols + b] * S.rows,
    });
  }
  sortBestFirst(pairs);
  return {
    method: "sinkhorn",
    score,
    pairs,
    unmatchedA: [],
    unmatchedB: [],
    countedCount: pairs.length,
    plan,
    iterations,
    marginalError,
    converged,
  };
}

/**
 * Centroid similarity: the cosine of the mean unit vectors,
 *
 *   score = cos( (1/|A|) Σ â, (1/|B|) Σ b̂ ),   x̂ = x / ‖x‖.
 *
 * Needs the embeddings (not just S). The score is null when a mean vector is zero (e.g. A = {x, −x}),
 * where the cosine is undefined. No pairs.
 *
 * Reference: the "mean embedding" set representation, e.g. M. Zaheer et al. (2017), Deep Sets, NeurIPS.
 */
export function centroidScore(A: Embeddings, B: Embeddings): SetMatchResult {
  validateEmbeddings(A, "A");
  validateEmbeddings(B, "B");
  if (A.dim !== B.dim) throw new RangeError(`dimension mismatch: A has dimension ${A.dim}, B has ${B.dim}`);
  const ca = centroid(normalizeRows(A, "A"));
  const cb = centroid(normalizeRows(B, "B"));
  const cosine = meanVectorCosine(ca, cb);
  const result: SetMatchResult = {
    method: "centroid",
    score: null,
    pairs: [],
    unmatchedA: [],
    unmatchedB: [],
    countedCount: 0,
  };
  if (cosine.zero !== undefined) {
    result.reason = `the mean unit vector of ${cosine.zero} is zero, so its cosine is undefined`;
  } else {
    result.score = cosine.value;
  }
  return result;
}

/**
 * The cosine of two mean vectors (see `centroid` in centroid.ts), clamped to [−1, 1]; `zero` names
 * the vector ("A" or "B") whose norm is below 1e-12 — cancellation noise, where the set's
 * directions cancel out and the cosine is undefined.
 */
export function meanVectorCosine(a: Float64Array, b: Float64Array): { value: number; zero?: "A" | "B" } {
  let dot = 0, na = 0, nb = 0;
  for (let k = 0; k < a.length; k++) {
    dot += a[k] * b[k];
    na += a[k] * a[k];
    nb += b[k] * b[k];
  }
  if (na < 1e-24) return { value: NaN, zero: "A" };
  if (nb < 1e-24) return { value: NaN, zero: "B" };
  return { value: Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb))) };
}
