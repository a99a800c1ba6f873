/**
 * Catalogs: the user's products (or a bundled dataset) as items with images, titles, categories,
 * groups and metadata — read from a folder of item folders, a CSV/JSONL manifest, or a dataset
 * name — with a report of every problem (missing files, duplicate ids, unreadable images, bad
 * manifest rows) while the rest is used.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatProblems, loadCatalog } from "./mod.ts";
 * const { catalog, problems } = await loadCatalog("coil100"); // needs the data (SETSIM_DATA_DIR)
 * assert.equal(catalog.items.length, 100); // item = object
 * assert.equal(catalog.items[0].id, "1");
 * console.error(formatProblems(problems)); // "" when nothing is wrong
 * ```
 * @module
 */

export * from "./types.ts";
export { checkImageFile, hashImages, IMAGE_EXTENSIONS, isImageFile, sniffImageFormat } from "./images.ts";
export {
  type ManifestColumns,
  type ManifestEntry,
  type ManifestField,
  type ManifestFormat,
  manifestFormat,
  parseManifest,
} from "./manifest.ts";
export {
  assembleItems,
  catalogFingerprint,
  checkCatalogName,
  checkItems,
  DATASET_CATALOG_COLUMNS,
  formatProblems,
  isBundledDataset,
  listFolderEntries,
  loadCatalog,
  type LoadCatalogOptions,
  type LoadedCatalog,
  MANIFEST_NAMES,
  resolveCatalogName,
} from "./load.ts";
export {
  buildExampleCatalog,
  type ExampleCatalogOptions,
  writeFolderCatalog,
  type WriteFolderOptions,
  writeManifestCatalog,
} from "./write.ts";
export { type NotebookPlan, notebookPlan, type NotebookPlanOptions, type NotebookRun } from "./notebook.ts";
