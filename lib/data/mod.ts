/**
 * Datasets: the registry (names, aliases, folders), typed loaders over the configured data
 * directory, and the downloader that fetches each dataset from its original public source.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadGrocery, resolveDatasetName } from "./mod.ts";
 * assert.equal(resolveDatasetName("grocery_store"), "grocery");
 * const photos = await loadGrocery(); // val + test photos (labels.csv)
 * assert.equal(photos.length, 2781);
 * assert.equal(new Set(photos.map((p) => p.fineClass)).size, 81);
 * assert.deepEqual([photos[0].split, photos[0].superCategory, photos[0].fineClass], ["val", "Fruit", "Golden-Delicious"]);
 * ```
 * @module
 */

export * from "./datasets.ts";
export * from "./loaders.ts";
