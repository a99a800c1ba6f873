/**
 * One chunk of a similar-products run: the k nearest items of each given item, through a
 * {@link SearchSession}'s public `itemVectors` and `search` (the same shortlist, re-rank and tie
 * order as `deno task search --query ITEM`). Run in the main thread, in a pool worker
 * (`pool_worker.ts`) or in a queue worker (`scripts/worker.ts`): the rows are the same.
 * @module
 */

import type { MatchMethod } from "../matching/mod.ts";
import type { SearchSession } from "../search/mod.ts";
import type { NeighbourRow } from "./rows.ts";

/** What a neighbours run asks of each search (plain JSON: it travels to workers and into journals). */
export interface NeighbourSearch {
  /** Neighbours per item, an integer ≥ 1. */
  k: number;
  method: MatchMethod;
  /** The method's similarity threshold and pair cap, when given. */
  s?: number;
  m?: number;
  /** Lance SQL filter restricting the candidates (not the items whose lists are computed). */
  where?: string;
  /** Score every candidate (no shortlist). */
  exact?: boolean;
  shortlist?: string;
  candidates?: number;
  nprobes?: number;
}

/** The search options of `search` as {@link SearchSession.search} takes them. */
export function searchOptions(search: NeighbourSearch) {
  const match: { method: MatchMethod; s?: number; m?: number } = { method: search.method };
  if (search.s !== undefined) match.s = search.s;
  if (search.m !== undefined) match.m = search.m;
  return {
    k: search.k,
    match,
    where: search.where,
    exact: search.exact,
    shortlist: search.shortlist,
    candidates: search.candidates,
    nprobes: search.nprobes,
  };
}

/**
 * The neighbour rows of `ids` (in the order given, each item's rows by rank). An id the index does
 * not hold is an error naming it.
 */
export async function neighboursOfItems(
  session: SearchSession,
  ids: readonly string[],
  search: NeighbourSearch,
): Promise<NeighbourRow[]> {
  const vectors = await session.itemVectors(ids);
  const options = searchOptions(search);
  const rows: NeighbourRow[] = [];
  for (const id of ids) {
    const entry = vectors.get(id);
    if (entry === undefined) throw new RangeError(`no item "${id}" in the index`);
    const result = await session.search(
      { itemId: id, images: entry.images, vectors: entry.vectors, title: entry.title },
      options,
    );
    for (const r of result.results) {
      rows.push({
        item_id: id,
        rank: r.rank,
        neighbour_id: r.item_id,
        score: r.score,
        pairs: r.pairs.filter((p) => p.counted).length,
        method: result.method,
      });
    }
  }
  return rows;
}
