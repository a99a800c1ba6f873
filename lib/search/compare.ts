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
  /** Image paths (or names), parallel to the rows of `vectors`. */
  images: string[];
  /** The embedded images. */
  vectors: Embeddings;
}

/** One method's verdict (JSON field names as in `search`). */
export interface MethodComparison {
  /** The method. */
  method: MatchMethod;
  /** Its set similarity; null when no match passed s. */
  score: number | null;
  /** Matched pairs in the method's order. */
  pairs: ResultPair[];
  /** A's images in no pair (indices). */
  unmatched_a: number[];
  /** B's images in no pair (indices). */
  unmatched_b: number[];
  /** Why the score is null, or why the method does not apply (then `score` is null and pairs empty). */
  reason?: string;
  /** The full result (for figures); not part of the JSON. */
  result?: SetMatchResult;
}

/** A comparison of two sets. */
export interface Comparison {
  /** Side A: label and images. */
  a: { label: string; images: string[] };
  /** Side B: label and images. */
  b: { label: string; images: string[] };
  /** One verdict per method, in the order asked. */
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
