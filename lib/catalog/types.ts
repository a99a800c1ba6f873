/**
 * The catalog vocabulary: a catalog is a set of items, each with one or more images and optional
 * text and metadata; loading one never throws for a bad row or file but lists a
 * {@link CatalogProblem} for it and uses the rest.
 *
 * @module
 */

/** One item (a product, an object, a class) with its images. */
export interface CatalogItem {
  /** Unique within the catalog: the folder name, the manifest's `item_id`, the dataset's key. */
  id: string;
  /** Absolute image paths, in listing order (folder: sorted by relative path; manifest: row order). */
  images: string[];
  /** Display name (manifest `title`; Myntra `productDisplayName`). */
  title?: string;
  /** Category for filtering and per-category reporting (manifest `category`). */
  category?: string;
  /** Relevance label for evaluation: items with the same group are relevant to each other. */
  group?: string;
  /** Every other manifest column whose value is the same on all of the item's rows. */
  metadata: Record<string, string>;
  /** Manifests only: per image (parallel to `images`), that image's row's other columns. */
  imageMetadata?: Record<string, string>[];
}

/** A loaded catalog. */
export interface Catalog {
  /** The dataset name, or the folder's / manifest's name. */
  name: string;
  /** Absolute folder the catalog was read from (a manifest's folder; a dataset's folder). */
  root: string;
  /** Items in a stable order: folder form sorted by id, manifest form in first-appearance order. */
  items: CatalogItem[];
  /** How it was read. */
  source: { kind: "folder" | "manifest" | "dataset"; path: string };
}

/** What can be wrong with part of a catalog (the rest is still used). */
export type CatalogProblemKind =
  /** A listed image file does not exist. */
  | "missing-file"
  /** A file exists but is empty, unreadable or not an image of a supported format. */
  | "unreadable-image"
  /** A file inside an item folder whose extension is not a supported image format (ignored). */
  | "unsupported-file"
  /** An image directly in the catalog folder, outside any item folder (ignored). */
  | "stray-file"
  /** Two different items share an id: a row's title/category/group contradicts an earlier row's. */
  | "duplicate-id"
  /** The same image listed twice for one item (kept once). */
  | "duplicate-image"
  /** An item left with no readable image (dropped). */
  | "no-images"
  /** A manifest row that cannot be used (wrong field count, bad JSON, no item_id or image). */
  | "bad-row"
  /** An image outside the catalog's root folder (an absolute path, `..`, or a link out of it); never opened. */
  | "outside-root";

/** One problem, named by its file path and/or manifest line. */
export interface CatalogProblem {
  /** What kind of problem it is. */
  kind: CatalogProblemKind;
  /** The file concerned (an image, or the manifest for a bad row). */
  path?: string;
  /** 1-based line of the manifest where the row starts. */
  line?: number;
  /** The item concerned, when known. */
  item?: string;
  /** One sentence saying what is wrong and what was done about it. */
  message: string;
}

/** A catalog that cannot be used at all (no such path, a manifest without its columns, no items). */
export class CatalogError extends Error {
  /** The error's name (`CatalogError`). */
  override name = "CatalogError";
  /** The CLI exits with this code (bad input). */
  readonly exitCode = 2;
}
