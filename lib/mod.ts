/**
 * setsim: how similar are two *sets* of images?
 *
 * The core of the API is flat: shared types, configuration, the set-matching methods, the
 * embedding entry points, and the path from a catalog to answers — `loadCatalog`, `buildIndex`,
 * `SearchSession` (search), `compareSets`, `findDuplicates`, the HTML reports, and `serve` (the HTTP
 * API and web app over an index). Every concern is also available whole as a namespace
 * (`import { evaluation } from "./lib/mod.ts"`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { embeddingsFromRows, matchSets, scoreSimilarityMatrix } from "./mod.ts";
 * // The article's worked example: two boots, 4 × 5 photos, their cosine similarities.
 * const S = {
 *   rows: 4,
 *   cols: 5,
 *   data: new Float64Array([
 *     0.837, 0.835, 0.747, 0.7703, 0.698,
 *     0.803, 0.799, 0.838, 0.769, 0.769,
 *     0.772, 0.752, 0.794, 0.761, 0.796,
 *     0.787, 0.785, 0.794, 0.866, 0.881,
 *   ]),
 * };
 * const greedy = scoreSimilarityMatrix(S, { method: "greedy" });
 * // Greedy takes 0.881, 0.838, 0.837, then 0.761 (row 2's best columns are gone); column 1 is unused.
 * assert.deepEqual(greedy.pairs.map((p) => p.similarity), [0.881, 0.838, 0.837, 0.761]);
 * assert.deepEqual(greedy.unmatchedB, [1]);
 * assert.equal(greedy.score?.toFixed(5), "0.82925");
 * // Linear optimization gives up 0.881 for 0.866 so that row 2 gets 0.796: a higher mean.
 * const optimal = scoreSimilarityMatrix(S, { method: "optimal" });
 * assert.equal(optimal.score?.toFixed(5), ((0.866 + 0.838 + 0.837 + 0.796) / 4).toFixed(5));
 * // From embeddings: rows are normalised and S is built first.
 * const A = embeddingsFromRows([[1, 0], [0, 1]]), B = embeddingsFromRows([[0.6, 0.8], [1, 0]]);
 * assert.equal(matchSets(A, B, { method: "optimal" }).score?.toFixed(2), "0.90"); // (1 + 0.8) / 2
 * ```
 * @module
 */

export * from "./types.ts";
export * from "./config/mod.ts";
export * from "./matching/mod.ts";
export {
  AUGMENT_KINDS,
  type AugmentKind,
  type ClipDtype,
  EmbeddingCache,
  type EmbedFailure,
  embedImages,
  type EmbedImagesOptions,
  type EmbedImagesResult,
  embedTexts,
  type EmbedTextsOptions,
  type FitMode,
  type ImageEmbeddingModel,
  type ImageModelOptions,
  type LoadImageModelOptions,
  type PreprocessedImage,
  type PreprocessOptions,
  type StageTimes,
  type TextEmbeddingModel,
} from "./embedding/mod.ts";

// Catalog → index → search, compare, dedup → reports and the server: the path from a folder of
// product photos to answers (see docs/library.md).
export {
  buildExampleCatalog,
  type Catalog,
  type CatalogItem,
  type CatalogProblem,
  type CatalogProblemKind,
  type ExampleCatalogOptions,
  loadCatalog,
  type LoadCatalogOptions,
  type LoadedCatalog,
} from "./catalog/mod.ts";
export {
  buildIndex,
  type BuildOptions,
  type BuildPhase,
  type BuildReport,
  checkIndex,
  type CheckOptions,
  type CheckProblem,
  type CheckReport,
  type ImageEmbedder,
  type ImageFiles,
  type IndexCatalog,
  type IndexCatalogItem,
  type IndexFailure,
  type IndexManifest,
  type IndexReader,
  loadImageEmbedder,
  loadTextEmbedder,
  type NearestImages,
  openIndex,
  type OpenIndexOptions,
  type PcaBasis,
  readManifest,
  type ShortlistPartsEntry,
  type TextEmbedder,
  VectorFile,
  type VectorFileEntry,
  type VectorFileManifest,
  type VectorIndexOptions,
  type VectorRows,
} from "./index/mod.ts";
export {
  compareSets,
  type Comparison,
  comparisonToJson,
  type DedupOptions,
  type DedupResult,
  type DuplicateGroup,
  embedImageSet,
  embedQueryText,
  type FdeOptions,
  findDuplicates,
  type ImageSet,
  type MethodComparison,
  QueryError,
  resolveQuery,
  type ResultPair,
  type SearchOptions,
  type SearchResult,
  type SearchResultItem,
  SearchSession,
  type SetQuery,
} from "./search/mod.ts";
export {
  renderCompareReport,
  renderDedupReport,
  renderSearchReport,
  writeSearchReport,
} from "./report/mod.ts";
export {
  createServer,
  DEFAULT_LIMITS,
  IndexHolder,
  type IndexHolderOptions,
  type IndexLease,
  indexVersion,
  serve,
  type ServeOptions,
  type ServerLimits,
  ServerMetrics,
  type SetsimHandler,
  type SetsimServer,
} from "./server/mod.ts";

export * as catalog from "./catalog/mod.ts";
export * as cli from "./cli/mod.ts";
export * as data from "./data/mod.ts";
export * as embedding from "./embedding/mod.ts";
export * as evaluation from "./evaluation/mod.ts";
export * as figures from "./figures/mod.ts";
export * as index from "./index/mod.ts";
export * as fusion from "./fusion/mod.ts";
export * as matching from "./matching/mod.ts";
export * as notebook from "./notebook/mod.ts";
export * as progress from "./progress/mod.ts";
export * as projection from "./projection/mod.ts";
export * as random from "./random/mod.ts";
export * as report from "./report/mod.ts";
export * as retrieval from "./retrieval/mod.ts";
export * as search from "./search/mod.ts";
export * as server from "./server/mod.ts";
export * as sweep from "./sweep/mod.ts";
