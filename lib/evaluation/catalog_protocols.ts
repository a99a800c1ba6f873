/**
 * The catalog protocols: evaluation on any {@link Catalog} (a user's folder or manifest, or a
 * bundled dataset read as a catalog). Pure and seeded like the dataset protocols.
 *
 * | protocol | query set                                  | gallery sets                        | relevant                     |
 * | -------- | ------------------------------------------ | ----------------------------------- | ---------------------------- |
 * | `items`  | a seeded half of each item's images        | the other half of every item        | same item (level `coarse`: same group) |
 * | `group`  | each item with ≥ 1 other item in its group | every item (all its images)         | same `group`; itself left out |
 *
 * Both are invariant to how the catalog was read: items are taken in id order and each item's
 * images in the order of their content keys (`imageKeys`, the files' SHA-256 in `eval`; ties and
 * images without a key by path relative to the catalog root), and the `items` split of an item
 * depends only on the seed and the item's id. So the grocery photos as a folder of class folders
 * (symlinks or copies, any file names) and the `grocery` dataset give the same sets and numbers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { drawItems } from "./catalog_protocols.ts";
 * const catalog = {
 *   name: "shop", root: "/shop", source: { kind: "folder" as const, path: "/shop" },
 *   items: [
 *     { id: "boot", images: ["/shop/boot/1.jpg", "/shop/boot/2.jpg", "/shop/boot/3.jpg"], metadata: {} },
 *     { id: "clog", images: ["/shop/clog/1.jpg", "/shop/clog/2.jpg"], metadata: {} },
 *     { id: "mule", images: ["/shop/mule/1.jpg"], metadata: {} },
 *   ],
 * };
 * const draw = drawItems(catalog, { seed: 0 });
 * assert.deepEqual(draw.querySets.map((s) => s.images.length), [1, 1]);
 * assert.deepEqual(draw.gallerySets.map((s) => s.images.length), [2, 1, 1]);
 * assert.deepEqual(draw.params.gallery_only, ["mule"]); // one image: a distractor, never a query
 * ```
 * @module
 */

import { relative } from "node:path";
import type { Catalog, CatalogItem } from "../catalog/mod.ts";
import { createRng, sampleWithoutReplacement, shuffle } from "../random/mod.ts";
import type { ProtocolDraw, SetSpec } from "./protocols.ts";

/** The protocols that apply to every catalog. */
export const CATALOG_PROTOCOLS = ["items", "group"] as const;
/** A catalog protocol name. */
export type CatalogProtocolName = typeof CATALOG_PROTOCOLS[number];

/** Content key of an image path (e.g. its SHA-256); orders each item's images. */
export type ImageKeys = ReadonlyMap<string, string | null>;

/** Options of the `items` protocol. */
export interface ItemsOptions {
  seed: number;
  /** Content keys of the images (default: order by relative path only). */
  imageKeys?: ImageKeys;
  /** At most this many query images per item (default: half, rounded down). */
  a?: number;
  /** At most this many gallery images per item (default: all the rest). */
  b?: number;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function positiveInteger(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new RangeError(`${name} must be an integer ≥ 1, got ${value}`);
  }
  return value;
}

/** Items in id order, each with its images in content-key order (then relative path). */
function canonicalItems(catalog: Catalog, imageKeys?: ImageKeys): CatalogItem[] {
  return catalog.items
    .map((item) => {
      const keyed = item.images.map((path) => ({
        path,
        content: imageKeys?.get(path) ?? "",
        name: relative(catalog.root, path),
      }));
      keyed.sort((x, y) => byCodePoint(x.content, y.content) || byCodePoint(x.name, y.name));
      return { ...item, images: keyed.map((k) => k.path) };
    })
    .sort((x, y) => byCodePoint(x.id, y.id));
}

const categoryOf = (item: CatalogItem) => item.category ?? item.group ?? "(none)";

/**
 * `items`: each item with n ≥ 2 images is shuffled (seeded by the seed and its id) and split
 * into a query set of ⌊n/2⌋ images (at most `a`) and a gallery set of the rest (at most `b`);
 * an item with one image cannot be a query and stays in the gallery as a distractor (listed in
 * `params.gallery_only`). Each query set is ranked against every gallery set; relevant = the
 * same item. When items have groups, `coarseLabel` = group (relevance level `coarse`).
 *
 * @throws {RangeError} when fewer than 2 items have 2 or more images.
 */
export function drawItems(catalog: Catalog, options: ItemsOptions): ProtocolDraw {
  const a = positiveInteger("a", options.a);
  const b = positiveInteger("b", options.b);
  const querySets: SetSpec[] = [];
  const gallerySets: SetSpec[] = [];
  const galleryOnly: string[] = [];
  for (const item of canonicalItems(catalog, options.imageKeys)) {
    const base = {
      label: item.id,
      category: categoryOf(item),
      ...(item.group !== undefined ? { coarseLabel: item.group } : {}),
    };
    if (item.images.length < 2) {
      galleryOnly.push(item.id);
      gallerySets.push({ id: `${item.id}/gallery`, images: item.images, ...base });
      continue;
    }
    const order = shuffle(item.images, createRng(options.seed, `protocol:items:${item.id}`));
    const half = Math.floor(order.length / 2);
    const nQuery = Math.min(half, a ?? half);
    const nGallery = Math.min(order.length - half, b ?? order.length);
    querySets.push({ id: `${item.id}/query`, images: order.slice(0, nQuery), ...base });
    gallerySets.push({ id: `${item.id}/gallery`, images: order.slice(half, half + nGallery), ...base });
  }
  if (querySets.length < 2) {
    throw new RangeError(
      `items protocol needs ≥ 2 items with ≥ 2 images each; catalog "${catalog.name}" has ${querySets.length} ` +
        `(of ${catalog.items.length} items)`,
    );
  }
  // Without groups everywhere the coarse level would mix labels and no labels: keep it all or none.
  const grouped = gallerySets.every((s) => s.coarseLabel !== undefined);
  if (!grouped) { for (const set of [...querySets, ...gallerySets]) delete set.coarseLabel; }
  return {
    protocol: "items",
    querySets,
    gallerySets,
    params: {
      seed: options.seed,
      a: a ?? "half",
      b: b ?? "rest",
      n_items: catalog.items.length,
      gallery_only: galleryOnly,
    },
  };
}

/** Options of the `group` protocol. */
export interface GroupOptions {
  seed: number;
  /** Content keys of the images (see {@link ItemsOptions.imageKeys}). */
  imageKeys?: ImageKeys;
  /** Sample at most this many query items per group (seeded; default: every item). */
  perGroup?: number;
}

/**
 * `group`: every item whose group has at least one other item is a query (its set = all its
 * images), ranked against every item of the catalog except itself; relevant = same `group`.
 * Items without a group are distractors only (relevant to nothing); items alone in their group
 * are gallery-only too (listed in `params`). `perGroup` samples the queries per group.
 *
 * @throws {RangeError} when no group has two items.
 */
export function drawGroup(catalog: Catalog, options: GroupOptions): ProtocolDraw {
  const perGroup = positiveInteger("perGroup", options.perGroup);
  const items = canonicalItems(catalog, options.imageKeys);
  const sizes = new Map<string, number>();
  for (const item of items) {
    if (item.group !== undefined) sizes.set(item.group, (sizes.get(item.group) ?? 0) + 1);
  }
  const toSet = (item: CatalogItem): SetSpec => ({
    id: item.id,
    images: item.images,
    // No group: a label no other item can have.
    label: item.group !== undefined ? `group:${item.group}` : `item:${item.id}`,
    category: categoryOf(item),
  });
  const gallerySets = items.map(toSet);
  const ungrouped = items.filter((i) => i.group === undefined).map((i) => i.id);
  const singletons = [...sizes].filter(([, n]) => n === 1).map(([g]) => g).sort(byCodePoint);
  let queryItems = items.filter((i) => i.group !== undefined && sizes.get(i.group)! >= 2);
  if (queryItems.length === 0) {
    throw new RangeError(
      `group protocol needs a group with ≥ 2 items; catalog "${catalog.name}" has ${sizes.size} group(s) ` +
        `and ${ungrouped.length} of ${items.length} items without a group`,
    );
  }
  if (perGroup !== undefined) {
    const rng = createRng(options.seed, "protocol:group");
    const pools = Map.groupBy(queryItems, (i) => i.group!);
    queryItems = [...pools.keys()].sort(byCodePoint).flatMap((g) => {
      const pool = pools.get(g)!;
      return pool.length <= perGroup ? pool : sampleWithoutReplacement(pool, perGroup, rng);
    });
  }
  const everyItemQueries = queryItems.length === items.length;
  return {
    protocol: "group",
    querySets: everyItemQueries ? gallerySets : queryItems.map(toSet),
    gallerySets,
    params: {
      seed: options.seed,
      per_group: perGroup ?? "all",
      n_items: items.length,
      n_groups: sizes.size,
      ungrouped_items: ungrouped,
      single_item_groups: singletons,
    },
  };
}
