/**
 * Shuffle the order of the images inside each set, seeded: for testing which methods depend on
 * the views being in corresponding order (`ordered`) and which do not (greedy, optimal, …).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { permuteWithinSets } from "./permute.ts";
 * const shuffled = permuteWithinSets([[0, 1, 2, 3], [4, 5, 6, 7]], { seed: 0, derangement: true });
 * assert.ok(shuffled[0].every((v, i) => v !== i)); // no image kept its position
 * ```
 * @module
 */

import { createRng, shuffle } from "../random/mod.ts";

/** Options of {@link permuteWithinSets}. */
export interface PermuteOptions {
  /** Seed of the shuffles (the same seed, the same permutations). */
  seed: number;
  /**
   * Move every image off its position (a derangement), so no view stays aligned; sets of one image
   * are left as they are. Default false (a uniform permutation, which may keep some positions).
   */
  derangement?: boolean;
}

function isDerangement(perm: readonly number[]): boolean {
  return perm.every((p, i) => p !== i);
}

/**
 * A copy of `sets` with each set's members in a seeded random order. With `derangement`, each
 * permutation is drawn uniformly among the derangements (by rejection; 1/e of draws succeed).
 */
export function permuteWithinSets(sets: readonly (readonly number[])[], options: PermuteOptions): number[][] {
  const rng = createRng(options.seed, "experiments:permute");
  return sets.map((set) => {
    const positions = set.map((_, i) => i);
    let perm = shuffle(positions, rng);
    if (options.derangement && set.length > 1) {
      while (!isDerangement(perm)) perm = shuffle(positions, rng);
    }
    return perm.map((p) => set[p]);
  });
}
