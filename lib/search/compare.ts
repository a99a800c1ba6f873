/**
 * Compare two image sets with one or every set-matching method: scores, matched pairs in the
 * method's order, unmatched images — what `deno task compare` prints.
 * @module
 */

import {
  cosineSimilarityMatrix,
  MATCH_METHODS,
  type MatchMethod,
  type MatchOptions,
  matchSets,
  methodSpec,
  type SetMatchResult,
  type SimilarityMatrix,
} from "../matching/mod.ts";
import type { Embeddings } from "../types.ts";
import type { ResultPair } from "./search.ts";

/** One side of a comparison. */
export interface ImageSet {
  /** What the user named (item id, folder, file list). */
  label: string;
  images: string[];
  vectors: Embeddings;
}

/** One method's verdict (JSON field names as in `search`). */
export interface MethodComparison {
  method: MatchMethod;
  score: number | null;
  pairs: ResultPair[];
  unmatched_a: number[];
  unmatched_b: number[];
  /** Why the score is null, or why the method does not apply (then `score` is null and pairs empty). */
  reason?: string;
  /** The full result (for figures); not part of the JSON. */
  result?: SetMatchResult;
}

/** A comparison of two sets. */
export interface Comparison {
  a: { label: string; images: string[] };
  b: { label: string; images: string[] };
  methods: MethodComparison[];
  /** The |A| × |B| cosine similarities. */
  similarity: SimilarityMatrix;
}

/**
 * Score A against B with each of `methods` ("all" = every method). `ordered` needs |A| = |B|; for
 * other sizes it is reported with a reason instead of failing the whole comparison.
 */
export function compareSets(
  a: ImageSet,
  b: ImageSet,
  methods: readonly MatchMethod[] | "all",
  options: Omit<MatchOptions, "method"> = {},
): Comparison {
  const list = methods === "all" ? MATCH_METHODS : methods;
  const out: MethodComparison[] = [];
  for (const method of list) {
    if (method === "ordered" && a.vectors.count !== b.vectors.count) {
      out.push({
        method,
        score: null,
        pairs: [],
        unmatched_a: [],
        unmatched_b: [],
        reason: `ordered needs sets of equal size (|A| = ${a.vectors.count}, |B| = ${b.vectors.count})`,
      });
      continue;
    }
    const spec = methodSpec(method);
    const thresholdable = spec.thresholdable;
    const result = matchSets(a.vectors, b.vectors, {
      method,
      ...(thresholdable ? { s: options.s, m: options.m } : {}),
      ...(spec.options.includes("symmetric") && options.symmetric !== undefined
        ? { symmetric: options.symmetric }
        : {}),
    });
    out.push({
      method,
      score: result.score,
      pairs: result.pairs.map((p) => ({ a: p.a, b: p.b, similarity: p.similarity, counted: p.counted })),
      unmatched_a: result.unmatchedA,
      unmatched_b: result.unmatchedB,
      ...(result.reason ? { reason: result.reason } : {}),
      result,
    });
  }
  return {
    a: { label: a.label, images: a.images },
    b: { label: b.label, images: b.images },
    methods: out,
    similarity: cosineSimilarityMatrix(a.vectors, b.vectors),
  };
}

/** The JSON form (no internal results or matrix objects; the matrix as nested rows). */
export function comparisonToJson(comparison: Comparison): Record<string, unknown> {
  const { rows, cols, data } = comparison.similarity;
  return {
    a: comparison.a,
    b: comparison.b,
    methods: comparison.methods.map(({ result: _result, ...rest }) => rest),
    similarity: Array.from({ length: rows }, (_, i) => Array.from(data.subarray(i * cols, (i + 1) * cols))),
  };
}
