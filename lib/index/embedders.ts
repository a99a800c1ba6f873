/**
 * What the index builder needs from embedding: an image embedder (files → rows, with failures),
 * a text embedder for titles, and a way to stat and hash image files. The defaults go through
 * `lib/embedding` (its SQLite cache makes an interrupted build's finished batches free to redo);
 * benchmarks pass synthetic ones.
 * @module
 */

import { type ConfigOverrides, resolveConfig } from "../config/mod.ts";
import {
  embedImages,
  type ImageEmbeddingModel,
  loadImageModel,
  preprocessFingerprint,
  resolvePreprocess,
  type TextEmbeddingModel,
} from "../embedding/mod.ts";
import { sha256File } from "../io/mod.ts";

/** Embeds image files. */
export interface ImageEmbedder {
  /** Model name as the user gave it. */
  readonly model: string;
  /** Equal fingerprints ⇒ comparable vectors (model + preprocessing). */
  readonly fingerprint: string;
  /** Values per vector. */
  readonly dim: number;
  /** One entry per input: a unit vector, or `undefined` with a reason in `failures`. */
  embed(paths: string[]): Promise<{
    vectors: (Float32Array | undefined)[];
    failures: { input: string; reason: string }[];
    cacheHits: number;
  }>;
  /** Release the model (sessions, workers). */
  dispose?(): Promise<void> | void;
}

/** Embeds titles. */
export interface TextEmbedder {
  /** Model name. */
  readonly model: string;
  /** Values per vector. */
  readonly dim: number;
  /** `texts.length × dim` unit rows. */
  embed(texts: string[]): Promise<Float32Array>;
  /** Release the model. */
  dispose?(): Promise<void> | void;
}

/** Reads file identity: size and modification time (cheap), content hash (reads the file). */
export interface ImageFiles {
  /** Size and modification time of an image file. */
  stat(path: string): Promise<{ size: number; mtimeMs: number }>;
  /** A content hash of an image file. */
  hash(path: string): Promise<string>;
}

/** The real file system: `Deno.stat` and SHA-256 of the bytes (the embedding cache's key). */
export const FILE_SYSTEM: ImageFiles = {
  async stat(path) {
    const info = await Deno.stat(path);
    if (!info.isFile) throw new Error("not a file");
    return { size: info.size, mtimeMs: info.mtime?.getTime() ?? 0 };
  },
  hash: sha256File,
};

/** The default image embedder: `lib/embedding`'s model by name (config default) with its cache. */
export async function loadImageEmbedder(
  options: { model?: string | ImageEmbeddingModel; config?: ConfigOverrides } = {},
): Promise<ImageEmbedder> {
  const config = resolveConfig(options.config);
  const own = typeof options.model !== "object";
  const model = typeof options.model === "object"
    ? options.model
    : await loadImageModel(options.model ?? config.model, { modelsDir: config.modelsDir });
  return {
    model: model.name,
    // The same string embedImages reports as its fingerprint (model + default preprocessing).
    fingerprint: `${model.fingerprint}|${preprocessFingerprint(resolvePreprocess())}`,
    dim: model.dim,
    async embed(paths) {
      const result = await embedImages(paths, { model, config: options.config, progress: false });
      const vectors: (Float32Array | undefined)[] = new Array(paths.length);
      result.index.forEach((position, row) => {
        vectors[position] = result.embeddings.data.slice(row * model.dim, (row + 1) * model.dim);
      });
      return { vectors, failures: result.failures, cacheHits: result.cacheHits };
    },
    async dispose() {
      if (own) await model.dispose?.();
    },
  };
}

/** The default text embedder (`lib/embedding/text`, "use" unless named). */
export async function loadTextEmbedder(name = "use"): Promise<TextEmbedder> {
  const text = await import("../embedding/text/mod.ts");
  const model: TextEmbeddingModel = await text.loadTextModel(name, { progress: false });
  return {
    model: name,
    dim: model.dim,
    embed: (texts) => model.embedTexts(texts),
    dispose: () => model.dispose?.(),
  };
}
