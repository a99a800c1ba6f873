/**
 * Write catalogs back out: as a folder of item folders (images linked or copied) or as a CSV
 * manifest, and build the small example catalog the README's "bring your own catalog" section
 * and the tests use, from the bundled grocery photos.
 *
 * A written folder catalog reads back as the same items with the same images in the same order:
 * each file is named `NNNN-<original name>` with NNNN its position in the item, so the folder's
 * sorted listing is the item's order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildExampleCatalog } from "./write.ts";
 * const dir = `${await Deno.makeTempDir()}/shop`;
 * const { manifest, catalog } = await buildExampleCatalog(dir); // from the bundled grocery photos
 * assert.equal(manifest, `${dir}/catalog.csv`);
 * // 10 products, each listed twice (listings A and B, different photos): 20 items of 4 photos.
 * assert.equal(catalog.items.length, 20);
 * assert.ok(catalog.items.every((item) => item.images.length === 4));
 * assert.deepEqual(catalog.items.slice(0, 2).map((item) => [item.id, item.group]), [
 *   ["Golden-Delicious-a", "Golden-Delicious"],
 *   ["Golden-Delicious-b", "Golden-Delicious"],
 * ]);
 * ```
 * @module
 */

import { basename, dirname, extname, join, relative } from "node:path";
import { toCsv } from "../io/csv.ts";
import { writeFileAtomic } from "../io/mod.ts";
import { loadCatalog, type LoadCatalogOptions } from "./load.ts";
import { type Catalog, CatalogError } from "./types.ts";

/** Options of {@link writeFolderCatalog}. */
export interface WriteFolderOptions {
  /** `symlink` (default: fast, no copies) or `copy` (independent of the source files). */
  mode?: "symlink" | "copy";
}

function checkItemId(id: string): void {
  if (id === "" || id === "." || id === ".." || /[\\/\0]/.test(id) || id.startsWith(".")) {
    throw new CatalogError(`item id "${id}" cannot be a folder name`);
  }
}

/**
 * Write `catalog` as a folder of item folders under `dir` (created; must be empty or absent).
 * Titles, categories, groups and metadata are not kept (a folder catalog has none).
 */
export async function writeFolderCatalog(
  catalog: Catalog,
  dir: string,
  options: WriteFolderOptions = {},
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for await (const _ of Deno.readDir(dir)) throw new CatalogError(`${dir} is not empty`);
  for (const item of catalog.items) {
    checkItemId(item.id);
    const folder = join(dir, item.id);
    await Deno.mkdir(folder);
    const width = Math.max(4, String(item.images.length).length);
    for (const [k, image] of item.images.entries()) {
      const target = join(folder, `${String(k).padStart(width, "0")}-${basename(image)}`);
      if (options.mode === "copy") await Deno.copyFile(image, target);
      else await Deno.symlink(image, target);
    }
  }
}

/** Write `catalog` as a CSV manifest (one row per item, images `;`-separated, relative paths). */
export async function writeManifestCatalog(catalog: Catalog, path: string): Promise<void> {
  const metadataColumns = [...new Set(catalog.items.flatMap((i) => Object.keys(i.metadata)))];
  const columns = ["item_id", "image", "title", "category", "group", ...metadataColumns];
  const rows = catalog.items.map((item) => ({
    ...item.metadata,
    item_id: item.id,
    image: item.images.map((image) => relative(dirname(path), image)).join(";"),
    title: item.title ?? "",
    category: item.category ?? "",
    group: item.group ?? "",
  }));
  await writeFileAtomic(path, toCsv(rows, columns));
}

/** Options of {@link buildExampleCatalog}. */
export interface ExampleCatalogOptions extends Pick<LoadCatalogOptions, "dataDir"> {
  /** Products (grocery fine classes), each listed twice (default 10 → 20 items). */
  products?: number;
  /** Photos per listing (default 4). */
  photos?: number;
  /** Also write `broken.csv`: the same manifest plus a missing file, a duplicate id and a bad row. */
  withProblems?: boolean;
}

/**
 * Build the example shop catalog in `dir` from the bundled grocery photos: `products` fine
 * classes spread over the coarse classes, each listed twice (`<class>-a`, `<class>-b`, disjoint
 * photos: the same product listed twice, which `dedup` should find), photos copied to
 * `dir/images/`, and `dir/catalog.csv` with title, category (super-category), group (fine class)
 * and `coarse_class` metadata.
 */
export async function buildExampleCatalog(
  dir: string,
  options: ExampleCatalogOptions = {},
): Promise<{ manifest: string; catalog: Catalog; broken?: string }> {
  const products = options.products ?? 10;
  const photos = options.photos ?? 4;
  const { catalog: grocery } = await loadCatalog("grocery", { dataDir: options.dataDir, check: "exists" });
  // Round-robin over the categories (Fruit, Vegetables, Packages), one class per coarse class
  // first, so the example spans kinds of product; then fill up.
  const eligible = grocery.items.filter((item) => item.images.length >= 2 * photos);
  const byCategory = Map.groupBy(eligible, (item) => item.category ?? "");
  const picked: typeof eligible = [];
  const coarseSeen = new Set<string>();
  for (const fresh of [true, false]) {
    let progressed = true;
    while (picked.length < products && progressed) {
      progressed = false;
      for (const pool of byCategory.values()) {
        const next = pool.find((item) =>
          !picked.includes(item) && !(fresh && coarseSeen.has(item.group ?? ""))
        );
        if (!next || picked.length >= products) continue;
        picked.push(next);
        coarseSeen.add(next.group ?? "");
        progressed = true;
      }
    }
  }
  if (picked.length < products) {
    throw new CatalogError(`grocery has only ${picked.length} classes with ≥ ${2 * photos} photos`);
  }
  await Deno.mkdir(join(dir, "images"), { recursive: true });
  const rows: Record<string, string>[] = [];
  for (const item of picked) {
    for (const [listing, offset] of [["a", 0], ["b", photos]] as const) {
      const files: string[] = [];
      for (const [k, image] of item.images.slice(offset, offset + photos).entries()) {
        // Grocery's val and test photos share names; number them instead.
        const name = `${item.id}-${listing}-${k + 1}${extname(image).toLowerCase()}`;
        await Deno.copyFile(image, join(dir, "images", name));
        files.push(`images/${name}`);
      }
      rows.push({
        item_id: `${item.id}-${listing}`,
        image: files.join(";"),
        title: `${item.id.replaceAll("-", " ")} (listing ${listing.toUpperCase()})`,
        category: item.category ?? "",
        group: item.id,
        coarse_class: item.group ?? "",
      });
    }
  }
  const columns = ["item_id", "image", "title", "category", "group", "coarse_class"];
  const manifest = join(dir, "catalog.csv");
  await writeFileAtomic(manifest, toCsv(rows, columns));
  let broken: string | undefined;
  if (options.withProblems) {
    broken = join(dir, "broken.csv");
    const extra = [
      { ...rows[0], item_id: "ghost", image: "images/no-such-photo.jpg", title: "Ghost", group: "ghost" },
      { ...rows[1], title: "A different product with the same id" },
    ];
    const text = toCsv([...rows, ...extra], columns) + "bad,row\n";
    await writeFileAtomic(broken, text);
  }
  const { catalog } = await loadCatalog(manifest);
  return { manifest, catalog, ...(broken ? { broken } : {}) };
}
