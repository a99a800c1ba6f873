/**
 * Small-data clustering for testing claims such as "two kinds of casual shoes separate":
 * seeded k-means++ with restarts, the silhouette coefficient to say how separated the clusters
 * are, and the adjusted Rand index to say how stable they are across seeds.
 *
 * - k-means (Lloyd 1982) minimises Σᵢ ‖xᵢ − μ_{c(i)}‖²; k-means++ seeding (Arthur & Vassilvitskii
 *   2007) picks each new centre with probability ∝ squared distance to the nearest chosen one.
 *   With `metric: "cosine"` rows are L2-normalised first (spherical k-means on unit vectors).
 * - Silhouette (Rousseeuw 1987): s(i) = (b(i) − a(i)) / max(a(i), b(i)), a = mean distance to
 *   its own cluster, b = smallest mean distance to another cluster; s(i) = 0 for singletons.
 *   Around 0.7+ strong structure, 0.25–0.5 weak, below 0.25 none to speak of (Kaufman &
 *   Rousseeuw 1990).
 * - ARI (Hubert & Arabie 1985): Rand index corrected for chance; 1 identical, ≈ 0 random.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kMeans, silhouette } from "./cluster.ts";
 * const points = { data: Float32Array.from([0, 0, 0, 1, 10, 10, 10, 11]), count: 4, dim: 2 };
 * const { labels, centers, inertia } = kMeans(points, 2, { seed: 0 });
 * assert.deepEqual(labels, [0, 0, 1, 1]);
 * assert.deepEqual(centers, new Float64Array([0, 0.5, 10, 10.5]));
 * assert.equal(inertia, 1); // four squared distances of 0.5²
 * // Each point is 1 from its partner and ~14.5 from the other pair: s = 1 − 1/14.5 ≈ 0.93.
 * assert.equal(silhouette(points, labels).toFixed(2), "0.93");
 * ```
 * @module
 */

import type { Embeddings } from "../types.ts";
import { createRng } from "../random/mod.ts";
import { checkPoints, type PointMetric, squaredDistances } from "./distance.ts";

/** Options of {@link kMeans}. */
export interface KMeansOptions {
  seed?: number;
  /** Independent k-means++ starts; the lowest inertia wins (default 10). */
  restarts?: number;
  /** Lloyd iterations per start, at most (default 300). */
  maxIterations?: number;
  /** "euclidean" (default) or "cosine" (rows normalised first). */
  metric?: PointMetric;
}

/** Result of {@link kMeans}. */
export interface KMeansResult {
  /** Cluster of each point, 0..k−1, numbered by first appearance (so equal partitions print alike). */
  labels: number[];
  /** k × dim centres, row-major. */
  centers: Float64Array;
  /** Σ squared distances to the assigned centre. */
  inertia: number;
}

function normalised(points: Embeddings): Float64Array {
  const { data, count, dim } = points;
  const out = new Float64Array(data.length);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += data[i * dim + k] ** 2;
    if (s === 0) throw new RangeError(`row ${i} has zero norm; cosine k-means is undefined`);
    const inv = 1 / Math.sqrt(s);
    for (let k = 0; k < dim; k++) out[i * dim + k] = data[i * dim + k] * inv;
  }
  return out;
}

/** Seeded k-means++ with restarts. */
export function kMeans(points: Embeddings, k: number, options: KMeansOptions = {}): KMeansResult {
  checkPoints(points, "points");
  const { count: n, dim } = points;
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new RangeError(`k must be an integer in [1, ${n}], got ${k}`);
  }
  const restarts = options.restarts ?? 10;
  const maxIterations = options.maxIterations ?? 300;
  if (!Number.isInteger(restarts) || restarts < 1) {
    throw new RangeError(`restarts must be ≥ 1, got ${restarts}`);
  }
  const x = options.metric === "cosine" ? normalised(points) : Float64Array.from(points.data);
  const rng = createRng(options.seed ?? 0, "projection:kmeans");
  const dist2 = (i: number, centers: Float64Array, c: number) => {
    let s = 0;
    for (let d = 0; d < dim; d++) s += (x[i * dim + d] - centers[c * dim + d]) ** 2;
    return s;
  };
  let best: KMeansResult | null = null;
  for (let run = 0; run < restarts; run++) {
    const centers = new Float64Array(k * dim);
    const first = Math.floor(rng() * n);
    centers.set(x.subarray(first * dim, (first + 1) * dim), 0);
    const nearest = new Float64Array(n).fill(Infinity);
    for (let c = 1; c < k; c++) {
      let total = 0;
      for (let i = 0; i < n; i++) {
        nearest[i] = Math.min(nearest[i], dist2(i, centers, c - 1));
        total += nearest[i];
      }
      let target = rng() * total;
      let pick = n - 1;
      for (let i = 0; i < n; i++) {
        target -= nearest[i];
        if (target < 0) {
          pick = i;
          break;
        }
      }
      centers.set(x.subarray(pick * dim, (pick + 1) * dim), c * dim);
    }
    const labels = new Array<number>(n).fill(-1);
    let inertia = 0;
    for (let it = 0; it < maxIterations; it++) {
      let changed = false;
      inertia = 0;
      for (let i = 0; i < n; i++) {
        let bestC = 0;
        let bestD = Infinity;
        for (let c = 0; c < k; c++) {
          const d = dist2(i, centers, c);
          if (d < bestD) {
            bestD = d;
            bestC = c;
          }
        }
        if (labels[i] !== bestC) changed = true;
        labels[i] = bestC;
        inertia += bestD;
      }
      if (!changed) break;
      const sizes = new Float64Array(k);
      centers.fill(0);
      for (let i = 0; i < n; i++) {
        sizes[labels[i]]++;
        for (let d = 0; d < dim; d++) centers[labels[i] * dim + d] += x[i * dim + d];
      }
      for (let c = 0; c < k; c++) {
        // An emptied cluster restarts at the point farthest from its centre.
        if (sizes[c] === 0) {
          let far = 0;
          for (let i = 1; i < n; i++) {
            if (dist2(i, centers, labels[i]) > dist2(far, centers, labels[far])) far = i;
          }
          centers.set(x.subarray(far * dim, (far + 1) * dim), c * dim);
          continue;
        }
        for (let d = 0; d < dim; d++) centers[c * dim + d] /= sizes[c];
      }
    }
    if (!best || inertia < best.inertia) best = { labels: labels.slice(), centers: centers.slice(), inertia };
  }
  // Renumber by first appearance.
  const map = new Map<number, number>();
  const labels = best!.labels.map((l) => {
    if (!map.has(l)) map.set(l, map.size);
    return map.get(l)!;
  });
  const centers = new Float64Array(k * dim);
  for (const [old, fresh] of map) {
    centers.set(best!.centers.subarray(old * dim, (old + 1) * dim), fresh * dim);
  }
  return { labels, centers, inertia: best!.inertia };
}

/** Per-point silhouette values s(i) (distances: Euclidean, or 1 − cosine). */
export function silhouetteSamples(
  points: Embeddings,
  labels: readonly number[],
  metric: PointMetric = "euclidean",
): Float64Array {
  checkPoints(points, "points");
  const n = points.count;
  if (labels.length !== n) throw new RangeError(`labels has ${labels.length} entries for ${n} points`);
  const clusters = [...new Set(labels)];
  if (clusters.length < 2) throw new RangeError("silhouette needs at least 2 clusters");
  const d2 = squaredDistances(points, metric);
  const distance = (i: number, j: number) => (metric === "cosine" ? d2[i * n + j] : Math.sqrt(d2[i * n + j]));
  const sizes = new Map<number, number>();
  for (const l of labels) sizes.set(l, (sizes.get(l) ?? 0) + 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (sizes.get(labels[i]) === 1) continue;
    const sums = new Map<number, number>();
    for (let j = 0; j < n; j++) if (j !== i) sums.set(labels[j], (sums.get(labels[j]) ?? 0) + distance(i, j));
    const a = sums.get(labels[i])! / (sizes.get(labels[i])! - 1);
    let b = Infinity;
    for (const c of clusters) if (c !== labels[i]) b = Math.min(b, (sums.get(c) ?? 0) / sizes.get(c)!);
    out[i] = Math.max(a, b) > 0 ? (b - a) / Math.max(a, b) : 0;
  }
  return out;
}

/** Mean silhouette coefficient. */
export function silhouette(
  points: Embeddings,
  labels: readonly number[],
  metric: PointMetric = "euclidean",
): number {
  const s = silhouetteSamples(points, labels, metric);
  return s.reduce((a, b) => a + b, 0) / s.length;
}

/** Adjusted Rand index of two labelings of the same points. */
export function adjustedRandIndex(a: readonly (number | string)[], b: readonly (number | string)[]): number {
  if (a.length !== b.length) throw new RangeError(`labelings have ${a.length} and ${b.length} entries`);
  const n = a.length;
  const pair = (m: number) => (m * (m - 1)) / 2;
  const table = new Map<string, number>();
  const rows = new Map<number | string, number>();
  const cols = new Map<number | string, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]}\u0000${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rows.set(a[i], (rows.get(a[i]) ?? 0) + 1);
    cols.set(b[i], (cols.get(b[i]) ?? 0) + 1);
  }
  let index = 0;
  for (const v of table.values()) index += pair(v);
  let sa = 0;
  for (const v of rows.values()) sa += pair(v);
  let sb = 0;
  for (const v of cols.values()) sb += pair(v);
  const expected = (sa * sb) / pair(n);
  const max = (sa + sb) / 2;
  if (max === expected) return 1; // both labelings put everything in one cluster (or all singletons)
  return (index - expected) / (max - expected);
}
