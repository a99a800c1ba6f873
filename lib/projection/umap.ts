/**
 * UMAP (McInnes, Healy & Melville, arXiv:1802.03426) through the maintained npm package
 * `umap-js`, made repeatable: every random choice (nearest-neighbour trees, initial map,
 * negative sampling) draws from a seeded generator instead of `Math.random`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { umap } from "./umap.ts";
 * const data = Float32Array.from({ length: 60 * 4 }, (_, i) => Math.sin(i) + (i < 120 ? 0 : 3));
 * const map = umap({ data, count: 60, dim: 4 }, { seed: 1, nNeighbors: 10, nEpochs: 100 });
 * assert.equal(map.coords.length, 120);
 * ```
 * @module
 */

import { UMAP } from "umap-js";
import type { Embeddings } from "../types.ts";
import { createRng } from "../random/mod.ts";
import { checkPoints, type PointMetric } from "./distance.ts";

/** Options of {@link umap}. */
export interface UmapOptions {
  /** Seed of every random choice (default 0). */
  seed?: number;
  /** Size of the local neighbourhood (default 15). */
  nNeighbors?: number;
  /** How tightly points may pack in the map (default 0.1). */
  minDist?: number;
  /** Optimisation epochs (default: umap-js's choice, 500 for small data). */
  nEpochs?: number;
  /** Input distance (default "cosine", natural for L2-normalised embeddings). */
  metric?: PointMetric;
}

/** A 2-D map: `coords[2i]`, `coords[2i+1]` are point i's x, y. */
export interface UmapResult {
  coords: Float64Array;
  count: number;
  params: {
    seed: number;
    nNeighbors: number;
    minDist: number;
    nEpochs: number | "auto";
    metric: PointMetric;
  };
}

function cosineDistance(x: number[], y: number[]): number {
  let dot = 0;
  let nx = 0;
  let ny = 0;
  for (let k = 0; k < x.length; k++) {
    dot += x[k] * y[k];
    nx += x[k] * x[k];
    ny += y[k] * y[k];
  }
  return nx === 0 || ny === 0 ? 1 : 1 - dot / Math.sqrt(nx * ny);
}

function euclideanDistance(x: number[], y: number[]): number {
  let s = 0;
  for (let k = 0; k < x.length; k++) s += (x[k] - y[k]) ** 2;
  return Math.sqrt(s);
}

/** Run UMAP on the rows of `points` and return a seeded 2-D map. */
export function umap(points: Embeddings, options: UmapOptions = {}): UmapResult {
  checkPoints(points, "points");
  const n = points.count;
  const seed = options.seed ?? 0;
  const nNeighbors = options.nNeighbors ?? 15;
  const minDist = options.minDist ?? 0.1;
  const metric = options.metric ?? "cosine";
  if (!Number.isInteger(nNeighbors) || nNeighbors < 2 || nNeighbors >= n) {
    throw new RangeError(`nNeighbors must be an integer in [2, n) = [2, ${n}), got ${nNeighbors}`);
  }
  if (!(minDist >= 0)) throw new RangeError(`minDist must be ≥ 0, got ${minDist}`);
  if (options.nEpochs !== undefined && (!Number.isInteger(options.nEpochs) || options.nEpochs < 1)) {
    throw new RangeError(`nEpochs must be a positive integer, got ${options.nEpochs}`);
  }
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    rows.push(Array.from(points.data.subarray(i * points.dim, (i + 1) * points.dim)));
  }
  const model = new UMAP({
    nComponents: 2,
    nNeighbors,
    minDist,
    nEpochs: options.nEpochs,
    random: createRng(seed, "projection:umap"),
    distanceFn: metric === "cosine" ? cosineDistance : euclideanDistance,
  });
  const fitted = model.fit(rows);
  const coords = new Float64Array(2 * n);
  fitted.forEach(([x, y], i) => {
    coords[2 * i] = x;
    coords[2 * i + 1] = y;
  });
  return {
    coords,
    count: n,
    params: { seed, nNeighbors, minDist, nEpochs: options.nEpochs ?? "auto", metric },
  };
}
