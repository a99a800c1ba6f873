/**
 * The vector file: a memory-mapped copy of the index's image vectors, grouped by item, with short
 * PCA codes of every vector, so that a search process can find each query image's nearest images
 * among 10^5–10^6 without loading the index (it maps the files; the page cache is shared) and can
 * re-rank candidates from exact float32 vectors without a table query.
 *
 * Nearest images (`VectorFile.nearestImages`), two stages:
 * 1. codes: c(x) = B (x − μ) with B the top-r principal subspace of a sample of the vectors
 *    (`pcaBasis`, r = {@link VECTOR_CODE_DIM}); since x·q = (x − μ)·q + μ·q and μ·q is the same for every
 *    x, ranking by c(x)·(B q) ranks by the projection of x − μ onto the subspace. One matrix product
 *    scores every row for all query images at once (onnxruntime, `multiplyTransposed`).
 * 2. refine: the best `refine × k` rows of stage 1 are scored again with the exact vectors and the
 *    best k kept — the "refine factor" of IVF-PQ search (Jégou, Douze & Schmid, "Product
 *    quantization for nearest neighbor search", TPAMI 33(1), 2011, §IV-B re-ranking).
 * The codes are exact when d ≤ r (then they are the vectors themselves, and stage 2 is a no-op).
 *
 * On disk: one folder per segment, `vectors-v<images table version>`, each written whole under a
 * temporary name and renamed before the manifest that names it is committed (`build.ts`), so a
 * reader sees a complete vector file of the committed tables or none. An incremental build appends
 * a segment (see {@link VectorFile}); `vectors.json` lists a segment's items, the items it drops
 * from older segments, and its files with their sizes, checked at open.
 *
 * | file | contents |
 * | ---- | -------- |
 * | `vectors.f32` | rows × d float32, in the order written |
 * | `codes.f32`   | rows × r float32 (absent when d ≤ r) |
 * | `basis.f32`, `mean.f32` | B (r × d) and μ (d) |
 * | `item_rows.u32`, `item_offsets.u32` | the rows of item i, in image position order: `item_rows[item_offsets[i] … item_offsets[i+1])` |
 * | `row_items.u32` | the item index of each row |
 * | `vectors.blocks.u32`, `codes.blocks.u32` | a checksum per {@link VECTOR_BLOCK_BYTES} block of `vectors.f32` and `codes.f32` |
 * @module
 */

import { join } from "node:path";
import type * as lancedb from "@lancedb/lancedb";
import { mapFile, type MappedFile } from "../io/mmap.ts";
import { syncDir, writeAll, writeAndSync } from "../io/commit.ts";
import { multiplyTransposed, OnnxSimilarityCache } from "../matching/similarity_onnx.ts";
import { assignLists, groupByList, trainLists } from "./ivf.ts";
import { type PcaBasis, pcaBasis } from "./pca.ts";
import { createRng, sampleWithoutReplacement } from "../random/mod.ts";
import type { Embeddings } from "../types.ts";
import { readColumn, readVectorColumn } from "./arrow.ts";
import { forEachChunk, readRows } from "./row_spill.ts";
import { topIndices } from "./top.ts";
import { createHash } from "node:crypto";
import { CodeScanSession, quantizeCodes, type QuantizedCodes } from "./code_scan.ts";

/** Code length r of the first stage. */
export const VECTOR_CODE_DIM = 256;
/** Vectors sampled to fit the PCA basis. */
export const VECTOR_PCA_SAMPLE = 20_000;
/** Rows of stage 1 per row kept by stage 2. */
export const VECTOR_REFINE = 2;
/**
 * Rows of stage 1 per row kept by stage 2 when stage 1 scans the 8-bit copy of the codes
 * (`code_scan.ts`). Measured at 10^5 × 1792 (synthetic catalog, 16 queries, C = 50): recall@10 of
 * the default search against exact 1.000 at 1, 2 and 4; 2 keeps the float codes' margin.
 */
export const VECTOR_INT8_REFINE = 2;
/** Rows from which a segment's whole scan runs on 8-bit codes (below, the float scan is as fast). */
export const VECTOR_INT8_MIN_ROWS = 4096;
const VECTOR_FILE_FORMAT = 1;

/** What the manifest records of the vector file (`IndexManifest.vectorFile`): its segments, oldest first. */
export interface VectorFileManifest {
  /** The segments, oldest first. */
  segments: VectorFileEntry[];
}

/** Rows from which a segment gets inverted lists over its codes (below, a whole scan is as fast). */
export const VECTOR_IVF_MIN_ROWS = 200_000;
/** Lists probed per query image (of √rows lists). */
export const VECTOR_IVF_PROBES = 32;

/** Appended rows, as a fraction of the visible ones, past which a build writes one segment again. */
export const VECTOR_COMPACT_RATIO = 0.2;
/** Segments past which a build writes one segment again. */
export const VECTOR_MAX_SEGMENTS = 8;

/** One segment of the vector file. */
export interface VectorFileEntry {
  /** Folder name inside the index folder. */
  folder: string;
  /** Image rows it holds. */
  rows: number;
  /** Items it holds. */
  items: number;
  /** Values per vector (d). */
  dim: number;
  /** r, or d when the codes are the vectors. */
  codeDim: number;
  /** Variance of the PCA sample inside the code subspace (1 when the codes are the vectors). */
  explainedVarianceRatio: number;
  /** Inverted lists over the codes (`ivf.ts`; 0: the codes are scanned whole, in row order). */
  lists: number;
  /** SHA-256 of the segment's `vectors.json` (which holds the SHA-256 of every other file); absent in older indexes. */
  listDigest?: string;
}

/**
 * Bytes of a segment whose every file is hashed each time it is opened (measured: SHA-256 through
 * node:crypto of a mapped file ran at about 0.9 GB/s on the shared development machine, so this
 * costs about 0.15 s; the 717 MB of vectors of 10^5 × 1792 would cost 0.8 s). Past it, opening hashes the
 * small files (`vectors.json`, item maps, basis, inverted lists) and checks the sizes; `vectors.f32`
 * and `codes.f32` are then checked block by block as a search first reads each block (their
 * {@link BLOCK_CHECKED_FILES} checksums), and their full digests by `index --check` and by every
 * `index` run. A file without block checksums (an older index) is hashed whole at open, whatever
 * its size: no part is ever used unverified.
 */
export const VECTOR_VERIFY_ON_OPEN_BYTES = 128 * 1024 * 1024;

/**
 * Bytes per block checksum of `vectors.f32` and `codes.f32` (`vectors.blocks.u32`,
 * `codes.blocks.u32`): about 9 rows of 1792 values, 64 codes of 256.
 */
export const VECTOR_BLOCK_BYTES = 64 * 1024;

/** The large files of a segment, each with a block checksum file beside it (`<stem>.blocks.u32`). */
export const BLOCK_CHECKED_FILES: readonly string[] = ["vectors.f32", "codes.f32"];

/** The block checksum file of `file` (`vectors.f32` → `vectors.blocks.u32`). */
function blocksFileOf(file: string): string {
  return file.replace(/\.f32$/, ".blocks.u32");
}

/**
 * FNV-1a over the 32-bit words of each {@link VECTOR_BLOCK_BYTES} block of `bytes` (a multiple of 4
 * long). Not a cryptographic hash: it catches bit flips and overwrites in the rows a search reads,
 * at several GB/s, where the whole file's SHA-256 is too slow to check on every open.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blockHashes, VECTOR_BLOCK_BYTES } from "./vector_file.ts";
 * const bytes = new Uint8Array(VECTOR_BLOCK_BYTES + 8);
 * const before = blockHashes(bytes);
 * assert.equal(before.length, 2);
 * bytes[VECTOR_BLOCK_BYTES + 3] ^= 1;
 * const after = blockHashes(bytes);
 * assert.deepEqual([after[0] === before[0], after[1] === before[1]], [true, false]);
 * ```
 */
export function blockHashes(bytes: Uint8Array): Uint32Array {
  const blocks = Math.ceil(bytes.length / VECTOR_BLOCK_BYTES);
  const out = new Uint32Array(blocks);
  for (let b = 0; b < blocks; b++) out[b] = blockHash(bytes, b);
  return out;
}

function blockHash(bytes: Uint8Array, block: number): number {
  const start = block * VECTOR_BLOCK_BYTES;
  const end = Math.min(bytes.length, start + VECTOR_BLOCK_BYTES);
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + start, (end - start) >> 2);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  return h >>> 0;
}

/** How much {@link VectorFile.open} verifies: `open` as above, `full` every digest. */
export type VectorFileVerify = "open" | "full";

/** A vector-file segment that is missing or fails verification; it must not be used. */
export class VectorFileDamage extends Error {
  override name = "VectorFileDamage";
}

/**
 * The one warning of a reader that found the vector file damaged and answers from the tables
 * instead (the same vectors: same results, slower), saying what writes it again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { damagedVectorFileWarning, VectorFileDamage } from "./vector_file.ts";
 * const damage = new VectorFileDamage("vectors-v3/codes.f32: checksum mismatch in block 2");
 * assert.equal(
 *   damagedVectorFileWarning("shop.index", "/data/shop", damage),
 *   "shop.index: the vector file is damaged (vectors-v3/codes.f32: checksum mismatch in block 2); " +
 *     "searching the tables instead (same results, slower); " +
 *     "the next deno task index /data/shop --index shop.index writes it again",
 * );
 * ```
 */
export function damagedVectorFileWarning(dir: string, catalogRoot: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `${dir}: the vector file is damaged (${message}); searching the tables instead (same results, ` +
    `slower); the next deno task index ${catalogRoot} --index ${dir} writes it again`;
}

interface VectorFileList {
  format: number;
  entry: VectorFileEntry;
  /** Item ids by item index. */
  items: string[];
  /** Items this segment drops from the older ones. */
  dropped?: string[];
  /** Byte size of each file. */
  files: Record<string, number>;
  /** SHA-256 of each file (absent in older indexes). */
  digests?: Record<string, string>;
}

/** Rows for {@link writeVectorFile}: item ids, image positions and vectors (row-major). */
export interface VectorRows {
  /** The item id of each row. */
  ids: readonly string[];
  /** The image position of each row within its item. */
  positions: ArrayLike<number>;
  /** The rows' vectors, row-major (`ids.length × d`). */
  vectors: Float32Array;
}

/** Options of {@link writeVectorFile}. */
export interface WriteVectorFileOptions {
  /** The version of the images table the vector file copies (names the folder). */
  version: number;
  /** A PCA basis to reuse (an incremental build keeps the previous one); fitted on a sample otherwise. */
  basis?: PcaBasis;
  /** Rows from which the segment gets inverted lists (default {@link VECTOR_IVF_MIN_ROWS}). */
  ivfMinRows?: number;
  /** Items the new segment drops from the older ones (an appended segment's replaced and removed items). */
  dropped?: readonly string[];
  /** Called with rows written so far. */
  onRows?: (rows: number) => void;
  cache?: OnnxSimilarityCache;
}

/** The rows of a table's checked-out version, streamed in batches (an index without a vector file). */
export async function* tableRows(table: lancedb.Table, dim: number): AsyncGenerator<VectorRows> {
  for await (const batch of table.query().select(["item_id", "position", "vector"])) {
    const b = batch as unknown as import("apache-arrow").Table;
    const { data, dim: d } = readVectorColumn(b, "vector");
    if (d !== dim) throw new Error(`vector file: table vectors have ${d} values, the index ${dim}`);
    yield {
      ids: readColumn<string>(b, "item_id"),
      positions: readColumn<number>(b, "position"),
      vectors: data,
    };
  }
}

/**
 * Write a new vector-file folder inside `dir` from `batches` and return its entry. The folder is
 * complete (files synced, then renamed into place) when this returns; nothing names it yet — the
 * caller commits it by writing a manifest that does.
 */
export async function writeVectorFile(
  dir: string,
  batches: Iterable<VectorRows> | AsyncIterable<VectorRows>,
  dim: number,
  options: WriteVectorFileOptions,
): Promise<VectorFileEntry> {
  const folder = vectorFileFolder(options.version);
  const temp = join(dir, `.${folder}.tmp-${Deno.pid}`);
  await Deno.remove(temp, { recursive: true }).catch(() => {});
  await Deno.mkdir(temp, { recursive: true });
  const cache = options.cache ?? new OnnxSimilarityCache();
  try {
    // Pass 1: vectors straight to disk; ids and positions kept (small).
    const ids: string[] = [];
    const positions: number[] = [];
    const vectorsFile = await Deno.open(join(temp, "vectors.f32"), { create: true, write: true });
    try {
      for await (const batch of batches) {
        const count = batch.ids.length;
        if (batch.vectors.length !== count * dim || batch.positions.length !== count) {
          throw new Error(
            `vector file: a batch of ${count} rows has ${batch.vectors.length} values (d = ${dim})`,
          );
        }
        for (let r = 0; r < count; r++) {
          ids.push(batch.ids[r]);
          positions.push(batch.positions[r]);
        }
        await writeAll(vectorsFile, bytes(batch.vectors));
        options.onRows?.(ids.length);
      }
      await vectorsFile.syncData();
    } finally {
      vectorsFile.close();
    }
    const rows = ids.length;
    const grouping = groupRows(ids, positions);
    const files: Record<string, Uint8Array> = {
      "item_rows.u32": bytes(grouping.itemRows),
      "item_offsets.u32": bytes(grouping.itemOffsets),
      "row_items.u32": bytes(grouping.rowItems),
    };
    let codeDim = dim, explained = 1, lists = 0;
    if (dim > VECTOR_CODE_DIM && rows > 0) {
      // Pass 2: codes, from the vectors read back a chunk at a time (read, not mapped: the pages of
      // a mapped 7 GB file touched in one pass would all count as the build's resident memory).
      const vectorsFile = await Deno.open(join(temp, "vectors.f32"), { read: true });
      try {
        const rowsOf = (r0: number, r1: number) => readRows(vectorsFile, r0, r1, dim);
        const basis = options.basis?.dim === dim ? options.basis : await fitBasis(rowsOf, rows, dim, cache);
        codeDim = basis.components;
        explained = basis.explainedVarianceRatio;
        files["basis.f32"] = bytes(basis.basis);
        files["mean.f32"] = bytes(basis.mean);
        const codesFile = await Deno.open(join(temp, "codes.f32"), { create: true, write: true });
        try {
          const offset = projectMean(basis);
          const chunk = 8192;
          for (let r0 = 0; r0 < rows; r0 += chunk) {
            const r1 = Math.min(rows, r0 + chunk);
            const codes = await multiplyTransposed(
              rowsOf(r0, r1),
              r1 - r0,
              basis.basis,
              codeDim,
              dim,
              cache,
            );
            for (let r = 0; r < r1 - r0; r++) {
              for (let c = 0; c < codeDim; c++) codes[r * codeDim + c] -= offset[c];
            }
            await writeAll(codesFile, bytes(codes));
          }
          await codesFile.syncData();
        } finally {
          codesFile.close();
        }
      } finally {
        vectorsFile.close();
      }
      if (rows >= (options.ivfMinRows ?? VECTOR_IVF_MIN_ROWS)) {
        lists = Math.round(Math.sqrt(rows));
        Object.assign(files, await writeInvertedLists(temp, rows, codeDim, lists, cache));
      }
    }
    // Block checksums of the large files as they are final (the codes after list ordering), read
    // a chunk at a time (not mapped: the pages would count as the build's resident memory).
    for (const name of BLOCK_CHECKED_FILES) {
      if (name === "codes.f32" && codeDim === dim) continue;
      files[blocksFileOf(name)] = bytes(await fileBlockHashes(join(temp, name)));
    }
    for (const [name, data] of Object.entries(files)) await writeAndSync(join(temp, name), data);
    const entry: VectorFileEntry = {
      folder,
      rows,
      items: grouping.items.length,
      dim,
      codeDim,
      explainedVarianceRatio: explained,
      lists,
    };
    const sizes: Record<string, number> = {};
    const digests: Record<string, string> = {};
    for await (const file of Deno.readDir(temp)) {
      sizes[file.name] = (await Deno.stat(join(temp, file.name))).size;
      digests[file.name] = await fileDigest(join(temp, file.name));
    }
    const list: VectorFileList = {
      format: VECTOR_FILE_FORMAT,
      entry,
      items: grouping.items,
      ...(options.dropped !== undefined && options.dropped.length > 0
        ? { dropped: [...options.dropped] }
        : {}),
      files: sizes,
      digests,
    };
    const listText = JSON.stringify(list);
    await writeAndSync(join(temp, "vectors.json"), listText);
    entry.listDigest = digestOf(new TextEncoder().encode(listText));
    await syncDir(temp);
    await Deno.remove(join(dir, folder), { recursive: true }).catch(() => {});
    await Deno.rename(temp, join(dir, folder));
    await syncDir(dir);
    return entry;
  } catch (error) {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    throw error;
  } finally {
    if (!options.cache) await cache.dispose();
  }
}

/**
 * Replace `codes.f32` (row order) in `folder` by the same codes in list order, and return the
 * list files: centroids, list offsets, and the row of each code position.
 */
async function writeInvertedLists(
  folder: string,
  rows: number,
  r: number,
  lists: number,
  cache: OnnxSimilarityCache,
): Promise<Record<string, Uint8Array>> {
  const byRow = await mapFile(join(folder, "codes.f32"));
  let grouped: { rows: Uint32Array; offsets: Uint32Array };
  let centroids: Float32Array;
  try {
    const codes = new Float32Array(byRow.buffer);
    centroids = await trainLists(codes, rows, r, lists, { cache });
    grouped = groupByList(await assignLists(codes, rows, r, centroids, lists, cache), lists);
    const out = await Deno.open(join(folder, "codes-by-list.f32"), { create: true, write: true });
    try {
      const chunk = 16384;
      const buffer = new Float32Array(chunk * r);
      for (let p0 = 0; p0 < rows; p0 += chunk) {
        const p1 = Math.min(rows, p0 + chunk);
        for (let p = p0; p < p1; p++) {
          const row = grouped.rows[p];
          buffer.set(codes.subarray(row * r, (row + 1) * r), (p - p0) * r);
        }
        await writeAll(out, bytes(buffer.subarray(0, (p1 - p0) * r)));
      }
      await out.syncData();
    } finally {
      out.close();
    }
  } finally {
    byRow.close();
  }
  await Deno.rename(join(folder, "codes-by-list.f32"), join(folder, "codes.f32"));
  return {
    "ivf_centroids.f32": bytes(centroids),
    "ivf_offsets.u32": bytes(grouped.offsets),
    "ivf_rows.u32": bytes(grouped.rows),
  };
}

/** SHA-256 (hex) of bytes in memory, or of a mapped file. */
function digestOf(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Bytes read per step when a file is hashed (a multiple of {@link VECTOR_BLOCK_BYTES}). */
const HASH_CHUNK_BYTES = 256 * VECTOR_BLOCK_BYTES;

/**
 * SHA-256 (hex) of a file, read a chunk at a time: through the page cache (which keeps a
 * just-written file's pages), not a map, so hashing a 7 GB file adds nothing to resident memory.
 */
export async function fileDigest(path: string): Promise<string> {
  const hash = createHash("sha256");
  await forEachChunk(path, HASH_CHUNK_BYTES, (chunk) => hash.update(chunk));
  return hash.digest("hex");
}

/** {@link blockHashes} of the file at `path`, read a chunk at a time. */
async function fileBlockHashes(path: string): Promise<Uint32Array> {
  const out: number[] = [];
  await forEachChunk(path, HASH_CHUNK_BYTES, (chunk) => {
    for (const h of blockHashes(chunk)) out.push(h);
  });
  return Uint32Array.from(out);
}

/** The folder name of the vector file of images-table version `version`. */
export function vectorFileFolder(version: number): string {
  return `vectors-v${version}`;
}

/** Remove vector-file folders (and temporary ones of dead builds) other than those in `keep`. */
export async function removeStaleVectorFiles(dir: string, keep: readonly string[]): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isDirectory || keep.includes(entry.name)) continue;
    const temp = entry.name.match(/^\.vectors-v\d+\.tmp-(\d+)$/);
    if (temp !== null && Number(temp[1]) === Deno.pid) continue;
    if (/^vectors-v\d+$/.test(entry.name) || temp !== null) {
      await Deno.remove(join(dir, entry.name), { recursive: true }).catch(() => {});
    }
  }
}

async function fitBasis(
  rowsOf: (r0: number, r1: number) => Float32Array,
  rows: number,
  dim: number,
  cache: OnnxSimilarityCache,
) {
  const picked = rows <= VECTOR_PCA_SAMPLE
    ? Array.from({ length: rows }, (_, r) => r)
    : sampleWithoutReplacement(
      Array.from({ length: rows }, (_, r) => r),
      VECTOR_PCA_SAMPLE,
      createRng(0, "vector-file-pca"),
    )
      .sort((a, b) => a - b);
  const sample = new Float32Array(picked.length * dim);
  picked.forEach((r, k) => sample.set(rowsOf(r, r + 1), k * dim));
  const components = Math.min(VECTOR_CODE_DIM, dim, Math.max(1, picked.length - 1));
  return await pcaBasis({ data: sample, count: picked.length, dim }, { components, cache });
}

/** B μ (r values): subtracted from B x to give B (x − μ). */
function projectMean(basis: PcaBasis): Float32Array {
  const { components: r, dim: d } = basis;
  const out = new Float32Array(r);
  for (let c = 0; c < r; c++) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += basis.basis[c * d + j] * basis.mean[j];
    out[c] = dot;
  }
  return out;
}

/** Items in first-seen order; each item's rows sorted by image position. */
function groupRows(ids: string[], positions: number[]) {
  const index = new Map<string, number>();
  const items: string[] = [];
  const rowItems = Uint32Array.from(ids, (id) => {
    let i = index.get(id);
    if (i === undefined) {
      index.set(id, i = items.length);
      items.push(id);
    }
    return i;
  });
  // The same counting sort as the inverted lists' (rows keep their order within an item).
  const { rows: itemRows, offsets: itemOffsets } = groupByList(rowItems, items.length);
  for (let i = 0; i < items.length; i++) {
    itemRows.subarray(itemOffsets[i], itemOffsets[i + 1]).sort((a, b) => positions[a] - positions[b]);
  }
  return { items, rowItems, itemOffsets, itemRows };
}

function bytes(a: Float32Array | Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Per row of `seg`: 0 when its item is visible in `live`, else −∞ (the code scan's mask). */
function rowBias(seg: VectorSegment, live: Uint8Array): Float32Array {
  const bias = new Float32Array(seg.entry.rows);
  for (let r = 0; r < bias.length; r++) if (live[seg.rowItems[r]] !== 1) bias[r] = -Infinity;
  return bias;
}

/** Nearest images of one query image: their items and exact similarities, best first. */
export interface NearestImages {
  /** The item of each nearest image, best first (an item may appear more than once). */
  items: string[];
  /** The exact similarity of each, in the same order. */
  similarities: Float32Array;
}

/**
 * The block checksums of one mapped file that was not hashed whole at open, and which blocks have
 * passed: each block is hashed the first time a reader asks for it, never again.
 */
class BlockChecks {
  private readonly checked: Uint8Array;
  private unchecked: number;

  constructor(
    /** The file, as named in messages (`vectors-v3/codes.f32`). */
    private readonly file: string,
    private readonly bytes: Uint8Array,
    private readonly hashes: Uint32Array,
  ) {
    this.checked = new Uint8Array(hashes.length);
    this.unchecked = hashes.length;
  }

  /** Check the blocks holding bytes `start … end` (once each); throws a {@link VectorFileDamage}. */
  check(start: number, end: number): void {
    if (this.unchecked === 0 || end <= start) return;
    const last = Math.floor((end - 1) / VECTOR_BLOCK_BYTES);
    for (let b = Math.floor(start / VECTOR_BLOCK_BYTES); b <= last; b++) {
      if (this.checked[b]) continue;
      if (blockHash(this.bytes, b) !== this.hashes[b]) {
        throw new VectorFileDamage(
          `${this.file}: checksum mismatch in block ${b} (changed since the build; deno task index writes it again)`,
        );
      }
      this.checked[b] = 1;
      this.unchecked--;
    }
  }
}

/** One segment: one folder, mapped. */
class VectorSegment {
  private constructor(
    readonly entry: VectorFileEntry,
    /** Item ids by item index. */
    readonly items: string[],
    readonly itemIndex: Map<string, number>,
    /** Items dropped from the segments before this one (replaced or removed). */
    readonly dropped: string[],
    readonly vectors: Float32Array,
    readonly codes: Float32Array,
    readonly basis: PcaBasis | undefined,
    readonly itemRows: Uint32Array,
    readonly itemOffsets: Uint32Array,
    readonly rowItems: Uint32Array,
    /** Inverted lists (`entry.lists > 0`): centroids, offsets into the list-ordered codes, rows of codes. */
    readonly ivf: { centroids: Float32Array; offsets: Uint32Array; rows: Uint32Array } | undefined,
    /** Block checks of `vectors.f32` when it was not hashed whole at open. */
    private readonly vectorBlocks: BlockChecks | undefined,
    /** Block checks of the codes when not hashed whole at open (the vectors' own when they are the codes). */
    private readonly codeBlocks: BlockChecks | undefined,
    private readonly maps: MappedFile[],
  ) {}

  static async open(
    dir: string,
    entry: VectorFileEntry,
    verify: VectorFileVerify,
    budget: number,
  ): Promise<VectorSegment> {
    const folder = join(dir, entry.folder);
    const damage = (file: string, what: string) =>
      new VectorFileDamage(`${join(entry.folder, file)}: ${what}`);
    let listBytes: Uint8Array;
    try {
      listBytes = await Deno.readFile(join(folder, "vectors.json"));
    } catch (error) {
      throw error instanceof Deno.errors.NotFound
        ? damage("vectors.json", "missing")
        : damage("vectors.json", `cannot read (${(error as Error).message})`);
    }
    if (entry.listDigest !== undefined && digestOf(listBytes) !== entry.listDigest) {
      throw damage("vectors.json", "checksum mismatch (changed since the build)");
    }
    let list: VectorFileList;
    try {
      list = JSON.parse(new TextDecoder().decode(listBytes)) as VectorFileList;
    } catch (error) {
      throw damage("vectors.json", `not valid JSON (${(error as Error).message})`);
    }
    if (
      list.format !== VECTOR_FILE_FORMAT || list.entry?.rows !== entry.rows || list.entry?.dim !== entry.dim
    ) {
      throw damage("vectors.json", "does not match the manifest");
    }
    const total = Object.values(list.files).reduce((t, n) => t + n, 0);
    // Every file when affordable; past the budget, each file that fits it (the codes at 10^5 rows),
    // and every file without block checksums to be checked by as it is read (all but the vectors
    // and codes of this version; both of an older index).
    const hashOnOpen = (name: string) =>
      verify === "full" || total <= budget || (list.files[name] ?? 0) <= budget ||
      !BLOCK_CHECKED_FILES.includes(name) || list.files[blocksFileOf(name)] === undefined;
    const maps: MappedFile[] = [];
    try {
      const map = async (name: string) => {
        const m = await mapFile(join(folder, name)).catch((error) => {
          throw error instanceof Deno.errors.NotFound ? damage(name, "missing") : error;
        });
        maps.push(m);
        if (m.buffer.byteLength !== list.files[name]) {
          throw damage(name, `${m.buffer.byteLength} bytes, vectors.json says ${list.files[name]}`);
        }
        const expected = list.digests?.[name];
        if (expected !== undefined && hashOnOpen(name)) {
          // Hashed by reading, not through the map: the check must not make every page resident.
          if (await fileDigest(join(folder, name)) !== expected) {
            throw damage(name, "checksum mismatch (changed since the build)");
          }
        }
        return m.buffer;
      };
      // Large files not hashed whole are checked block by block as a search first reads them (the
      // block checksums themselves are small files, always mapped and hashed).
      const blockChecks = async (name: string, data: ArrayBuffer) => {
        if (list.files[blocksFileOf(name)] === undefined) return undefined;
        const hashes = new Uint32Array(await map(blocksFileOf(name)));
        if (hashOnOpen(name)) return undefined;
        if (hashes.length !== Math.ceil(data.byteLength / VECTOR_BLOCK_BYTES)) {
          throw damage(
            blocksFileOf(name),
            `${hashes.length} checksums for ${data.byteLength} bytes of ${name}`,
          );
        }
        return new BlockChecks(join(entry.folder, name), new Uint8Array(data), hashes);
      };
      const vectorsBuffer = await map("vectors.f32");
      const vectors = new Float32Array(vectorsBuffer);
      const vectorBlocks = await blockChecks("vectors.f32", vectorsBuffer);
      const exactCodes = entry.codeDim === entry.dim || entry.rows === 0;
      const codesBuffer = exactCodes ? vectorsBuffer : await map("codes.f32");
      const codes = new Float32Array(codesBuffer);
      const codeBlocks = exactCodes ? vectorBlocks : await blockChecks("codes.f32", codesBuffer);
      const basis = exactCodes ? undefined : {
        dim: entry.dim,
        components: entry.codeDim,
        basis: new Float32Array(await map("basis.f32")),
        mean: new Float32Array(await map("mean.f32")),
        explainedVarianceRatio: entry.explainedVarianceRatio,
      };
      if (
        vectors.length !== entry.rows * entry.dim ||
        codes.length !== entry.rows * (exactCodes ? entry.dim : entry.codeDim)
      ) {
        throw damage("vectors.f32", `the files do not hold ${entry.rows} rows`);
      }
      return new VectorSegment(
        entry,
        list.items,
        new Map(list.items.map((id, i) => [id, i])),
        list.dropped ?? [],
        vectors,
        codes,
        basis,
        new Uint32Array(await map("item_rows.u32")),
        new Uint32Array(await map("item_offsets.u32")),
        new Uint32Array(await map("row_items.u32")),
        (entry.lists ?? 0) > 0
          ? {
            centroids: new Float32Array(await map("ivf_centroids.f32")),
            offsets: new Uint32Array(await map("ivf_offsets.u32")),
            rows: new Uint32Array(await map("ivf_rows.u32")),
          }
          : undefined,
        vectorBlocks,
        codeBlocks,
        maps,
      );
    } catch (error) {
      for (const m of maps) m.close();
      throw error;
    }
  }

  /**
   * Check the blocks of `vectors.f32` holding `rows` against their checksums, once each; throws a
   * {@link VectorFileDamage} naming the block. A no-op when the file was hashed whole at open.
   */
  checkRows(rows: Iterable<number>): void {
    const blocks = this.vectorBlocks;
    if (blocks === undefined) return;
    const rowBytes = this.entry.dim * 4;
    for (const r of rows) blocks.check(r * rowBytes, (r + 1) * rowBytes);
  }

  /**
   * Check the blocks of the codes at positions `p0 … p1` (rows, or list positions with inverted
   * lists) before a scan reads them, as {@link checkRows} does for the vectors.
   */
  checkCodes(p0: number, p1: number): void {
    const width = this.basis === undefined ? this.entry.dim : this.entry.codeDim;
    this.codeBlocks?.check(p0 * width * 4, p1 * width * 4);
  }

  close(): void {
    for (const m of this.maps) m.close();
  }

  /** Rows of item index `i`, in image position order. */
  rowsOf(i: number): Uint32Array {
    return this.itemRows.subarray(this.itemOffsets[i], this.itemOffsets[i + 1]);
  }

  /** B q for each query row (the constant −B μ is dropped: it shifts every score of a query alike). */
  encode(query: Embeddings, cache: OnnxSimilarityCache): Promise<Float32Array> {
    const { dim } = this.entry;
    const rows = query.data.subarray(0, query.count * dim);
    if (this.basis === undefined) return Promise.resolve(rows.slice());
    // One product in onnxruntime: (B qⱼ)_c = qⱼ · B_c for every query row j and basis row c.
    return multiplyTransposed(rows, query.count, this.basis.basis, this.basis.components, dim, cache);
  }
}

/**
 * An open vector file: its segments, newest last. An incremental build appends a segment with the
 * rows of the added and changed items and the list of items it drops from the older ones, so a 1 %
 * update writes 1 % of the rows (an LSM-style layout, like Lance's own fragments and deletion
 * files); when the appended rows pass {@link VECTOR_COMPACT_RATIO} of the visible ones or the
 * segments pass {@link VECTOR_MAX_SEGMENTS}, the build writes one segment again. An item's rows
 * are those of the newest segment holding it, unless a newer segment drops it.
 */
export class VectorFile {
  /** Visible item ids (each once). */
  readonly items: string[];
  /** Visible rows. */
  readonly rows: number;
  private readonly where = new Map<string, { segment: number; index: number }>();
  /** Per segment, per item index: 1 when that copy is the visible one. */
  private readonly live: Uint8Array[];
  private readonly cache = new OnnxSimilarityCache();
  private readonly codeScan = new CodeScanSession();
  /** Per segment: its codes at 8 bits (derived on first use) and 0 / −∞ per row (visible or not). */
  private readonly quantized = new Map<
    VectorSegment,
    Promise<{ codes: QuantizedCodes; bias: Float32Array }>
  >();
  private readonly scratch = new Map<
    VectorSegment,
    { busy: boolean; scores: Float32Array; column: Float32Array; kept: Uint8Array }
  >();

  private constructor(readonly manifest: VectorFileManifest, private readonly segments: VectorSegment[]) {
    const hidden = new Set<string>();
    this.live = segments.map(() => new Uint8Array(0));
    let rows = 0;
    for (let s = segments.length - 1; s >= 0; s--) {
      const seg = segments[s];
      const live = new Uint8Array(seg.items.length);
      seg.items.forEach((id, i) => {
        if (hidden.has(id)) return;
        live[i] = 1;
        this.where.set(id, { segment: s, index: i });
        rows += seg.itemOffsets[i + 1] - seg.itemOffsets[i];
      });
      this.live[s] = live;
      for (const id of seg.items) hidden.add(id);
      for (const id of seg.dropped) hidden.add(id);
    }
    this.items = [...this.where.keys()];
    this.rows = rows;
  }

  /**
   * Open the vector file the manifest names, verifying it (`verify`, default `open`: sizes and the
   * checksums {@link VECTOR_VERIFY_ON_OPEN_BYTES} affords; `full`: every checksum). Throws a
   * {@link VectorFileDamage} naming the file when a segment is missing or fails verification.
   */
  static async open(
    dir: string,
    manifest: VectorFileManifest,
    options: {
      verify?: VectorFileVerify;
      /** Bytes hashed whole at open (default {@link VECTOR_VERIFY_ON_OPEN_BYTES}; tests make it small). */
      verifyBytes?: number;
    } = {},
  ): Promise<VectorFile> {
    const segments: VectorSegment[] = [];
    try {
      for (const entry of manifest.segments) {
        segments.push(
          await VectorSegment.open(
            dir,
            entry,
            options.verify ?? "open",
            options.verifyBytes ?? VECTOR_VERIFY_ON_OPEN_BYTES,
          ),
        );
      }
    } catch (error) {
      for (const s of segments) s.close();
      throw error;
    }
    return new VectorFile(manifest, segments);
  }

  /** Dimension d of the vectors. */
  get dim(): number {
    return this.manifest.segments[0]?.dim ?? 0;
  }

  /** The PCA basis of the newest segment (an incremental build reuses it). */
  get basis(): PcaBasis | undefined {
    return this.segments.at(-1)?.basis;
  }

  /** Rows in all segments (visible or not). */
  get storedRows(): number {
    return this.manifest.segments.reduce((t, s) => t + s.rows, 0);
  }

  /** Unmap the files and release the onnxruntime session. */
  async close(): Promise<void> {
    for (const s of this.segments) s.close();
    await this.cache.dispose();
    await this.codeScan.dispose();
  }

  /** Whether `id` is an item of the vector file. */
  hasItem(id: string): boolean {
    return this.where.has(id);
  }

  /**
   * Where the item's rows are: its segment's folder and their row indices in image position order
   * (for a pass that reads the rows from the file instead of through the map, e.g. a build's).
   */
  itemLocation(id: string): { folder: string; rows: Uint32Array } | undefined {
    const at = this.where.get(id);
    if (at === undefined) return undefined;
    const seg = this.segments[at.segment];
    return { folder: seg.entry.folder, rows: seg.rowsOf(at.index) };
  }

  /** The item's vectors in image position order (a copy), or undefined for an unknown id. */
  itemVectors(id: string): Embeddings | undefined {
    const at = this.where.get(id);
    if (at === undefined) return undefined;
    const seg = this.segments[at.segment];
    const dim = this.dim;
    const rows = seg.rowsOf(at.index);
    seg.checkRows(rows);
    const data = new Float32Array(rows.length * dim);
    rows.forEach((r, k) => data.set(seg.vectors.subarray(r * dim, (r + 1) * dim), k * dim));
    return { data, count: rows.length, dim };
  }

  /**
   * The visible rows except those of the items in `drop`, as runs of consecutive rows (views of the
   * mapped vectors): what a compacting build copies instead of re-reading the table.
   */
  *keptRows(drop: ReadonlySet<string>): Generator<VectorRows> {
    const dim = this.dim;
    for (let s = 0; s < this.segments.length; s++) {
      const seg = this.segments[s];
      const { rows } = seg.entry;
      const rank = new Uint32Array(rows);
      for (let i = 0; i < seg.items.length; i++) {
        for (let k = seg.itemOffsets[i]; k < seg.itemOffsets[i + 1]; k++) {
          rank[seg.itemRows[k]] = k - seg.itemOffsets[i];
        }
      }
      const keep = Uint8Array.from(seg.items, (id, i) => this.live[s][i] && !drop.has(id) ? 1 : 0);
      for (let r0 = 0; r0 < rows;) {
        if (!keep[seg.rowItems[r0]]) {
          r0++;
          continue;
        }
        let r1 = r0 + 1;
        while (r1 < rows && keep[seg.rowItems[r1]] && r1 - r0 < 65536) r1++;
        yield {
          ids: Array.from(seg.rowItems.subarray(r0, r1), (i) => seg.items[i]),
          positions: rank.subarray(r0, r1),
          vectors: seg.vectors.subarray(r0 * dim, r1 * dim),
        };
        r0 = r1;
      }
    }
  }

  /**
   * For each query vector, its `k` nearest visible images by dot product (codes — all of them, or
   * the `probes` nearest inverted lists — then the best `refine × k` of each segment refined
   * exactly), skipping the images of the item `exclude` and, with `only`, of every item not in it.
   */
  async nearestImages(
    query: Embeddings,
    k: number,
    options: { exclude?: string; refine?: number; probes?: number; only?: ReadonlySet<string> } = {},
  ): Promise<NearestImages[]> {
    const dim = this.dim;
    if (query.dim !== dim) {
      throw new RangeError(`query vectors have ${query.dim} values, the vector file ${dim}`);
    }
    const nq = query.count;
    const found = Array.from({ length: nq }, () => ({ items: [] as string[], sims: [] as number[] }));
    for (let s = 0; s < this.segments.length; s++) {
      const seg = this.segments[s];
      if (seg.entry.rows === 0) continue;
      const only = options.only;
      const live = only === undefined
        ? this.live[s]
        : Uint8Array.from(this.live[s], (v, i) => v && only.has(seg.items[i]) ? 1 : 0);
      const skip = options.exclude === undefined ? -1 : seg.itemIndex.get(options.exclude) ?? -1;
      const keep = (row: number) => {
        const item = seg.rowItems[row];
        return live[item] === 1 && item !== skip;
      };
      // A whole scan of a large segment runs on an 8-bit copy of its codes (`code_scan.ts`).
      const int8 = seg.ivf === undefined && seg.entry.rows >= VECTOR_INT8_MIN_ROWS;
      const refine = options.refine ??
        (int8 ? VECTOR_INT8_REFINE : seg.basis === undefined ? 1 : VECTOR_REFINE);
      const take = Math.min(seg.entry.rows, k * refine);
      const first = int8
        ? await this.scanQuantized(s, query, take, keep, only !== undefined ? live : undefined, skip)
        : seg.ivf === undefined
        ? await this.scanAll(seg, query, take, keep)
        : await this.scanLists(seg, query, take, keep, options.probes ?? VECTOR_IVF_PROBES);
      for (const rows of first) seg.checkRows(rows);
      for (let j = 0; j < nq; j++) {
        const qv = query.data.subarray(j * dim, (j + 1) * dim);
        for (const r of first[j]) {
          let dot = 0;
          const base = r * dim;
          for (let d = 0; d < dim; d++) dot += qv[d] * seg.vectors[base + d];
          found[j].items.push(seg.items[seg.rowItems[r]]);
          found[j].sims.push(dot);
        }
      }
    }
    return found.map(({ items, sims }) => {
      const kept = topIndices(sims, k);
      return { items: kept.map((t) => items[t]), similarities: Float32Array.from(kept, (t) => sims[t]) };
    });
  }

  /** Segment `s`'s 8-bit codes and its rows' bias (−∞ for rows of items no longer visible), made once. */
  private quantizedCodes(s: number): Promise<{ codes: QuantizedCodes; bias: Float32Array }> {
    const seg = this.segments[s];
    let entry = this.quantized.get(seg);
    if (entry === undefined) {
      entry = Promise.resolve().then(() => {
        // Codes that are the vectors themselves are read whole here: check every block first.
        if (seg.basis === undefined) seg.checkRows(Array.from({ length: seg.entry.rows }, (_, r) => r));
        try {
          return {
            codes: quantizeCodes(seg.codes, seg.entry.rows, seg.entry.codeDim),
            bias: rowBias(seg, this.live[s]),
          };
        } catch (error) {
          // Codes that cannot be quantised (a NaN) were changed since the build.
          throw new VectorFileDamage(`${join(seg.entry.folder, "codes.f32")}: ${(error as Error).message}`);
        }
      });
      this.quantized.set(seg, entry);
    }
    return entry;
  }

  /** Derive every segment's 8-bit codes now (a server does it before its first request). */
  async prepare(): Promise<void> {
    for (let s = 0; s < this.segments.length; s++) {
      const seg = this.segments[s];
      if (seg.ivf === undefined && seg.entry.rows >= VECTOR_INT8_MIN_ROWS) {
        await this.quantizedCodes(s);
      }
    }
  }

  /**
   * Per query vector, the `take` best kept rows of segment `s` by the score of its 8-bit codes:
   * rows of items outside `live` (a filter's) get −∞ in the graph; the item `skip`'s rows are
   * asked for on top and dropped after.
   */
  private async scanQuantized(
    s: number,
    query: Embeddings,
    take: number,
    keep: (row: number) => boolean,
    live: Uint8Array | undefined,
    skip: number,
  ): Promise<number[][]> {
    const seg = this.segments[s];
    const { codes, bias } = await this.quantizedCodes(s);
    const extra = skip >= 0 ? seg.rowsOf(skip).length : 0;
    const rows = await this.codeScan.best(
      codes,
      await seg.encode(query, this.cache),
      query.count,
      live === undefined ? bias : rowBias(seg, live),
      take + extra,
    );
    return rows.map((list) => list.filter(keep).slice(0, take));
  }

  /** Per query vector, the `take` best kept rows by code score over the whole segment. */
  private async scanAll(
    seg: VectorSegment,
    query: Embeddings,
    take: number,
    keep: (row: number) => boolean,
  ): Promise<number[][]> {
    const { rows } = seg.entry;
    const nq = query.count;
    const width = seg.basis === undefined ? seg.entry.dim : seg.entry.codeDim;
    // Per-query buffers of `rows` values are reused (the garbage of a 10^5-row scan per query made
    // collector pauses the search's p95); a concurrent search of the same file allocates its own.
    const scratch = this.scratch.get(seg) ??
      {
        busy: false,
        scores: new Float32Array(0),
        column: new Float32Array(rows),
        kept: new Uint8Array(rows),
      };
    this.scratch.set(seg, scratch);
    const mine = scratch.busy
      ? { scores: new Float32Array(rows * nq), column: new Float32Array(rows), kept: new Uint8Array(rows) }
      : scratch;
    if (!scratch.busy && scratch.scores.length < rows * nq) {
      scratch.scores = new Float32Array(rows * Math.max(nq, 8));
    }
    const wasBusy = scratch.busy;
    scratch.busy = true;
    try {
      seg.checkCodes(0, rows);
      const scores = await multiplyTransposed(
        seg.codes,
        rows,
        await seg.encode(query, this.cache),
        nq,
        width,
        this.cache,
        mine.scores.subarray(0, rows * nq),
      );
      const { kept, column } = mine;
      for (let r = 0; r < rows; r++) kept[r] = keep(r) ? 1 : 0;
      return Array.from({ length: nq }, (_, j) => {
        for (let r = 0; r < rows; r++) column[r] = kept[r] ? scores[r * nq + j] : -Infinity;
        return topIndices(column, take).filter((r) => column[r] > -Infinity);
      });
    } finally {
      if (!wasBusy) scratch.busy = false;
    }
  }

  /** Per query vector, the `take` best kept rows by code score in its `probes` nearest lists. */
  private async scanLists(
    seg: VectorSegment,
    query: Embeddings,
    take: number,
    keep: (row: number) => boolean,
    probes: number,
  ): Promise<number[][]> {
    const ivf = seg.ivf!;
    const r = seg.entry.codeDim;
    const lists = ivf.offsets.length - 1;
    const nq = query.count;
    const q = await seg.encode(query, this.cache);
    // Lists by centroid score c·q: the same order as by distance up to ‖c‖², which we keep, as
    // inner-product IVF does (the codes' dot product is what is ranked).
    const centroidScores = await multiplyTransposed(ivf.centroids, lists, q, nq, r, this.cache);
    const probed: Set<number>[] = [];
    for (let j = 0; j < nq; j++) {
      const column = Float32Array.from({ length: lists }, (_, l) => centroidScores[l * nq + j]);
      probed.push(new Set(topIndices(column, Math.min(probes, lists))));
    }
    const union = [...new Set(probed.flatMap((p) => [...p]))].sort((a, b) => a - b);
    const pools = Array.from({ length: nq }, () => ({ rows: [] as number[], scores: [] as number[] }));
    for (const l of union) {
      const p0 = ivf.offsets[l], p1 = ivf.offsets[l + 1];
      if (p1 === p0) continue;
      seg.checkCodes(p0, p1);
      const scores = await multiplyTransposed(
        seg.codes.subarray(p0 * r, p1 * r),
        p1 - p0,
        q,
        nq,
        r,
        this.cache,
      );
      for (let j = 0; j < nq; j++) {
        if (!probed[j].has(l)) continue;
        const pool = pools[j];
        for (let p = p0; p < p1; p++) {
          const row = ivf.rows[p];
          if (!keep(row)) continue;
          pool.rows.push(row);
          pool.scores.push(scores[(p - p0) * nq + j]);
        }
      }
    }
    return pools.map((pool) => topIndices(pool.scores, take).map((t) => pool.rows[t]));
  }
}
