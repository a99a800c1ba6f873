/**
 * Rerun the notebooks on a user catalog: `SETSIM_CATALOG=PATH` (and optionally
 * `SETSIM_CATALOG_PROTOCOL=items|group`, default `items`) replaces a notebook's bundled datasets
 * with the catalog, and sends its outputs to `<results>/catalogs/<name>/` so the committed
 * results are never overwritten.
 *
 * A notebook asks for its plan once and prepares each run:
 *
 * @example
 * ```ts ignore
 * import { notebookPlan } from "../lib/catalog/mod.ts";
 * const plan = notebookPlan([{ dataset: "coil100", protocol: "unordered", label: "coil100" }]);
 * const nb = notebookContext("04-recursive-matching", { seed: 0, ...plan.overrides });
 * const [first] = plan.runs;
 * const prepared = await prepareProtocol({ dataset: first.dataset, protocol: first.protocol, seed: nb.seed });
 * if (!plan.catalog) { ... the notebook's further bundled datasets (grocery) ... }
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
