/**
 * Synthetic catalogs for benchmarks at sizes no shared dataset has (10^5–10^6 images), built from
 * real embeddings so that item neighbourhoods look like real ones rather than uniform noise.
 *
 * Sources are real unit vectors with a group label (e.g. the Myntra footwear embeddings grouped by
 * article type). An item is made from one real *anchor* vector a and 1–8 images (uniform); image j is
 *
 *   v_j = normalise( a + α_j · (r_j − a) + σ · g_j / √d ),
 *
 * where r_j is a random real vector of a's group (other products of the same kind: the item's views
 * drift towards its kind, not towards noise), α_j ~ U[0, mix] and g_j a standard normal vector.
 * A share `duplicates` of the items re-use an earlier item's anchor (the same product listed twice).
 * Sources of another dimension than `dim` go through a seeded Gaussian random projection first
 * (Johnson–Lindenstrauss: cosines and neighbourhoods are kept approximately).
 *
 * Everything is drawn from `createRng(seed, …)`: the same options give the same catalog.
 * `variant(k)` regenerates item k with a new draw, for incremental re-index benchmarks.
 * @module
 */

import { type ImageEmbedder, type ImageFiles, type IndexCatalog, projectRows } from "../../lib/index/mod.ts";
import { createRng, gaussian } from "../../lib/random/mod.ts";
import type { Embeddings } from "../../lib/types.ts";

/** Real vectors to build from. */
export interface SyntheticSources {
  vectors: Embeddings;
  /** Group label per row (items drift within their group). */
  groups: string[];
}

/** Options of {@link syntheticCatalog}. */
export interface SyntheticOptions {
  /** Total number of images (the last item is cut to fit). */
  images: number;
  /** Vector dimension (default: the sources'). */
  dim?: number;
  seed?: number;
  /** Images per item: uniform in [1, maxImages] (default 8). */
  maxImages?: number;
  /** Largest drift towards other group members, α ∈ [0, mix] (default 0.35). */
  mix?: number;
  /** Noise scale σ (default 0.25: cos(v, a) ≈ 0.97 before drift). */
  noise?: number;
  /** Share of items that re-use an earlier item's anchor (default 0.02). */
  duplicates?: number;
}

/**
 * A generated item: id, group, image count, and its images' unit vectors (row-major), drawn again
 * from the item's seeded stream each time `vectors` is read: a catalog of 10^6 images holds none of
 * its 7 GB of vectors, and a build streams them through the embedder of {@link syntheticIndexInput}.
 */
export interface SyntheticItem {
  id: string;
  group: string;
  /** Images of the item (`vectors.count`, without drawing them). */
  count: number;
  readonly vectors: Embeddings;
}

/** A generated catalog. */
export interface SyntheticCatalog {
  dim: number;
  images: number;
  items: SyntheticItem[];
  /** Item k drawn again with another stream (same anchor and group, new images). */
  variant(k: number, version: number): SyntheticItem;
}

function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (let d = 0; d < v.length; d++) n += v[d] * v[d];
  n = Math.sqrt(n) || 1;
  for (let d = 0; d < v.length; d++) v[d] /= n;
  return v;
}

/** Project rows to `dim` with a seeded Gaussian matrix and re-normalise (identity when `dim` is theirs). */
export function randomProjection(source: Embeddings, dim: number, seed: number): Embeddings {
  if (dim === source.dim) return source;
  return { data: projectRows(source.data, source.dim, dim, seed), count: source.count, dim };
}

/** The id of item k (its index, zero-padded: ids sort in item order). */
function syntheticItemId(k: number): string {
  return `s${String(k).padStart(7, "0")}`;
}

/** Generate a catalog of `options.images` images from real `sources` (see the module doc). */
export function syntheticCatalog(sources: SyntheticSources, options: SyntheticOptions): SyntheticCatalog {
  const { images } = options;
  if (!Number.isInteger(images) || images < 1) {
    throw new RangeError(`images must be an integer ≥ 1, got ${images}`);
  }
  if (sources.vectors.count < 1 || sources.groups.length !== sources.vectors.count) {
    throw new RangeError(
      `sources need ≥ 1 vector and one group per vector (got ${sources.vectors.count} and ${sources.groups.length})`,
    );
  }
  const seed = options.seed ?? 0;
  const maxImages = options.maxImages ?? 8;
  const mix = options.mix ?? 0.35;
  const noise = options.noise ?? 0.25;
  const duplicates = options.duplicates ?? 0.02;
  const base = randomProjection(sources.vectors, options.dim ?? sources.vectors.dim, seed);
  const dim = base.dim;
  const members = Map.groupBy(sources.groups.keys(), (r) => sources.groups[r]);
  const row = (r: number) => base.data.subarray(r * dim, (r + 1) * dim);

  const plan = createRng(seed, "synthetic-plan");
  const anchors: number[] = [];
  const counts: number[] = [];
  for (let total = 0; total < images;) {
    const n = Math.min(1 + Math.floor(plan() * maxImages), images - total);
    const reuse = anchors.length > 0 && plan() < duplicates;
    anchors.push(reuse ? anchors[Math.floor(plan() * anchors.length)] : Math.floor(plan() * base.count));
    counts.push(n);
    total += n;
  }

  const drawVectors = (k: number, version: number): Embeddings => {
    const rng = createRng(seed, `synthetic-item-${k}-${version}`);
    const a = row(anchors[k]);
    const group = sources.groups[anchors[k]];
    const pool = members.get(group)!;
    const n = counts[k];
    const data = new Float32Array(n * dim);
    const scale = noise / Math.sqrt(dim);
    for (let j = 0; j < n; j++) {
      const r = row(pool[Math.floor(rng() * pool.length)]);
      const alpha = rng() * mix;
      const v = data.subarray(j * dim, (j + 1) * dim);
      for (let d = 0; d < dim; d++) v[d] = a[d] + alpha * (r[d] - a[d]) + scale * gaussian(rng);
      normalise(v);
    }
    return { data, count: n, dim };
  };
  // The last few drawn items, so that reading `item.vectors` in a loop does not draw it each time
  // (bounded: a pass over every item holds at most this many).
  const recent = new Map<string, Embeddings>();
  const cachedVectors = (k: number, version: number): Embeddings => {
    const key = `${k}@${version}`;
    let vectors = recent.get(key);
    if (vectors === undefined) {
      vectors = drawVectors(k, version);
      if (recent.size >= 64) recent.delete(recent.keys().next().value!);
    } else recent.delete(key);
    recent.set(key, vectors);
    return vectors;
  };
  const draw = (k: number, version: number): SyntheticItem => ({
    id: syntheticItemId(k),
    group: sources.groups[anchors[k]],
    count: counts[k],
    get vectors() {
      return cachedVectors(k, version);
    },
  });
  return {
    dim,
    images,
    items: counts.map((_, k) => draw(k, 0)),
    variant: draw,
  };
}

/**
 * What `buildIndex` needs to index a synthetic catalog: virtual image paths, their vectors, their
 * identity. The embedder draws an item's vectors when its images are asked for (the build asks
 * in catalog order; the catalog keeps the last few drawn items), so nothing holds all its vectors.
 */
export function syntheticIndexInput(
  synthetic: SyntheticCatalog,
  options: { seed?: number; versions?: Map<number, number> } = {},
): {
  catalog: IndexCatalog;
  embedder: ImageEmbedder;
  files: ImageFiles;
} {
  const versions = options.versions ?? new Map<number, number>();
  const items = synthetic.items.map((base, k) => {
    const version = versions.get(k) ?? 0;
    const images = Array.from({ length: base.count }, (_, j) => `synthetic://${base.id}/${j}@${version}`);
    return { id: base.id, images, group: base.group, category: base.group };
  });
  const vectorOf = (path: string): Float32Array | undefined => {
    const match = path.match(/^synthetic:\/\/s(\d+)\/(\d+)@(\d+)$/);
    if (match === null) return undefined;
    const [k, j, version] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (k >= synthetic.items.length || j >= synthetic.items[k].count) return undefined;
    const item = version === 0 ? synthetic.items[k] : synthetic.variant(k, version);
    return item.vectors.data.subarray(j * synthetic.dim, (j + 1) * synthetic.dim);
  };
  return {
    catalog: { name: `synthetic-${synthetic.images}`, root: "synthetic://", items },
    embedder: {
      model: "synthetic",
      fingerprint: `synthetic:${options.seed ?? 0}:${synthetic.dim}`,
      dim: synthetic.dim,
      embed: (paths) => Promise.resolve({ vectors: paths.map(vectorOf), failures: [], cacheHits: 0 }),
    },
    files: {
      // The path names the version, so it is the content's identity.
      stat: (path) => Promise.resolve({ size: 0, mtimeMs: Number(path.slice(path.lastIndexOf("@") + 1)) }),
      hash: (path) => Promise.resolve(path),
    },
  };
}
