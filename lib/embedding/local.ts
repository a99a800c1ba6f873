/**
 * Load a converted local model (see `variants.ts`, built by `deno task setup`) with
 * `@huggingface/transformers`, fully offline (`env.allowRemoteModels = false`).
 *
 * transformers.js reads `config.json` and creates the onnxruntime session from
 * `onnx/model.onnx`; setsim's processor (`processor.ts`, configured by the model's
 * `preprocessor_config.json`) builds `pixel_values`; the model's `pooler_output` is
 * L2-normalised row by row. The session is created on first use, so a run served entirely by
 * the embedding cache never loads the network.
 * @module
 */

import { availableParallelism } from "node:os";
import { join } from "node:path";
import { env, PreTrainedModel, Tensor } from "@huggingface/transformers";
import { resolveConfig } from "../config/mod.ts";
import type { ImageEmbeddingModel, PreprocessedImage } from "./model.ts";
import { l2NormalizeRows } from "./normalize.ts";
import { pixelValues, type ProcessorConfig, processorFromJson } from "./processor.ts";
import { sha256Hex } from "../io/mod.ts";
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
}

class LocalImageModel implements ImageEmbeddingModel {
  readonly name: string;
  readonly fingerprint: string;
  readonly dim: number;
  readonly processor: ProcessorConfig;
  readonly variant: LocalVariant;
  private readonly modelsDir: string;
  private readonly threads: number;
  private readonly inferenceBatch: number;
  private model?: Promise<PreTrainedModel>;

  constructor(
    name: string,
    variant: LocalVariant,
    processor: ProcessorConfig,
    fingerprint: string,
    modelsDir: string,
    options: ImageModelOptions,
  ) {
    this.name = name;
    this.variant = variant;
    this.dim = variant.dim;
    this.processor = processor;
    this.fingerprint = fingerprint;
    this.modelsDir = modelsDir;
    this.threads = options.threads ?? Math.max(1, availableParallelism());
    this.inferenceBatch = options.inferenceBatch ?? 8;
  }

  private session(): Promise<PreTrainedModel> {
    this.model ??= (async () => {
      env.allowRemoteModels = false;
      env.localModelPath = this.modelsDir.endsWith("/") ? this.modelsDir : `${this.modelsDir}/`;
      return await PreTrainedModel.from_pretrained(this.variant.name, {
        local_files_only: true,
        dtype: "fp32",
        device: "cpu",
        session_options: {
          intraOpNumThreads: this.threads,
          interOpNumThreads: 1,
          graphOptimizationLevel: "all",
        },
      });
    })();
    return this.model;
  }

  /** Run the network on already-processed NCHW pixel values (benchmarks use this directly). */
  async forward(pixels: Float32Array, count: number): Promise<Float32Array> {
    const model = await this.session();
    const h = this.processor.height!, w = this.processor.width!;
    const out = await model({ pixel_values: new Tensor("float32", pixels, [count, 3, h, w]) });
    const pooled = out.pooler_output as Tensor;
    return new Float32Array(pooled.data as Float32Array);
  }

  async embedImages(images: PreprocessedImage[]): Promise<Float32Array> {
    const out = new Float32Array(images.length * this.dim);
    for (let start = 0; start < images.length; start += this.inferenceBatch) {
      const chunk = images.slice(start, start + this.inferenceBatch);
      const features = await this.forward(pixelValues(chunk, this.processor), chunk.length);
      out.set(features, start * this.dim);
    }
    return l2NormalizeRows(out, this.dim, `${this.name} features`);
  }

  async dispose(): Promise<void> {
    if (this.model !== undefined) {
      const model = await this.model;
      this.model = undefined;
      await model.dispose();
    }
  }
}

/** A local model together with the raw (un-normalised) forward pass, for tests and benchmarks. */
export type LocalImageEmbeddingModel = ImageEmbeddingModel & {
  readonly processor: ProcessorConfig;
  readonly variant: LocalVariant;
  forward(pixels: Float32Array, count: number): Promise<Float32Array>;
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
  let onnx: Uint8Array, processorJson: string;
  try {
    onnx = await Deno.readFile(join(dir, "onnx", "model.onnx"));
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
    `onnx-sha256:${(await sha256Hex(onnx)).slice(0, 20)}`,
    `processor-sha256:${(await sha256Hex(new TextEncoder().encode(JSON.stringify(processor)))).slice(0, 12)}`,
  ].join("|");
  return new LocalImageModel(requested, variant, processor, fingerprint, modelsDir, options);
}
