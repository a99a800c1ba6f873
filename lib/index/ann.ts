/**
 * The approximate (ANN) vector index on `images.vector`, built by `buildIndex` when a catalog has
 * at least `vectorIndexMinImages` images. Below that, LanceDB's flat scan is exact and fast enough;
 * above it, the `images` shortlist probes an IVF index instead. The exact set re-rank after the
 * shortlist is unchanged, and `search --exact` never uses the ANN index, so it stays the check.
 *
 * Two LanceDB index kinds are offered (both inverted-file: k-means partitions, `nprobes` searched):
 * - `ivf_pq` (default): product quantization inside each partition, d/16 sub-vectors of 8 bits
 *   (1792-d float32 → 112 bytes per vector), refined with the stored float32 vectors.
 * - `ivf_hnsw_sq`: an HNSW graph per partition over int8 scalar-quantized vectors (d bytes each).
 *
 * Measured 2026-12-01 on the 9,197 Myntra vectors (d = 1792, 2 shared cores, 30 queries, top-100
 * per query, recall@10 against LanceDB's flat scan, refineFactor 4): ivf_pq built in 136 s, p50
 * 12 ms, recall@10 1.000 (nprobes 32); ivf_hnsw_sq built in 9.5 s, p50 24 ms, recall@10 0.997
 * (nprobes 4); flat scan p50 253 ms. But ivf_hnsw_sq's recall is not stable: its graph is built by
 * several threads, and on an 800-image test catalog the `images` shortlist's recall@10 against
 * `--exact` was ≥ 0.9 in one run and 0.77 in the next; on 10^5 images it was 0.74 / 0.81 (C = 100 /
 * 300). So ivf_pq is the default kind, and the ANN index itself is opt-in (below).
 * @module
 */

import * as lancedb from "@lancedb/lancedb";

/**
 * Images from which `buildIndex` builds the ANN index when the caller names no threshold: never, for
 * now. Measured 2026-12-01 on a synthetic 10^5-image catalog (d = 1792, 10 queries): with
 * ivf_hnsw_sq (nprobes 32, refineFactor 4) the `images` shortlist's recall@10 against `--exact` fell
 * to 0.74 / 0.81 at C = 100 / 300 (flat scan: 1.00), at p50 0.41 / 0.97 s. Until the search breadth
 * (`ef`, nprobes) is tuned by measurement the exact flat scan stays the default and the ANN index is
 * opt-in (`index --vector-index-min N`, `buildIndex(…, { vectorIndexMinImages })`).
 */
export const DEFAULT_VECTOR_INDEX_MIN_IMAGES = Infinity;

/** Which LanceDB vector index and its size parameters. */
export interface VectorIndexOptions {
  /** Default "ivf_pq". */
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
  if (options.kind === "ivf_hnsw_sq") {
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
