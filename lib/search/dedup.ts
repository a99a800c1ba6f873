/**
 * Near-duplicate items: pairs whose set similarity reaches a threshold, joined into groups
 * (connected components: if A ≈ B and B ≈ C, {A, B, C} is one group), largest groups first.
 *
 * Each item is a query; its shortlist (or every item with `exact`) is scored with the set method.
 * A pair counts when either direction reaches the threshold (one-way Chamfer is not symmetric).
 * @module
 */

import { type MatchMethod, type MatchOptions, matchSets, validateOptions } from "../matching/mod.ts";
import { createProgress } from "../progress/mod.ts";
import { damagedVectorFileWarning, type VectorFile, VectorFileDamage } from "../index/mod.ts";
import type { SearchSession } from "./search.ts";
import { DEFAULT_SHORTLIST, shortlistStrategy } from "./shortlist.ts";

/** Options of {@link findDuplicates}. */
export interface DedupOptions {
  /**
   * Minimum set similarity of a duplicate pair, in (0, 1]: set similarities are at most 1 (the
   * same set), and a threshold of 0 or below would join unrelated items into one group.
   */
  threshold: number;
  /** Set-matching method and its options (default chamfer). */
  match?: Omit<MatchOptions, "method"> & { method?: MatchMethod };
  /** Candidates per item from the shortlist (default 20). */
  candidates?: number;
  /** Shortlist strategy (default `images`). */
  shortlist?: string;
  /** Score every pair of items (quadratic; for small catalogs and for checking the shortlist). */
  exact?: boolean;
  /** Lance SQL filter: only items it keeps are compared. */
  where?: string;
  /** Show progress (default true). */
  progress?: boolean;
}

/** One group of near-duplicates. */
export interface DuplicateGroup {
  /** 1-based, largest group first. */
  group: number;
  /** Items in the group. */
  size: number;
  /** The group's item ids, sorted. */
  items: string[];
  /** The pairs that joined the group, best first. */
  pairs: { a: string; b: string; score: number }[];
}

/** Result of {@link findDuplicates}. */
export interface DedupResult {
  /** The threshold used. */
  threshold: number;
  /** The set-matching method used. */
  method: MatchMethod;
  /** Items compared. */
  items: number;
  /** Groups, largest first. */
  groups: DuplicateGroup[];
}

/** Find groups of items whose set similarity is at least `threshold`. */
export async function findDuplicates(session: SearchSession, options: DedupOptions): Promise<DedupResult> {
  const { threshold } = options;
  if (!(Number.isFinite(threshold) && threshold > 0 && threshold <= 1)) {
    throw new RangeError(`threshold must be a set similarity in (0, 1], got ${threshold}`);
  }
  const match: MatchOptions = { ...options.match, method: options.match?.method ?? "chamfer" };
  for (const key of Object.keys(match) as (keyof MatchOptions)[]) {
    if (match[key] === undefined) delete match[key];
  }
  validateOptions(match);
  const ids = await session.itemIds(options.where);
  // The mapped vector file serves vectors and the shortlist when the index has one (nothing loaded).
  // A block of it that fails its checksum as it is read: warn once, compare again from the tables.
  let best: Map<string, DuplicatePair> | undefined;
  const file = session.vectorFile;
  if (file !== undefined) {
    try {
      best = await bestPairs(session, ids, file, match, options);
    } catch (error) {
      if (!(error instanceof VectorFileDamage)) throw error;
      console.error(damagedVectorFileWarning(session.reader.dir, session.manifest.catalog.root, error));
    }
  }
  best ??= await bestPairs(session, ids, undefined, match, options);

  // Union-find over the pairs.
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  for (const { a, b } of best.values()) {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a), rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
  const members = new Map<string, string[]>();
  for (const x of parent.keys()) {
    const root = find(x);
    members.set(root, [...(members.get(root) ?? []), x]);
  }
  const pairsOf = new Map<string, { a: string; b: string; score: number }[]>();
  for (const pair of best.values()) {
    const root = find(pair.a);
    pairsOf.set(root, [...(pairsOf.get(root) ?? []), pair]);
  }
  const groups = [...members].map(([root, items]) => ({
    items: items.sort(),
    pairs: pairsOf.get(root)!.sort((x, y) => y.score - x.score || (x.a < y.a ? -1 : 1)),
  }));
  groups.sort((x, y) => y.items.length - x.items.length || y.pairs[0].score - x.pairs[0].score);
  return {
    threshold,
    method: match.method,
    items: ids.length,
    groups: groups.map((g, k) => ({ group: k + 1, size: g.items.length, items: g.items, pairs: g.pairs })),
  };
}

/** A pair of items and its best set similarity (either direction). */
type DuplicatePair = { a: string; b: string; score: number };

/**
 * Each item as a query against its shortlist (or every later item with `exact`): the pairs that
 * reach the threshold, keyed by the two ids, with the best score of either direction. Vectors come
 * from `file` when given (block checksums checked as they are read), else from the tables.
 */
async function bestPairs(
  session: SearchSession,
  ids: string[],
  file: VectorFile | undefined,
  match: MatchOptions,
  options: DedupOptions,
): Promise<Map<string, DuplicatePair>> {
  const { threshold } = options;
  const loaded = file === undefined ? await session.itemVectors(ids) : undefined;
  const vectorsOf = (id: string) => file !== undefined ? file.itemVectors(id) : loaded!.get(id)?.vectors;
  const only = file !== undefined && options.where ? new Set(ids) : undefined;
  const strategy = options.exact
    ? undefined
    : shortlistStrategy(options.shortlist ?? DEFAULT_SHORTLIST, session.reader);
  const progress = createProgress({ label: "dedup", total: ids.length, silent: options.progress === false });
  const best = new Map<string, DuplicatePair>();
  try {
    for (const [k, id] of ids.entries()) {
      const query = vectorsOf(id)!;
      const candidates = strategy === undefined ? ids.slice(k + 1) : await strategy.propose({
        reader: session.reader,
        vectors: query,
        candidates: options.candidates ?? 20,
        where: options.where,
        exclude: id,
        vectorFile: file,
        only,
      });
      for (const other of candidates) {
        const entry = vectorsOf(other);
        if (entry === undefined || other === id) continue;
        const score = matchSets(query, entry, match).score;
        if (score === null || score < threshold) continue;
        const [a, b] = id < other ? [id, other] : [other, id];
        const key = `${a}\u0000${b}`;
        const seen = best.get(key);
        if (seen === undefined || score > seen.score) best.set(key, { a, b, score });
      }
      progress.tick();
    }
  } finally {
    progress.done();
  }
  return best;
}

/** CSV rows: one per (group, item), with the item's best partner in the group. */
export function dedupCsvRows(result: DedupResult): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const g of result.groups) {
    for (const item of g.items) {
      const best = g.pairs.find((p) => p.a === item || p.b === item)!;
      rows.push({
        group: g.group,
        size: g.size,
        item_id: item,
        best_match: best.a === item ? best.b : best.a,
        score: best.score,
      });
    }
  }
  return rows;
}
