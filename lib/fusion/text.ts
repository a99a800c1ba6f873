/**
 * Text similarity between product titles (`productDisplayName`), with the text models of
 * `lib/embedding`: "use" (Universal Sentence Encoder, offline, default), "tfidf" (character
 * n-grams, fitted on the titles themselves — a lexical baseline), "clip:<id>" (CLIP's text
 * tower, in the same space as CLIP image vectors).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { textSimilarity } from "./text.ts";
 * const s = await textSimilarity(["Puma Men Black Sneaker", "Puma Men White Sneaker", "Red Heels"], { model: "tfidf" });
 * assert.equal(s.rows, 3);
 * assert.ok(s.data[1] > s.data[2]);
 * ```
 * @module
 */

import { embedTexts } from "../embedding/mod.ts";
import { cosineSimilarityMatrix } from "../matching/mod.ts";
import type { ScoreMatrix } from "./fuse.ts";

/** Options of {@link textSimilarity}. */
export interface TextSimilarityOptions {
  /** Text model name (default "use"). */
  model?: string;
  /** Candidate texts, when they differ from the queries (default: the queries, i.e. all vs all). */
  candidates?: string[];
}

/**
 * The queries × candidates cosine similarity of the texts' embeddings. For "tfidf" the
 * vocabulary and IDF are fitted on queries ∪ candidates.
 */
export async function textSimilarity(
  texts: string[],
  options: TextSimilarityOptions = {},
): Promise<ScoreMatrix> {
  const model = options.model ?? "use";
  const candidates = options.candidates ?? texts;
  for (const [name, list] of [["texts", texts], ["candidates", candidates]] as const) {
    if (list.length === 0) throw new RangeError(`${name} is empty`);
    const bad = list.findIndex((t) => typeof t !== "string");
    if (bad >= 0) throw new TypeError(`${name}[${bad}] is not a string`);
  }
  const all = candidates === texts ? texts : [...texts, ...candidates];
  const textOptions = model === "tfidf" ? { corpus: all } : {};
  const { embeddings } = await embedTexts(all, { model, textOptions });
  const dim = embeddings.dim;
  const a = { data: embeddings.data.subarray(0, texts.length * dim), count: texts.length, dim };
  const b = candidates === texts
    ? a
    : { data: embeddings.data.subarray(texts.length * dim), count: candidates.length, dim };
  const s = cosineSimilarityMatrix(a, b);
  return { rows: s.rows, cols: s.cols, data: Float64Array.from(s.data) };
}
