/**
 * The catalog shape the index reads: what `lib/catalog`'s `loadCatalog` returns (items with
 * absolute image paths, optional title/category/group and free metadata). Declared structurally
 * here so that synthetic catalogs (benchmarks) and tests can be indexed without files on disk.
 * @module
 */

/** One item (product) of a catalog. */
export interface IndexCatalogItem {
  /** Unique item id. */
  id: string;
  /** Absolute paths of its images, in catalog order. */
  images: string[];
  title?: string;
  category?: string;
  /** Relevance label for evaluation. */
  group?: string;
  /** Any other column of the manifest. */
  metadata?: Record<string, unknown>;
}

/** A catalog: a name, the folder its relative paths start from, and its items. */
export interface IndexCatalog {
  name: string;
  root: string;
  items: IndexCatalogItem[];
}
