/**
 * Text embedding models by name: a pretrained sentence encoder that works offline, CLIP's text
 * tower (same space as CLIP image vectors), and a lexical baseline.
 *
 * | name          | what                                             | dim        | needs            |
 * | ------------- | ------------------------------------------------ | ---------- | ---------------- |
 * | `use`         | Universal Sentence Encoder lite (default)         | 512        | nothing (npm)    |
 * | `tfidf`       | TF-IDF over character 2–4-grams                   | vocabulary | `corpus` to fit  |
 * | `clip:<id>`   | CLIP text tower, e.g. `clip:Xenova/clip-vit-base-patch32` | projection_dim | local copy or Hub |
 *
 * Every model returns L2-normalised rows, so cosine similarity is a dot product (use
 * `cosineSimilarityMatrix` from `lib/matching`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadTextModel } from "./mod.ts";
 * const corpus = ["Puma Men Black Sneaker", "Nike Women Heels", "Puma Men White Sneaker"];
 * const lexical = await loadTextModel("tfidf", { corpus });
 * const semantic = await loadTextModel("use");
 * assert.equal(lexical.dim, 105); // the corpus's distinct character n-grams
 * assert.equal(semantic.dim, 512);
 * assert.equal((await semantic.embedTexts(corpus)).length, 3 * 512); // rows, concatenated
 * ```
 * @module
 */

import type { TextEmbeddingModel } from "../model.ts";
import { type ClipOptions, DEFAULT_CLIP_ID, loadClipTextModel } from "../clip/mod.ts";
import { fitTfidf, type TfidfOptions } from "./tfidf.ts";
import { loadUniversalSentenceEncoder, type UseOptions } from "./use.ts";
import { describe } from "./rows.ts";

export { charNgrams, fitTfidf, type NgramAnalyzer, type TfidfModel, type TfidfOptions } from "./tfidf.ts";
export {
  loadUniversalSentenceEncoder,
  universalSentenceEncoderDir,
  USE_DIM,
  USE_PROGRESS_MIN_TEXTS,
  type UseOptions,
} from "./use.ts";
export { assertTextBatch } from "./rows.ts";
export { l2NormalizeRows } from "../normalize.ts";
export type { TextEmbeddingModel } from "../model.ts";

/** The default text model: offline and semantic. */
export const DEFAULT_TEXT_MODEL = "use";

/** Text model names that work without a network (`clip:<id>` needs a local copy or the Hub). */
export const OFFLINE_TEXT_MODELS: readonly string[] = ["use", "tfidf"];

/** Options of {@link loadTextModel}; each applies to the models named in its comment. */
export interface TextModelOptions extends ClipOptions {
  /** `tfidf`: the texts to fit the vocabulary and IDF on (required). */
  corpus?: string[];
  /** `tfidf`: n-gram range, analyzer, weighting, vocabulary size. */
  tfidf?: TfidfOptions;
  /** `use`: texts per forward pass. `clip:<id>`: see {@link ClipOptions.batchSize}. */
  batchSize?: number;
  /** `use`: progress bar for long calls (see {@link UseOptions.progress}). Default `true`. */
  progress?: boolean;
}

/**
 * Load a text embedding model by name: `"use"`, `"tfidf"` or `"clip:<hub id>"`
 * (`"clip"` alone means `clip:Xenova/clip-vit-base-patch32`).
 *
 * @throws {RangeError} for an unknown name (the message lists the valid ones) or `tfidf` without a corpus.
 * @throws {ModelUnavailableError} (from `lib/embedding/clip`) if a CLIP model is neither local nor reachable.
 */
export async function loadTextModel(
  name: string = DEFAULT_TEXT_MODEL,
  options: TextModelOptions = {},
): Promise<TextEmbeddingModel> {
  if (typeof name !== "string") {
    throw new TypeError(`text model name must be a string, got ${describe(name)}`);
  }
  if (name === "use") {
    const useOptions: UseOptions = { batchSize: options.batchSize, progress: options.progress };
    return await loadUniversalSentenceEncoder(useOptions);
  }
  if (name === "tfidf") {
    if (options.corpus === undefined) {
      throw new RangeError(
        `text model "tfidf" is fitted on a corpus: pass options.corpus (e.g. every product title of the ` +
          `dataset), or call fitTfidf(corpus, options) directly`,
      );
    }
    return fitTfidf(options.corpus, options.tfidf);
  }
  if (name === "clip" || name.startsWith("clip:")) {
    const id = name === "clip" ? DEFAULT_CLIP_ID : name.slice("clip:".length);
    return await loadClipTextModel(id, options);
  }
  throw new RangeError(
    `unknown text model "${name}"; available: "use" (Universal Sentence Encoder, offline, default), ` +
      `"tfidf" (character n-gram TF-IDF, offline, needs options.corpus), ` +
      `"clip:<hub id>" (CLIP text tower, e.g. "clip:${DEFAULT_CLIP_ID}"; local copy in modelsDir or Hub access)`,
  );
}
