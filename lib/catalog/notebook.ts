/**
 * Rerun the notebooks on a user catalog: `SETSIM_CATALOG=PATH` (and optionally
 * `SETSIM_CATALOG_PROTOCOL=items|group`, default `items`) replaces a notebook's bundled datasets
 * with the catalog, and sends its outputs to `<results>/catalogs/<name>/` so the committed
 * results are never overwritten.
 *
 * A notebook asks for its plan once (`notebookContext(name, { seed, ...plan.overrides })`) and
 * prepares each of `plan.runs`; `plan.catalog === null` means its bundled datasets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notebookPlan } from "./notebook.ts";
 * const defaults = [{ dataset: "coil100", protocol: "unordered", label: "coil100" }];
 * // Without SETSIM_CATALOG the notebook runs on its own datasets, into its usual results folder.
 * assert.deepEqual(notebookPlan(defaults, { env: () => undefined }), { catalog: null, runs: defaults, overrides: {} });
 * // With it, on the catalog alone, into <results>/catalogs/<name>.
 * const shop = `${await Deno.makeTempDir()}/shop`;
 * await Deno.mkdir(shop);
 * await Deno.writeTextFile(`${shop}/catalog.csv`, "item_id,image\n");
 * const env = (name: string) => name === "SETSIM_CATALOG" ? `${shop}/catalog.csv` : undefined;
 * const plan = notebookPlan(defaults, { env, resultsDir: "/results" });
 * assert.deepEqual(plan.runs, [{ dataset: `${shop}/catalog.csv`, protocol: "items", label: "shop" }]);
 * assert.deepEqual(plan.overrides, { resultsDir: "/results/catalogs/shop" });
 * ```
 * @module
 */

import { statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { resolveConfig } from "../config/mod.ts";
import { resolveCatalogName } from "./load.ts";
import { CatalogError } from "./types.ts";

/** One dataset (or catalog) a notebook prepares, with its protocol. */
export interface NotebookRun {
  /** Dataset name or catalog path (what `prepareProtocol` and `--dataset` take). */
  dataset: string;
  protocol: string;
  /** Short name for tables, figure titles and file names. */
  label: string;
}

/** What a notebook runs on. */
export interface NotebookPlan {
  /** The user catalog from `SETSIM_CATALOG`, or `null` when the notebook runs on its own datasets. */
  catalog: { path: string; name: string; protocol: "items" | "group" } | null;
  /** The runs in order: the catalog alone, or the notebook's defaults unchanged. */
  runs: NotebookRun[];
  /** Spread into `notebookContext` options: with a catalog, `resultsDir` = `<results>/catalogs/<name>`. */
  overrides: { resultsDir?: string };
}

/** Options of {@link notebookPlan}. */
export interface NotebookPlanOptions {
  /** Environment lookup (default `Deno.env.get`). */
  env?: (name: string) => string | undefined;
  /** Results folder the catalog's sub-folder goes under (default: the configured one). */
  resultsDir?: string;
}

/**
 * The notebook's runs: `defaults` unless `SETSIM_CATALOG` names a catalog.
 *
 * @throws {CatalogError} naming the variable when the path does not exist or the protocol is not
 *   `items` or `group`.
 */
export function notebookPlan(
  defaults: readonly NotebookRun[],
  options: NotebookPlanOptions = {},
): NotebookPlan {
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const value = env("SETSIM_CATALOG")?.trim();
  if (!value) return { catalog: null, runs: [...defaults], overrides: {} };
  const protocol = env("SETSIM_CATALOG_PROTOCOL")?.trim() || "items";
  if (protocol !== "items" && protocol !== "group") {
    throw new CatalogError(`SETSIM_CATALOG_PROTOCOL must be items or group, got "${protocol}"`);
  }
  const path = resolveCatalogName(value);
  try {
    statSync(path);
  } catch {
    throw new CatalogError(`SETSIM_CATALOG=${value}: ${path} does not exist (a catalog folder or manifest)`);
  }
  const stem = basename(path, extname(path));
  const name = (["catalog", "manifest"].includes(stem) ? basename(join(path, "..")) : stem).replace(
    /[^\w.-]+/g,
    "_",
  );
  const resultsDir = join(options.resultsDir ?? resolveConfig().resultsDir, "catalogs", name);
  return {
    catalog: { path, name, protocol },
    runs: [{ dataset: path, protocol, label: name }],
    overrides: { resultsDir },
  };
}
