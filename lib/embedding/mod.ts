/**
 * Embed images and texts: setsim's entry point to every embedding model.
 *
 * `embedImages` reads files (or takes bytes), looks each one up in the SQLite cache by content
 * hash, decodes and preprocesses the misses with sharp (EXIF orientation, alpha on white,
 * 8-bit sRGB, fitted to 240 × 180 by default), runs the model's own processor and network,
 * and returns L2-normalised rows plus the inputs that failed and why. Decoding the next batch
 * overlaps inference on the current one.
 *
 * Models: see `registry.ts` (`mobilenet-v2` default, its layer variants, InceptionV3, CLIP).
 *
 * @example
 * ```ts
 * import { embedImages } from "./mod.ts";
 * const { embeddings, index, failures } = await embedImages(["a.jpg", "b.webp"], { model: "mobilenet-v2" });
 * console.log(embeddings.count, embeddings.dim, index, failures);
 * ```
 * @module
 */

import { type ConfigOverrides, resolveConfig } from "../config/mod.ts";
import { createProgress } from "../progress/mod.ts";
import type { Embeddings } from "../types.ts";
import { augmentImage, type AugmentKind } from "./augment.ts";
import { EmbeddingCache } from "./cache.ts";
import type { ImageEmbeddingModel, PreprocessedImage, TextEmbeddingModel } from "./model.ts";
import {
  ImageInputError,
  preprocessFingerprint,
  preprocessImage,
  type PreprocessOptions,
  resolvePreprocess,
} from "./preprocess.ts";
import { loadImageModel, type LoadImageModelOptions } from "./registry.ts";
import { sha256Hex } from "../io/mod.ts";

export type { ImageEmbeddingModel, PreprocessedImage, TextEmbeddingModel } from "./model.ts";
export {
  DEFAULT_PREPROCESS,
  type FitMode,
  ImageInputError,
  preprocessFingerprint,
  preprocessImage,
  type PreprocessOptions,
  type ResolvedPreprocess,
  resolvePreprocess,
} from "./preprocess.ts";
export { AUGMENT_KINDS, augmentImage, type AugmentKind } from "./augment.ts";
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
export { l2NormalizeRows } from "./normalize.ts";
export { findVariant, LOCAL_VARIANTS, type LocalVariant, VARIANT_ALIASES } from "./variants.ts";
export { pixelValues, type ProcessorConfig } from "./processor.ts";

/** An input that could not be embedded. */
export interface EmbedFailure {
  /** The path, or `<buffer i>` for bytes passed directly. */
  input: string;
  reason: string;
}

/** Options for {@link embedImages}. */
export interface EmbedImagesOptions {
  /** Registry name / Hub id (default `resolveConfig(config).model`), or a loaded model. */
  model?: string | ImageEmbeddingModel;
  /** Configuration overrides (modelsDir, cacheDir, model). */
  config?: ConfigOverrides;
  /** Images per pipeline step (decode → model → cache). Default 32. */
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
  failures: EmbedFailure[];
  /** Model name as requested. */
  model: string;
  /** Model fingerprint + preprocessing: equal fingerprints ⇒ comparable vectors. */
  fingerprint: string;
  /** How many rows came from the cache. */
  cacheHits: number;
}

interface Item {
  position: number;
  label: string;
  hash?: string;
  vector?: Float32Array;
  image?: PreprocessedImage;
}

async function readInput(
  input: string | Uint8Array,
  position: number,
): Promise<{ label: string; bytes: Uint8Array }> {
  if (typeof input === "string") {
    try {
      return { label: input, bytes: await Deno.readFile(input) };
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound
        ? "file not found"
        : error instanceof Deno.errors.IsADirectory
        ? "is a directory"
        : `cannot read file (${(error as Error).message})`;
      throw new ImageInputError(input, reason);
    }
  }
  if (input instanceof Uint8Array) return { label: `<buffer ${position}>`, bytes: input };
  throw new ImageInputError(`<input ${position}>`, `expected a path or a Uint8Array, got ${typeof input}`);
}

/** Run `task` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Embed images (paths or encoded bytes). Bad inputs (missing, empty, not an image, truncated,
 * corrupt, too many pixels) are reported in `failures`; the rest are embedded.
 */
export async function embedImages(
  inputs: (string | Uint8Array)[],
  options: EmbedImagesOptions = {},
): Promise<EmbedImagesResult> {
  if (!Array.isArray(inputs)) {
    throw new TypeError("embedImages: inputs must be an array of paths or Uint8Arrays");
  }
  const config = resolveConfig(options.config);
  const batchSize = options.batchSize ?? 32;
  const concurrency = options.concurrency ?? 4;
  for (const [name, v] of [["batchSize", batchSize], ["concurrency", concurrency]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`embedImages: ${name} must be an integer ≥ 1, got ${v}`);
    }
  }
  const prep = resolvePreprocess(options.preprocess);
  if (options.augment !== undefined) {
    augmentImage({ data: new Uint8Array(3), width: 1, height: 1, channels: 3 }, options.augment);
  }
  const prepKey = preprocessFingerprint(prep, options.augment);

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

  const showProgress = options.progress ?? true;
  const progress = createProgress({
    label: typeof showProgress === "object" ? showProgress.label ?? "embed" : "embed",
    total: inputs.length,
    silent: showProgress === false,
  });
  const failures: EmbedFailure[] = [];
  const vectors: (Float32Array | undefined)[] = new Array(inputs.length);
  let cacheHits = 0;

  // Read, hash, look up, and decode one batch; the model runs on the previous one meanwhile.
  const prepare = async (start: number): Promise<Item[]> => {
    const items: Item[] = [];
    const bytes = new Map<number, Uint8Array>();
    await pool(
      inputs.slice(start, start + batchSize).map((_, k) => start + k),
      concurrency,
      async (position) => {
        try {
          const { label, bytes: b } = await readInput(inputs[position], position);
          const item: Item = { position, label, hash: await sha256Hex(b) };
          items.push(item);
          bytes.set(position, b);
        } catch (error) {
          const e = error as ImageInputError;
          failures.push({ input: e.input ?? `<input ${position}>`, reason: e.reason ?? e.message });
        }
      },
    );
    items.sort((a, b) => a.position - b.position);
    if (cache !== undefined) {
      const found = cache.get(model.fingerprint, prepKey, items.map((i) => i.hash!));
      for (const item of items) item.vector = found.get(item.hash!);
    }
    await pool(items.filter((i) => i.vector === undefined), concurrency, async (item) => {
      try {
        const image = await preprocessImage(bytes.get(item.position)!, prep, item.label);
        item.image = options.augment ? augmentImage(image, options.augment) : image;
      } catch (error) {
        const e = error as ImageInputError;
        failures.push({ input: item.label, reason: e.reason ?? e.message });
      }
    });
    return items.filter((i) => i.vector !== undefined || i.image !== undefined);
  };

  try {
    let pending: Promise<Item[]> | undefined = inputs.length > 0 ? prepare(0) : undefined;
    for (let start = 0; pending !== undefined; start += batchSize) {
      const items = await pending;
      pending = start + batchSize < inputs.length ? prepare(start + batchSize) : undefined;
      const todo = items.filter((i) => i.vector === undefined);
      cacheHits += items.length - todo.length;
      if (todo.length > 0) {
        // Identical files (same content hash) in one batch run through the model once.
        const unique = [...new Map(todo.map((i) => [i.hash!, i])).values()];
        const out = await model.embedImages(unique.map((i) => i.image!));
        const byHash = new Map(
          unique.map((item, k) => [item.hash!, out.slice(k * model.dim, (k + 1) * model.dim)]),
        );
        for (const item of todo) {
          item.vector = byHash.get(item.hash!);
          item.image = undefined;
        }
        cache?.put(model.fingerprint, prepKey, [...byHash].map(([hash, vector]) => ({ hash, vector })));
      }
      for (const item of items) vectors[item.position] = item.vector;
      progress.update(Math.min(start + batchSize, inputs.length));
    }
  } finally {
    if (ownCache) cache?.close();
    if (ownModel) await model.dispose?.();
  }
  progress.done(failures.length > 0 ? `${failures.length} failed` : undefined);

  const index: number[] = [];
  vectors.forEach((v, i) => v !== undefined && index.push(i));
  const data = new Float32Array(index.length * model.dim);
  index.forEach((i, r) => data.set(vectors[i]!, r * model.dim));
  failures.sort((a, b) => a.input.localeCompare(b.input));
  return {
    embeddings: { data, count: index.length, dim: model.dim },
    index,
    failures,
    model: model.name,
    fingerprint: `${model.fingerprint}|${prepKey}`,
    cacheHits,
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
