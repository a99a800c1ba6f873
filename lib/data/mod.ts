/**
 * Datasets: the registry (names, aliases, folders), typed loaders over the configured data
 * directory, and the downloader that fetches each dataset from its original public source.
 *
 * @example
 * ```ts
 * import { loadGrocery, resolveDatasetName } from "./mod.ts";
 * console.log(resolveDatasetName("grocery_store")); // "grocery"
 * const photos = await loadGrocery();
 * console.log(photos.length, photos[0].fineClass, photos[0].superCategory);
 * ```
 * @module
 */

export * from "./csv.ts";
export * from "./datasets.ts";
export * from "./loaders.ts";
