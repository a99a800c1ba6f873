/**
 * Set search over a persistent index: shortlist (`images`, `centroid`, `fde`), exact re-rank with
 * any `lib/matching` method, title fusion, metadata filters.
 *
 * @example (not run by the doc tests: needs a built index; tests/index searches one)
 * ```ts ignore
 * import { resolveQuery, SearchSession } from "./mod.ts";
 * const session = await SearchSession.open("shop.index");
 * const result = await session.search(await resolveQuery(session, ["boot-42"]), { k: 5 });
 * console.log(result.results.map((r) => [r.item_id, r.score]));
 * await session.close();
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
export {
  randomProjection,
  type SyntheticCatalog,
  syntheticCatalog,
  syntheticIndexInput,
  type SyntheticItem,
  type SyntheticOptions,
  type SyntheticSources,
} from "./synthetic.ts";
