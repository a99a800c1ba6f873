/**
 * The `fde` shortlist's item side: every item's MUVERA document encoding ({@link SHORTLIST_FDE}),
 * computed from the index's image vectors the first time an open index is asked for it and kept
 * for the life of that reader (an explicit per-reader cache, like the centroid sketches). Any
 * committed index can serve it: nothing extra is stored, so there is nothing to keep consistent.
 * The cost is one pass over the image vectors per process (items × 1024 floats of memory).
 *
 * Every vector is centred on the mean image vector of the index before encoding (queries too).
 * MUVERA's SimHash buckets assume directions spread around the origin; embeddings of a ReLU
 * network all lie in one orthant, where hyperplanes through the origin barely split them. Measured
 * on a 10^4-image synthetic catalog from the Myntra vectors (20 queries, recall of the exact
 * top 10 among C candidates): k_sim 3, r 4, d_proj 32 went from 0.52 / 0.80 (C = 100 / 300) to 0.66 /
 * 0.89 centred; the chosen k_sim 2, r 2, d_proj 128, centred, gives 0.78 / 0.96 (same 1024 floats).
 * @module
 */

import {
  type IndexReader,
  readColumn,
  readVectorColumn,
  type ShortlistParts,
  type VectorFile,
} from "../index/mod.ts";
import type { Embeddings } from "../types.ts";
import {
  encodeDocumentFde,
  encodeQueryFde,
  fdeDimension,
  type FdePlan,
  fdePlan,
  SHORTLIST_FDE,
} from "./fde.ts";
import { topIndices } from "../index/top.ts";

/** Every item's document FDE, row-major (`ids.length × dim`). */
export interface ItemFdes {
  ids: string[];
  data: Float32Array;
  dim: number;
  plan: FdePlan;
  /** The mean image vector subtracted before encoding. */
  centre: Float32Array;
}

const cache = new WeakMap<IndexReader, Promise<ItemFdes>>();

/** Encode each item's image vectors (grouped by `item_id`; rows without a vector are skipped). */
export function encodeItemFdes(
  itemIds: string[],
  vectors: Float32Array,
  dim: number,
  plan: FdePlan,
  centre: Float32Array = meanRow(vectors, dim),
): ItemFdes {
  const rows = Map.groupBy(itemIds.keys(), (r) => itemIds[r]);
  return encodeSets(
    [...rows.keys()].sort(),
    (id) => {
      const list = rows.get(id)!;
      const out = new Float32Array(list.length * dim);
      list.forEach((r, j) => out.set(vectors.subarray(r * dim, (r + 1) * dim), j * dim));
      return out;
    },
    dim,
    plan,
    centre,
  );
}

/** The same encodings from a mapped vector file: one item's rows at a time, nothing else copied. */
export function encodeFileFdes(file: VectorFile, plan: FdePlan): ItemFdes {
  const { dim, rows } = file;
  const sum = new Float64Array(dim);
  for (const id of file.items) {
    const v = file.itemVectors(id)!;
    for (let k = 0; k < v.data.length; k++) sum[k % dim] += v.data[k];
  }
  const centre = Float32Array.from(sum, (v) => rows > 0 ? v / rows : 0);
  return encodeSets([...file.items].sort(), (id) => file.itemVectors(id)!.data, dim, plan, centre);
}

/** Encode the sets `ids` (row-major rows of d values from `rowsOf`), each centred on `centre`. */
function encodeSets(
  ids: string[],
  rowsOf: (id: string) => Float32Array,
  dim: number,
  plan: FdePlan,
  centre: Float32Array,
): ItemFdes {
  const width = fdeDimension(plan);
  const data = new Float32Array(ids.length * width);
  const buffer = new Float32Array(8 * dim);
  ids.forEach((id, i) => {
    const rows = rowsOf(id);
    // Items have up to 8 images in practice; a larger one gets its own buffer.
    const set = rows.length <= buffer.length
      ? buffer.subarray(0, rows.length)
      : new Float32Array(rows.length);
    for (let k = 0; k < rows.length; k++) set[k] = rows[k] - centre[k % dim];
    data.set(encodeDocumentFde(set, plan), i * width);
  });
  return { ids, data, dim: width, plan, centre };
}

/** The mean of row-major `rows` (zeros when there are none). */
export function meanRow(rows: Float32Array, dim: number): Float32Array {
  const count = rows.length / dim;
  const sum = new Float64Array(dim);
  for (let r = 0; r < count; r++) for (let d = 0; d < dim; d++) sum[d] += rows[r * dim + d];
  return Float32Array.from(sum, (v) => count > 0 ? v / count : 0);
}

/** The item encodings of an open index (computed once per reader; from its vector file when given). */
export function itemFdes(reader: IndexReader, file?: VectorFile): Promise<ItemFdes> {
  let entry = cache.get(reader);
  if (entry === undefined && file !== undefined) {
    entry = Promise.resolve(encodeFileFdes(file, fdePlan(file.dim, SHORTLIST_FDE)));
    cache.set(reader, entry);
  }
  if (entry === undefined) {
    entry = reader.images.query().select(["item_id", "vector"]).toArrow().then((table) => {
      const ids = readColumn<string>(table, "item_id");
      const { data, dim, valid } = readVectorColumn(table, "vector");
      const keep = valid.flatMap((ok, r) => ok ? [r] : []);
      const packed = new Float32Array(keep.length * dim);
      keep.forEach((r, j) => packed.set(data.subarray(r * dim, (r + 1) * dim), j * dim));
      return encodeItemFdes(keep.map((r) => ids[r]), packed, dim, fdePlan(dim, SHORTLIST_FDE));
    });
    cache.set(reader, entry);
  }
  return entry;
}

/** What the `fde` shortlist gets (the fields of a shortlist query it uses). */
export interface FdeQuery {
  reader: IndexReader;
  vectors: Embeddings;
  candidates: number;
  where?: string;
  exclude?: string;
  /** The index's mapped vector file (the encodings are computed from it instead of the table). */
  vectorFile?: VectorFile;
  /** The index's stored encodings (`lib/index/shortlist_parts.ts`), used instead of computing them. */
  parts?: () => Promise<ShortlistParts | undefined>;
}

/** The `candidates` items whose FDE has the largest dot product with the query's, best first. */
export async function proposeByFde(query: FdeQuery): Promise<string[]> {
  let allowed: Set<string> | undefined;
  if (query.where) {
    const rows = await query.reader.items.query().where(query.where).select(["item_id"]).toArray();
    allowed = new Set((rows as { item_id: string }[]).map((r) => r.item_id));
  }
  const { dim: inputDim } = query.vectors;
  const parts = await query.parts?.();
  if (parts !== undefined) {
    // The stored encodings, scanned by onnxruntime (one product over every item).
    const q = encodeQueryFde(query.vectors.data.map((v, i) => v - parts.centre[i % inputDim]), parts.plan);
    const scores = await parts.fdeScores(q);
    const { ids } = parts;
    if (query.exclude !== undefined) {
      const skip = parts.rowOf(query.exclude);
      if (skip !== undefined) scores[skip] = -Infinity;
    }
    if (allowed !== undefined) {
      for (let r = 0; r < ids.length; r++) if (!allowed.has(ids[r])) scores[r] = -Infinity;
    }
    return topIndices(scores, query.candidates).filter((r) => scores[r] > -Infinity).map((r) => ids[r]);
  }
  const items = await itemFdes(query.reader, query.vectorFile);
  const q = encodeQueryFde(query.vectors.data.map((v, i) => v - items.centre[i % inputDim]), items.plan);
  const { ids, data, dim } = items;
  const scores = new Float32Array(ids.length);
  for (let r = 0; r < ids.length; r++) {
    if (ids[r] === query.exclude || (allowed !== undefined && !allowed.has(ids[r]))) {
      scores[r] = -Infinity;
      continue;
    }
    let dot = 0;
    const base = r * dim;
    for (let d = 0; d < dim; d++) dot += q[d] * data[base + d];
    scores[r] = dot;
  }
  return topIndices(scores, query.candidates).filter((r) => scores[r] > -Infinity).map((r) => ids[r]);
}
