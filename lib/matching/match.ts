/**
 * The one interface over every method: `(A, B, options) → SetMatchResult`.
 * @module
 */

import type { Embeddings } from "../types.ts";
import {
  centroidScore,
  chamferScore,
  greedyMatch,
  hausdorffScore,
  lpAssignment,
  optimalAssignment,
  orderedMatch,
  sinkhornScore,
} from "./methods.ts";
import { cosineSimilarityMatrix } from "./similarity.ts";
import type { MatchOptions, SetMatchResult, SimilarityMatrix } from "./types.ts";
import { validateOptions } from "./validate.ts";

/**
 * Score a precomputed similarity matrix with any method except `centroid` (which needs the vectors:
 * use {@link matchSets}).
 *
 * @example
 * ```ts
 * import { scoreSimilarityMatrix } from "./match.ts";
 * const S = { rows: 2, cols: 3, data: new Float64Array([0.9, 0.2, 0.1, 0.8, 0.95, 0.3]) };
 * const r = scoreSimilarityMatrix(S, { method: "greedy", s: 0.5 });
 * // r.pairs: (1,1) 0.95 then (0,0) 0.9; r.score = 0.925; r.unmatchedB = [2]
 * ```
 */
export function scoreSimilarityMatrix(S: SimilarityMatrix, options: MatchOptions): SetMatchResult {
  validateOptions(options);
  const { s, m } = options;
  switch (options.method) {
    case "ordered":
      return orderedMatch(S, { s, m });
    case "greedy":
      return greedyMatch(S, { s, m });
    case "optimal":
      return optimalAssignment(S, { s, m });
    case "lp":
      return lpAssignment(S, { s, m });
    case "chamfer":
      return chamferScore(S, { s, m, symmetric: options.symmetric });
    case "hausdorff":
      return hausdorffScore(S, { symmetric: options.symmetric });
    case "sinkhorn":
      return sinkhornScore(S, options);
    case "centroid":
      throw new RangeError(
        `method "centroid" needs the embeddings, not a similarity matrix: call matchSets(A, B, options)`,
      );
  }
}

/**
 * Score two sets of embeddings (rows of `A` and `B`; any sizes ≥ 1, same dimension) with any method.
 * Rows are L2-normalised first, so S is the cosine similarity.
 *
 * @example
 * ```ts
 * import { matchSets } from "./match.ts";
 * import { embeddingsFromRows } from "../types.ts";
 * const A = embeddingsFromRows([[1, 0], [0, 1]]);
 * const B = embeddingsFromRows([[0, 1], [1, 1], [1, 0]]);
 * const r = matchSets(A, B, { method: "optimal" });
 * // r.score = 1 (A0↔B2, A1↔B0), r.unmatchedB = [1]
 * ```
 */
export function matchSets(A: Embeddings, B: Embeddings, options: MatchOptions): SetMatchResult {
  validateOptions(options);
  if (options.method === "centroid") return centroidScore(A, B);
  return scoreSimilarityMatrix(cosineSimilarityMatrix(A, B), options);
}
