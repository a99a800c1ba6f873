/**
 * Orderings of a square similarity matrix for display: group by a label (e.g. shoe type), and
 * inside each group put similar items next to each other so blocks and sub-blocks show.
 *
 * Within a group the order is a greedy nearest-neighbour chain (the travelling-salesman
 * heuristic used for seriation, e.g. Hahsler, Hornik & Buchta 2008): start at the member least
 * similar on average to the others (an end of the chain), then repeatedly append the unvisited
 * member most similar to the last one. Deterministic: ties go to the lower index.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupedSeriation } from "./seriation.ts";
 * const S = { rows: 3, cols: 3, data: Float64Array.from([1, 0.1, 0.9, 0.1, 1, 0.2, 0.9, 0.2, 1]) };
 * // Group "a" (items 0 and 2) first, then "b": the order that shows S's blocks.
 * assert.deepEqual(groupedSeriation(S, ["a", "b", "a"]), [0, 2, 1]);
 * ```
 * @module
 */

import type { SimilarityMatrix } from "../matching/types.ts";

/** Greedy nearest-neighbour chain over `members` (indices into the square matrix). */
export function nearestNeighbourChain(similarity: SimilarityMatrix, members: readonly number[]): number[] {
  const { cols: n, data } = similarity;
  if (members.length <= 2) return members.slice();
  let start = members[0];
  let lowest = Infinity;
  for (const i of members) {
    let s = 0;
    for (const j of members) if (j !== i) s += data[i * n + j];
    if (s < lowest) {
      lowest = s;
      start = i;
    }
  }
  const visited = new Set([start]);
  const chain = [start];
  while (chain.length < members.length) {
    const last = chain[chain.length - 1];
    let next = -1;
    for (const j of members) {
      if (visited.has(j)) continue;
      if (next < 0 || data[last * n + j] > data[last * n + next]) next = j;
    }
    visited.add(next);
    chain.push(next);
  }
  return chain;
}

/**
 * A permutation of `0..n−1`: items grouped by `groups[i]` (in `groupOrder`, default sorted),
 * each group in nearest-neighbour-chain order.
 */
export function groupedSeriation(
  similarity: SimilarityMatrix,
  groups: readonly string[],
  options: { groupOrder?: readonly string[] } = {},
): number[] {
  const { rows, cols, data } = similarity;
  if (rows !== cols) throw new RangeError(`similarity must be square, got ${rows} × ${cols}`);
  if (data.length !== rows * cols) {
    throw new RangeError(`similarity data has ${data.length} values, expected ${rows * cols}`);
  }
  if (groups.length !== rows) throw new RangeError(`groups has ${groups.length} entries for ${rows} items`);
  const order = options.groupOrder ?? [...new Set(groups)].sort();
  const missing = [...new Set(groups)].filter((g) => !order.includes(g));
  if (missing.length > 0) throw new RangeError(`groupOrder lacks group(s) ${missing.join(", ")}`);
  const out: number[] = [];
  for (const group of order) {
    const members = groups.flatMap((g, i) => (g === group ? [i] : []));
    out.push(...nearestNeighbourChain(similarity, members));
  }
  return out;
}
