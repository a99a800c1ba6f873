/**
 * The article's shoe sample, ready for retrieval notebooks: the evaluation's seeded `single`
 * protocol on Myntra footwear (105 each of Casual, Formal and Sports Shoes by default), embedded
 * through the cache, with each shoe's catalogue record (title, usage, colour) joined back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prepareShoeSample } from "./shoes.ts";
 * const sample = await prepareShoeSample({ seed: 0 });
 * assert.equal(sample.products.length, 315);
 * assert.equal(sample.similarity.rows, 315);
 * ```
 * @module
 */

import { type PreparedProtocol, type PrepareOptions, prepareProtocol } from "../evaluation/prepare.ts";
import { type FootwearProduct, loadMyntraFootwear } from "../data/loaders.ts";
import { resolveConfig } from "../config/mod.ts";

/** A prepared shoe sample: item i is query i, gallery item i, row/column i of `similarity`. */
export interface ShoeSample {
  prepared: PreparedProtocol;
  /** Catalogue record of each shoe, in sample order. */
  products: FootwearProduct[];
  /** articleType of each shoe. */
  labels: string[];
  /** Image–image cosine similarity, items × items (Float64, what `lib/evaluation` ranks). */
  similarity: { rows: number; cols: number; data: Float64Array };
}

/** Options: those of `prepareProtocol` for the `single` protocol. */
export type ShoeSampleOptions = Omit<PrepareOptions, "dataset" | "protocol">;

/** Draw, embed and join the shoe sample. */
export async function prepareShoeSample(options: ShoeSampleOptions = {}): Promise<ShoeSample> {
  const prepared = await prepareProtocol({ ...options, dataset: "myntra_footwear", protocol: "single" });
  for (let i = 0; i < prepared.queries.length; i++) {
    if (prepared.querySets[i].length !== 1 || prepared.queries[i].id !== prepared.gallery[i].id) {
      throw new Error(`single protocol: item ${i} is not one image shared by query and gallery`);
    }
  }
  const dataDir = resolveConfig(options.config ?? {}).dataDir;
  const byId = new Map(
    (await loadMyntraFootwear({ dataDir, checkFiles: false })).map((p) => [`product/${p.id}`, p]),
  );
  const products = prepared.queries.map((q) => {
    const product = byId.get(q.id);
    if (!product) throw new Error(`shoe ${q.id} of the sample is not in the catalogue`);
    return product;
  });
  const { rows, cols, data } = prepared.similarity;
  return {
    prepared,
    products,
    labels: prepared.queries.map((q) => q.label),
    similarity: { rows, cols, data: Float64Array.from(data) },
  };
}
