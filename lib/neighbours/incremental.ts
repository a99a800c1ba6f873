/**
 * Which lists must be recomputed after an index update (`--incremental`).
 *
 * Let C be the candidates whose vectors are new or changed (an item added, its photos changed,
 * or an item that newly passes `--where`), R the former candidates that are gone (removed, or no
 * longer passing `--where`), and for an item q let L(q) be its previous list and t(q) the score
 * of its k-th entry (−∞ when L(q) holds fewer than k items, null scores count as −∞). The list of
 * q is recomputed exactly when
 *
 * 1. q is new, or its own vectors changed (its queries changed); or
 * 2. L(q) contains an item of R ∪ C (a neighbour is gone, or its score against q moved); or
 * 3. some c ∈ C, c ≠ q, scores score(q, c) ≥ t(q) − 1e-9 (c may enter the list; the margin keeps
 *    ties and last-bit differences on the side of recomputing).
 *
 * Every other list is kept as it was, and lists of items that are no longer queried are dropped.
 * Why this is enough for `--exact`: a kept list's members are unchanged candidates with unchanged
 * vectors, so their scores against q are the same; every other candidate either did not change
 * (it ranked below the k-th before and still does) or is in C and scores below t(q), so the top k
 * and their order (ties by item id) are the same. With a shortlist the same rule is applied to
 * the re-ranked scores, but a shortlist's proposals also depend on other items' images (an added
 * item can push an old neighbour out of q's shortlist without entering the list itself), so a
 * full run may differ where the shortlist itself moved — the approximation the shortlist already
 * makes; use `--exact` when the lists must equal a full run's.
 *
 * Condition 3 costs |unchanged items| × |C| set comparisons (`matchSets`, the numbers the re-rank
 * computes), far fewer than a full run's searches when few items changed.
 * @module
 */

import { type MatchOptions, matchSets } from "../matching/mod.ts";
import type { SearchSession } from "../search/mod.ts";
import type { NeighbourRow } from "./rows.ts";
import type { NeighbourSearch } from "./search.ts";
import { CANDIDATE, QUERY, type Sidecar } from "./sidecar.ts";

/** How many lists are recomputed, and why (each item counted under its first reason). */
export interface IncrementalCounts {
  /** Items whose lists the new run holds. */
  items: number;
  /** Lists recomputed. */
  recomputed: number;
  /** Lists kept from the previous output. */
  kept: number;
  /** Lists of items no longer queried, dropped. */
  dropped: number;
  /** Candidates with new or changed vectors (C) and former candidates gone (R). */
  changed_candidates: number;
  removed_candidates: number;
  /** Recomputed because: the item is new or changed (1), its list holds a changed/removed item (2), a changed item may enter (3). */
  because_item_changed: number;
  because_neighbour_changed: number;
  because_may_enter: number;
}

/** The incremental plan: lists to recompute and rows to keep. */
export interface IncrementalPlan {
  recompute: string[];
  kept: NeighbourRow[];
  counts: IncrementalCounts;
}

/** The margin of condition 3 (see the module doc). */
export const ENTER_MARGIN = 1e-9;

/**
 * Plan an incremental run: `queries` and `candidates` of the new run with their vector digests,
 * the previous sidecar and rows.
 */
export async function planIncremental(
  session: SearchSession,
  search: NeighbourSearch,
  now: { queries: readonly string[]; candidates: ReadonlySet<string>; digests: ReadonlyMap<string, string> },
  previous: { sidecar: Sidecar; rows: readonly NeighbourRow[] },
): Promise<IncrementalPlan> {
  const before = new Map(previous.sidecar.items.map(([id, digest, flags]) => [id, { digest, flags }]));
  const changed = new Set<string>();
  for (const id of now.candidates) {
    const old = before.get(id);
    if (old === undefined || !(old.flags & CANDIDATE) || old.digest !== now.digests.get(id)) changed.add(id);
  }
  const removed = new Set<string>();
  for (const [id, { flags }] of before) if (flags & CANDIDATE && !now.candidates.has(id)) removed.add(id);
  const lists = Map.groupBy(previous.rows, (r) => r.item_id);
  const querySet = new Set(now.queries);
  const counts: IncrementalCounts = {
    items: now.queries.length,
    recomputed: 0,
    kept: 0,
    dropped: [...before].filter(([id, { flags }]) => flags & QUERY && !querySet.has(id)).length,
    changed_candidates: changed.size,
    removed_candidates: removed.size,
    because_item_changed: 0,
    because_neighbour_changed: 0,
    because_may_enter: 0,
  };
  const recompute = new Set<string>();
  const undecided: string[] = [];
  for (const q of now.queries) {
    const old = before.get(q);
    if (old === undefined || !(old.flags & QUERY) || old.digest !== now.digests.get(q)) {
      recompute.add(q);
      counts.because_item_changed++;
    } else if ((lists.get(q) ?? []).some((r) => changed.has(r.neighbour_id) || removed.has(r.neighbour_id))) {
      recompute.add(q);
      counts.because_neighbour_changed++;
    } else undecided.push(q);
  }
  if (changed.size > 0 && undecided.length > 0) {
    const match: MatchOptions = { method: search.method };
    if (search.s !== undefined) match.s = search.s;
    if (search.m !== undefined) match.m = search.m;
    const entering = await session.itemVectors([...changed]);
    for (let start = 0; start < undecided.length; start += 500) {
      const batch = undecided.slice(start, start + 500);
      const queries = await session.itemVectors(batch);
      for (const q of batch) {
        const list = lists.get(q) ?? [];
        const threshold = list.length < search.k ? -Infinity : (list[search.k - 1].score ?? -Infinity);
        const vectors = queries.get(q)!.vectors;
        for (const [c, entry] of entering) {
          if (c === q) continue;
          const score = matchSets(vectors, entry.vectors, match).score ?? -Infinity;
          if (score >= threshold - ENTER_MARGIN) {
            recompute.add(q);
            counts.because_may_enter++;
            break;
          }
        }
      }
    }
  }
  counts.recomputed = recompute.size;
  counts.kept = now.queries.length - recompute.size;
  const kept = previous.rows.filter((r) => querySet.has(r.item_id) && !recompute.has(r.item_id));
  return { recompute: now.queries.filter((q) => recompute.has(q)), kept, counts };
}
