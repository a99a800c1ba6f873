/**
 * The on-disk layout of a setsim index and its reader.
 *
 * An index folder holds a LanceDB database with two tables and one small JSON manifest:
 *
 * | file / table          | one row per | columns                                                       |
 * | --------------------- | ----------- | ------------------------------------------------------------- |
 * | `images.lance`        | image       | item_id, image, path, hash, size, mtime_ms, position, vector, title, category, group, metadata columns |
 * | `items.lance`         | item        | item_id, image_count, title, category, group, metadata columns, metadata (JSON), centroid, text_vector? |
 * | `setsim-index.json`   | —           | model, fingerprint, dim, text model, **the committed table versions**, counts, failures |
 *
 * Lance tables are versioned: every write (add, delete) makes a new version, atomically. A build
 * runs several writes, so the manifest is the commit point: it is replaced atomically (write a
 * temporary file, fsync, rename) only after every table write succeeded, and it names the table
 * versions that belong together. Readers check those versions out, so they never see a half-written
 * index, and a build that dies mid-way leaves the last good versions readable (the next build
 * restores them before it writes). The tables are plain Lance datasets: Python (`lancedb`,
 * `pylance`), DuckDB and Spark read them directly.
 * @module
 */

import type { VectorFileManifest } from "./vector_file.ts";
import type { ShortlistPartsEntry } from "./shortlist_parts.ts";
import { basename, dirname, join } from "node:path";
import "./quiet.ts";
import * as lancedb from "@lancedb/lancedb";
import { writeFileAtomic } from "../io/mod.ts";

/** File name of the manifest inside an index folder. */
export const MANIFEST_FILE = "setsim-index.json";
/** Version of the index layout; a reader refuses other versions. */
export const INDEX_FORMAT = 1;
/** Table of per-image rows. */
export const IMAGES_TABLE = "images";
/** Table of per-item rows. */
export const ITEMS_TABLE = "items";

/** Columns every table has (metadata columns must not reuse these names). */
export const RESERVED_COLUMNS: readonly string[] = [
  "item_id",
  "image",
  "path",
  "hash",
  "size",
  "mtime_ms",
  "position",
  "vector",
  "title",
  "category",
  "group",
  "image_count",
  "metadata",
  "centroid",
  "centroid_sketch",
  "text_vector",
  "_distance",
  "_rowid",
];

/** One image that could not be embedded by the last build. */
export interface IndexFailure {
  /** The item of the image. */
  item_id: string;
  /** The image, as stored (relative to the catalog root). */
  image: string;
  /** Why it could not be embedded. */
  reason: string;
}

/** The manifest: what the index holds and which table versions form the committed state. */
export interface IndexManifest {
  /** Layout version ({@link INDEX_FORMAT}). */
  format: number;
  /** Catalog name and root folder at the last build. */
  catalog: { name: string; root: string };
  /** Image model name and fingerprint (model + preprocessing); queries must be embedded the same way. */
  model: string;
  /** The image model's fingerprint. */
  fingerprint: string;
  /** Values per image vector. */
  dim: number;
  /** Text model for titles (absent when no item has a title or text was switched off). */
  textModel?: string;
  /** Values per title vector. */
  textDim?: number;
  /** Metadata columns (beyond title/category/group) present in both tables, in order. */
  metadataColumns: string[];
  /** The committed version of each table. */
  versions: { images: number; items: number };
  /** Items and images indexed. */
  counts: { items: number; images: number };
  /** Images of the catalog that failed to embed (their items are indexed with the rest). */
  failures: IndexFailure[];
  /** ISO time of the commit. */
  committedAt: string;
  /** The items' `centroid_sketch` column: centroids projected to `dim` values (see `sketch.ts`). */
  sketch?: { dim: number; seed: number };
  /** Vector indexes built on the tables, by column (`images.vector`, `items.centroid`). */
  vectorIndexes?: string[];
  /** The memory-mapped copy of the image vectors with PCA codes (`vector_file.ts`); absent in older indexes. */
  vectorFile?: VectorFileManifest;
  /** The stored centroid sketches and FDE encodings (`shortlist_parts.ts`); absent in older indexes. */
  shortlists?: ShortlistPartsEntry;
}

/** An index folder that is missing, unreadable or of another format. */
export class IndexError extends Error {
  override name = "IndexError";
  /** Exit code for CLIs: bad input. */
  exitCode = 2;
}

/**
 * What to run when the tables or the manifest of the index in `dir` are damaged: a rebuild from the
 * catalog (`catalogRoot` when known, else the placeholder CATALOG), which never reads the damage.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rebuildAdvice } from "./store.ts";
 * assert.equal(rebuildAdvice("shop.index"), "run deno task index CATALOG --index shop.index --rebuild");
 * ```
 */
export function rebuildAdvice(dir: string, catalogRoot?: string): string {
  return `run deno task index ${catalogRoot ?? "CATALOG"} --index ${dir} --rebuild`;
}

/**
 * An error of the Lance tables (a deleted version or data file, a corrupt fragment) as an
 * {@link IndexError} that says what to run; errors that are already an `IndexError` pass unchanged.
 */
export function tableDamage(dir: string, what: string, error: unknown, catalogRoot?: string): Error {
  if (error instanceof IndexError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new IndexError(
    `${dir}: ${what} failed, the index tables are damaged (${message.split("\n")[0]}); ${
      rebuildAdvice(dir, catalogRoot)
    }`,
  );
}

/**
 * Whether a LanceDB error says that stored data is missing or unreadable (a deleted data file or
 * version, an I/O error), as opposed to a bad query (a filter naming an unknown column).
 */
export function isStorageError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /lance error: (not found|io error|corrupt)|object at location .* not found|no such file/i.test(
    message,
  );
}

/** Read the manifest of `dir`, or `undefined` when there is none yet. */
export async function readManifest(dir: string): Promise<IndexManifest | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, MANIFEST_FILE));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new IndexError(
      `${join(dir, MANIFEST_FILE)}: cannot read (${(error as Error).message}); ${rebuildAdvice(dir)}`,
    );
  }
  let manifest: IndexManifest;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new IndexError(
      `${join(dir, MANIFEST_FILE)}: not valid JSON (${(error as Error).message}); ${rebuildAdvice(dir)}`,
    );
  }
  if (manifest?.format !== INDEX_FORMAT) {
    throw new IndexError(
      `${join(dir, MANIFEST_FILE)}: index format ${manifest?.format}, this setsim reads ${INDEX_FORMAT}; ${
        rebuildAdvice(dir)
      }`,
    );
  }
  if (
    typeof manifest !== "object" || manifest === null || typeof manifest.versions?.images !== "number" ||
    typeof manifest.versions?.items !== "number" || typeof manifest.counts?.items !== "number" ||
    typeof manifest.dim !== "number" || !Array.isArray(manifest.failures)
  ) {
    throw new IndexError(
      `${
        join(dir, MANIFEST_FILE)
      }: not a setsim index manifest (versions, counts, dim or failures missing); ${rebuildAdvice(dir)}`,
    );
  }
  return manifest;
}

/** Commit: replace the manifest atomically. */
export async function writeManifest(dir: string, manifest: IndexManifest): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
}

/** Quote a string as an SQL literal for Lance filters. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Quote a column name for Lance filters (backticks; `group` is an SQL keyword). */
export function sqlColumn(name: string): string {
  return "`" + name.replaceAll("`", "``") + "`";
}

/** `item_id IN (...)` filters, split so that no single filter gets huge. */
export function itemIdFilters(ids: readonly string[], chunk = 500): string[] {
  const filters: string[] = [];
  for (let k = 0; k < ids.length; k += chunk) {
    filters.push(`item_id IN (${ids.slice(k, k + chunk).map(sqlString).join(", ")})`);
  }
  return filters;
}

/** A committed index opened for reading: both tables checked out at the manifest's versions. */
export interface IndexReader {
  /** The index folder. */
  dir: string;
  /** The committed manifest the tables were opened at. */
  manifest: IndexManifest;
  /** The LanceDB connection. */
  db: lancedb.Connection;
  /** The images table, checked out at the committed version. */
  images: lancedb.Table;
  /** The items table, checked out at the committed version. */
  items: lancedb.Table;
  /** Close both tables and the connection. */
  close(): void;
}

/** Options of {@link openIndex}. */
export interface OpenIndexOptions {
  /** A test hook: called after each read of the manifest, before its tables are opened. */
  onManifestRead?: () => void | Promise<void>;
  /** How long to wait for the manifest while an `index --rebuild` swaps files in (default {@link SWAP_WAIT_MS}). */
  swapWaitMs?: number;
}

/**
 * How long a reader waits for the manifest while an `index --rebuild` moves its files into place
 * (renames in one folder: milliseconds, unless the machine is very busy).
 */
export const SWAP_WAIT_MS = 3000;

/**
 * Open the committed state of the index in `dir` for reading: the manifest, then both tables at its
 * versions. A build or `index --rebuild` may commit meanwhile: when the manifest changed while the
 * tables were being opened, the reader starts again once on the new one (so it never pairs an old
 * manifest with new tables, nor blames the tables for a swap); while a rebuild's swap has taken
 * the manifest away, it waits up to {@link SWAP_WAIT_MS} for the new one.
 */
export async function openIndex(dir: string, options: OpenIndexOptions = {}): Promise<IndexReader> {
  for (let attempt = 0;; attempt++) {
    const manifest = await manifestDuringSwap(dir, options.swapWaitMs ?? SWAP_WAIT_MS);
    await options.onManifestRead?.();
    let reader: IndexReader;
    try {
      reader = await openTables(dir, manifest);
    } catch (error) {
      if (!await manifestChanged(dir, manifest)) throw error;
      if (attempt === 0) continue;
      throw changedWhileOpening(dir);
    }
    if (!await manifestChanged(dir, manifest)) return reader;
    reader.close();
    if (attempt > 0) throw changedWhileOpening(dir);
  }
}

function changedWhileOpening(dir: string): IndexError {
  return new IndexError(
    `${dir}: the index was replaced twice while it was being opened (a build or index --rebuild is ` +
      `committing); retry when it has finished`,
  );
}

/** Whether the manifest of `dir` is no longer `manifest` (replaced, removed or unreadable). */
async function manifestChanged(dir: string, manifest: IndexManifest): Promise<boolean> {
  const now = await readManifest(dir).catch(() => undefined);
  return now === undefined || JSON.stringify(now) !== JSON.stringify(manifest);
}

/**
 * The manifest of `dir`. Missing while a rebuild swaps files in (`build.ts` moves the old manifest
 * out first and the new one in last, beside a `<dir>.replaced-<pid>` folder): wait for it.
 */
async function manifestDuringSwap(dir: string, waitMs: number): Promise<IndexManifest> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    const manifest = await readManifest(dir);
    if (manifest !== undefined) return manifest;
    const swap = await swapInProgress(dir);
    if (swap === undefined) {
      throw new IndexError(`${dir}: not a setsim index (no ${MANIFEST_FILE}); build it with deno task index`);
    }
    if (performance.now() >= deadline) {
      throw new IndexError(
        `${dir}: an index --rebuild is replacing this index (${swap} exists, ${MANIFEST_FILE} not yet in ` +
          `place); retry when it has finished (if no rebuild is running, it was interrupted: ${
            rebuildAdvice(dir)
          })`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The `<dir>.replaced-<pid>` folder of a rebuild swapping files into `dir`, if there is one. */
async function swapInProgress(dir: string): Promise<string | undefined> {
  const prefix = `${basename(dir)}.replaced-`;
  try {
    for await (const entry of Deno.readDir(dirname(dir))) {
      if (entry.name.startsWith(prefix)) return join(dirname(dir), entry.name);
    }
  } catch {
    // No parent folder: no swap either.
  }
  return undefined;
}

/** Both tables of `manifest`, checked out at its versions. */
async function openTables(dir: string, manifest: IndexManifest): Promise<IndexReader> {
  const db = await lancedb.connect(dir);
  const opened: lancedb.Table[] = [];
  const open = async (name: string, version: number) => {
    try {
      const table = await db.openTable(name);
      opened.push(table);
      await table.checkout(version);
      return table;
    } catch (error) {
      throw tableDamage(dir, `opening table ${name} at version ${version}`, error, manifest.catalog?.root);
    }
  };
  try {
    const images = await open(IMAGES_TABLE, manifest.versions.images);
    const items = await open(ITEMS_TABLE, manifest.versions.items);
    return {
      dir,
      manifest,
      db,
      images,
      items,
      close() {
        images.close();
        items.close();
        db.close();
      },
    };
  } catch (error) {
    for (const table of opened) table.close();
    db.close();
    throw error;
  }
}
