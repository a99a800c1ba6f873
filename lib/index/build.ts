/**
 * Build or update an index from a catalog, incrementally and crash-safely, in named steps, each a
 * function with a typed result (tests call them directly); `buildIndex` runs them in order:
 *
 * 0. {@link openCommitted}: the manifest and the committed rows; a changed model, dimension, text
 *    model or set of metadata columns makes the build full.
 * 1. {@link scanImages}: stat every image; hash only files whose size or mtime changed.
 * 2. {@link classifyItems}: an item is unchanged when its image list (keys and content hashes, in
 *    order), title, category, group and metadata equal the committed ones; the rest is added,
 *    changed or removed.
 * 3. {@link embedImages} / {@link embedTitles}: vectors of content already in the index are reused;
 *    only new content is embedded (through the embedding cache, in chunks, so a killed build's
 *    finished chunks are cache hits on the rerun). Then the shrink guard: a build that would keep no
 *    item, or fewer than {@link MAX_SHRINK_SHARE} of the last commit's, stops here unless allowed.
 * 4. {@link writeTables}: delete the stale items' rows, add the new rows (each a new Lance
 *    version), check the row counts.
 * 5. {@link deriveVectorFile}: the memory-mapped vector file, verified and rewritten from the tables
 *    when damaged.
 * 6. {@link commitBuild}: replace the manifest atomically (see `store.ts`). A build that dies
 *    before the commit leaves the previous commit readable; the next build restores the tables to
 *    it and redoes the difference.
 *
 * One writer at a time: lib/io's `flock` on a lock file in the index folder.
 * @module
 */

import { isAbsolute, join, relative } from "node:path";
import "./quiet.ts";
import * as lancedb from "@lancedb/lancedb";
import { createProgress } from "../progress/mod.ts";
import { mapLimited } from "../workers/limit.ts";
import { unitCentroid } from "../matching/centroid.ts";
import { withDirLocks } from "../io/mod.ts";
import { syncDir } from "../io/commit.ts";
import {
  arrow,
  int32Column,
  numberColumn,
  readColumn,
  readVectorColumn,
  stringColumn,
  vectorColumn,
} from "./arrow.ts";
import type { IndexCatalog, IndexCatalogItem } from "./catalog.ts";
import { projectRows, SKETCH_DIM, SKETCH_SEED } from "./sketch.ts";
import { removeSpills, RowSpill, SPILL_PREFIX } from "./row_spill.ts";
import {
  meanOfSource,
  removeStaleShortlistParts,
  ShortlistParts,
  type ShortlistPartsEntry,
  vectorFileSource,
  writeShortlistParts,
} from "./shortlist_parts.ts";
import {
  removeStaleVectorFiles,
  tableRows,
  VECTOR_COMPACT_RATIO,
  VECTOR_MAX_SEGMENTS,
  VectorFile,
  type VectorFileManifest,
  type VectorRows,
  writeVectorFile,
} from "./vector_file.ts";
import { DEFAULT_VECTOR_INDEX_MIN_IMAGES, vectorIndexConfig, type VectorIndexOptions } from "./ann.ts";
import { FILE_SYSTEM, type ImageEmbedder, type ImageFiles, type TextEmbedder } from "./embedders.ts";
import {
  IMAGES_TABLE,
  INDEX_FORMAT,
  IndexError,
  type IndexFailure,
  type IndexManifest,
  itemIdFilters,
  ITEMS_TABLE,
  MANIFEST_FILE,
  readManifest,
  RESERVED_COLUMNS,
  tableDamage,
  writeManifest,
} from "./store.ts";

/** Rows of the images table written per Lance append (and copied per vector-file batch). */
export const IMAGE_WRITE_CHUNK_ROWS = 50_000;

/** Files stat-ed and hashed at once by the scan (I/O-bound; `mapLimited`). */
const SCAN_CONCURRENCY = 8;

/**
 * A build that would drop more than this share of the last commit's items fails (and keeps the last
 * commit) unless `allowShrink`: a catalog whose images all fail to decode, or a mounted folder that
 * went missing, must not replace a good index by an empty one.
 */
export const MAX_SHRINK_SHARE = 0.5;

/** Points of a build where tests inject faults (`onPhase`). */
export type BuildPhase =
  | "scanned"
  | "embedded-chunk"
  | "images-written"
  | "items-written"
  | "vector-file-written"
  | "committed"
  /** `--rebuild` only: the old files are out, the new ones not yet in (the manifest is absent). */
  | "swapping";

/** Options of {@link buildIndex}. */
export interface BuildOptions {
  /** The image embedder (see `loadImageEmbedder`). */
  embedder: ImageEmbedder;
  /** Titles' embedder; omit to index without text vectors. Loaded lazily only if some title must be embedded. */
  textEmbedder?: TextEmbedder | (() => Promise<TextEmbedder>);
  /** Name of the text model (recorded in the manifest; a change rebuilds). Default: the embedder's. */
  textModel?: string;
  /** File access (default: the real file system). */
  files?: ImageFiles;
  /** Images per embedding chunk (default 256). */
  chunkSize?: number;
  /** Progress on stderr (default true). */
  progress?: boolean;
  /** Rows from which a vector-file segment gets inverted lists (default `VECTOR_IVF_MIN_ROWS`; tests make it small). */
  vectorIvfMinRows?: number;
  /** Rows per images-table append (default {@link IMAGE_WRITE_CHUNK_ROWS}; tests make it small). */
  writeChunkRows?: number;
  /** Called at each phase; a test hook for faults. */
  onPhase?: (phase: BuildPhase) => void | Promise<void>;
  /**
   * Build an approximate vector index on `images.vector` and `items.centroid` when the index holds
   * at least this many images (default {@link DEFAULT_VECTOR_INDEX_MIN_IMAGES}; below it the exact
   * flat search is used; `Infinity` = never).
   */
  vectorIndexMinImages?: number;
  /** Start afresh from the catalog, reading nothing of the existing index (`index --rebuild`). */
  rebuild?: boolean;
  /**
   * Commit even when the build keeps fewer than {@link MAX_SHRINK_SHARE} of the last commit's items,
   * or none (`index --allow-shrink`).
   */
  allowShrink?: boolean;
  /**
   * Options of the vector index when one is built: `kind` "ivf_pq" (LanceDB `Index.ivfPq`, the
   * default) or "ivf_hnsw_sq" (`Index.hnswSq`); see `lib/index/ann.ts`.
   */
  vectorIndex?: VectorIndexOptions;
}

/** What a build did. */
export interface BuildReport {
  /** The index folder. */
  dir: string;
  /** Items the index holds after the build. */
  items: number;
  /** Images the index holds after the build. */
  images: number;
  /** Items new to the index. */
  added: string[];
  /** Items whose images, title or metadata changed (written again). */
  changed: string[];
  /** Items no longer in the catalog (their rows deleted). */
  removed: string[];
  /** Items kept as they were. */
  unchanged: number;
  /** Images whose vectors were computed by the embedder (cache hits included). */
  embedded: number;
  /** Embedded vectors that came from the embedding cache. */
  cacheHits: number;
  /** Images whose vectors were reused from the index. */
  reused: number;
  /** Files hashed (new or touched since the last build). */
  hashed: number;
  /** Whole index rewritten (first build, or model/columns changed). */
  full: boolean;
  /** Images that could not be embedded (their items are indexed with the rest). */
  failures: IndexFailure[];
  /** Derived structures found damaged and written again from the tables. */
  repaired: string[];
  /** Items left out because none of their images could be embedded. */
  skippedItems: string[];
  /** The committed table versions. */
  versions: { images: number; items: number };
  /** Where the time went, seconds. */
  seconds: { scan: number; embed: number; write: number; total: number };
}

/** One readable image of the catalog as the scan found it. */
export interface ImageEntry {
  image: string;
  path: string;
  size: number;
  mtimeMs: number;
  hash: string;
}

/** One committed image row. */
export interface OldImage {
  image: string;
  hash: string;
  size: number;
  mtimeMs: number;
  position: number;
}

/** One committed item: its images in position order and what else must be equal. */
export interface OldItem {
  images: OldImage[];
  signature: string;
  title: string | null;
}

/** Stringify a metadata value for a Utf8 column. */
function metadataText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The metadata columns of a catalog: every key, minus reserved names (kept under `meta_<key>`). */
export function metadataColumnsOf(items: readonly IndexCatalogItem[]): { column: string; key: string }[] {
  const keys = new Set<string>();
  for (const item of items) for (const key of Object.keys(item.metadata ?? {})) keys.add(key);
  return [...keys].sort().map((key) => ({
    key,
    column: RESERVED_COLUMNS.includes(key) ? `meta_${key}` : key,
  }));
}

/** The item's metadata as canonical JSON (keys sorted, values as stored). */
export function metadataJson(item: IndexCatalogItem): string {
  return JSON.stringify(Object.fromEntries(
    Object.entries(item.metadata ?? {}).sort(([a], [b]) => a.localeCompare(b)).map((
      [k, v],
    ) => [k, metadataText(v)]),
  ));
}

/** What must be equal for an item to count as unchanged (besides its images). */
function signatureOf(
  title: string | null | undefined,
  category: string | null | undefined,
  group: string | null | undefined,
  metadata: string,
): string {
  return JSON.stringify([title ?? null, category ?? null, group ?? null, metadata]);
}

function itemSignature(item: IndexCatalogItem): string {
  return signatureOf(item.title, item.category, item.group, metadataJson(item));
}

/** How an image is named in the index: its path relative to the catalog root (absolute when outside it). */
export function imageKeyOf(root: string, path: string): string {
  const rel = relative(root, path);
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

/** The writer lock's file inside an index folder (flocked by a build; its content means nothing). */
export const LOCK_FILE = ".setsim-index.lock";

/**
 * Run `work` holding the index folder's writer lock: lib/io's `flock` on {@link LOCK_FILE}, which the
 * kernel releases when the holder dies, so neither a crashed build nor a reused PID can leave it
 * stuck; a second build waits for the first to finish.
 */
async function withWriterLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const path = join(dir, LOCK_FILE);
  await Deno.writeFile(path, new Uint8Array(0), { append: true });
  return await withDirLocks([path], work);
}

async function tableNames(db: lancedb.Connection): Promise<Set<string>> {
  return new Set(await db.tableNames());
}

/** Open `name` and make the committed `version` its latest (dropping writes of a build that died). */
async function openAtCommitted(
  db: lancedb.Connection,
  name: string,
  version: number,
): Promise<lancedb.Table> {
  const table = await db.openTable(name);
  if (await table.version() !== version) {
    await table.checkout(version);
    await table.restore();
  }
  return table;
}

/**
 * Build (first run) or update (later runs) the index in `dir` from `catalog`. Returns what changed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildIndex, loadImageEmbedder } from "./mod.ts";
 * import { buildExampleCatalog } from "../catalog/mod.ts";
 * const dir = await Deno.makeTempDir();
 * const { catalog } = await buildExampleCatalog(`${dir}/shop`);
 * const embedder = await loadImageEmbedder();
 * const first = await buildIndex(catalog, `${dir}/shop.index`, { embedder });
 * assert.deepEqual([first.added.length, first.changed.length, first.removed.length], [20, 0, 0]);
 * // Nothing changed: the second build embeds nothing.
 * const again = await buildIndex(catalog, `${dir}/shop.index`, { embedder });
 * assert.deepEqual([again.added.length, again.changed.length, again.removed.length, again.embedded], [0, 0, 0, 0]);
 * await embedder.dispose?.();
 * ```
 */
export async function buildIndex(
  catalog: IndexCatalog,
  dir: string,
  options: BuildOptions,
): Promise<BuildReport> {
  await Deno.mkdir(dir, { recursive: true });
  if (options.rebuild) return await withWriterLock(dir, () => rebuildLocked(catalog, dir, options));
  return await withWriterLock(dir, () => buildLocked(catalog, dir, options, undefined));
}

/**
 * `--rebuild`: build afresh from the catalog in a sibling folder (same file system), then move its
 * files into `dir` in place of the old ones; whatever state `dir` was in (damaged tables, a bad
 * manifest) is neither read nor lost before the fresh build has succeeded. The lock file stays in
 * `dir` throughout, so a build waiting on it runs after the swap, on the new index.
 */
async function rebuildLocked(
  catalog: IndexCatalog,
  dir: string,
  options: BuildOptions,
): Promise<BuildReport> {
  const fresh = `${dir}.rebuild-${Deno.pid}`;
  const replaced = `${dir}.replaced-${Deno.pid}`;
  await Deno.remove(fresh, { recursive: true }).catch(() => {});
  // The shrink guard still compares with the last commit when its manifest can be read.
  const baseline = await readManifest(dir).then((m) => m?.counts.items, () => undefined);
  try {
    await Deno.mkdir(fresh);
    const report = await buildLocked(catalog, fresh, options, baseline);
    await swapIn(fresh, dir, replaced, options.onPhase);
    return { ...report, dir };
  } finally {
    await Deno.remove(fresh, { recursive: true }).catch(() => {});
    await Deno.remove(replaced, { recursive: true }).catch(() => {});
  }
}

/**
 * Replace the index files of `dir` by those of `fresh`. The manifest leaves first and arrives last,
 * so a reader in between finds no manifest, never old and new files mixed: it waits for the new
 * manifest (the `replaced` folder says a swap is under way), and one that read the old manifest
 * just before starts again on the new one (`openIndex`).
 */
async function swapIn(
  fresh: string,
  dir: string,
  replaced: string,
  onPhase: BuildOptions["onPhase"],
): Promise<void> {
  await Deno.mkdir(replaced, { recursive: true });
  await Deno.rename(join(dir, MANIFEST_FILE), join(replaced, MANIFEST_FILE)).catch(() => {});
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name !== LOCK_FILE) await Deno.rename(join(dir, entry.name), join(replaced, entry.name));
  }
  await onPhase?.("swapping");
  for await (const entry of Deno.readDir(fresh)) {
    if (entry.name !== MANIFEST_FILE) await Deno.rename(join(fresh, entry.name), join(dir, entry.name));
  }
  await syncDir(dir);
  await Deno.rename(join(fresh, MANIFEST_FILE), join(dir, MANIFEST_FILE));
  await syncDir(dir);
}

async function buildLocked(
  catalog: IndexCatalog,
  dir: string,
  options: BuildOptions,
  /** Items of the last commit, when `dir` is a fresh folder replacing an index (the shrink guard's baseline). */
  baseline: number | undefined,
): Promise<BuildReport> {
  const t0 = performance.now();
  const onPhase = options.onPhase ?? (() => {});
  const db = await lancedb.connect(dir);
  let state: CommittedState | undefined;
  let tables: TablesResult | undefined;
  let rows: ImageRowsResult | undefined;
  try {
    await removeSpills(dir);
    state = await openCommitted(db, dir, catalog, options);
    const scan = await scanImages(catalog, state.old, options);
    await onPhase("scanned");
    const classes = classifyItems(catalog, scan.entries, state.old);
    rows = await embedImages(state, classes, { ...options, spillDir: dir });
    const failures = [...scan.failures, ...rows.failures, ...keptFailures(state, catalog, classes)];
    checkShrink(dir, {
      kept: classes.unchanged + rows.written.length,
      before: baseline ?? state.manifest?.counts.items ?? 0,
      catalogItems: catalog.items.length,
      failures,
      allowShrink: options.allowShrink === true,
    });
    const titles = await embedTitles(state, rows, options);
    const embedSeconds = (performance.now() - rows.start) / 1000;
    const writeStart = performance.now();
    tables = await writeTables(db, state, classes, rows, titles, options);
    const derived = await deriveVectorFile(dir, state, rows, tables, options);
    await onPhase("vector-file-written");
    const parts = await deriveShortlistParts(dir, state, tables, derived);
    derived.repaired.push(...parts.repaired);
    const writeSeconds = (performance.now() - writeStart) / 1000;
    failures.sort((a, b) => a.item_id.localeCompare(b.item_id) || a.image.localeCompare(b.image));
    await commitBuild(dir, catalog, options.embedder, {
      state,
      titles,
      tables,
      derived,
      shortlists: parts.entry,
      failures,
    });
    await onPhase("committed");
    return {
      dir,
      ...tables.counts,
      ...{ added: classes.added, changed: classes.changed, removed: classes.removed },
      unchanged: classes.unchanged,
      embedded: rows.embedded,
      cacheHits: rows.cacheHits,
      reused: rows.reused,
      hashed: scan.hashed,
      full: state.full,
      failures,
      repaired: derived.repaired,
      skippedItems: rows.skippedItems,
      versions: tables.versions,
      seconds: {
        scan: scan.seconds,
        embed: embedSeconds,
        write: writeSeconds,
        total: (performance.now() - t0) / 1000,
      },
    };
  } finally {
    rows?.close();
    (tables?.imagesTable ?? state?.imagesTable)?.close();
    (tables?.itemsTable ?? state?.itemsTable)?.close();
    db.close();
  }
}

/** The last commit as an incremental build sees it (step 0 of {@link buildIndex}). */
export interface CommittedState {
  manifest: IndexManifest | undefined;
  /** The whole index is written again: first build, or model, text model, columns or sketch changed. */
  full: boolean;
  /** The text model of this build (undefined: no titles, or text switched off). */
  textModel: string | undefined;
  /** The catalog's metadata columns. */
  columns: { column: string; key: string }[];
  /** Per committed item: its images in position order and its signature. */
  old: Map<string, OldItem>;
  /** The tables checked out at the committed versions (absent for a full build). */
  imagesTable?: lancedb.Table;
  itemsTable?: lancedb.Table;
}

/** Read the manifest and the committed rows; decide whether this build is full. */
export async function openCommitted(
  db: lancedb.Connection,
  dir: string,
  catalog: IndexCatalog,
  options: Pick<BuildOptions, "embedder" | "textEmbedder" | "textModel">,
): Promise<CommittedState> {
  const seen = new Set<string>();
  for (const item of catalog.items) {
    if (seen.has(item.id)) throw new IndexError(`catalog ${catalog.name}: duplicate item id "${item.id}"`);
    seen.add(item.id);
  }
  const { embedder } = options;
  const manifest = await readManifest(dir);
  const columns = metadataColumnsOf(catalog.items);
  const hasTitles = catalog.items.some((item) => (item.title ?? "").trim() !== "");
  const textModel = hasTitles && options.textEmbedder !== undefined
    ? options.textModel ?? (typeof options.textEmbedder === "object" ? options.textEmbedder.model : "use")
    : undefined;
  const existing = await tableNames(db);
  const full = manifest === undefined || manifest.fingerprint !== embedder.fingerprint ||
    manifest.dim !== embedder.dim || manifest.textModel !== textModel ||
    JSON.stringify(manifest.metadataColumns) !== JSON.stringify(columns.map((c) => c.column)) ||
    !existing.has(IMAGES_TABLE) || !existing.has(ITEMS_TABLE) ||
    manifest.sketch?.dim !== SKETCH_DIM || manifest.sketch?.seed !== SKETCH_SEED;
  const state: CommittedState = { manifest, full, textModel, columns, old: new Map() };
  if (full) return state;
  try {
    state.imagesTable = await openAtCommitted(db, IMAGES_TABLE, manifest!.versions.images);
    state.itemsTable = await openAtCommitted(db, ITEMS_TABLE, manifest!.versions.items);
    const imageRows = await state.imagesTable.query()
      .select(["item_id", "image", "hash", "size", "mtime_ms", "position"]).toArrow();
    const itemRows = await state.itemsTable.query()
      .select(["item_id", "title", "category", "group", "metadata"]).toArrow();
    const titles = readColumn<string | null>(itemRows, "title");
    const categories = readColumn<string | null>(itemRows, "category");
    const groups = readColumn<string | null>(itemRows, "group");
    const metadata = readColumn<string>(itemRows, "metadata");
    readColumn<string>(itemRows, "item_id").forEach((id, r) =>
      state.old.set(id, {
        images: [],
        signature: signatureOf(titles[r], categories[r], groups[r], metadata[r]),
        title: titles[r],
      })
    );
    const images = readColumn<string>(imageRows, "image");
    const hashes = readColumn<string>(imageRows, "hash");
    const sizes = readColumn<number>(imageRows, "size");
    const mtimes = readColumn<number>(imageRows, "mtime_ms");
    const positions = readColumn<number>(imageRows, "position");
    readColumn<string>(imageRows, "item_id").forEach((id, r) => {
      state.old.get(id)?.images.push({
        image: images[r],
        hash: hashes[r],
        size: Number(sizes[r]),
        mtimeMs: Number(mtimes[r]),
        position: positions[r],
      });
    });
    for (const entry of state.old.values()) entry.images.sort((a, b) => a.position - b.position);
  } catch (error) {
    state.imagesTable?.close();
    state.itemsTable?.close();
    throw tableDamage(dir, "reading the last commit", error, manifest?.catalog.root);
  }
  return state;
}

/** What {@link scanImages} found. */
export interface ScanResult {
  /** Per item, its readable images in catalog order (unreadable ones are in `failures`). */
  entries: Map<string, ImageEntry[]>;
  failures: IndexFailure[];
  /** Files hashed (new, or size or modification time changed). */
  hashed: number;
  seconds: number;
}

/** Step 1, scan: stat every image; hash only the new ones and those whose size or mtime changed. */
export async function scanImages(
  catalog: IndexCatalog,
  old: ReadonlyMap<string, OldItem>,
  options: Pick<BuildOptions, "files" | "progress"> = {},
): Promise<ScanResult> {
  const start = performance.now();
  const files = options.files ?? FILE_SYSTEM;
  const failures: IndexFailure[] = [];
  const found = new Map<string, (ImageEntry | undefined)[]>();
  const flat: { item: IndexCatalogItem; path: string; k: number }[] = [];
  for (const item of catalog.items) {
    found.set(item.id, new Array(item.images.length));
    item.images.forEach((path, k) => flat.push({ item, path, k }));
  }
  const progress = createProgress({
    label: "index: scan",
    total: flat.length,
    silent: !(options.progress ?? true),
  });
  type Scanned = { entry: ImageEntry; hashed: boolean } | { failure: IndexFailure };
  const scanned = await mapLimited(flat, SCAN_CONCURRENCY, async ({ item, path }): Promise<Scanned> => {
    const image = imageKeyOf(catalog.root, path);
    try {
      const { size, mtimeMs } = await files.stat(path);
      const before = old.get(item.id)?.images.find((o) => o.image === image);
      const reused = before !== undefined && before.size === size && before.mtimeMs === mtimeMs;
      const hash = reused ? before.hash : await files.hash(path);
      return { entry: { image, path, size, mtimeMs, hash }, hashed: !reused };
    } catch (error) {
      return { failure: { item_id: item.id, image, reason: `cannot read (${(error as Error).message})` } };
    } finally {
      progress.tick();
    }
  });
  progress.done();
  // Results in catalog order (whatever finished first), so the step's failures are too.
  let hashed = 0;
  scanned.forEach((result, n) => {
    if ("failure" in result) failures.push(result.failure);
    else {
      found.get(flat[n].item.id)![flat[n].k] = result.entry;
      if (result.hashed) hashed++;
    }
  });
  const entries = new Map([...found].map(([id, list]) => [id, list.filter((e) => e !== undefined)]));
  return { entries, failures, hashed, seconds: (performance.now() - start) / 1000 };
}

/** What {@link classifyItems} decided. */
export interface Classification {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: number;
  /** The added and changed items, with their readable images: what the build writes. */
  todo: { item: IndexCatalogItem; images: ImageEntry[] }[];
}

/**
 * Step 2, classify: an item is unchanged when its images (keys and content hashes, in order, all
 * readable), title, category, group and metadata equal the committed ones. Pure.
 */
export function classifyItems(
  catalog: IndexCatalog,
  entries: ReadonlyMap<string, ImageEntry[]>,
  old: ReadonlyMap<string, OldItem>,
): Classification {
  const result: Classification = { added: [], changed: [], removed: [], unchanged: 0, todo: [] };
  const ids = new Set<string>();
  for (const item of catalog.items) {
    ids.add(item.id);
    const now = entries.get(item.id) ?? [];
    const before = old.get(item.id);
    const same = before !== undefined && before.signature === itemSignature(item) &&
      before.images.length === now.length && now.length === item.images.length &&
      before.images.every((o, k) => o.image === now[k].image && o.hash === now[k].hash);
    if (same) result.unchanged++;
    else {
      (before === undefined ? result.added : result.changed).push(item.id);
      result.todo.push({ item, images: now });
    }
  }
  for (const id of old.keys()) if (!ids.has(id)) result.removed.push(id);
  return result;
}

/** The rows a build writes, from {@link embedImages}. */
export interface ImageRowsResult {
  /** Per image row (parallel arrays; the vectors in a spill file, row r = row r of the arrays). */
  rows: {
    item_id: string[];
    image: string[];
    hash: string[];
    size: number[];
    mtime: number[];
    position: number[];
    /** The rows' vectors, spilled to a temporary file and read back in chunks. */
    vectors: RowSpill;
    owner: IndexCatalogItem[];
  };
  /** The items written, with their image counts (row w of `centroids` is written item w's unit centroid). */
  written: { item: IndexCatalogItem; count: number }[];
  /** The written items' unit centroids, spilled like the vectors. */
  centroids: RowSpill;
  /** Titles' vectors of the replaced items, by title (reused instead of embedded again). */
  oldTitleVectors: Map<string, Float32Array>;
  /** Images that could not be embedded. */
  failures: IndexFailure[];
  skippedItems: string[];
  embedded: number;
  cacheHits: number;
  reused: number;
  /** When embedding started (performance.now()). */
  start: number;
  /** Remove the spill files (the build calls it when done, committed or not). */
  close(): void;
}

/**
 * Step 3, embed: reuse the vectors the index has (by content hash), embed the rest in chunks (a
 * killed build's finished chunks are embedding-cache hits on the rerun), and assemble the rows.
 * Items are taken in catalog order and each chunk's rows go to a spill file in `spillDir` (default:
 * the system's temporary folder) as soon as it is embedded, so the build holds one chunk of
 * vectors, not all of them (10^6 × 1792 floats are 7 GB); content met again is read back by row.
 */
export async function embedImages(
  state: CommittedState,
  classes: Classification,
  options: Pick<BuildOptions, "embedder" | "chunkSize" | "progress" | "onPhase"> & { spillDir?: string },
): Promise<ImageRowsResult> {
  const { embedder } = options;
  const chunkSize = options.chunkSize ?? 256;
  const byHash = new Map<string, Float32Array>();
  const oldTitleVectors = new Map<string, Float32Array>();
  if (!state.full && classes.changed.length > 0) {
    for (const filter of itemIdFilters(classes.changed)) {
      const rows = await state.imagesTable!.query().where(filter).select(["hash", "vector"]).toArrow();
      const { data, dim } = readVectorColumn(rows, "vector");
      readColumn<string>(rows, "hash").forEach((h, r) => byHash.set(h, data.slice(r * dim, (r + 1) * dim)));
      if (state.textModel === undefined) continue;
      const itemRows = await state.itemsTable!.query().where(filter).select(["title", "text_vector"])
        .toArrow();
      const text = readVectorColumn(itemRows, "text_vector");
      readColumn<string | null>(itemRows, "title").forEach((t, r) => {
        if (t !== null && text.valid[r]) {
          oldTitleVectors.set(t, text.data.slice(r * text.dim, (r + 1) * text.dim));
        }
      });
    }
  }
  const reused = classes.todo.reduce(
    (n, { images }) => n + images.filter((e) => byHash.has(e.hash)).length,
    0,
  );
  const toEmbed = new Set<string>();
  for (const { images } of classes.todo) {
    for (const e of images) if (!byHash.has(e.hash)) toEmbed.add(e.hash);
  }
  const start = performance.now();
  const { dim } = embedder;
  const spillDir = options.spillDir ?? await Deno.makeTempDir({ prefix: "setsim-build-" });
  const ownDir = options.spillDir === undefined;
  const spillName = (what: string) => join(spillDir, `${SPILL_PREFIX}${what}-${Deno.pid}.f32`);
  const vectors = RowSpill.create(spillName("vectors"), dim);
  const centroids = RowSpill.create(spillName("centroids"), dim);
  const out: ImageRowsResult = {
    rows: { item_id: [], image: [], hash: [], size: [], mtime: [], position: [], vectors, owner: [] },
    written: [],
    centroids,
    oldTitleVectors,
    failures: [],
    skippedItems: [],
    embedded: 0,
    cacheHits: 0,
    reused,
    start,
    close() {
      vectors.close();
      centroids.close();
      if (ownDir) Deno.removeSync(spillDir, { recursive: true });
    },
  };
  try {
    const progress = createProgress({
      label: "index: embed",
      total: toEmbed.size,
      silent: !(options.progress ?? true),
    });
    /** Spill row of each content already written (content met again is read back, not embedded). */
    const spilled = new Map<string, number>();
    const failedHashes = new Map<string, string>();
    let done = 0;
    let pendingItems: { item: IndexCatalogItem; images: ImageEntry[] }[] = [];
    let pending = new Map<string, string>(); // hash → a path with that content
    const flush = async () => {
      const chunk = [...pending];
      const fresh = new Map<string, Float32Array>();
      for (let k0 = 0; k0 < chunk.length; k0 += chunkSize) {
        const slice = chunk.slice(k0, k0 + chunkSize);
        const result = await embedder.embed(slice.map(([, path]) => path));
        out.cacheHits += result.cacheHits;
        const reasons = new Map(result.failures.map((f) => [f.input, f.reason]));
        slice.forEach(([hash, path], k) => {
          const vector = result.vectors[k];
          if (vector !== undefined) {
            fresh.set(hash, vector);
            out.embedded++;
          } else failedHashes.set(hash, reasons.get(path) ?? "could not be embedded");
        });
        done += slice.length;
        progress.update(done);
        await options.onPhase?.("embedded-chunk");
      }
      const vectorOf = (hash: string): Float32Array | undefined => {
        const v = byHash.get(hash) ?? fresh.get(hash);
        if (v !== undefined) return v;
        const row = spilled.get(hash);
        return row === undefined ? undefined : vectors.row(row);
      };
      for (const entry of pendingItems) assembleItem(out, entry, vectorOf, spilled, failedHashes, dim);
      pendingItems = [];
      pending = new Map();
    };
    for (const entry of classes.todo) {
      for (const e of entry.images) {
        if (byHash.has(e.hash) || spilled.has(e.hash) || failedHashes.has(e.hash)) continue;
        if (!pending.has(e.hash)) pending.set(e.hash, e.path);
      }
      pendingItems.push(entry);
      if (pending.size >= chunkSize) await flush();
    }
    await flush();
    progress.done(failedHashes.size > 0 ? `${failedHashes.size} failed` : undefined);
    return out;
  } catch (error) {
    out.close();
    throw error;
  }
}

/**
 * Append one item's rows (those of its images that have a vector) and its unit centroid to `out`;
 * an item with no vector, or whose vectors cancel, is left out.
 */
function assembleItem(
  out: ImageRowsResult,
  { item, images }: { item: IndexCatalogItem; images: ImageEntry[] },
  vectorOf: (hash: string) => Float32Array | undefined,
  spilled: Map<string, number>,
  failedHashes: ReadonlyMap<string, string>,
  dim: number,
): void {
  const { rows } = out;
  const kept: { entry: ImageEntry; vector: Float32Array }[] = [];
  for (const e of images) {
    const vector = vectorOf(e.hash);
    if (vector !== undefined) kept.push({ entry: e, vector });
    else {
      out.failures.push({
        item_id: item.id,
        image: e.image,
        reason: failedHashes.get(e.hash) ?? "not embedded",
      });
    }
  }
  const vectors = new Float32Array(kept.length * dim);
  kept.forEach(({ vector }, k) => vectors.set(vector, k * dim));
  const centroid = kept.length > 0 ? unitCentroid({ data: vectors, count: kept.length, dim }) : undefined;
  if (centroid === undefined) {
    // No vector, or vectors that cancel: a zero centroid would be a silent wrong shortlist score.
    for (const { entry } of kept) {
      out.failures.push({ item_id: item.id, image: entry.image, reason: CANCELLING_VECTORS });
    }
    out.skippedItems.push(item.id);
    return;
  }
  kept.forEach(({ entry: e }, position) => {
    if (!spilled.has(e.hash)) spilled.set(e.hash, rows.vectors.rows + position);
    rows.item_id.push(item.id);
    rows.image.push(e.image);
    rows.hash.push(e.hash);
    rows.size.push(e.size);
    rows.mtime.push(e.mtimeMs);
    rows.position.push(position);
    rows.owner.push(item);
  });
  rows.vectors.append(vectors);
  out.written.push({ item, count: kept.length });
  out.centroids.append(centroid);
}

/** Why the images of an item whose vectors sum to zero are failures (it has no centroid direction). */
const CANCELLING_VECTORS =
  "the item's image vectors cancel out (zero mean), so it has no centroid; item left out";

/** Unchanged items keep their rows, and so their failures of earlier builds are still failures. */
function keptFailures(state: CommittedState, catalog: IndexCatalog, classes: Classification): IndexFailure[] {
  if (state.full || state.manifest === undefined) return [];
  const rewritten = new Set(classes.todo.map(({ item }) => item.id));
  const ids = new Set(catalog.items.map((item) => item.id));
  return state.manifest.failures.filter((f) => ids.has(f.item_id) && !rewritten.has(f.item_id));
}

/** Titles' vectors of the written items (row-major, `textDim` wide), from {@link embedTitles}. */
export interface TitleVectors {
  vectors: Float32Array;
  textDim: number;
}

/** Step 3b: the written items' title vectors (reused by title, the rest embedded); undefined without text. */
export async function embedTitles(
  state: CommittedState,
  rows: ImageRowsResult,
  options: Pick<BuildOptions, "textEmbedder">,
): Promise<TitleVectors | undefined> {
  if (state.textModel === undefined) return undefined;
  const { written, oldTitleVectors } = rows;
  let textDim = state.manifest?.textDim;
  const needed = [
    ...new Set(
      written.map((w) => w.item.title ?? "").filter((t) => t.trim() !== "" && !oldTitleVectors.has(t)),
    ),
  ];
  const fresh = new Map<string, Float32Array>();
  if (needed.length > 0 || textDim === undefined) {
    const embedder = typeof options.textEmbedder === "function"
      ? await options.textEmbedder()
      : options.textEmbedder!;
    try {
      const dim = textDim = embedder.dim;
      if (needed.length > 0) {
        const out = await embedder.embed(needed);
        needed.forEach((t, k) => fresh.set(t, out.slice(k * dim, (k + 1) * dim)));
      }
    } finally {
      await embedder.dispose?.();
    }
  }
  const vectors = new Float32Array(written.length * textDim!);
  written.forEach((w, r) => {
    const t = w.item.title ?? "";
    const v = oldTitleVectors.get(t) ?? fresh.get(t);
    if (v !== undefined) vectors.set(v, r * textDim!);
  });
  return { vectors, textDim: textDim! };
}

/** What {@link writeTables} wrote. */
export interface TablesResult {
  imagesTable: lancedb.Table;
  itemsTable: lancedb.Table;
  /** The tables' new versions (what the manifest will commit). */
  versions: { images: number; items: number };
  counts: { items: number; images: number };
  /** Stale items (changed and removed): their rows were deleted. */
  stale: string[];
  vectorIndexes: string[];
}

/**
 * Step 4, write the tables: delete the stale items' rows, add the new ones (the images table in
 * chunks), check the row counts, and build the indexes on them. Nothing is committed yet.
 */
export async function writeTables(
  db: lancedb.Connection,
  state: CommittedState,
  classes: Classification,
  written: ImageRowsResult,
  titles: TitleVectors | undefined,
  options: Pick<
    BuildOptions,
    "embedder" | "writeChunkRows" | "onPhase" | "vectorIndexMinImages" | "vectorIndex"
  >,
): Promise<TablesResult> {
  const { full, columns } = state;
  const { dim } = options.embedder;
  const { rows } = written;
  const metaValues = (owner: IndexCatalogItem[]) =>
    Object.fromEntries(
      columns.map(({ key, column }) => [
        column,
        stringColumn(owner.map((i) => metadataText(i.metadata?.[key]))),
      ]),
    );
  // The images table is written in chunks of rows, so that a build of 10^6 images holds one chunk's
  // Arrow copy at a time, not a second copy of every vector (each chunk is one more Lance version;
  // only the manifest commits, so a build that dies between chunks leaves the last commit).
  const imageChunk = Math.max(1, options.writeChunkRows ?? IMAGE_WRITE_CHUNK_ROWS);
  const imageCount = rows.vectors.rows;
  const imagesChunk = (r0: number, r1: number) => {
    const owner = rows.owner.slice(r0, r1);
    const image = rows.image.slice(r0, r1);
    return new arrow.Table({
      item_id: stringColumn(rows.item_id.slice(r0, r1)),
      image: stringColumn(image),
      // Stored relative to the catalog root (as `image`), so a moved catalog folder keeps working.
      path: stringColumn(image),
      hash: stringColumn(rows.hash.slice(r0, r1)),
      size: numberColumn(rows.size.slice(r0, r1)),
      mtime_ms: numberColumn(rows.mtime.slice(r0, r1)),
      position: int32Column(rows.position.slice(r0, r1)),
      vector: vectorColumn(rows.vectors.read(r0, r1), dim),
      title: stringColumn(owner.map((i) => i.title)),
      category: stringColumn(owner.map((i) => i.category)),
      group: stringColumn(owner.map((i) => i.group)),
      ...metaValues(owner),
    });
  };
  // The items table too is written in chunks (10^6 images make about 2.2 × 10^5 items, whose
  // centroids alone are 1.6 GB at d = 1792): centroids come from their spill file a chunk at a time.
  const itemCount = written.written.length;
  // Items per append: a fifth of the image rows' chunk (measured: 22k → 45k items in one append
  // raised the build's peak by about 0.5 GB at 10^5 → 2 × 10^5 images; an item row carries d + 256
  // floats, so 10^4 items hold about 80 MB).
  const itemChunk = Math.max(1, Math.floor(imageChunk / 5));
  const itemsChunk = (w0: number, w1: number) => {
    const owners = written.written.slice(w0, w1).map((w) => w.item);
    const centroids = written.centroids.read(w0, w1);
    const itemsColumns: Record<string, import("apache-arrow").Vector> = {
      item_id: stringColumn(owners.map((i) => i.id)),
      image_count: int32Column(written.written.slice(w0, w1).map((w) => w.count)),
      title: stringColumn(owners.map((i) => i.title)),
      category: stringColumn(owners.map((i) => i.category)),
      group: stringColumn(owners.map((i) => i.group)),
      ...metaValues(owners),
      metadata: stringColumn(owners.map(metadataJson)),
      centroid: vectorColumn(centroids, dim),
      centroid_sketch: vectorColumn(projectRows(centroids, dim, SKETCH_DIM, SKETCH_SEED), SKETCH_DIM),
    };
    if (titles !== undefined) {
      itemsColumns.text_vector = vectorColumn(
        titles.vectors.subarray(w0 * titles.textDim, w1 * titles.textDim),
        titles.textDim,
      );
    }
    return new arrow.Table(itemsColumns);
  };

  const stale = [...classes.changed, ...classes.removed];
  const write = { db, full, stale };
  const { table: imagesTable, rows: expectImages } = await writeTableInChunks(
    write,
    IMAGES_TABLE,
    state.imagesTable,
    {
      rows: imageCount,
      chunk: imageChunk,
      chunkOf: imagesChunk,
    },
  );
  await options.onPhase?.("images-written");
  const { table: itemsTable, rows: expectItems } = await writeTableInChunks(
    write,
    ITEMS_TABLE,
    state.itemsTable,
    {
      rows: itemCount,
      chunk: itemChunk,
      chunkOf: itemsChunk,
    },
  );
  await options.onPhase?.("items-written");

  const vectorIndexes: string[] = [];
  if (expectImages >= (options.vectorIndexMinImages ?? DEFAULT_VECTOR_INDEX_MIN_IMAGES)) {
    // An incremental build keeps the trained index: LanceDB filters deleted rows and scans rows
    // added since the index was trained exactly, so results stay right and a 1 % update does not
    // pay for a full re-train (lib/index/ann.ts); a full build trains it afresh.
    const trained = !full && (state.manifest?.vectorIndexes ?? []).includes("images.vector") &&
      (await imagesTable.listIndices()).some((i) => i.columns.includes("vector"));
    if (!trained) {
      const config = vectorIndexConfig(expectImages, dim, options.vectorIndex);
      await imagesTable.createIndex("vector", { config, replace: true, train: true });
    }
    vectorIndexes.push("images.vector");
  }
  // A B-tree on item_id in both tables: a search fetches its k results' rows by id, which without
  // it scans the column (measured at 10^6 images: 46 ms → 10 ms; building it takes 0.2 s, so it is
  // rebuilt whenever rows changed instead of tracking which fragments it covers).
  for (const table of [imagesTable, itemsTable]) {
    if (!(stale.length > 0 || imageCount > 0 || full) || (await table.countRows()) === 0) continue;
    await table.createIndex("item_id", { config: lancedb.Index.btree(), replace: true });
  }
  return {
    imagesTable,
    itemsTable,
    versions: { images: await imagesTable.version(), items: await itemsTable.version() },
    counts: { items: expectItems, images: expectImages },
    stale,
    vectorIndexes,
  };
}

/** What {@link deriveVectorFile} did. */
export interface DeriveResult {
  vectorFile: VectorFileManifest;
  /** Derived structures found damaged and written again from the tables. */
  repaired: string[];
}

/**
 * Step 5, derive: the memory-mapped vector file (vector_file.ts) of the new table versions — a
 * segment appended when the images table changed, the same file when it did not. A vector file that
 * fails verification (every checksum) is never built upon: it is written again from the tables,
 * the one source of truth.
 */
export async function deriveVectorFile(
  dir: string,
  state: CommittedState,
  written: ImageRowsResult,
  tables: TablesResult,
  options: Pick<BuildOptions, "embedder" | "writeChunkRows" | "progress" | "vectorIvfMinRows">,
): Promise<DeriveResult> {
  const { full, manifest } = state;
  const { dim } = options.embedder;
  const previous = manifest?.vectorFile;
  const damage = full || previous === undefined ? undefined : await vectorFileDamage(dir, previous);
  const repaired = damage === undefined ? [] : [`vector file (${damage}): written again from the tables`];
  if (
    !full && previous !== undefined && damage === undefined &&
    tables.versions.images === manifest?.versions.images
  ) {
    return { vectorFile: previous, repaired };
  }
  const chunk = Math.max(1, options.writeChunkRows ?? IMAGE_WRITE_CHUNK_ROWS);
  const { rows } = written;
  const vectorFile = await updateVectorFile(dir, {
    full,
    previous: full || damage !== undefined ? undefined : previous,
    version: tables.versions.images,
    stale: tables.stale,
    fresh: function* () {
      for (let r0 = 0; r0 < rows.vectors.rows; r0 += chunk) {
        const r1 = Math.min(rows.vectors.rows, r0 + chunk);
        yield {
          ids: rows.item_id.slice(r0, r1),
          positions: rows.position.slice(r0, r1),
          vectors: rows.vectors.read(r0, r1),
        };
      }
    },
    freshRows: rows.vectors.rows,
    table: tables.imagesTable,
    dim,
    rows: tables.counts.images,
    progress: options.progress ?? true,
    ivfMinRows: options.vectorIvfMinRows,
  });
  return { vectorFile, repaired };
}

/** What {@link deriveShortlistParts} did. */
export interface ShortlistPartsResult {
  entry: ShortlistPartsEntry;
  /** The previous parts, when found damaged (written again). */
  repaired: string[];
}

/**
 * Step 5b, derive the stored shortlist parts (`shortlist_parts.ts`): every item's centroid sketch
 * and FDE, from the new vector file. Kept when the vector file is the committed one and the parts
 * verify; otherwise written again — from the previous parts' rows for the unchanged items (same
 * centre) and by encoding the added and changed ones, or wholly when the previous parts are
 * missing or damaged (centred on the vector file's PCA mean, or the exact mean without codes).
 */
export async function deriveShortlistParts(
  dir: string,
  state: CommittedState,
  tables: TablesResult,
  derived: DeriveResult,
): Promise<ShortlistPartsResult> {
  const previous = state.full ? undefined : state.manifest?.shortlists;
  let old: ShortlistParts | undefined;
  const repaired: string[] = [];
  if (previous !== undefined) {
    try {
      old = await ShortlistParts.open(dir, previous);
    } catch (error) {
      repaired.push(
        `stored shortlist parts (${(error as Error).message}): written again from the vector file`,
      );
    }
  }
  try {
    if (old !== undefined && derived.vectorFile === state.manifest?.vectorFile) {
      return { entry: previous!, repaired };
    }
    const file = await VectorFile.open(dir, derived.vectorFile, { verifyBytes: 0 });
    try {
      const stale = new Set(tables.stale);
      const keptIds = old?.ids.filter((id) => !stale.has(id) && file.hasItem(id)) ?? [];
      const kept = new Set(keptIds);
      const source = vectorFileSource(dir, file, file.items.filter((id) => !kept.has(id)));
      try {
        const centre = old?.centre ?? file.basis?.mean ?? meanOfSource({ ...source, ids: file.items });
        const entry = await writeShortlistParts(dir, source, {
          version: tables.versions.images,
          centre: Float32Array.from(centre),
          ...(old !== undefined && keptIds.length > 0 ? { copy: { parts: old, dir, ids: keptIds } } : {}),
        });
        return { entry, repaired };
      } finally {
        source.close();
      }
    } finally {
      await file.close();
    }
  } finally {
    await old?.close();
  }
}

/** Step 6, commit: replace the manifest atomically (the commit point), then drop unnamed vector files. */
export async function commitBuild(
  dir: string,
  catalog: IndexCatalog,
  embedder: ImageEmbedder,
  built: {
    state: CommittedState;
    titles: TitleVectors | undefined;
    tables: TablesResult;
    derived: DeriveResult;
    /** The stored shortlist parts of the new commit. */
    shortlists?: ShortlistPartsEntry;
    failures: IndexFailure[];
  },
): Promise<void> {
  const { state, titles, tables, derived } = built;
  const textDim = titles?.textDim ?? state.manifest?.textDim;
  await writeManifest(dir, {
    format: INDEX_FORMAT,
    catalog: { name: catalog.name, root: catalog.root },
    model: embedder.model,
    fingerprint: embedder.fingerprint,
    dim: embedder.dim,
    ...(state.textModel !== undefined ? { textModel: state.textModel, textDim } : {}),
    metadataColumns: state.columns.map((c) => c.column),
    sketch: { dim: SKETCH_DIM, seed: SKETCH_SEED },
    versions: tables.versions,
    counts: tables.counts,
    failures: built.failures,
    committedAt: new Date().toISOString(),
    ...(tables.vectorIndexes.length > 0 ? { vectorIndexes: tables.vectorIndexes } : {}),
    vectorFile: derived.vectorFile,
    ...(built.shortlists !== undefined ? { shortlists: built.shortlists } : {}),
  });
  await removeStaleVectorFiles(dir, derived.vectorFile.segments.map((segment) => segment.folder));
  await removeStaleShortlistParts(dir, built.shortlists?.folder);
}

/**
 * Refuse a commit that keeps no item, or fewer than {@link MAX_SHRINK_SHARE} of the last commit's,
 * unless allowed: nothing has been written yet, so the last commit stays as it was.
 */
function checkShrink(dir: string, job: {
  kept: number;
  before: number;
  catalogItems: number;
  failures: readonly IndexFailure[];
  allowShrink: boolean;
}): void {
  const { kept, before } = job;
  const empty = kept === 0 && (before > 0 || job.catalogItems > 0);
  const shrinks = before > 0 && kept < (1 - MAX_SHRINK_SHARE) * before;
  if (job.allowShrink || !(empty || shrinks)) return;
  const reasons = [...new Set(job.failures.map((f) => f.reason))].slice(0, 3);
  throw new IndexError(
    `${dir}: this build would commit ${kept} item(s)${
      before > 0 ? ` where the last commit has ${before}` : ` of the catalog's ${job.catalogItems}`
    }${job.failures.length > 0 ? ` (${job.failures.length} image(s) failed: ${reasons.join("; ")})` : ""}; ` +
      `not committed, the index is unchanged. Fix the catalog, or pass --allow-shrink to commit it anyway`,
  );
}

async function countWhere(table: lancedb.Table, ids: string[]): Promise<number> {
  let n = 0;
  for (const filter of itemIdFilters(ids)) n += await table.countRows(filter);
  return n;
}

async function writeRows(
  db: lancedb.Connection,
  name: string,
  table: lancedb.Table | undefined,
  rows: import("apache-arrow").Table,
  full: boolean,
  stale: string[],
): Promise<lancedb.Table> {
  if (full) {
    table?.close();
    return await db.createTable(name, rows, { mode: "overwrite" });
  }
  for (const filter of itemIdFilters(stale)) await table!.delete(filter);
  if (rows.numRows > 0) await table!.add(rows);
  return table!;
}

/**
 * Write a table's new rows chunk by chunk (so no more than one chunk is ever in memory as Arrow):
 * the first chunk replaces (full build) or follows the deletion of the stale items' rows, the rest
 * are appended; the row count is checked against what the old table kept plus what was written,
 * and returned.
 */
async function writeTableInChunks(
  write: { db: lancedb.Connection; full: boolean; stale: string[] },
  name: string,
  existing: lancedb.Table | undefined,
  source: { rows: number; chunk: number; chunkOf: (r0: number, r1: number) => import("apache-arrow").Table },
): Promise<{ table: lancedb.Table; rows: number }> {
  const { db, full, stale } = write;
  const { rows, chunk, chunkOf } = source;
  const expected = full ? rows : (await existing!.countRows()) -
    (stale.length > 0 ? await countWhere(existing!, stale) : 0) + rows;
  const table = await writeRows(db, name, existing, chunkOf(0, Math.min(chunk, rows)), full, stale);
  for (let r0 = chunk; r0 < rows; r0 += chunk) await table.add(chunkOf(r0, Math.min(rows, r0 + chunk)));
  await checkCount(table, expected, name);
  return { table, rows: expected };
}

async function checkCount(table: lancedb.Table, expected: number, name: string): Promise<void> {
  const actual = await table.countRows();
  if (actual !== expected) {
    throw new Error(
      `index table ${name} holds ${actual} rows after writing, expected ${expected}; not committed`,
    );
  }
}

/** Why the vector file cannot be used (every checksum verified), or undefined when it can. */
async function vectorFileDamage(dir: string, manifest: VectorFileManifest): Promise<string | undefined> {
  try {
    await (await VectorFile.open(dir, manifest, { verify: "full" })).close();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The vector file of the new commit: one segment for a full build (or an index that had none);
 * otherwise the previous segments plus one with the fresh rows that drops the stale items, or —
 * past {@link VECTOR_COMPACT_RATIO} or {@link VECTOR_MAX_SEGMENTS} — one segment again, copied from
 * the previous file's kept rows and the fresh ones, with a PCA basis refitted on them.
 */
async function updateVectorFile(dir: string, job: {
  full: boolean;
  previous: VectorFileManifest | undefined;
  version: number;
  stale: string[];
  fresh: () => Generator<VectorRows>;
  /** Rows `fresh` yields. */
  freshRows: number;
  table: lancedb.Table;
  dim: number;
  rows: number;
  progress: boolean;
  ivfMinRows?: number;
}): Promise<VectorFileManifest> {
  const progress = createProgress({ label: "index: vector file", total: job.rows, silent: !job.progress });
  const previous = job.previous !== undefined
    ? await VectorFile.open(dir, job.previous).catch(() => undefined)
    : undefined;
  try {
    const onRows = (rows: number) => progress.update(rows);
    const { ivfMinRows } = job;
    if (job.full || previous === undefined) {
      const batches = job.full ? job.fresh() : tableRows(job.table, job.dim);
      return {
        segments: [
          await writeVectorFile(dir, batches, job.dim, { version: job.version, onRows, ivfMinRows }),
        ],
      };
    }
    const freshRows = job.freshRows;
    const appended = previous.storedRows - previous.manifest.segments[0].rows + freshRows;
    const compact = previous.manifest.segments.length + 1 > VECTOR_MAX_SEGMENTS ||
      appended > VECTOR_COMPACT_RATIO * job.rows;
    if (compact) {
      const drop = new Set(job.stale);
      const batches = (function* () {
        yield* previous.keptRows(drop);
        yield* job.fresh();
      })();
      return {
        segments: [
          await writeVectorFile(dir, batches, job.dim, { version: job.version, onRows, ivfMinRows }),
        ],
      };
    }
    const segment = await writeVectorFile(dir, job.fresh(), job.dim, {
      version: job.version,
      basis: previous.basis,
      dropped: job.stale,
      onRows,
      ivfMinRows,
    });
    return { segments: [...job.previous!.segments, segment] };
  } finally {
    progress.done();
    await previous?.close();
  }
}
