/**
 * Load a converted local model (see `variants.ts`, built by `deno task setup`) and run it with
 * onnxruntime directly, fully offline.
 *
 * The model folder keeps the transformers.js layout (`config.json`, `preprocessor_config.json`,
 * `onnx/model.onnx`), but setsim feeds the session itself: its processor (`processor.ts`,
 * configured by the model's `preprocessor_config.json`) writes `pixel_values` straight into the
 * batch tensor, and `pooler_output` is L2-normalised row by row. Going through transformers.js's
 * `PreTrainedModel` added a tensor wrapper and an output copy per call and nothing else for
 * these graphs.
 *
 * The session lives on a worker thread (`local_worker.ts`), started on first use (so a run
 * served entirely by the embedding cache never loads the network) and ended by `dispose()`:
 * onnxruntime-node runs a session synchronously on the calling thread, and on the main thread
 * that would stop decoding for as long as the network runs. Decoded images go to the worker as
 * one uint8 buffer per call (moved, not copied); the worker hands the buffer back for the next.
 * @module
 */

import { availableParallelism } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../config/mod.ts";
import { createWorkerPool, type WorkerPool } from "../workers/pool.ts";
import type { SessionInit, SessionResult, SessionTask } from "./local_worker.ts";
import type { ImageEmbeddingModel, PreprocessedImage } from "./model.ts";
import { l2NormalizeRows } from "./normalize.ts";
import { type ProcessorConfig, processorFromJson } from "./processor.ts";
import { sha256Parts } from "../io/hash.ts";
import type { LocalVariant } from "./variants.ts";

/** Options for loading image models. */
export interface ImageModelOptions {
  /** Folder with converted models (default `resolveConfig().modelsDir`). */
  modelsDir?: string;
  /** onnxruntime intra-op threads (default: all cores, i.e. 2 on the reference machine). */
  threads?: number;
  /**
   * Images per onnxruntime call. Larger batches do not help a depthwise CNN on 2 cores
   * (activations leave the cache); 8 measured best (bench/embedding.ts). Results do not depend on it.
   */
  inferenceBatch?: number;
  /**
   * Let onnxruntime's worker threads spin between parallel sections (default false). Spinning
   * shaves a little latency off a session that has the cores to itself, but in the embedding
   * pipeline it burns the cycles sharp needs to decode the next batch.
   */
  spinning?: boolean;
}

/** Time spent in the model's own stages since it was loaded (milliseconds). */
export interface ModelStageTimes {
  /** The processor: resize to the input size, rescale, NCHW (the session's worker thread). */
  processor: number;
  /** onnxruntime `run` calls, wall time (the session's worker thread). */
  inference: number;
  /** Images run through the network. */
  images: number;
}

/** Batches of decoded images sent to the worker at once, at most (two: one runs, one waits). */
const IMAGE_BUFFERS = 2;

class LocalImageModel implements ImageEmbeddingModel {
  readonly name: string;
  readonly fingerprint: string;
  readonly dim: number;
  readonly processor: ProcessorConfig;
  readonly variant: LocalVariant;
  readonly stageTimes: ModelStageTimes = { processor: 0, inference: 0, images: 0 };
  private readonly onnxPath: string;
  private readonly options: Required<Omit<ImageModelOptions, "modelsDir">>;
  private poolPromise?: Promise<WorkerPool<SessionTask, SessionResult | null>>;
  /** Image buffers the worker handed back, for the next batches. */
  private readonly spareBuffers: Uint8Array[] = [];

  constructor(
    name: string,
    variant: LocalVariant,
    processor: ProcessorConfig,
    fingerprint: string,
    onnxPath: string,
    options: ImageModelOptions,
  ) {
    this.name = name;
    this.variant = variant;
    this.dim = variant.dim;
    this.processor = processor;
    this.fingerprint = fingerprint;
    this.onnxPath = onnxPath;
    this.options = {
      threads: options.threads ?? Math.max(1, availableParallelism()),
      inferenceBatch: options.inferenceBatch ?? 8,
      spinning: options.spinning ?? false,
    };
    if (!Number.isInteger(this.options.inferenceBatch) || this.options.inferenceBatch < 1) {
      throw new RangeError(`inferenceBatch must be an integer ≥ 1, got ${this.options.inferenceBatch}`);
    }
  }

  /** The session's worker, started on first use. */
  private worker(): Promise<WorkerPool<SessionTask, SessionResult | null>> {
    const init: SessionInit = {
      onnxPath: this.onnxPath,
      name: this.name,
      dim: this.dim,
      processor: this.processor,
      threads: this.options.threads,
      spinning: this.options.spinning,
    };
    this.poolPromise ??= createWorkerPool<SessionTask, SessionResult | null>({
      url: new URL("./local_worker.ts", import.meta.url),
      size: 1,
      name: `${this.name} session`,
      init,
    });
    return this.poolPromise;
  }

  private async runTask(task: SessionTask, transfer: Transferable[]): Promise<SessionResult> {
    const result = await (await this.worker()).run(task, transfer);
    if (result === null) throw new Error(`${this.name}: the session worker answered no features`);
    this.stageTimes.processor += result.processorMs;
    this.stageTimes.inference += result.inferenceMs;
    return result;
  }

  /** Run the network on already-processed NCHW pixel values (benchmarks use this directly). */
  async forward(pixels: Float32Array, count: number): Promise<Float32Array> {
    // Copied: the buffer moves to the worker, and the caller may still need its array.
    const copy = pixels.slice();
    const { features } = await this.runTask({ kind: "pixels", pixels: copy, count }, [copy.buffer]);
    this.stageTimes.images += count;
    return features;
  }

  /** One network call: `images` (all the same size) packed into one buffer, moved to the worker. */
  private async embedChunk(images: PreprocessedImage[]): Promise<Float32Array> {
    const { width, height } = images[0];
    const size = width * height * 3;
    let buffer = this.spareBuffers.pop();
    if (buffer === undefined || buffer.length < images.length * size) {
      buffer = new Uint8Array(images.length * size);
    }
    images.forEach((image, k) => buffer.set(image.data, k * size));
    const { features, images: returned } = await this.runTask(
      { kind: "images", images: buffer, count: images.length, width, height },
      [buffer.buffer],
    );
    if (returned !== undefined && this.spareBuffers.length < IMAGE_BUFFERS) this.spareBuffers.push(returned);
    this.stageTimes.images += images.length;
    return features;
  }

  async embedImages(images: PreprocessedImage[]): Promise<Float32Array> {
    images.forEach((image, i) => {
      if (image.channels !== 3 || image.data.length !== image.width * image.height * 3) {
        throw new RangeError(
          `${this.name}: image ${i} has ${image.data.length} bytes for ${image.width}x${image.height}x3`,
        );
      }
    });
    // Network calls of at most `inferenceBatch` images of one size; all are posted at once, so the
    // worker starts the next as soon as one ends.
    const chunks: { start: number; images: PreprocessedImage[] }[] = [];
    for (let i = 0; i < images.length; i++) {
      const last = chunks.at(-1);
      const same = last !== undefined && last.images.length < this.options.inferenceBatch &&
        last.images[0].width === images[i].width && last.images[0].height === images[i].height;
      if (same) last.images.push(images[i]);
      else chunks.push({ start: i, images: [images[i]] });
    }
    const out = new Float32Array(images.length * this.dim);
    const results = await Promise.all(chunks.map((chunk) => this.embedChunk(chunk.images)));
    results.forEach((features, k) => out.set(features, chunks[k].start * this.dim));
    return l2NormalizeRows(out, this.dim, `${this.name} features`);
  }

  async dispose(): Promise<void> {
    if (this.poolPromise === undefined) return;
    const poolPromise = this.poolPromise;
    this.poolPromise = undefined;
    let pool: WorkerPool<SessionTask, SessionResult | null>;
    try {
      pool = await poolPromise;
    } catch {
      return; // the worker never started: nothing to release
    }
    try {
      await pool.run({ kind: "release" });
    } finally {
      pool.close();
    }
  }
}

/** A local model together with the raw (un-normalised) forward pass, for tests and benchmarks. */
export type LocalImageEmbeddingModel = ImageEmbeddingModel & {
  readonly processor: ProcessorConfig;
  readonly variant: LocalVariant;
  readonly stageTimes: ModelStageTimes;
  forward(pixels: Float32Array, count: number): Promise<Float32Array>;
  dispose(): Promise<void>;
};

/**
 * Load a converted variant. Fails with a message naming `deno task setup` if it was not built.
 *
 * @param requested the name the user asked for (an alias such as "mobilenet-v2" is kept as `name`).
 */
export async function loadLocalImageModel(
  variant: LocalVariant,
  requested: string = variant.name,
  options: ImageModelOptions = {},
): Promise<LocalImageEmbeddingModel> {
  const modelsDir = options.modelsDir ?? resolveConfig().modelsDir;
  const dir = join(modelsDir, variant.name);
  const onnx = join(dir, "onnx", "model.onnx");
  let processorJson: string;
  try {
    await Deno.stat(onnx);
    processorJson = await Deno.readTextFile(join(dir, "preprocessor_config.json"));
    await Deno.stat(join(dir, "config.json"));
  } catch (error) {
    throw new Error(
      `image model "${requested}" is not built in ${dir} (${
        (error as Error).message
      }); run \`deno task setup\``,
      { cause: error },
    );
  }
  const processor = processorFromJson(JSON.parse(processorJson), join(dir, "preprocessor_config.json"));
  const fingerprint = [
    variant.name,
    variant.layer,
    `onnx-sha256:${(await sha256Parts([{ file: onnx }])).slice(0, 20)}`,
    `processor-sha256:${(await sha256Parts([JSON.stringify(processor)])).slice(0, 12)}`,
  ].join("|");
  return new LocalImageModel(
    requested,
    variant,
    processor,
    fingerprint,
    onnx,
    options,
  );
}
