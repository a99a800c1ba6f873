/**
 * What an augmentation costs: uncached embedding time per image (with and without a transform),
 * and the sizes that drive matching time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { embeddingCost } from "./cost.ts";
 * import { loadCoil100 } from "../../lib/data/mod.ts";
 * const paths = (await loadCoil100()).slice(0, 4).map((image) => image.path);
 * const plain = await embeddingCost(paths);
 * const rotated = await embeddingCost(paths, { augment: "rot90" });
 * assert.deepEqual([plain.images, plain.augment, rotated.augment], [4, "none", "rot90"]);
 * // Times vary run to run; what is fixed is that both are measured (model load not counted).
 * assert.ok(plain.ms_per_image > 0 && rotated.ms_per_image > 0);
 * ```
 *
 * @example The sizes of a prepared protocol
 * ```ts
 * import assert from "node:assert/strict";
 * import { protocolSizes } from "./cost.ts";
 * import type { PreparedProtocol } from "../../lib/evaluation/prepare.ts";
 * const prepared = {
 *   querySets: [[0, 1], [2, 3, 4, 5]],
 *   gallerySets: [[0], [1, 2]],
 *   similarity: { rows: 6, cols: 3, data: new Float64Array(18) },
 *   meta: { n_embedded: 9 },
 * } as unknown as PreparedProtocol;
 * assert.deepEqual(protocolSizes(prepared), { query_set_size: 3, gallery_set_size: 1.5, embeddings: 9, matrix_cells: 18 });
 * ```
 * @module
 */

import type { ConfigOverrides } from "../../lib/config/mod.ts";
import { type Augmentation, parseAugmentations } from "../../lib/evaluation/augment.ts";
import type { PreparedProtocol } from "../../lib/evaluation/prepare.ts";

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
  // Loaded lazily so that importing this module (e.g. for protocolSizes) never loads ONNX.
  const specifier = "../../lib/embedding/mod.ts";
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

/** The sizes that drive matching time on a prepared protocol (notebook 07's `sizes` table). */
export interface ProtocolSizes {
  /** Mean images per query set and per gallery set. */
  query_set_size: number;
  gallery_set_size: number;
  /** Images embedded (augmented copies included). */
  embeddings: number;
  /** Cells of the query × gallery similarity matrix. */
  matrix_cells: number;
}

/** Mean set sizes, images embedded and similarity-matrix cells of a prepared protocol. */
export function protocolSizes(prepared: PreparedProtocol): ProtocolSizes {
  const mean = (sets: readonly number[][]) => {
    if (sets.length === 0) throw new RangeError("protocolSizes: the protocol has no sets");
    return sets.reduce((t, s) => t + s.length, 0) / sets.length;
  };
  const embedded = prepared.meta.n_embedded;
  if (typeof embedded !== "number") {
    throw new TypeError("protocolSizes: prepared.meta.n_embedded is not a number");
  }
  return {
    query_set_size: mean(prepared.querySets),
    gallery_set_size: mean(prepared.gallerySets),
    embeddings: embedded,
    matrix_cells: prepared.similarity.rows * prepared.similarity.cols,
  };
}

/** A row of notebook 07's sizes table: a dataset's plain or augmented protocol with its timings. */
export interface AugmentationSizeRow extends ProtocolSizes {
  dataset: string;
  /** "plain" or "augmented". */
  sets: string;
  /** Seconds to score every set pair with greedy and with the optimal assignment. */
  greedy_s: number;
  optimal_s: number;
}

/**
 * What augmentation costs (notebook 07): how the sets, embeddings and similarity-matrix cells grow
 * per dataset, the range of uncached embedding times per image, and the matching times plain →
 * augmented. The times are this run's (machine-dependent).
 */
export function augmentationCostFinding(
  sizes: readonly AugmentationSizeRow[],
  msPerImage: readonly number[],
): string {
  const datasets = [...new Set(sizes.map((r) => r.dataset))];
  if (datasets.length === 0) throw new RangeError("augmentationCostFinding: no sizes");
  if (msPerImage.length === 0) throw new RangeError("augmentationCostFinding: no embedding costs");
  const pair = (dataset: string) =>
    ["plain", "augmented"].map((label) => {
      const row = sizes.find((r) => r.dataset === dataset && r.sets === label);
      if (!row) throw new RangeError(`augmentationCostFinding: no ${label} row for ${dataset}`);
      return row;
    });
  const ratio = (dataset: string, key: "embeddings" | "matrix_cells") => {
    const [p, a] = pair(dataset);
    return `${p[key].toLocaleString("en")} → ${a[key].toLocaleString("en")} (${
      (a[key] / p[key]).toFixed(0)
    }×)`;
  };
  const [p0, a0] = pair(datasets[0]);
  return `- **Cost.** Sets grow from ${p0.query_set_size}/${p0.gallery_set_size} to ${a0.query_set_size}/${a0.gallery_set_size} images: ` +
    datasets.map((d) =>
      `${d} embeddings ${ratio(d, "embeddings")}, similarity-matrix cells ${ratio(d, "matrix_cells")}`
    )
      .join("; ") +
    ". " +
    `Uncached embedding took ${Math.min(...msPerImage).toFixed(1)}–${
      Math.max(...msPerImage).toFixed(1)
    } ms per image in this run with or without a transform ` +
    `(machine-dependent; differences between rows are within the noise). Matching all set pairs: ` +
    datasets.map((d) => {
      const [p, a] = pair(d);
      return `${d} greedy ${p.greedy_s.toFixed(2)} s → ${a.greedy_s.toFixed(2)} s, optimal ${
        p.optimal_s.toFixed(2)
      } s → ${a.optimal_s.toFixed(2)} s`;
    }).join("; ") +
    " on this machine.";
}
