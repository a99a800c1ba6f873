/**
 * Shortlists: cheap ways to pick the items worth scoring exactly. Each strategy is one entry of
 * {@link SHORTLISTS}; every strategy feeds the same exact set re-rank (`search.ts`), so they differ
 * only in which candidates they propose and how fast.
 *
 * | name       | one query costs                         | proposes                                             |
 * | ---------- | --------------------------------------- | ---------------------------------------------------- |
 * | `images`   | one nearest-image search per query image (a {@link candidateSource}) | items owning the query images' nearest images, ranked by the mean over query images of the best similarity found (a one-way Chamfer estimate) |
 * | `centroid` | one nearest-centroid search              | items whose normalised mean vector is nearest the query's |
 * | `fde`      | one search over per-item encodings       | MUVERA fixed-dimensional encodings (Dhulipala et al., 2024), one dot product per item |
 *
 * A strategy that the index was not built for fails with {@link ShortlistUnavailableError}.
 * @module
 */

import {
  type IndexReader,
  projectRows,
  readColumn,
  readVectorColumn,
  type ShortlistParts,
  type VectorFile,
} from "../index/mod.ts";
import type { Embeddings } from "../types.ts";
import { proposeByFde } from "./fde_items.ts";
import { topIndices } from "../index/top.ts";
import { candidateSource } from "./candidates.ts";
import { unitCentroid } from "../matching/mod.ts";

export { topIndices };

/** A strategy the index cannot serve (not built), or an unknown name. */
export class ShortlistUnavailableError extends Error {
  override name = "ShortlistUnavailableError";
  exitCode = 2;
}

/** What a strategy gets for one query. */
export interface ShortlistQuery {
  reader: IndexReader;
  /** The query's unit image vectors. */
  vectors: Embeddings;
  /** How many candidate items to propose (at most). */
  candidates: number;
  /** A Lance SQL filter on the metadata columns. */
  where?: string;
  /** An item id never to propose (the query item itself). */
  exclude?: string;
  /** ANN search breadth when a vector index exists (IVF partitions probed). */
  nprobes?: number;
  /** The index's memory-mapped vector file, when the search may use it. */
  vectorFile?: VectorFile;
  /** With `where` and a vector file: the items the filter keeps. */
  only?: ReadonlySet<string>;
  /** The index's stored shortlist parts (opened on first use; undefined when absent or damaged). */
  parts?: () => Promise<ShortlistParts | undefined>;
}

/** A shortlist strategy: proposes candidate item ids, best first. */
export interface ShortlistStrategy {
  name: string;
  /** One line for `--help`. */
  description: string;
  /** Why this index cannot serve the strategy, or undefined when it can. */
  unavailable(reader: IndexReader): string | undefined;
  /** Candidates re-ranked when the search names none, for `k` results. */
  defaultCandidates(k: number): number;
  propose(query: ShortlistQuery): Promise<string[]>;
}

// deno-lint-ignore no-explicit-any
type VectorQuery = any;

function configure(search: VectorQuery, query: ShortlistQuery, column: string): VectorQuery {
  let q = search.column(column).distanceType("dot");
  if (query.where) q = q.where(query.where);
  if ((query.reader.manifest.vectorIndexes ?? []).length > 0) {
    q = q.nprobes(query.nprobes ?? 32).refineFactor(4);
  }
  return q;
}

/** The query's unit centroid (`lib/matching/centroid.ts`); a set whose images cancel has none to rank by. */
function queryCentroid(vectors: Embeddings): Float32Array {
  const centroid = unitCentroid(vectors);
  if (centroid === undefined) {
    throw new RangeError(
      "the query images' mean vector is zero (they cancel): the centroid shortlist cannot rank by it; use the images shortlist",
    );
  }
  return centroid;
}

/** `images`: union of the items of each query image's nearest images. */
export const IMAGES_SHORTLIST: ShortlistStrategy = {
  name: "images",
  description: "items of each query image's nearest images (a one-way Chamfer estimate)",
  unavailable: () => undefined,
  // Measured on the 10^5-image synthetic catalog (d = 1792, 50 queries): recall@10 of --exact 0.988
  // at C = 30, 1.000 at 50, 100 and 300; p95 grows with C (the exact re-rank of C items).
  defaultCandidates: (k) => Math.max(5 * k, 50),
  propose(query) {
    // The nearest items of the query's images, from whichever backend serves this query
    // (candidates.ts: the vector file, the exact table, or the ANN index).
    return candidateSource(query.reader, query).nearestItems(query);
  },
};

/** Per open index: every item's centroid sketch, loaded once (N × SKETCH_DIM floats). */
const sketches = new WeakMap<IndexReader, Promise<{ ids: string[]; data: Float32Array; dim: number }>>();

function loadSketches(reader: IndexReader) {
  let entry = sketches.get(reader);
  if (entry === undefined) {
    entry = reader.items.query().select(["item_id", "centroid_sketch"]).toArrow().then((rows) => {
      const { data, dim } = readVectorColumn(rows, "centroid_sketch");
      return { ids: readColumn<string>(rows, "item_id"), data, dim };
    });
    sketches.set(reader, entry);
  }
  return entry;
}

/**
 * `centroid`: nearest items by their normalised mean vector. With the centroid sketches of the
 * index (`manifest.sketch`) and no filter, every item's sketch is scanned in memory (a few ms for
 * 10^5 items); otherwise LanceDB searches the full centroids.
 */
export const CENTROID_SHORTLIST: ShortlistStrategy = {
  name: "centroid",
  description: "items whose mean image vector is nearest the query's",
  unavailable: () => undefined,
  defaultCandidates: (k) => Math.max(10 * k, 100),
  async propose(query) {
    const sketch = query.reader.manifest.sketch;
    const parts = query.where ? undefined : await query.parts?.();
    if (parts !== undefined) {
      // The stored sketches, scanned by onnxruntime (lib/index/shortlist_parts.ts).
      const { dim, seed } = parts.entry.sketch;
      const q = projectRows(queryCentroid(query.vectors), query.vectors.dim, dim, seed);
      const scores = await parts.sketchScores(q);
      const skip = query.exclude === undefined ? undefined : parts.rowOf(query.exclude);
      if (skip !== undefined) scores[skip] = -Infinity;
      return topIndices(scores, query.candidates).filter((r) => scores[r] > -Infinity).map((r) =>
        parts.ids[r]
      );
    }
    if (sketch !== undefined && !query.where) {
      const { ids, data, dim } = await loadSketches(query.reader);
      const q = projectRows(queryCentroid(query.vectors), query.vectors.dim, dim, sketch.seed);
      const scores = new Float32Array(ids.length);
      for (let r = 0; r < ids.length; r++) {
        let dot = 0;
        const base = r * dim;
        for (let d = 0; d < dim; d++) dot += q[d] * data[base + d];
        scores[r] = dot;
      }
      const extra = query.exclude !== undefined ? 1 : 0;
      return topIndices(scores, query.candidates + extra).map((r) => ids[r]).filter((id) =>
        id !== query.exclude
      )
        .slice(0, query.candidates);
    }
    const q = Array.from(queryCentroid(query.vectors));
    const limit = query.candidates + (query.exclude !== undefined ? 1 : 0);
    const rows = await configure(query.reader.items.vectorSearch(q), query, "centroid")
      .limit(limit).select(["item_id", "_distance"]).toArray();
    return (rows as { item_id: string }[]).map((r) => r.item_id).filter((id) => id !== query.exclude)
      .slice(0, query.candidates);
  },
};

/**
 * `fde`: MUVERA fixed-dimensional encodings (Dhulipala et al., 2024; `fde.ts`), one vector per item
 * whose dot product with the query's encoding approximates the one-way Chamfer similarity; the
 * item encodings are computed once per open index from the image vectors (`fde_items.ts`).
 */
export const FDE_SHORTLIST: ShortlistStrategy = {
  name: "fde",
  description: "MUVERA fixed-dimensional encodings, one vector per item (Dhulipala et al., 2024)",
  unavailable: () => undefined,
  defaultCandidates: (k) => Math.max(10 * k, 100),
  propose: (query) => proposeByFde(query),
};

/** Every shortlist strategy by name: adding one is one entry here. */
export const SHORTLISTS: Readonly<Record<string, ShortlistStrategy>> = {
  images: IMAGES_SHORTLIST,
  centroid: CENTROID_SHORTLIST,
  fde: FDE_SHORTLIST,
};

/** The strategy used when none is named. */
export const DEFAULT_SHORTLIST = "images";

/** Look a strategy up and check the index can serve it. */
export function shortlistStrategy(name: string, reader: IndexReader): ShortlistStrategy {
  const strategy = SHORTLISTS[name];
  if (strategy === undefined) {
    throw new ShortlistUnavailableError(
      `unknown shortlist "${name}"; available: ${Object.keys(SHORTLISTS).join(", ")}`,
    );
  }
  const reason = strategy.unavailable(reader);
  if (reason !== undefined) throw new ShortlistUnavailableError(reason);
  return strategy;
}
