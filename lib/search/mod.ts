/**
 * Set search over a persistent index: shortlist (`images`, `centroid`, `fde`), exact re-rank with
 * any `lib/matching` method, title fusion, metadata filters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveQuery, SearchSession } from "./mod.ts";
 * import { buildExampleCatalog } from "../catalog/mod.ts";
 * import { buildIndex, loadImageEmbedder } from "../index/mod.ts";
 * const dir = await Deno.makeTempDir();
 * const { catalog } = await buildExampleCatalog(`${dir}/shop`);
 * const embedder = await loadImageEmbedder();
 * await buildIndex(catalog, `${dir}/shop.index`, { embedder });
 * await embedder.dispose?.();
 * const session = await SearchSession.open(`${dir}/shop.index`);
 * const result = await session.search(await resolveQuery(session, ["Golden-Delicious-a"]), { k: 3 });
 * await session.close();
 * const ids = result.results.map((r) => r.item_id);
 * assert.equal(ids.length, 3);
 * assert.ok(!ids.includes("Golden-Delicious-a")); // a query item never finds itself
 * assert.ok(ids.includes("Golden-Delicious-b")); // its other listing (different photos) is in the top 3
 * const scores = result.results.map((r) => r.score ?? -Infinity); // null: no match passed s
 * assert.deepEqual(scores, [...scores].sort((a, b) => b - a)); // best first
 * ```
 * @module
 */

export {
  compareResults,
  type ResultPair,
  type SearchOptions,
  type SearchResult,
  type SearchResultItem,
  SearchSession,
  type SetQuery,
} from "./search.ts";
export {
  CENTROID_SHORTLIST,
  DEFAULT_SHORTLIST,
  FDE_SHORTLIST,
  IMAGES_SHORTLIST,
  type ShortlistQuery,
  SHORTLISTS,
  type ShortlistStrategy,
  shortlistStrategy,
  ShortlistUnavailableError,
  topIndices,
} from "./shortlist.ts";
export {
  AnnCandidates,
  type CandidateQuery,
  type CandidateSource,
  candidateSource,
  itemsByEstimate,
  TableCandidates,
  VectorFileCandidates,
} from "./candidates.ts";
export { type CandidateVectors, rerank, type RerankedItem, type RerankOptions } from "./rerank.ts";
export {
  chamferSimilarity,
  encodeDocumentFde,
  encodeQueryFde,
  fdeDimension,
  type FdeOptions,
  type FdePlan,
  fdePlan,
  SHORTLIST_FDE,
  simhashBucket,
} from "./fde.ts";
export { encodeItemFdes, type ItemFdes, itemFdes } from "./fde_items.ts";
export { embedImageSet, embedQueryText, listImages, QueryError, resolveQuery } from "./query.ts";
export {
  compareSets,
  type Comparison,
  comparisonToJson,
  type ImageSet,
  type MethodComparison,
} from "./compare.ts";
export { formatScore, formatSearchTable } from "./format.ts";
export {
  dedupCsvRows,
  type DedupOptions,
  type DedupResult,
  type DuplicateGroup,
  findDuplicates,
} from "./dedup.ts";
