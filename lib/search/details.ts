/**
 * Item details — image paths in position order, title, category, group — of a whole index, read
 * once from the tables (no vector column) and kept by the {@link SearchSession} that asked: with
 * the vectors from the mapped vector file, a search of an indexed item then reads no table at all
 * (a Lance query per request was about a third of a served search's time at 10^5 images).
 * @module
 */

import { type IndexReader, readColumn } from "../index/mod.ts";

/** One item's details (paths as stored: relative to the catalog root, or absolute in older indexes). */
export interface ItemDetails {
  /** Stored image paths, in image position order. */
  images: string[];
  title?: string;
  category?: string;
  group?: string;
}

/**
 * Every item's details from the images and items tables of `reader`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadItemDetails } from "./details.ts";
 * import { buildExampleCatalog } from "../catalog/mod.ts";
 * import { buildIndex, loadImageEmbedder, openIndex } from "../index/mod.ts";
 * const dir = await Deno.makeTempDir();
 * const { catalog } = await buildExampleCatalog(`${dir}/shop`);
 * const embedder = await loadImageEmbedder();
 * await buildIndex(catalog, `${dir}/shop.index`, { embedder });
 * await embedder.dispose?.();
 * const reader = await openIndex(`${dir}/shop.index`);
 * const details = await loadItemDetails(reader);
 * reader.close();
 * assert.equal(details.size, catalog.items.length);
 * for (const item of catalog.items) {
 *   assert.equal(details.get(item.id)!.images.length, item.images.length);
 *   assert.equal(details.get(item.id)!.title, item.title);
 * }
 * ```
 */
export async function loadItemDetails(reader: IndexReader): Promise<Map<string, ItemDetails>> {
  const out = new Map<string, ItemDetails>();
  const rows = await reader.images.query().select(["item_id", "path", "position"]).toArrow();
  const itemIds = readColumn<string>(rows, "item_id");
  const paths = readColumn<string>(rows, "path");
  const positions = readColumn<number>(rows, "position");
  const grouped = Map.groupBy(itemIds.keys(), (r) => itemIds[r]);
  for (const [id, list] of grouped) {
    list.sort((a, b) => positions[a] - positions[b]);
    out.set(id, { images: list.map((r) => paths[r]) });
  }
  const items = await reader.items.query().select(["item_id", "title", "category", "group"]).toArrow();
  const ids = readColumn<string>(items, "item_id");
  const titles = readColumn<string | null>(items, "title");
  const categories = readColumn<string | null>(items, "category");
  const groups = readColumn<string | null>(items, "group");
  ids.forEach((id, r) => {
    const entry = out.get(id);
    if (entry === undefined) return; // an item without images is no item of a search
    if (titles[r] !== null) entry.title = titles[r]!;
    if (categories[r] !== null) entry.category = categories[r]!;
    if (groups[r] !== null) entry.group = groups[r]!;
  });
  return out;
}
