/**
 * Types shared by every set-matching method.
 * @module
 */

/** A dense similarity matrix, row-major: entry `(i, j)` is `data[i * cols + j]`. Rows index set A, columns set B. */
export interface SimilarityMatrix {
  /** Number of rows (|A|). */
  rows: number;
  /** Number of columns (|B|). */
  cols: number;
  /** Row-major values, length `rows * cols`. */
  data: Float32Array | Float64Array;
}

/**
 * Every set-matching method, in the order they are documented. What each one is and needs lives in
 * its registry entry (`METHOD_REGISTRY` in `registry.ts`); this list only names them for the type.
 */
export const MATCH_METHODS = [
  "ordered",
  "greedy",
  "optimal",
  "lp",
  "centroid",
  "chamfer",
  "hausdorff",
  "sinkhorn",
] as const;

/** A set-matching method (see {@link MATCH_METHODS}). */
export type MatchMethod = typeof MATCH_METHODS[number];

/** Options for {@link MatchMethod}s; fields a method does not use are rejected or ignored as documented. */
export interface MatchOptions {
  /** The method. */
  method: MatchMethod;
  /**
   * Threshold: only matches with similarity ≥ `s` count towards the score. A cosine, so in [−1, 1].
   * Only for methods whose spec is `thresholdable` (see `registry.ts`).
   */
  s?: number;
  /**
   * Cap: only the first `m` matches (in the order taken for `greedy`, best first otherwise) count.
   * An integer ≥ 1. Only for methods whose spec is `thresholdable` (see `registry.ts`).
   */
  m?: number;
  /** `chamfer`: average the A→B and B→A scores (default false). `hausdorff`: symmetric distance (default true). */
  symmetric?: boolean;
  /** `sinkhorn`: entropic regularisation ε > 0 on the distance scale 1 − cosine (default 0.05). */
  epsilon?: number;
  /** `sinkhorn`: maximum number of Sinkhorn iterations (default 10000). */
  maxIterations?: number;
  /** `sinkhorn`: stop when the L1 error of the plan's column marginals falls below this (default 1e-9). */
  tolerance?: number;
}

/** Why a match does not count towards the score. */
export type ExclusionReason = "s" | "m";

/** One matched pair of a result. */
export interface MatchPair {
  /** Row (index into set A). */
  a: number;
  /** Column (index into set B). */
  b: number;
  /** The similarity `S[a][b]`. */
  similarity: number;
  /** Whether this pair counts towards the score. */
  counted: boolean;
  /**
   * Why it does not count: `"s"` when its similarity is below `s` (checked first), `"m"` when it comes
   * after the first `m` matches.
   */
  excludedBy?: ExclusionReason;
  /** `chamfer`/`hausdorff`: which direction's nearest-neighbour search produced the pair. */
  direction?: "AtoB" | "BtoA";
  /** `sinkhorn`: the fraction of `a`'s mass the transport plan sends to `b`. */
  weight?: number;
}

/**
 * The result of scoring two sets. Every result explains itself: `pairs` lists the matches (in the order
 * taken for `greedy`, best first for the other methods) with their similarities and whether each counted.
 */
export interface SetMatchResult {
  /** The method used. */
  method: MatchMethod;
  /**
   * The set similarity, or `null` when no match counted, which only happens when every match fell below
   * the threshold `s` (then `reason` says so). In rankings a `null` score ranks below every number; the
   * batch functions encode it as {@link NO_MATCH_SCORE} (−Infinity).
   */
  score: number | null;
  /** Present when `score` is `null`: a sentence saying why. */
  reason?: string;
  /** The matches (see {@link MatchPair}). */
  pairs: MatchPair[];
  /** Rows of A that appear in no pair, ascending. */
  unmatchedA: number[];
  /** Columns of B that appear in no pair, ascending. */
  unmatchedB: number[];
  /** Number of pairs that counted towards the score. */
  countedCount: number;
  /** The threshold applied, if any. */
  s?: number;
  /** The cap applied, if any. */
  m?: number;
  /** `ordered`: the similarity at each position `i` (`S[i][i]`), in position order. */
  perPosition?: number[];
  /** `optimal`/`lp`: the minimised total distance Σ (1 − S[a][b]) over all pairs. */
  totalDistance?: number;
  /** `hausdorff`: the Hausdorff distance 1 − score. */
  distance?: number;
  /** `sinkhorn`: the transport plan, row-major |A| × |B|, rows summing to 1/|A|. */
  plan?: Float64Array;
  /** `sinkhorn`: iterations run (over all ε stages). */
  iterations?: number;
  /**
   * `sinkhorn`: L1 error of the plan's column marginals at exit (rows are exact). Above `tolerance`
   * means the iteration limit was hit: raise `maxIterations` or `epsilon`.
   */
  marginalError?: number;
  /**
   * `sinkhorn`: whether the marginal error fell below `tolerance`. When false the plan is not the
   * entropic optimum and the score may lie above the transport optimum: do not report it as final.
   */
  converged?: boolean;
}

/** The finite-order ranking value the batch functions use for "no match passed s": ranks after every score. */
export const NO_MATCH_SCORE: number = -Infinity;

/**
 * Scores of every (query set, gallery set) pair, as `scoreSetPairs` returns them: row q = query set q,
 * column g = gallery set g, row-major in `data`. A pair whose per-pair score is null ("no match
 * passed s", a zero centroid) holds {@link NO_MATCH_SCORE} (−Infinity) in `data`, so rankings sort it
 * last; {@link ScoreMatrix.score} gives it back as null.
 *
 * @example
 * ```ts
 * import { ScoreMatrix } from "./types.ts";
 * import assert from "node:assert/strict";
 * const scores = new ScoreMatrix("greedy", 2, 3, new Float64Array([0.9, 0.5, -Infinity, 0.1, 0.2, 0.3]));
 * assert.equal(scores.get(0, 1), 0.5);
 * assert.equal(scores.score(0, 2), null);
 * assert.deepEqual(Array.from(scores.row(1)), [0.1, 0.2, 0.3]);
 * assert.throws(() => scores.get(2, 0), /query set 2 is out of range/);
 * ```
 */
export class ScoreMatrix {
  /** Number of query sets. */
  readonly rows: number;
  /** Number of gallery sets. */
  readonly cols: number;
  /** Row-major scores, length `rows × cols`. */
  readonly data: Float64Array;
  /** The method that produced them. */
  readonly method: MatchMethod;
  /** `sinkhorn`: how many pairs stopped at the iteration limit (their scores are not final). */
  readonly unconverged: number;

  /** Scores of `method`, `rows` query sets × `cols` gallery sets (row-major `data`). */
  constructor(method: MatchMethod, rows: number, cols: number, data: Float64Array, unconverged = 0) {
    if (data.length !== rows * cols) {
      throw new RangeError(
        `score data has length ${data.length}, expected ${rows} × ${cols} = ${rows * cols}`,
      );
    }
    this.method = method;
    this.rows = rows;
    this.cols = cols;
    this.data = data;
    this.unconverged = unconverged;
  }

  /** The offset of (q, g) in `data`, checked. */
  private index(q: number, g: number): number {
    if (!Number.isInteger(q) || q < 0 || q >= this.rows) {
      throw new RangeError(`query set ${q} is out of range 0..${this.rows - 1}`);
    }
    if (!Number.isInteger(g) || g < 0 || g >= this.cols) {
      throw new RangeError(`gallery set ${g} is out of range 0..${this.cols - 1}`);
    }
    return q * this.cols + g;
  }

  /** The ranking value of pair (q, g): its score, or {@link NO_MATCH_SCORE} when it has none. */
  get(q: number, g: number): number {
    return this.data[this.index(q, g)];
  }

  /** The score of pair (q, g), or null when no match counted (as `SetMatchResult.score`). */
  score(q: number, g: number): number | null {
    const value = this.data[this.index(q, g)];
    return value === NO_MATCH_SCORE ? null : value;
  }

  /** Query set q's scores against every gallery set (a view, not a copy). */
  row(q: number): Float64Array {
    this.index(q, 0);
    return this.data.subarray(q * this.cols, (q + 1) * this.cols);
  }
}
