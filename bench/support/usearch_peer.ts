/**
 * The usearch peer of `bench catalog --peers usearch` (issue 24): an HNSW graph (npm `usearch`, a
 * dev dependency used by the bench only) over the same image vectors as the index's vector file,
 * asked the same question as setsim's default search — each query image's nearest images, the
 * same item aggregation (`itemsByEstimate`), the same number of candidates and the same exact
 * re-rank (`rerank`, vectors from the mapped vector file) — so the two differ only in how the
 * nearest images are found.
 * @module
 */

import usearch from "usearch";
import { percentile } from "../../lib/bench/mod.ts";
import { itemsByEstimate, rerank, SearchSession } from "../../lib/search/mod.ts";

/** HNSW parameters of the peer (usearch's names; its defaults are 16, 128, 64). */
export interface UsearchPeerOptions {
  /** Graph degree M. */
  connectivity: number;
  /** ef at construction. */
  expansionAdd: number;
  /** ef at search. */
  expansionSearch: number;
}

/** What the peer measured (the bench's `peer_*` fields). */
export interface UsearchPeerResult {
  peer: "usearch";
  peer_build_s: number;
  peer_p50_ms: number;
  peer_p95_ms: number;
  peer_recall_at_10: number;
  peer_candidates: number;
  peer_options: UsearchPeerOptions;
}

// usearch's types come from its CommonJS build; only these members are used.
interface UsearchMatches {
  keys: BigUint64Array;
  distances: Float32Array;
  /** Per query vector (absent when one vector was asked). */
  counts?: BigUint64Array;
}
interface UsearchIndex {
  add(keys: BigUint64Array, vectors: Float32Array, threads?: number): void;
  search(vectors: Float32Array, k: number, threads?: number): UsearchMatches;
  size(): number;
}
const { Index, MetricKind, ScalarKind } = usearch as unknown as {
  Index: new (config: Record<string, unknown>) => UsearchIndex;
  MetricKind: { IP: unknown };
  ScalarKind: { F32: unknown };
};

/**
 * Build the peer's graph over the index's vector file (timed), then answer `queries` as setsim's
 * default search does with `candidates` re-ranked: recall@10 against `exactTop`, latency of the
 * shortlist + re-rank per query (reading the query item is not timed, as in setsim's `elapsed_ms`).
 */
export async function measureUsearchPeer(
  dir: string,
  queries: readonly string[],
  exactTop: Record<string, string[]>,
  candidates: number,
  options: UsearchPeerOptions,
  warmup: readonly string[] = [],
  log: (line: string) => void = () => {},
): Promise<UsearchPeerResult> {
  const session = await SearchSession.open(dir);
  try {
    const file = session.vectorFile;
    if (file === undefined) throw new Error(`${dir}: the usearch peer needs the index's vector file`);
    const dim = file.dim;
    // Row keys: the item of every added row, by key.
    const rowItems: string[] = [];
    const index = new Index({
      dimensions: dim,
      metric: MetricKind.IP,
      quantization: ScalarKind.F32,
      connectivity: options.connectivity,
      expansion_add: options.expansionAdd,
      expansion_search: options.expansionSearch,
      multi: false,
    });
    const start = performance.now();
    for (const run of file.keptRows(new Set())) {
      const keys = new BigUint64Array(run.ids.length);
      for (let r = 0; r < run.ids.length; r++) {
        keys[r] = BigInt(rowItems.length);
        rowItems.push(run.ids[r]);
      }
      index.add(keys, run.vectors, 0);
    }
    const buildSeconds = (performance.now() - start) / 1000;
    log(`usearch peer: HNSW over ${index.size()} vectors built in ${buildSeconds.toFixed(1)} s`);
    // As VectorFileCandidates: each query image's nearest max(C, 32) images.
    const perImage = Math.max(candidates, 32);
    const answer = (query: Awaited<ReturnType<SearchSession["itemQuery"]>>) => {
      const { vectors } = query;
      // The query item's own images are skipped: ask for as many more.
      const found = index.search(vectors.data, perImage + vectors.count, 0);
      const wanted = perImage + vectors.count;
      const nearest = Array.from({ length: vectors.count }, (_, r) => {
        const items: string[] = [];
        const similarities: number[] = [];
        // One query vector gets usearch's single-query answer, which has no `counts`.
        const count = found.counts === undefined ? found.keys.length : Number(found.counts[r]);
        for (let t = 0; t < count && items.length < perImage; t++) {
          const item = rowItems[Number(found.keys[r * wanted + t])];
          if (item === query.itemId) continue;
          items.push(item);
          similarities.push(1 - found.distances[r * wanted + t]);
        }
        return { items, similarities };
      });
      const shortlist = itemsByEstimate(nearest, candidates);
      return rerank(vectors, shortlist, (id) => {
        const v = file.itemVectors(id);
        return v && { vectors: v };
      }, { match: { method: "chamfer" } }).slice(0, 10);
    };
    for (const id of warmup) answer(await session.itemQuery(id));
    const ms: number[] = [];
    let hit = 0, total = 0;
    for (const id of queries) {
      const query = await session.itemQuery(id);
      const t0 = performance.now();
      const top = answer(query);
      ms.push(performance.now() - t0);
      const got = new Set(top.map((r) => r.item_id));
      hit += exactTop[id].filter((x) => got.has(x)).length;
      total += exactTop[id].length;
    }
    const result: UsearchPeerResult = {
      peer: "usearch",
      peer_build_s: buildSeconds,
      peer_p50_ms: percentile(ms, 0.5),
      peer_p95_ms: percentile(ms, 0.95),
      peer_recall_at_10: total > 0 ? hit / total : 1,
      peer_candidates: candidates,
      peer_options: options,
    };
    log(
      `usearch peer C=${candidates}: recall@10 ${result.peer_recall_at_10.toFixed(3)}, p50 ${
        result.peer_p50_ms.toFixed(1)
      } ms, p95 ${result.peer_p95_ms.toFixed(1)} ms`,
    );
    return result;
  } finally {
    await session.close();
  }
}
