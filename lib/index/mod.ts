/**
 * A persistent, incremental index of a catalog's image vectors in LanceDB.
 *
 * `buildIndex(catalog, dir, { embedder })` embeds what changed since the last build and commits
 * atomically; `openIndex(dir)` reads the committed state; `checkIndex(catalog, dir)` verifies it.
 * See `store.ts` for the layout and the commit protocol.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildIndex, checkIndex, loadImageEmbedder, loadTextEmbedder } from "./mod.ts";
 * import { buildExampleCatalog } from "../catalog/mod.ts";
 * const dir = await Deno.makeTempDir();
 * const { catalog } = await buildExampleCatalog(`${dir}/shop`); // 20 items, 80 photos
 * const embedder = await loadImageEmbedder();
 * await buildIndex(catalog, `${dir}/shop.index`, { embedder, textEmbedder: () => loadTextEmbedder() });
 * const check = await checkIndex(catalog, `${dir}/shop.index`);
 * assert.deepEqual([check.ok, check.items, check.images], [true, 20, 80]);
 * await embedder.dispose?.();
 * ```
 * @module
 */

export type { IndexCatalog, IndexCatalogItem } from "./catalog.ts";
export { arrow, readColumn, readVectorColumn, stringColumn, vectorColumn } from "./arrow.ts";
export {
  FILE_SYSTEM,
  type ImageEmbedder,
  type ImageFiles,
  loadImageEmbedder,
  loadTextEmbedder,
  type TextEmbedder,
} from "./embedders.ts";
export {
  buildIndex,
  type BuildOptions,
  type BuildPhase,
  type BuildReport,
  type Classification,
  classifyItems,
  commitBuild,
  type CommittedState,
  type DeriveResult,
  deriveVectorFile,
  embedImages,
  embedTitles,
  type ImageEntry,
  imageKeyOf,
  type ImageRowsResult,
  LOCK_FILE,
  MAX_SHRINK_SHARE,
  metadataColumnsOf,
  metadataJson,
  type OldImage,
  type OldItem,
  openCommitted,
  scanImages,
  type ScanResult,
  type TablesResult,
  type TitleVectors,
  writeTables,
} from "./build.ts";
export { DEFAULT_VECTOR_INDEX_MIN_IMAGES, vectorIndexConfig, type VectorIndexOptions } from "./ann.ts";
export {
  FilterError,
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  MAX_FILTER_TERMS,
  validateFilter,
} from "./filter.ts";
export { checkIndex, type CheckOptions, type CheckProblem, type CheckReport } from "./check.ts";
export { PENDING_EXIT_CODE, whilePending } from "./pending.ts";
export { projectionMatrix, projectRows, SKETCH_DIM, SKETCH_SEED } from "./sketch.ts";
export {
  ShortlistParts,
  ShortlistPartsDamage,
  type ShortlistPartsEntry,
  shortlistPartsFolder,
} from "./shortlist_parts.ts";
export { type PcaBasis, pcaBasis } from "./pca.ts";
export { topIndices } from "./top.ts";
export {
  BLOCK_CHECKED_FILES,
  damagedVectorFileWarning,
  type NearestImages,
  removeStaleVectorFiles,
  tableRows,
  VECTOR_CODE_DIM,
  VECTOR_COMPACT_RATIO,
  VECTOR_MAX_SEGMENTS,
  VECTOR_VERIFY_ON_OPEN_BYTES,
  VectorFile,
  VectorFileDamage,
  type VectorFileEntry,
  vectorFileFolder,
  type VectorFileManifest,
  type VectorFileVerify,
  type VectorRows,
  writeVectorFile,
} from "./vector_file.ts";
export {
  IMAGES_TABLE,
  INDEX_FORMAT,
  IndexError,
  type IndexFailure,
  type IndexManifest,
  type IndexReader,
  isStorageError,
  itemIdFilters,
  ITEMS_TABLE,
  MANIFEST_FILE,
  openIndex,
  type OpenIndexOptions,
  readManifest,
  rebuildAdvice,
  RESERVED_COLUMNS,
  sqlColumn,
  sqlString,
  SWAP_WAIT_MS,
  tableDamage,
} from "./store.ts";
