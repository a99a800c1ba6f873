/**
 * The one interface over every method: `(S or A, B, options) → SetMatchResult`, dispatched through
 * the method registry (`registry.ts`).
 * @module
 */

import type { Embeddings } from "../types.ts";
import { METHOD_REGISTRY, resolveOptions } from "./registry.ts";
import { cosineSimilarityMatrix } from "./similarity.ts";
import type { MatchOptions, SetMatchResult, SimilarityMatrix } from "./types.ts";

/**
 * Score a precomputed similarity matrix with any method except those that need the embeddings
 * (`centroid`: use {@link matchSets}).
 *
 * @example
 * ```ts
 * import { scoreSimilarityMatrix } from "./match.ts";
 * import assert from "node:assert/strict";
 * const S = { rows: 2, cols: 3, data: new Float64Array([0.9, 0.2, 0.1, 0.8, 0.95, 0.3]) };
 * const r = scoreSimilarityMatrix(S, { method: "greedy", s: 0.5 });
 * assert.deepEqual(r.pairs.map((p) => [p.a, p.b, p.similarity]), [[1, 1, 0.95], [0, 0, 0.9]]);
 * assert.equal(r.score, 0.925);
 * assert.deepEqual(r.unmatchedB, [2]);
 * ```
 */
export function scoreSimilarityMatrix(S: SimilarityMatrix, options: MatchOptions): SetMatchResult {
  const resolved = resolveOptions(options);
  const spec = METHOD_REGISTRY[resolved.method];
  if (!spec.score) {
    throw new RangeError(
      `method "${spec.name}" needs the embeddings, not a similarity matrix: call matchSets(A, B, options)`,
    );
  }
  return spec.score(S, resolved);
}

/**
 * Score two sets of embeddings (rows of `A` and `B`; any sizes ≥ 1, same dimension) with any method.
 * Rows are L2-normalised first, so S is the cosine similarity.
 *
 * @example
 * ```ts
 * import { matchSets } from "./match.ts";
 * import { embeddingsFromRows } from "../types.ts";
 * import assert from "node:assert/strict";
 * const A = embeddingsFromRows([[1, 0], [0, 1]]);
 * const B = embeddingsFromRows([[0, 1], [1, 1], [1, 0]]);
 * const r = matchSets(A, B, { method: "optimal" });
 * assert.ok(Math.abs(r.score! - 1) < 1e-6); // A0↔B2, A1↔B0
 * assert.deepEqual(r.unmatchedB, [1]);
 * ```
 */
export function matchSets(A: Embeddings, B: Embeddings, options: MatchOptions): SetMatchResult {
  const resolved = resolveOptions(options);
  const spec = METHOD_REGISTRY[resolved.method];
  if (spec.scoreEmbeddings) return spec.scoreEmbeddings(A, B, resolved);
  return spec.score!(cosineSimilarityMatrix(A, B), resolved);
}
