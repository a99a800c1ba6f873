/**
 * Candidate sources: the nearest items of a query set under a filter, one implementation per
 * backend that can find nearest images — the memory-mapped vector file, the Lance images table
 * scanned exactly, and the Lance images table through its approximate (IVF) vector index. Each
 * proposes items ranked by the mean over query images of the best similarity found among the
 * item's images (a one-way Chamfer estimate); the search then re-ranks them exactly (`rerank.ts`),
 * so the sources differ only in speed and in which candidates they find.
 * @module
 */

import type { IndexReader, VectorFile } from "../index/mod.ts";
import type { Embeddings } from "../types.ts";

/** What a source is asked for. */
export interface CandidateQuery {
  /** The query's unit image vectors. */
  vectors: Embeddings;
  /** Items to propose (at most). */
  candidates: number;
  /** A validated Lance SQL filter on the metadata columns. */
  where?: string;
  /** An item never to propose (the query item itself). */
  exclude?: string;
  /** Inverted lists probed (the vector file's large segments, or the Lance vector index). */
  nprobes?: number;
}

/** Nearest items for a query set, under a filter, best first. */
export interface CandidateSource {
  /** `vector-file`, `table` or `ann`. */
  readonly backend: string;
  nearestItems(query: CandidateQuery): Promise<string[]>;
}

/** Per item, per query image: the best similarity found (−1 where none was). */
type BestFound = Map<string, Float64Array>;

function record(best: BestFound, queries: number, item: string, r: number, similarity: number): void {
  let scores = best.get(item);
  if (scores === undefined) best.set(item, scores = new Float64Array(queries).fill(-1));
  if (similarity > scores[r]) scores[r] = similarity;
}

/** Items by the sum over query images of the best similarity found, ties by id. */
function rankByEstimate(best: BestFound, candidates: number): string[] {
  const ranked = [...best].map(([id, scores]) => ({ id, score: scores.reduce((t, v) => t + v, 0) }));
  ranked.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return ranked.slice(0, candidates).map((r) => r.id);
}

/**
 * The vector file (codes scan + exact refine, `lib/index/vector_file.ts`). A filter becomes the set
 * of items it keeps (`only`, from one items-table query).
 */
export class VectorFileCandidates implements CandidateSource {
  readonly backend = "vector-file";
  constructor(
    private readonly file: VectorFile,
    /** The items the query's filter keeps (required when the query has a filter). */
    private readonly only?: ReadonlySet<string>,
  ) {}

  async nearestItems(query: CandidateQuery): Promise<string[]> {
    if (query.where && this.only === undefined) {
      throw new Error("VectorFileCandidates: a filtered query needs the set of items the filter keeps");
    }
    const { vectors } = query;
    // Each query image's nearest `candidates` rows are enough (measured at 10^5: recall@10 1.000
    // with C = 100, the same as 3 C), as the refine already ranks them exactly.
    const nearest = await this.file.nearestImages(vectors, Math.max(query.candidates, 32), {
      exclude: query.exclude,
      probes: query.nprobes,
      only: query.where ? this.only : undefined,
    });
    return itemsByEstimate(nearest, query.candidates);
  }
}

/**
 * The `candidates` best items of each query image's nearest images (`nearest[r]`: query image r's
 * images, their items and similarities), ranked by the sum over query images of the best
 * similarity found among the item's images, ties by id: the one aggregation of every image-level
 * source (the bench's ANN peers use it too, so they are compared on the same candidates).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { itemsByEstimate } from "./candidates.ts";
 * const nearest = [
 *   { items: ["a", "b", "a"], similarities: new Float32Array([0.9, 0.8, 0.7]) },
 *   { items: ["b"], similarities: new Float32Array([0.6]) },
 * ];
 * // b: 0.8 + 0.6; a: 0.9 + nothing found (−1)
 * assert.deepEqual(itemsByEstimate(nearest, 2), ["b", "a"]);
 * ```
 */
export function itemsByEstimate(
  nearest: readonly { items: readonly string[]; similarities: ArrayLike<number> }[],
  candidates: number,
): string[] {
  const best: BestFound = new Map();
  nearest.forEach(({ items, similarities }, r) =>
    items.forEach((id, t) => record(best, nearest.length, id, r, similarities[t]))
  );
  return rankByEstimate(best, candidates);
}

/** The Lance images table, searched exactly (a flat scan of every vector). */
export class TableCandidates implements CandidateSource {
  readonly backend: string = "table";
  constructor(protected readonly reader: IndexReader) {}

  /** The LanceDB vector query of one query image (the ANN source adds its probes). */
  // deno-lint-ignore no-explicit-any
  protected configure(search: any, query: CandidateQuery): any {
    let q = search.column("vector").distanceType("dot");
    if (query.where) q = q.where(query.where);
    return q;
  }

  async nearestItems(query: CandidateQuery): Promise<string[]> {
    const { vectors } = query;
    // Nearest images per query image: enough rows that `candidates` distinct items can surface even
    // when items have several near-identical photos (up to 8 per item in practice).
    const perImage = Math.max(query.candidates * 3, 32);
    // One search per query image, run together (LanceDB spreads them over its threads).
    const found = await Promise.all(Array.from({ length: vectors.count }, (_, r) => {
      const q = Array.from(vectors.data.subarray(r * vectors.dim, (r + 1) * vectors.dim));
      return this.configure(this.reader.images.vectorSearch(q), query)
        .limit(perImage).select(["item_id", "_distance"]).toArray();
    }));
    const best: BestFound = new Map();
    for (let r = 0; r < vectors.count; r++) {
      for (const row of found[r] as { item_id: string; _distance: number }[]) {
        if (row.item_id !== query.exclude) record(best, vectors.count, row.item_id, r, 1 - row._distance);
      }
    }
    return rankByEstimate(best, query.candidates);
  }
}

/** The Lance images table through its trained vector index (IVF-PQ or IVF-HNSW-SQ, `lib/index/ann.ts`). */
export class AnnCandidates extends TableCandidates {
  override readonly backend = "ann";
  // deno-lint-ignore no-explicit-any
  protected override configure(search: any, query: CandidateQuery): any {
    return super.configure(search, query).nprobes(query.nprobes ?? 32).refineFactor(4);
  }
}

/**
 * The source a search uses: the vector file when it may serve the query (it opened, and a filter,
 * if any, was resolved to `only`), else the ANN index when the index has one, else the exact table.
 */
export function candidateSource(
  reader: IndexReader,
  options: { vectorFile?: VectorFile; where?: string; only?: ReadonlySet<string> } = {},
): CandidateSource {
  if (options.vectorFile !== undefined && (!options.where || options.only !== undefined)) {
    return new VectorFileCandidates(options.vectorFile, options.only);
  }
  return (reader.manifest.vectorIndexes ?? []).length > 0
    ? new AnnCandidates(reader)
    : new TableCandidates(reader);
}
