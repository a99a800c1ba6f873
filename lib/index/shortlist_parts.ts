/**
 * Stored shortlist parts: every item's centroid sketch and MUVERA document encoding (`fde.ts`),
 * written by the build next to the vector file, so that the `centroid` and `fde` shortlists of a
 * search process scan mapped files through onnxruntime (one matrix–vector product over every item,
 * as the vector file's code scan does) instead of computing 10^5–10^6 encodings per process and
 * scanning them in TypeScript.
 *
 * On disk: one folder `shortlists-v<images table version>`, written whole under a temporary name and
 * renamed before the manifest that names it is committed; the manifest records each file's size and
 * SHA-256 (`IndexManifest.shortlists`). A part that fails verification is never used: a search falls
 * back to computing the structure itself (one warning), `index --check` reports it, and the next
 * `index` writes the folder again.
 *
 * | file | contents |
 * | ---- | -------- |
 * | `items.json` | item ids, by row |
 * | `sketches.f32` | items × `sketch.dim`: the unit centroid projected (`sketch.ts`) and normalised |
 * | `fde.f32` | items × `fde.dim`: the document FDE of the item's image vectors minus `centre` |
 * | `fde_centre.f32` | d: the centre subtracted before encoding (queries are centred the same way) |
 *
 * An incremental build keeps the centre and copies the unchanged items' rows (read from the
 * previous folder, not mapped), encoding only the added and changed items.
 * @module
 */

import { join } from "node:path";
import { syncDir, writeAll, writeAndSync } from "../io/commit.ts";
import { mapFile, type MappedFile } from "../io/mmap.ts";
import { unitCentroid } from "../matching/centroid.ts";
import { multiplyTransposed, OnnxSimilarityCache } from "../matching/similarity_onnx.ts";
import { fdeDimension, type FdeOptions, type FdePlan, fdePlan, SHORTLIST_FDE } from "./fde.ts";
import { readRows } from "./row_spill.ts";
import { projectionMatrix, SKETCH_DIM, SKETCH_SEED } from "./sketch.ts";
import { fileDigest, type VectorFile } from "./vector_file.ts";

/** What the manifest records of the stored shortlist parts (`IndexManifest.shortlists`). */
export interface ShortlistPartsEntry {
  /** Folder name inside the index folder. */
  folder: string;
  /** Items stored, in row order of the parts. */
  items: number;
  /** d of the image vectors. */
  dim: number;
  /** The centroid sketches' width and the seed of their random projection. */
  sketch: { dim: number; seed: number };
  /** The options the FDE encodings were made with, and their width. */
  fde: { options: FdeOptions; dim: number };
  /** Byte size of each file. */
  sizes: Record<string, number>;
  /** SHA-256 (hex) of each file: a part whose digest differs is damaged and never used. */
  digests: Record<string, string>;
}

/** A stored part that is missing or fails verification; it must not be used. */
export class ShortlistPartsDamage extends Error {
  override name = "ShortlistPartsDamage";
}

/** Items encoded per onnxruntime product (rows of all their images go in one product). */
const ENCODE_BATCH_ROWS = 4096;
/** Rows of a previous part copied per read. */
const COPY_ROWS = 8192;

const PART_FILES = ["items.json", "sketches.f32", "fde.f32", "fde_centre.f32"] as const;

/** The folder name of the parts of images-table version `version`. */
export function shortlistPartsFolder(version: number): string {
  return `shortlists-v${version}`;
}

/**
 * The rows of the product `X Mᵀ` that give every repetition's SimHash signs and inner projection ψ:
 * per repetition, its k_sim hyperplanes, then the d_proj columns of its projection (or the identity).
 */
function encodingRows(plan: FdePlan): { rows: Float32Array; width: number } {
  const { dim, simhashBits: k, projectionDim: dp } = plan;
  const per = k + dp;
  const rows = new Float32Array(plan.hyperplanes.length * per * dim);
  plan.hyperplanes.forEach((planes, t) => {
    rows.set(planes, t * per * dim);
    const P = plan.projections[t];
    for (let j = 0; j < dp; j++) {
      const row = rows.subarray((t * per + k + j) * dim, (t * per + k + j + 1) * dim);
      if (P === null) row[j] = 1;
      else for (let i = 0; i < dim; i++) row[i] = P[i * dp + j];
    }
  });
  return { rows, width: plan.hyperplanes.length * per };
}

/**
 * Document FDEs of a batch of sets from their rows' products `Y = (X − c) Mᵀ` (see
 * {@link encodingRows}): per repetition, bucket = the signs of the hyperplane columns, block =
 * mean of ψ over the bucket's rows, an empty block filled from the row nearest in Hamming distance
 * (the first on ties) — `encodeDocumentFde` of `fde.ts`, with the products done by onnxruntime.
 */
function documentFdesFromProducts(
  Y: Float32Array,
  width: number,
  sets: readonly { start: number; count: number }[],
  plan: FdePlan,
  out: Float32Array,
): void {
  const { simhashBits: k, projectionDim: dp } = plan;
  const B = 1 << k;
  const reps = plan.hyperplanes.length;
  const fdeWidth = fdeDimension(plan);
  const block = new Float64Array(reps * B * dp);
  const counts = new Int32Array(B);
  sets.forEach(({ start, count }, s) => {
    block.fill(0);
    const buckets = new Int32Array(count);
    for (let t = 0; t < reps; t++) {
      const base = t * B * dp;
      const col = t * (k + dp);
      counts.fill(0);
      for (let r = 0; r < count; r++) {
        const y = (start + r) * width + col;
        let bucket = 0;
        for (let b = 0; b < k; b++) if (Y[y + b] > 0) bucket |= 1 << b;
        buckets[r] = bucket;
        counts[bucket]++;
        for (let j = 0; j < dp; j++) block[base + bucket * dp + j] += Y[y + k + j];
      }
      for (let bucket = 0; bucket < B; bucket++) {
        const at = base + bucket * dp;
        if (counts[bucket] > 0) {
          for (let j = 0; j < dp; j++) block[at + j] /= counts[bucket];
        } else if (plan.fillEmpty) {
          let nearest = 0, distance = Infinity;
          for (let r = 0; r < count; r++) {
            let h = 0;
            for (let v = buckets[r] ^ bucket; v !== 0; v &= v - 1) h++;
            if (h < distance) [nearest, distance] = [r, h];
          }
          const y = (start + nearest) * width + col + k;
          for (let j = 0; j < dp; j++) block[at + j] = Y[y + j];
        }
      }
    }
    const target = out.subarray(s * fdeWidth, (s + 1) * fdeWidth);
    for (let j = 0; j < fdeWidth; j++) target[j] = block[j];
  });
}

/** Where the parts' item vectors come from: ids in row order, and each item's rows (row-major). */
export interface PartsSource {
  dim: number;
  ids: readonly string[];
  vectorsOf(id: string): Float32Array;
}

/** Options of {@link writeShortlistParts}. */
export interface WriteShortlistPartsOptions {
  /** The images-table version the parts belong to (names the folder). */
  version: number;
  /** Subtracted from every vector before FDE encoding (kept from the previous parts when copying). */
  centre: Float32Array;
  /** Rows to copy from intact previous parts (ids in the order to write them), instead of encoding. */
  copy?: { parts: ShortlistParts; dir: string; ids: readonly string[] };
  cache?: OnnxSimilarityCache;
}

/**
 * Write the parts folder for `source` (after the copied items, if any) and return its entry. The
 * folder is complete (files synced, renamed into place) when this returns; nothing names it yet.
 * Memory: one batch of rows and encodings at a time (the files are written as they are computed).
 */
export async function writeShortlistParts(
  dir: string,
  source: PartsSource,
  options: WriteShortlistPartsOptions,
): Promise<ShortlistPartsEntry> {
  const { dim } = source;
  const plan = fdePlan(dim, SHORTLIST_FDE);
  if (plan.final !== null) throw new Error("stored FDE parts: a final projection is not supported");
  if (options.centre.length !== dim) {
    throw new RangeError(
      `stored shortlist parts: the centre has ${options.centre.length} values, not d = ${dim}`,
    );
  }
  const fdeWidth = fdeDimension(plan);
  const folder = shortlistPartsFolder(options.version);
  const temp = join(dir, `.${folder}.tmp-${Deno.pid}`);
  await Deno.remove(temp, { recursive: true }).catch(() => {});
  await Deno.mkdir(temp, { recursive: true });
  const cache = options.cache ?? new OnnxSimilarityCache();
  const ids: string[] = [];
  const fdeFile = await Deno.open(join(temp, "fde.f32"), { create: true, write: true });
  const sketchFile = await Deno.open(join(temp, "sketches.f32"), { create: true, write: true });
  try {
    if (options.copy !== undefined) await copyRows(options.copy, fdeFile, sketchFile, ids, fdeWidth);
    const { rows: M, width } = encodingRows(plan);
    // (x − c) Mᵀ = x Mᵀ − c Mᵀ: the centre's product, subtracted from each row's.
    const centreProduct = await multiplyTransposed(options.centre, 1, M, width, dim, cache);
    // Sketch rows: the projection matrix (d × SKETCH_DIM), transposed for the product.
    const P = projectionMatrix(dim, SKETCH_DIM, SKETCH_SEED);
    const Pt = new Float32Array(SKETCH_DIM * dim);
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < SKETCH_DIM; j++) Pt[j * dim + i] = P[i * SKETCH_DIM + j];
    }
    let batch: { id: string; vectors: Float32Array }[] = [];
    let batchRows = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const X = new Float32Array(batchRows * dim);
      const sets: { start: number; count: number }[] = [];
      const centroids = new Float32Array(batch.length * dim);
      let at = 0;
      batch.forEach(({ vectors }, s) => {
        const count = vectors.length / dim;
        X.set(vectors, at * dim);
        sets.push({ start: at, count });
        at += count;
        const unit = unitCentroid({ data: vectors, count, dim });
        if (unit !== undefined) centroids.set(unit, s * dim);
      });
      const Y = await multiplyTransposed(X, batchRows, M, width, dim, cache);
      for (let r = 0; r < batchRows; r++) {
        for (let j = 0; j < width; j++) Y[r * width + j] -= centreProduct[j];
      }
      const fdes = new Float32Array(batch.length * fdeWidth);
      documentFdesFromProducts(Y, width, sets, plan, fdes);
      const sketches = await multiplyTransposed(centroids, batch.length, Pt, SKETCH_DIM, dim, cache);
      normaliseRows(sketches, SKETCH_DIM);
      await writeAll(fdeFile, bytes(fdes));
      await writeAll(sketchFile, bytes(sketches));
      for (const { id } of batch) ids.push(id);
      batch = [];
      batchRows = 0;
    };
    for (const id of source.ids) {
      const vectors = source.vectorsOf(id);
      if (vectors.length === 0 || vectors.length % dim !== 0) {
        throw new RangeError(
          `stored shortlist parts: item "${id}" has ${vectors.length} values (d = ${dim})`,
        );
      }
      batch.push({ id, vectors });
      batchRows += vectors.length / dim;
      if (batchRows >= ENCODE_BATCH_ROWS) await flush();
    }
    await flush();
    await fdeFile.syncData();
    await sketchFile.syncData();
  } catch (error) {
    fdeFile.close();
    sketchFile.close();
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    if (!options.cache) await cache.dispose();
    throw error;
  }
  fdeFile.close();
  sketchFile.close();
  if (!options.cache) await cache.dispose();
  try {
    await writeAndSync(join(temp, "items.json"), JSON.stringify(ids));
    await writeAndSync(join(temp, "fde_centre.f32"), bytes(options.centre));
    const sizes: Record<string, number> = {};
    const digests: Record<string, string> = {};
    for (const name of PART_FILES) {
      sizes[name] = (await Deno.stat(join(temp, name))).size;
      digests[name] = await fileDigest(join(temp, name));
    }
    await syncDir(temp);
    await Deno.remove(join(dir, folder), { recursive: true }).catch(() => {});
    await Deno.rename(temp, join(dir, folder));
    await syncDir(dir);
    return {
      folder,
      items: ids.length,
      dim,
      sketch: { dim: SKETCH_DIM, seed: SKETCH_SEED },
      fde: { options: SHORTLIST_FDE, dim: fdeWidth },
      sizes,
      digests,
    };
  } catch (error) {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    throw error;
  }
}

/** Copy the rows of `copy.ids` from the previous parts' files (read, not mapped). */
async function copyRows(
  copy: NonNullable<WriteShortlistPartsOptions["copy"]>,
  fdeFile: Deno.FsFile,
  sketchFile: Deno.FsFile,
  ids: string[],
  fdeWidth: number,
): Promise<void> {
  const { parts } = copy;
  const folder = join(copy.dir, parts.entry.folder);
  const from = {
    fde: Deno.openSync(join(folder, "fde.f32"), { read: true }),
    sketch: Deno.openSync(join(folder, "sketches.f32"), { read: true }),
  };
  try {
    const rows = copy.ids.map((id) => {
      const r = parts.rowOf(id);
      if (r === undefined) throw new Error(`stored shortlist parts: "${id}" is not in ${parts.entry.folder}`);
      return r;
    });
    for (let k0 = 0; k0 < rows.length; k0 += COPY_ROWS) {
      const chunk = rows.slice(k0, k0 + COPY_ROWS);
      const r0 = Math.min(...chunk), r1 = Math.max(...chunk) + 1;
      // Unchanged items keep their relative order, so a chunk spans about as many rows as it copies.
      const fde = readRows(from.fde, r0, r1, fdeWidth);
      const sketch = readRows(from.sketch, r0, r1, parts.entry.sketch.dim);
      const fdeOut = new Float32Array(chunk.length * fdeWidth);
      const sketchOut = new Float32Array(chunk.length * parts.entry.sketch.dim);
      const sd = parts.entry.sketch.dim;
      chunk.forEach((r, k) => {
        fdeOut.set(fde.subarray((r - r0) * fdeWidth, (r - r0 + 1) * fdeWidth), k * fdeWidth);
        sketchOut.set(sketch.subarray((r - r0) * sd, (r - r0 + 1) * sd), k * sd);
      });
      await writeAll(fdeFile, bytes(fdeOut));
      await writeAll(sketchFile, bytes(sketchOut));
    }
    ids.push(...copy.ids);
  } finally {
    from.fde.close();
    from.sketch.close();
  }
}

function normaliseRows(data: Float32Array, width: number): void {
  for (let r = 0; r < data.length / width; r++) {
    const row = data.subarray(r * width, (r + 1) * width);
    let n = 0;
    for (let j = 0; j < width; j++) n += row[j] * row[j];
    n = Math.sqrt(n) || 1;
    for (let j = 0; j < width; j++) row[j] /= n;
  }
}

function bytes(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * The item vectors of a vector file, read from its files by item (not through the map, whose
 * touched pages would count as the reader's resident memory): the source of a build's parts.
 */
export function vectorFileSource(dir: string, file: VectorFile, ids: readonly string[]): PartsSource & {
  close(): void;
} {
  const open = new Map<string, Deno.FsFile>();
  const { dim } = file;
  return {
    dim,
    ids,
    vectorsOf(id) {
      const at = file.itemLocation(id);
      if (at === undefined) throw new Error(`vector file: no item "${id}"`);
      let handle = open.get(at.folder);
      if (handle === undefined) {
        handle = Deno.openSync(join(dir, at.folder, "vectors.f32"), { read: true });
        open.set(at.folder, handle);
      }
      const rows = at.rows;
      const contiguous = rows.every((r, k) => r === rows[0] + k);
      if (contiguous) return readRows(handle, rows[0], rows[0] + rows.length, dim);
      const out = new Float32Array(rows.length * dim);
      rows.forEach((r, k) => out.set(readRows(handle!, r, r + 1, dim), k * dim));
      return out;
    },
    close() {
      for (const handle of open.values()) handle.close();
    },
  };
}

/** The exact mean of the vector file's visible rows, read by item (not mapped). */
export function meanOfSource(source: PartsSource): Float32Array {
  const sum = new Float64Array(source.dim);
  let rows = 0;
  for (const id of source.ids) {
    const v = source.vectorsOf(id);
    for (let k = 0; k < v.length; k++) sum[k % source.dim] += v[k];
    rows += v.length / source.dim;
  }
  return Float32Array.from(sum, (v) => rows > 0 ? v / rows : 0);
}

/** Open stored parts, mapped and verified (every file's size and SHA-256). */
export class ShortlistParts {
  private readonly cache = new OnnxSimilarityCache();
  private readonly index: Map<string, number>;

  private constructor(
    readonly entry: ShortlistPartsEntry,
    /** Item ids by row. */
    readonly ids: string[],
    /** items × `entry.sketch.dim`. */
    readonly sketches: Float32Array,
    /** items × `entry.fde.dim`. */
    readonly fdes: Float32Array,
    readonly centre: Float32Array,
    readonly plan: FdePlan,
    private readonly maps: MappedFile[],
  ) {
    this.index = new Map(ids.map((id, r) => [id, r]));
  }

  /**
   * Open the parts the manifest names, checking every file's size and SHA-256 (read, not through
   * the map: 10^6 items' encodings are 0.9 GB, hashed in about a second). Throws a
   * {@link ShortlistPartsDamage} naming the file when one is missing or differs.
   */
  static async open(dir: string, entry: ShortlistPartsEntry): Promise<ShortlistParts> {
    const folder = join(dir, entry.folder);
    const damage = (file: string, what: string) =>
      new ShortlistPartsDamage(`${join(entry.folder, file)}: ${what}`);
    const maps: MappedFile[] = [];
    try {
      for (const name of PART_FILES) {
        let size: number;
        try {
          size = (await Deno.stat(join(folder, name))).size;
        } catch (error) {
          throw error instanceof Deno.errors.NotFound ? damage(name, "missing") : error;
        }
        if (size !== entry.sizes[name]) {
          throw damage(name, `${size} bytes, the manifest says ${entry.sizes[name]}`);
        }
        if (await fileDigest(join(folder, name)) !== entry.digests[name]) {
          throw damage(name, "checksum mismatch (changed since the build)");
        }
      }
      const ids = JSON.parse(await Deno.readTextFile(join(folder, "items.json"))) as string[];
      const map = async (name: string) => {
        const m = await mapFile(join(folder, name));
        maps.push(m);
        return new Float32Array(m.buffer);
      };
      const sketches = await map("sketches.f32");
      const fdes = await map("fde.f32");
      const centreBytes = await Deno.readFile(join(folder, "fde_centre.f32"));
      const centre = new Float32Array(centreBytes.buffer as ArrayBuffer, 0, centreBytes.byteLength >> 2);
      if (
        ids.length !== entry.items || sketches.length !== ids.length * entry.sketch.dim ||
        fdes.length !== ids.length * entry.fde.dim || centre.length !== entry.dim
      ) {
        throw damage("items.json", `the files do not hold ${entry.items} items`);
      }
      const plan = fdePlan(entry.dim, entry.fde.options);
      if (fdeDimension(plan) !== entry.fde.dim) {
        throw damage("fde.f32", "the encoding's width does not match");
      }
      return new ShortlistParts(entry, ids, sketches, fdes, centre, plan, maps);
    } catch (error) {
      for (const m of maps) m.close();
      throw error;
    }
  }

  /** Row of item `id`, or undefined. */
  rowOf(id: string): number | undefined {
    return this.index.get(id);
  }

  /** Every item's sketch · `q` (one onnxruntime product over the mapped sketches). */
  sketchScores(q: Float32Array): Promise<Float32Array> {
    return this.scan(this.sketches, this.entry.sketch.dim, q);
  }

  /** Every item's FDE · `q` (one onnxruntime product over the mapped encodings). */
  fdeScores(q: Float32Array): Promise<Float32Array> {
    return this.scan(this.fdes, this.entry.fde.dim, q);
  }

  private async scan(data: Float32Array, width: number, q: Float32Array): Promise<Float32Array> {
    if (q.length !== width) throw new RangeError(`stored parts: a query of ${q.length} values, not ${width}`);
    const items = this.ids.length;
    if (items === 0) return new Float32Array(0);
    return await multiplyTransposed(data, items, q, 1, width, this.cache);
  }

  /** Unmap the files and release the onnxruntime session. */
  async close(): Promise<void> {
    for (const m of this.maps) m.close();
    await this.cache.dispose();
  }
}

/** Remove parts folders (and temporary ones of dead builds) other than `keep`. */
export async function removeStaleShortlistParts(dir: string, keep: string | undefined): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isDirectory || entry.name === keep) continue;
    const temp = entry.name.match(/^\.shortlists-v\d+\.tmp-(\d+)$/);
    if (temp !== null && Number(temp[1]) === Deno.pid) continue;
    if (/^shortlists-v\d+$/.test(entry.name) || temp !== null) {
      await Deno.remove(join(dir, entry.name), { recursive: true }).catch(() => {});
    }
  }
}
