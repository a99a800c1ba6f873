/**
 * The dataset registry: canonical names, aliases, folders under the data directory, and the
 * error a user sees when a dataset is not there (which says how to get it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { datasetInfo, resolveDatasetName } from "./datasets.ts";
 * const name = resolveDatasetName("footwear"); // an alias
 * assert.equal(name, "myntra_footwear");
 * assert.equal(datasetInfo(name).folder, "myntra_footwear");
 * assert.throws(() => resolveDatasetName("shoes"), /known datasets: coil100/); // the error lists the names
 * ```
 * @module
 */

import { join } from "node:path";
import { resolveConfig } from "../config/mod.ts";

/** Canonical dataset names. */
export const DATASET_NAMES = ["coil100", "grocery", "myntra_footwear"] as const;
/** A canonical dataset name. */
export type DatasetName = typeof DATASET_NAMES[number];

/** What setsim knows about a dataset without reading it. */
export interface DatasetInfo {
  /** The canonical name. */
  name: DatasetName;
  /** Other names accepted on the command line. */
  aliases: string[];
  /** Sub-folder of the data directory. */
  folder: string;
  /** One line: what it is. */
  description: string;
  /** Where the downloader gets it from (human-readable). */
  source: string;
  /** Terms of use, as far as known. */
  terms: string;
}

const REGISTRY: Record<DatasetName, DatasetInfo> = {
  coil100: {
    name: "coil100",
    aliases: ["coil-100", "coil"],
    folder: "coil100",
    description: "COIL-100: 100 objects × 72 turntable views (5° steps), 128×128",
    source: "Columbia CAVE COIL-100 page (coil-100.zip)",
    terms: "non-commercial research use; cite Nene, Nayar & Murase, CUCS-006-96 (1996)",
  },
  grocery: {
    name: "grocery",
    aliases: ["grocery_store", "grocery-store"],
    folder: "grocery_store",
    description: "Grocery Store Dataset: phone photos of 81 fine classes, coarse classes, 3 super-categories",
    source: "GitHub marcusklasson/GroceryStoreDataset (repository archive)",
    terms: "MIT; cite Klasson, Zhang & Kjellström, WACV 2019",
  },
  myntra_footwear: {
    name: "myntra_footwear",
    aliases: ["footwear", "myntra", "myntra-footwear"],
    folder: "myntra_footwear",
    description: "Footwear of Fashion Product Images (Small), Myntra catalogue, 60×80 photos",
    source: "Kaggle paramaggarwal/fashion-product-images-small with an API token, or without one from " +
      "the Hugging Face mirror with --source hf",
    terms: "no licence stated; read the Kaggle page before redistributing",
  },
};

/** An error in the user's choice or setup of a dataset; the CLI exits with code 2. */
export class DatasetError extends Error {
  /** The error's name (`DatasetError`). */
  override name = "DatasetError";
  /** The CLI exits with this code (bad input). */
  readonly exitCode = 2;
}

/** Map a name or alias (case-insensitive) to the canonical dataset name. */
export function resolveDatasetName(name: string): DatasetName {
  const key = name.trim().toLowerCase();
  for (const info of Object.values(REGISTRY)) {
    if (info.name === key || info.aliases.includes(key)) return info.name;
  }
  const known = Object.values(REGISTRY).map((i) => [i.name, ...i.aliases].join("/")).join(", ");
  throw new DatasetError(`unknown dataset "${name}"; known datasets: ${known}`);
}

/** Registry entry of a dataset (by canonical name or alias). */
export function datasetInfo(name: string): DatasetInfo {
  return REGISTRY[resolveDatasetName(name)];
}

/** All registry entries, in canonical order. */
export function listDatasets(): DatasetInfo[] {
  return DATASET_NAMES.map((n) => REGISTRY[n]);
}

/** Absolute folder of a dataset under `dataDir` (default: the configured data directory). */
export function datasetDir(name: string, dataDir = resolveConfig().dataDir): string {
  return join(dataDir, datasetInfo(name).folder);
}

/** The error for a dataset that is not where the configuration says; it says how to get it. */
export function missingDatasetError(name: string, dataDir: string, missing: string): DatasetError {
  const info = datasetInfo(name);
  return new DatasetError(
    `dataset "${info.name}" not found: ${missing} does not exist (data directory: ${dataDir}).\n` +
      `  Get it with \`deno task data ${info.name}\` (downloads from ${info.source}; terms: ${info.terms}),\n` +
      `  or set SETSIM_DATA_DIR to a folder that holds ${info.folder}/.`,
  );
}

/** Does a path exist (file or folder)? */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
