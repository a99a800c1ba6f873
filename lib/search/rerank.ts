/**
 * The one exact re-rank step of a search: every candidate scored with a set-matching method of
 * `lib/matching` (the same numbers as `matchSets(query, item)`), the title similarity fused through
 * `lib/fusion` when the search has a query text, best first.
 * @module
 */

import { fuseSimilarities } from "../fusion/fuse.ts";
import {
  cosineSimilarityMatrix,
  type MatchOptions,
  matchSets,
  methodSpec,
  normalizeRows,
  scoreSimilarityMatrix,
} from "../matching/mod.ts";
import { validateEmbeddings } from "../matching/validate.ts";
import type { Embeddings } from "../types.ts";

/** What the re-rank needs of a candidate: its image vectors, and its title vector when text is fused. */
export interface CandidateVectors {
  vectors: Embeddings;
  text?: Float32Array;
}

/** One re-ranked candidate (the fields of the `--json` result, before rank, images and details). */
export interface RerankedItem {
  item_id: string;
  /** The (fused) set similarity; null when no match passed s. */
  score: number | null;
  pairs: { a: number; b: number; similarity: number; counted: boolean }[];
  unmatched_query: number[];
  unmatched_item: number[];
  /** Title cosine, present when text was fused. */
  text_score?: number;
  image_score: number | null;
}

/** Options of {@link rerank}. */
export interface RerankOptions {
  match: MatchOptions;
  /** The embedded query text and its weight w: score = (1 − w) · image + w · text cosine. */
  text?: { vector: Float32Array; weight: number };
}

/**
 * Score each of `candidates` (those `vectorsOf` knows) exactly and return them best first (higher
 * score, a null score last, ties by id). Items without a title vector get text cosine 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rerank } from "./rerank.ts";
 * const unit = (...v: number[]) => ({ data: Float32Array.from(v), count: 1, dim: v.length });
 * const items = new Map([["near", unit(1, 0)], ["far", unit(0, 1)]]);
 * const ranked = rerank(unit(1, 0), ["far", "near", "unknown"], (id) => {
 *   const vectors = items.get(id);
 *   return vectors && { vectors };
 * }, { match: { method: "chamfer" } });
 * assert.deepEqual(ranked.map((r) => [r.item_id, r.score]), [["near", 1], ["far", 0]]);
 * ```
 */
export function rerank(
  query: Embeddings,
  candidates: readonly string[],
  vectorsOf: (id: string) => CandidateVectors | undefined,
  options: RerankOptions,
): RerankedItem[] {
  const { match, text } = options;
  // The query is checked and normalised once instead of once per candidate.
  const spec = methodSpec(match.method);
  const fromMatrix = spec.scoreEmbeddings === undefined && spec.score !== undefined;
  if (fromMatrix) validateEmbeddings(query, "query");
  const queryUnit = fromMatrix ? normalizeRows(query, "query") : undefined;
  const scored: RerankedItem[] = [];
  const titleCosines: number[] = [];
  for (const id of candidates) {
    const entry = vectorsOf(id);
    if (entry === undefined) continue;
    const result = queryUnit !== undefined
      ? scoreSimilarityMatrix(
        cosineSimilarityMatrix(queryUnit, normalizeRows(entry.vectors, id), {
          trusted: true,
          normalize: false,
        }),
        match,
      )
      : matchSets(query, entry.vectors, match);
    let text_score: number | undefined;
    if (text !== undefined) {
      text_score = 0;
      if (entry.text !== undefined) {
        for (let d = 0; d < text.vector.length; d++) text_score += text.vector[d] * entry.text[d];
      }
      titleCosines.push(text_score);
    }
    scored.push({
      item_id: id,
      score: result.score,
      pairs: result.pairs.map((p) => ({ a: p.a, b: p.b, similarity: p.similarity, counted: p.counted })),
      unmatched_query: result.unmatchedA,
      unmatched_item: result.unmatchedB,
      ...(text_score !== undefined ? { text_score } : {}),
      image_score: result.score,
    });
  }
  if (text !== undefined) fuseTitles(scored, titleCosines, text.weight);
  return scored.sort(compareResults);
}

/** Fuse each candidate with a score: (1 − w) · image + w · text, through lib/fusion (a null score stays null). */
function fuseTitles(scored: RerankedItem[], titleCosines: number[], weight: number): void {
  const fused = scored.flatMap((item, k) => item.score === null ? [] : [{ item, text: titleCosines[k] }]);
  if (fused.length === 0) return;
  const row = (values: number[]) => ({ rows: 1, cols: values.length, data: Float64Array.from(values) });
  const out = fuseSimilarities(
    row(fused.map(({ item }) => item.score!)),
    row(fused.map(({ text }) => text)),
    weight,
  );
  fused.forEach(({ item }, k) => item.score = out.data[k]);
}

/** Best first: higher score, a null score last, ties by item id. */
export function compareResults(
  a: { score: number | null; item_id: string },
  b: { score: number | null; item_id: string },
): number {
  const sa = a.score ?? -Infinity, sb = b.score ?? -Infinity;
  if (sa !== sb) return sb - sa;
  return a.item_id < b.item_id ? -1 : a.item_id > b.item_id ? 1 : 0;
}
