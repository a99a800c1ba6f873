/**
 * Load a converted local model (see `variants.ts`, built by `deno task setup`) and run it with
 * onnxruntime directly, fully offline.
 *
 * The model folder keeps the transformers.js layout (`config.json`, `preprocessor_config.json`,
 * `onnx/model.onnx`), but setsim feeds the session itself: its processor (`processor.ts`,
 * configured by the model's `preprocessor_config.json`) writes `pixel_values` straight into the
 * batch tensor, and `pooler_output` is L2-normalised row by row. Going through transformers.js's
 * `PreTrainedModel` added a tensor wrapper and an output copy per call and nothing else for
 * these graphs. The session is created on first use, so a run served entirely by the embedding
 * cache never loads the network.
 * @module
 */

import { availableParallelism } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { resolveConfig } from "../config/mod.ts";
import type { PreprocessedImage, StagedImageModel } from "./model.ts";
import { l2NormalizeRows } from "./normalize.ts";
import { pixelValues, type ProcessorConfig, processorFromJson } from "./processor.ts";
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
  /** The processor: resize to the input size, rescale, NCHW (JavaScript, main thread). */
  processor: number;
  /** onnxruntime `run` calls, wall time. */
  inference: number;
  /** Images run through the network. */
  images: number;
}

class LocalImageModel implements StagedImageModel {
  readonly name: string;
  readonly fingerprint: string;
  readonly dim: number;
  readonly processor: ProcessorConfig;
  readonly variant: LocalVariant;
  readonly stageTimes: ModelStageTimes = { processor: 0, inference: 0, images: 0 };
  private readonly onnxPath: string;
  private readonly options: Required<Omit<ImageModelOptions, "modelsDir">>;
  private sessionPromise?: Promise<ort.InferenceSession>;

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
  }

  private session(): Promise<ort.InferenceSession> {
    this.sessionPromise ??= ort.InferenceSession.create(this.onnxPath, {
      intraOpNumThreads: this.options.threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
      extra: { session: { intra_op: { allow_spinning: this.options.spinning ? "1" : "0" } } },
    });
    return this.sessionPromise;
  }

  /** Run the network on already-processed NCHW pixel values (benchmarks use this directly). */
  async forward(pixels: Float32Array, count: number): Promise<Float32Array> {
    const session = await this.session();
    const h = this.processor.height!, w = this.processor.width!;
    const started = performance.now();
    const out = await session.run({ pixel_values: new ort.Tensor("float32", pixels, [count, 3, h, w]) });
    this.stageTimes.inference += performance.now() - started;
    this.stageTimes.images += count;
    const pooled = out.pooler_output;
    if (pooled === undefined || pooled.type !== "float32" || pooled.data.length !== count * this.dim) {
      throw new Error(`${this.name}: the network returned no ${count}×${this.dim} pooler_output`);
    }
    return pooled.data as Float32Array;
  }

  prepareImage(image: PreprocessedImage): Float32Array {
    const started = performance.now();
    const pixels = pixelValues([image], this.processor);
    this.stageTimes.processor += performance.now() - started;
    return pixels;
  }

  async embedPrepared(inputs: Float32Array[]): Promise<Float32Array> {
    const out = new Float32Array(inputs.length * this.dim);
    const batch = this.options.inferenceBatch;
    for (let start = 0; start < inputs.length; start += batch) {
      const chunk = inputs.slice(start, start + batch);
      const plane = chunk[0].length;
      // One copy into the batch tensor; a single image is fed as it is.
      let pixels = chunk[0];
      if (chunk.length > 1) {
        pixels = new Float32Array(chunk.length * plane);
        chunk.forEach((x, k) => pixels.set(x, k * plane));
      }
      out.set(await this.forward(pixels, chunk.length), start * this.dim);
    }
    return l2NormalizeRows(out, this.dim, `${this.name} features`);
  }

  embedImages(images: PreprocessedImage[]): Promise<Float32Array> {
    return this.embedPrepared(images.map((image) => this.prepareImage(image)));
  }

  async dispose(): Promise<void> {
    if (this.sessionPromise !== undefined) {
      const session = await this.sessionPromise;
      this.sessionPromise = undefined;
      await session.release();
    }
  }
}

/** A local model together with the raw (un-normalised) forward pass, for tests and benchmarks. */
export type LocalImageEmbeddingModel = StagedImageModel & {
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
