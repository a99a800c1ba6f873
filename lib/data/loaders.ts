/**
 * Loaders: read a dataset's `labels.csv` from the data directory and return typed records with
 * absolute image paths. Layouts are those of the shared copy and of `deno task data <name>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadCoil100 } from "./loaders.ts";
 * import { resolveConfig } from "../config/mod.ts";
 * const images = await loadCoil100({ dataDir: resolveConfig().dataDir });
 * // 100 objects × 72 views (every 5°), less the 32 views missing from the copy in use.
 * assert.equal(images.length, 100 * 72 - 32);
 * assert.deepEqual([images[0].objectId, images[0].angleDeg, images[0].file], [1, 0, "images/obj1__0.webp"]);
 * ```
 * @module
 */

import { basename, join } from "node:path";
import { resolveConfig } from "../config/mod.ts";
import { parseCsv } from "../io/csv.ts";
import { datasetDir, DatasetError, exists, missingDatasetError } from "./datasets.ts";

/** Options shared by all loaders. */
export interface LoadOptions {
  /** Labels file inside the dataset folder (default `labels.csv`; grocery's train split: `labels-train.csv`). */
  labelsFile?: string;
  /** Data directory holding one folder per dataset (default: `resolveConfig().dataDir`). */
  dataDir?: string;
  /** Check that every listed image file exists (default true; a few ms per thousand files). */
  checkFiles?: boolean;
}

/** One COIL-100 view. */
export interface Coil100Image {
  /** Absolute path of the image file (PNG as distributed, or WebP in the shared copy). */
  path: string;
  /** Path relative to the dataset folder, as in `labels.csv`. */
  file: string;
  /** Object number, 1..100. */
  objectId: number;
  /** Turntable angle in degrees, a multiple of 5 in 0..355. */
  angleDeg: number;
}

/** One Grocery Store photo. */
export interface GroceryImage {
  /** Absolute path of the photo. */
  path: string;
  /** File name of the photo. */
  file: string;
  /** `train`, `val` or `test` (the shared copy keeps val and test only). */
  split: string;
  /** `Fruit`, `Vegetables` or `Packages`. */
  superCategory: string;
  /** Index of the fine class. */
  fineClassId: number;
  /** Name of the fine class (e.g. `Granny-Smith`). */
  fineClass: string;
  /** Index of the coarse class. */
  coarseClassId: number;
  /** Name of the coarse class (e.g. `Apple`). */
  coarseClass: string;
  /** Absolute path of the class's iconic (product page) image. */
  iconicImage: string;
}

/** One Grocery Store fine class with its iconic image and description text. */
export interface GroceryClass {
  /** Index of the fine class. */
  fineClassId: number;
  /** Name of the fine class. */
  fineClass: string;
  /** Index of the coarse class. */
  coarseClassId: number;
  /** Name of the coarse class. */
  coarseClass: string;
  /** `Fruit`, `Vegetables` or `Packages`. */
  superCategory: string;
  /** Absolute path of the class's iconic (product page) image. */
  iconicImage: string;
  /** The product description text ("" when the file is absent). */
  description: string;
}

/** One Myntra footwear product (one photo). */
export interface FootwearProduct {
  /** Absolute path of the photo. */
  path: string;
  /** File name of the photo. */
  file: string;
  /** The product id (the photo is `<id>.jpg`). */
  id: number;
  /** The product's display name. */
  productDisplayName: string;
  /** Top-level category (`Footwear`). */
  masterCategory: string;
  /** Sub-category (`Shoes`, `Sandal`, `Flip Flops`). */
  subCategory: string;
  /** e.g. `Casual Shoes`, `Formal Shoes`, `Sports Shoes`, `Heels`, `Flats`, `Sandals`. */
  articleType: string;
  /** Main colour. */
  baseColour: string;
  /** Intended use (`Casual`, `Sports`, `Formal`, …). */
  usage: string;
}

/** Parse the file name of a COIL-100 view, `obj12__355.png` → `{objectId: 12, angleDeg: 355}`. */
export function parseCoil100FileName(file: string): { objectId: number; angleDeg: number } | null {
  const match = /^obj(\d+)__(\d+)\.(png|webp|jpg|jpeg)$/i.exec(basename(file));
  if (!match) return null;
  return { objectId: Number(match[1]), angleDeg: Number(match[2]) };
}

async function readLabels(
  name: string,
  options: LoadOptions,
  required: string[],
): Promise<{ dir: string; rows: Record<string, string>[] }> {
  const dataDir = options.dataDir ?? resolveConfig().dataDir;
  const dir = datasetDir(name, dataDir);
  const labels = join(dir, options.labelsFile ?? "labels.csv");
  if (!(await exists(labels))) throw missingDatasetError(name, dataDir, labels);
  const rows = parseCsv(await Deno.readTextFile(labels), labels);
  if (rows.length === 0) throw new DatasetError(`${labels} has no records`);
  const missingColumns = required.filter((c) => !(c in rows[0]));
  if (missingColumns.length > 0) {
    throw new DatasetError(`${labels} lacks column(s) ${missingColumns.join(", ")}`);
  }
  return { dir, rows };
}

async function checkFilesExist(name: string, paths: string[]): Promise<void> {
  const missing: string[] = [];
  for (const path of paths) if (!(await exists(path))) missing.push(path);
  if (missing.length > 0) {
    throw new DatasetError(
      `dataset "${name}": ${missing.length} of ${paths.length} image files listed in labels.csv are missing, ` +
        `e.g. ${missing.slice(0, 3).join(", ")}; re-run \`deno task data ${name}\``,
    );
  }
}

function integer(value: string, column: string, line: number, source: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n)) {
    throw new DatasetError(`${source} record ${line}: ${column} must be an integer, got "${value}"`);
  }
  return n;
}

/** Load COIL-100 views, sorted by object then angle. */
export async function loadCoil100(options: LoadOptions = {}): Promise<Coil100Image[]> {
  const { dir, rows } = await readLabels("coil100", options, ["path", "object_id", "angle_deg"]);
  const source = join(dir, "labels.csv");
  const images = rows.map((row, r) => ({
    path: join(dir, row.path),
    file: row.path,
    objectId: integer(row.object_id, "object_id", r + 2, source),
    angleDeg: integer(row.angle_deg, "angle_deg", r + 2, source),
  }));
  images.sort((a, b) => a.objectId - b.objectId || a.angleDeg - b.angleDeg);
  if (options.checkFiles ?? true) await checkFilesExist("coil100", images.map((i) => i.path));
  return images;
}

/** Load Grocery Store photos (all splits present in `labels.csv`), in file order. */
export async function loadGrocery(options: LoadOptions = {}): Promise<GroceryImage[]> {
  const required = [
    "path",
    "split",
    "super_category",
    "fine_class_id",
    "fine_class",
    "coarse_class_id",
    "coarse_class",
    "iconic_image",
  ];
  const { dir, rows } = await readLabels("grocery", options, required);
  const source = join(dir, options.labelsFile ?? "labels.csv");
  const images = rows.map((row, r) => ({
    path: join(dir, row.path),
    file: row.path,
    split: row.split,
    superCategory: row.super_category,
    fineClassId: integer(row.fine_class_id, "fine_class_id", r + 2, source),
    fineClass: row.fine_class,
    coarseClassId: integer(row.coarse_class_id, "coarse_class_id", r + 2, source),
    coarseClass: row.coarse_class,
    iconicImage: join(dir, row.iconic_image),
  }));
  if (options.checkFiles ?? true) await checkFilesExist("grocery", images.map((i) => i.path));
  return images;
}

/**
 * Load the Grocery Store fine classes with their iconic image and description
 * (from `labels.csv` and the `*_Description.txt` files beside the iconic images).
 */
export async function loadGroceryClasses(options: LoadOptions = {}): Promise<GroceryClass[]> {
  const images = await loadGrocery({ ...options, checkFiles: false });
  const byId = new Map<number, GroceryClass>();
  for (const image of images) {
    if (byId.has(image.fineClassId)) continue;
    const descriptionFile = image.iconicImage.replace(/_Iconic\.[a-z]+$/i, "_Description.txt");
    const description = descriptionFile !== image.iconicImage && (await exists(descriptionFile))
      ? (await Deno.readTextFile(descriptionFile)).trim()
      : "";
    byId.set(image.fineClassId, {
      fineClassId: image.fineClassId,
      fineClass: image.fineClass,
      coarseClassId: image.coarseClassId,
      coarseClass: image.coarseClass,
      superCategory: image.superCategory,
      iconicImage: image.iconicImage,
      description,
    });
  }
  return [...byId.values()].sort((a, b) => a.fineClassId - b.fineClassId);
}

/** Load the Myntra footwear products, in file order. */
export async function loadMyntraFootwear(options: LoadOptions = {}): Promise<FootwearProduct[]> {
  const required = ["path", "id", "productDisplayName", "articleType"];
  const { dir, rows } = await readLabels("myntra_footwear", options, required);
  const source = join(dir, "labels.csv");
  const products = rows.map((row, r) => ({
    path: join(dir, row.path),
    file: row.path,
    id: integer(row.id, "id", r + 2, source),
    productDisplayName: row.productDisplayName,
    masterCategory: row.masterCategory ?? "",
    subCategory: row.subCategory ?? "",
    articleType: row.articleType,
    baseColour: row.baseColour ?? "",
    usage: row.usage ?? "",
  }));
  if (options.checkFiles ?? true) await checkFilesExist("myntra_footwear", products.map((p) => p.path));
  return products;
}
