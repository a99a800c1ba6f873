/**
 * The approximate (ANN) vector index on `images.vector`, built by `buildIndex` when a catalog has
 * at least `vectorIndexMinImages` images. Below that, LanceDB's flat scan is exact and fast enough;
 * above it, the `images` shortlist probes an IVF index instead. The exact set re-rank after the
 * shortlist is unchanged, and `search --exact` never uses the ANN index, so it stays the check.
 *
 * Two LanceDB index kinds are offered (both inverted-file: k-means partitions, `nprobes` searched):
 * - `ivf_hnsw_sq` (default): an HNSW graph per partition over int8 scalar-quantized vectors
 *   (d bytes each); results refined with the stored float32 vectors.
 * - `ivf_pq`: product quantization inside each partition, d/16 sub-vectors of 8 bits
 *   (1792-d float32 → 112 bytes per vector).
 *
 * Why the default (measured 2026-12-01 on the 9,197 Myntra vectors, d = 1792, 2 shared cores,
 * 30 queries, top-100 per query, recall@10 against LanceDB's flat scan, nprobes 32 / 4,
 * refineFactor 4): ivf_pq built in 136 s, p50 12 ms, recall@10 1.000; ivf_hnsw_sq built in 9.5 s
 * (14× faster), p50 24 ms, recall@10 0.997; flat scan p50 253 ms. Build time is what grows out of
 * reach first (issue 13's 15 min for 10^6 images), and the set re-rank absorbs the 0.3 % of image
 * neighbours missed, so ivf_hnsw_sq is the default; ivf_pq stays selectable for memory-bound stores.
 * @module
 */

import * as lancedb from "@lancedb/lancedb";

/** Images from which `buildIndex` builds the ANN index by default (flat scan below: ~250 ms per query image at 9k × 1792 on 2 shared cores). */
export const DEFAULT_VECTOR_INDEX_MIN_IMAGES = 20_000;

/** Which LanceDB vector index and its size parameters. */
export interface VectorIndexOptions {
  kind?: "ivf_pq" | "ivf_hnsw_sq";
  /** IVF partitions (default √images for ivf_pq, √images / 8 for ivf_hnsw_sq). */
  numPartitions?: number;
  /** PQ sub-vectors (ivf_pq only; default d / 16). */
  numSubVectors?: number;
}

/** The LanceDB index config for `images` vectors of `dim` values. */
export function vectorIndexConfig(
  images: number,
  dim: number,
  options: VectorIndexOptions = {},
): lancedb.Index {
  const root = Math.sqrt(Math.max(1, images));
  if ((options.kind ?? "ivf_hnsw_sq") === "ivf_hnsw_sq") {
    return lancedb.Index.hnswSq({
      distanceType: "dot",
      numPartitions: options.numPartitions ?? Math.max(1, Math.round(root / 8)),
    });
  }
  return lancedb.Index.ivfPq({
    distanceType: "dot",
    numPartitions: options.numPartitions ?? Math.max(1, Math.round(root)),
    numSubVectors: options.numSubVectors ?? Math.max(1, Math.floor(dim / 16)),
  });
}
