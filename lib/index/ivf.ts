/**
 * An inverted file (IVF) over the vector file's codes: a coarse quantizer of `lists` centroids, each
 * code stored in the list of its nearest centroid, so that a query scans only the lists nearest to
 * it (Jégou, Douze & Schmid, "Product quantization for nearest neighbor search", TPAMI 33(1),
 * 2011, §IV-A; Sivic & Zisserman 2003 for the name). The centroids are k-means (Lloyd) on a seeded
 * sample, with every assignment step one onnxruntime product (`multiplyTransposed`):
 * argmin_c ‖x − c‖² = argmax_c (x·c − ‖c‖²/2). The figures' k-means (`lib/projection/cluster.ts`)
 * clusters a few thousand 2-D points in TypeScript; this one assigns 10^6 codes of 256 values.
 *
 * @example
 * ```ts
 * import { assignLists, trainLists } from "./ivf.ts";
 * import assert from "node:assert/strict";
 * // Two clumps on a line: two lists, one per clump.
 * const codes = new Float32Array([0, 0.1, 0.2, 10, 10.1, 10.2]);
 * const centroids = await trainLists(codes, 6, 1, 2, { seed: 1 });
 * const lists = await assignLists(codes, 6, 1, centroids, 2);
 * assert.deepEqual([...lists.slice(0, 3)].every((l) => l === lists[0]), true);
 * assert.notEqual(lists[0], lists[3]);
 * ```
 * @module
 */

import { multiplyTransposed, OnnxSimilarityCache } from "../matching/similarity_onnx.ts";
import { createRng, sampleWithoutReplacement } from "../random/mod.ts";

/** Options of {@link trainLists}. */
export interface TrainListsOptions {
  /** Lloyd iterations (default 10). */
  iterations?: number;
  /** Codes sampled for training (default 50,000). */
  sample?: number;
  seed?: number;
  cache?: OnnxSimilarityCache;
}

/** k-means centroids (`lists` × r, row-major) of `count` row-major codes of r values. */
export async function trainLists(
  codes: Float32Array,
  count: number,
  r: number,
  lists: number,
  options: TrainListsOptions = {},
): Promise<Float32Array> {
  if (!Number.isInteger(lists) || lists < 1 || lists > count) {
    throw new RangeError(`lists must be an integer in [1, ${count}], got ${lists}`);
  }
  const cache = options.cache ?? new OnnxSimilarityCache();
  try {
    const rng = createRng(options.seed ?? 0, "ivf-train");
    const all = Array.from({ length: count }, (_, i) => i);
    const picked = count <= (options.sample ?? 50_000)
      ? all
      : sampleWithoutReplacement(all, options.sample ?? 50_000, rng);
    const sample = new Float32Array(picked.length * r);
    picked.forEach((row, k) => sample.set(codes.subarray(row * r, (row + 1) * r), k * r));
    const n = picked.length;
    // Initial centroids: distinct sample points.
    const centroids = new Float32Array(lists * r);
    sampleWithoutReplacement(Array.from({ length: n }, (_, i) => i), lists, rng)
      .forEach((row, c) => centroids.set(sample.subarray(row * r, (row + 1) * r), c * r));
    for (let t = 0; t < (options.iterations ?? 10); t++) {
      const assigned = await assignLists(sample, n, r, centroids, lists, cache);
      const sums = new Float64Array(lists * r);
      const sizes = new Uint32Array(lists);
      for (let i = 0; i < n; i++) {
        const c = assigned[i];
        sizes[c]++;
        for (let d = 0; d < r; d++) sums[c * r + d] += sample[i * r + d];
      }
      for (let c = 0; c < lists; c++) {
        if (sizes[c] === 0) {
          // An empty list takes a random sample point (keeps `lists` lists in use).
          const row = Math.floor(rng() * n);
          centroids.set(sample.subarray(row * r, (row + 1) * r), c * r);
          continue;
        }
        for (let d = 0; d < r; d++) centroids[c * r + d] = sums[c * r + d] / sizes[c];
      }
    }
    return centroids;
  } finally {
    if (!options.cache) await cache.dispose();
  }
}

/** The list (nearest centroid by Euclidean distance) of each of `count` codes, in chunks. */
export async function assignLists(
  codes: Float32Array,
  count: number,
  r: number,
  centroids: Float32Array,
  lists: number,
  cache: OnnxSimilarityCache = new OnnxSimilarityCache(),
): Promise<Uint32Array> {
  const half = new Float32Array(lists);
  for (let c = 0; c < lists; c++) {
    let norm = 0;
    for (let d = 0; d < r; d++) norm += centroids[c * r + d] ** 2;
    half[c] = norm / 2;
  }
  const out = new Uint32Array(count);
  const chunk = Math.max(1, Math.floor(4_000_000 / lists));
  for (let i0 = 0; i0 < count; i0 += chunk) {
    const i1 = Math.min(count, i0 + chunk);
    const dots = await multiplyTransposed(
      codes.subarray(i0 * r, i1 * r),
      i1 - i0,
      centroids,
      lists,
      r,
      cache,
    );
    for (let i = 0; i < i1 - i0; i++) {
      let best = 0, bestScore = -Infinity;
      for (let c = 0; c < lists; c++) {
        const score = dots[i * lists + c] - half[c];
        if (score > bestScore) {
          bestScore = score;
          best = c;
        }
      }
      out[i0 + i] = best;
    }
  }
  return out;
}

/** Rows grouped by list: `rows[offsets[l] … offsets[l+1])` are list l's, in row order (a counting sort). */
export function groupByList(
  assigned: Uint32Array,
  lists: number,
): { rows: Uint32Array; offsets: Uint32Array } {
  const offsets = new Uint32Array(lists + 1);
  for (const l of assigned) offsets[l + 1]++;
  for (let l = 0; l < lists; l++) offsets[l + 1] += offsets[l];
  const fill = offsets.slice(0, lists);
  const rows = new Uint32Array(assigned.length);
  for (let i = 0; i < assigned.length; i++) rows[fill[assigned[i]]++] = i;
  return { rows, offsets };
}
