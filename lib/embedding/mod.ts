/**
 * Embed images and texts: setsim's entry point to every embedding model.
 *
 * `embedImages` reads files (or takes bytes), looks each one up in the SQLite cache by content
 * hash, decodes and preprocesses the misses with sharp (EXIF orientation, alpha on white,
 * 8-bit sRGB, fitted to 240 × 180 by default), runs the model's own processor and network,
 * and returns L2-normalised rows plus the inputs that failed and why. Decoding runs while the
 * network works on the previous batch (`pipeline.ts`).
 *
 * Models: see `registry.ts` (`mobilenet-v2` default, its layer variants, InceptionV3, CLIP).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import sharp from "sharp";
 * import { embedImages } from "./mod.ts";
 * const red = new Uint8Array(
 *   await sharp({ create: { width: 64, height: 48, channels: 3, background: "#c33" } }).png().toBuffer(),
 * );
 * const { embeddings, index, failures } = await embedImages([red, "missing.jpg", red], {
 *   model: "mobilenet-v2",
 *   cache: false,
 *   progress: false,
 * });
 * assert.deepEqual([embeddings.count, embeddings.dim], [2, 1792]);
 * assert.deepEqual(index, [0, 2]); // row r came from inputs[index[r]]
 * assert.deepEqual(failures, [{ input: "missing.jpg", reason: "file not found" }]);
 * const first = embeddings.data.subarray(0, embeddings.dim);
 * assert.ok(Math.abs(first.reduce((sum, x) => sum + x * x, 0) - 1) < 1e-6); // rows are unit length
 * ```
 * @module
 */

import { type ConfigOverrides, resolveConfig } from "../config/mod.ts";
import { createProgress } from "../progress/mod.ts";
import type { Embeddings } from "../types.ts";
import type { AugmentKind } from "./augment.ts";
import { EmbeddingCache } from "./cache.ts";
import type { ImageEmbeddingModel, TextEmbeddingModel } from "./model.ts";
import { assembleRows, type EmbedFailure, planEmbedding, runPipeline, type StageTimes } from "./pipeline.ts";
import type { PreprocessOptions } from "./preprocess.ts";
import { loadImageModel, type LoadImageModelOptions } from "./registry.ts";

export {
  type ImageEmbeddingModel,
  isStagedImageModel,
  type PreprocessedImage,
  type StagedImageModel,
  type TextEmbeddingModel,
} from "./model.ts";
export { type EmbedFailure, type StageTimes } from "./pipeline.ts";
export * from "./preprocess.ts";
export { assertAugmentKind, AUGMENT_KINDS, augmentImage, type AugmentKind } from "./augment.ts";
export { type CacheOptions, EmbeddingCache } from "./cache.ts";
export {
  describeOfflineModels,
  type ImageModelInfo,
  isClipName,
  listImageModels,
  loadImageModel,
  type LoadImageModelOptions,
  UnknownModelError,
} from "./registry.ts";
export type { ImageModelOptions } from "./local.ts";
export type { ClipDtype } from "./clip/mod.ts";
export { l2NormalizeRows } from "./normalize.ts";
export { findVariant, LOCAL_VARIANTS, type LocalVariant, VARIANT_ALIASES } from "./variants.ts";
export { pixelValues, type ProcessorConfig } from "./processor.ts";

/** Options for {@link embedImages}. */
export interface EmbedImagesOptions {
  /** Registry name / Hub id (default `resolveConfig(config).model`), or a loaded model. */
  model?: string | ImageEmbeddingModel;
  /** Configuration overrides (modelsDir, cacheDir, model). */
  config?: ConfigOverrides;
  /** Images per network call and cache transaction. Default 32. */
  batchSize?: number;
  /** Images decoded in parallel (sharp runs them on libuv threads). Default 4. */
  concurrency?: number;
  /** setsim preprocessing (size, fit mode, pad colour, pixel limit). */
  preprocess?: PreprocessOptions;
  /** Apply a rotation/mirror after preprocessing (part of the cache key). */
  augment?: AugmentKind;
  /** `true` (default): the cache under `cacheDir`; `false`: none; or an open cache. */
  cache?: boolean | EmbeddingCache;
  /** Progress on stderr (bar on a TTY, lines when piped). Default true; `{ label }` renames it. */
  progress?: boolean | { label?: string };
  /** Passed to {@link loadImageModel} when `model` is a name. */
  modelOptions?: LoadImageModelOptions;
}

/** Result of {@link embedImages}. */
export interface EmbedImagesResult {
  /** One L2-normalised row per successfully embedded input, in input order. */
  embeddings: Embeddings;
  /** `index[r]` = position in `inputs` of row `r`. */
  index: number[];
  /** Inputs that could not be embedded, with the reason. */
  failures: EmbedFailure[];
  /** Model name as requested. */
  model: string;
  /** Model fingerprint + preprocessing: equal fingerprints ⇒ comparable vectors. */
  fingerprint: string;
  /** How many rows came from the cache. */
  cacheHits: number;
  /** Where the time went, per pipeline stage (milliseconds). */
  stages: StageTimes;
}

/** The model and cache one call uses, and whether the call owns (and so closes) them. */
interface EmbedResources {
  model: ImageEmbeddingModel;
  ownModel: boolean;
  cache?: EmbeddingCache;
  ownCache: boolean;
}

async function openResources(options: EmbedImagesOptions): Promise<EmbedResources> {
  const config = resolveConfig(options.config);
  const ownModel = typeof options.model !== "object";
  const model = typeof options.model === "object"
    ? options.model
    : await loadImageModel(options.model ?? config.model, {
      modelsDir: config.modelsDir,
      ...options.modelOptions,
    });
  const ownCache = options.cache === undefined || options.cache === true;
  const cache = options.cache instanceof EmbeddingCache
    ? options.cache
    : ownCache
    ? EmbeddingCache.open(EmbeddingCache.defaultPath(config.cacheDir))
    : undefined;
  return { model, ownModel, cache, ownCache };
}

async function closeResources({ model, ownModel, cache, ownCache }: EmbedResources): Promise<void> {
  if (ownCache) cache?.close();
  if (ownModel) await model.dispose?.();
}

/**
 * Embed images (paths or encoded bytes). Bad inputs (missing, empty, not an image, truncated,
 * corrupt, too many pixels) are reported in `failures`; the rest are embedded. The phases and
 * how they overlap are described in `pipeline.ts`.
 */
export async function embedImages(
  inputs: (string | Uint8Array)[],
  options: EmbedImagesOptions = {},
): Promise<EmbedImagesResult> {
  const plan = planEmbedding(inputs, options);
  const resources = await openResources(options);
  const show = options.progress ?? true;
  const progress = createProgress({
    label: typeof show === "object" ? show.label ?? "embed" : "embed",
    total: inputs.length,
    silent: show === false,
  });
  let output;
  try {
    output = await runPipeline(inputs, plan, { model: resources.model, cache: resources.cache, progress });
  } finally {
    await closeResources(resources);
  }
  const { vectors, failures, cacheHits, times } = output;
  progress.done(failures.length > 0 ? `${failures.length} failed` : undefined);
  return {
    ...assembleRows(vectors, resources.model.dim),
    failures,
    model: resources.model.name,
    fingerprint: `${resources.model.fingerprint}|${plan.preprocessKey}`,
    cacheHits,
    stages: times,
  };
}

/** Options for {@link embedTexts}. */
export interface EmbedTextsOptions {
  /** "use" (default), "tfidf", "clip:<id>", or a loaded model. */
  model?: string | TextEmbeddingModel;
  /** Passed to `loadTextModel` (e.g. `corpus` for tfidf). */
  // deno-lint-ignore no-explicit-any
  textOptions?: Record<string, any>;
}

/** Embed texts with a text model from `lib/embedding/text` (rows L2-normalised). */
export async function embedTexts(
  texts: string[],
  options: EmbedTextsOptions = {},
): Promise<{ embeddings: Embeddings; model: string }> {
  const text = await import("./text/mod.ts");
  const own = typeof options.model !== "object";
  const model = typeof options.model === "object"
    ? options.model
    : await text.loadTextModel(options.model ?? text.DEFAULT_TEXT_MODEL, options.textOptions ?? {});
  try {
    const data = await model.embedTexts(texts);
    return { embeddings: { data, count: texts.length, dim: model.dim }, model: model.name };
  } finally {
    if (own) await model.dispose?.();
  }
}
