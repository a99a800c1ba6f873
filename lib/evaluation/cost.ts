/**
 * What an augmentation costs: uncached embedding time per image (with and without a transform),
 * and the sizes that drive matching time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { embeddingCost } from "./cost.ts";
 * import { loadCoil100 } from "../data/mod.ts";
 * const paths = (await loadCoil100()).slice(0, 4).map((image) => image.path);
 * const plain = await embeddingCost(paths);
 * const rotated = await embeddingCost(paths, { augment: "rot90" });
 * assert.deepEqual([plain.images, plain.augment, rotated.augment], [4, "none", "rot90"]);
 * // Times vary run to run; what is fixed is that both are measured (model load not counted).
 * assert.ok(plain.ms_per_image > 0 && rotated.ms_per_image > 0);
 * ```
 * @module
 */

import type { ConfigOverrides } from "../config/mod.ts";
import { type Augmentation, parseAugmentations } from "./augment.ts";

/** Options of {@link embeddingCost}. */
export interface EmbeddingCostOptions {
  /** Transform applied before embedding, as the evaluation names it (`mirror` allowed; default none). */
  augment?: Augmentation | "mirror";
  /** Image model (default: the configured model). */
  model?: string;
  config?: ConfigOverrides;
}

/** Measured uncached embedding cost. */
export interface EmbeddingCost {
  augment: string;
  images: number;
  seconds: number;
  ms_per_image: number;
}

/**
 * Embed `paths` without the cache (so the model really runs) and time it. The model is loaded and
 * warmed up on the first image beforehand, so load time is not counted.
 */
export async function embeddingCost(
  paths: readonly string[],
  options: EmbeddingCostOptions = {},
): Promise<EmbeddingCost> {
  if (paths.length === 0) throw new RangeError("embeddingCost needs at least one image path");
  // Loaded lazily so that importing lib/experiments never loads ONNX.
  const specifier = "../embedding/mod.ts";
  const { embedImages } = await import(specifier);
  // The evaluation's names (e.g. `mirror`) resolve to the embedding pipeline's kinds.
  const augment = options.augment === undefined ? undefined : parseAugmentations([options.augment])[0];
  const common = { model: options.model, config: options.config, cache: false, progress: false, augment };
  await embedImages([paths[0]], common);
  const start = performance.now();
  const result = await embedImages([...paths], common);
  const seconds = (performance.now() - start) / 1000;
  if (result.failures.length > 0) {
    throw new Error(
      `embeddingCost: ${result.failures.length} images failed, e.g. ${result.failures[0].input}: ${
        result.failures[0].reason
      }`,
    );
  }
  return {
    augment: options.augment ?? "none",
    images: paths.length,
    seconds,
    ms_per_image: (1000 * seconds) / paths.length,
  };
}
