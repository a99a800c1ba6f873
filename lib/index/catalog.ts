/**
 * The catalog shape the index reads: what `lib/catalog`'s `loadCatalog` returns (items with
 * absolute image paths, optional title/category/group and metadata), narrowed to the fields a build
 * uses, so that synthetic catalogs (benchmarks) and tests can be indexed without files on disk.
 * @module
 */

import type { CatalogItem } from "../catalog/types.ts";

/**
 * One item of a catalog as the index reads it: the one item type, `CatalogItem`, with only the
 * fields a build reads (`metadata` optional: synthetic and test catalogs have none).
 */
export type IndexCatalogItem =
  & Pick<CatalogItem, "id" | "images" | "title" | "category" | "group">
  & Partial<Pick<CatalogItem, "metadata">>;

/** A catalog: a name, the folder its relative paths start from, and its items. */
export interface IndexCatalog {
  /** The catalog's name (recorded in the manifest). */
  name: string;
  /** The folder image paths are stored relative to. */
  root: string;
  /** The items, in catalog order. */
  items: IndexCatalogItem[];
}
