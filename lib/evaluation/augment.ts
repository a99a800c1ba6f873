/**
 * The evaluation's augmentation option: which rotated / mirrored copies of every image join its
 * set before matching. The transforms themselves are `lib/embedding`'s (`embedImages(..., {
 * augment })`, exact pixel permutations after preprocessing, cached per kind).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAugmentations } from "./augment.ts";
 * assert.deepEqual(Array.from(parseAugmentations(["rot90", "mirror"])), ["rot90", "flop"]);
 * ```
 * @module
 */

/** Augmentation kinds (sharp's naming): clockwise rotations, `flop` = left↔right, `flip` = top↔bottom. */
export const AUGMENTATIONS = ["rot90", "rot180", "rot270", "flop", "flip"] as const;
/** One augmentation kind. */
export type Augmentation = typeof AUGMENTATIONS[number];

const ALIASES: Record<string, Augmentation> = { mirror: "flop" };

/** The default set of copies for `--augment` without a list: the three rotations and the mirror. */
export const DEFAULT_AUGMENTATIONS: readonly Augmentation[] = ["rot90", "rot180", "rot270", "flop"];

/** Check augmentation names (`mirror` = `flop`), dropping repeats, naming a bad one. */
export function parseAugmentations(names: readonly string[]): Augmentation[] {
  const out: Augmentation[] = [];
  for (const raw of names) {
    const name = ALIASES[raw] ?? raw;
    if (!(AUGMENTATIONS as readonly string[]).includes(name)) {
      throw new RangeError(`unknown augmentation "${raw}"; choose from ${AUGMENTATIONS.join(", ")}, mirror`);
    }
    if (!out.includes(name as Augmentation)) out.push(name as Augmentation);
  }
  return out;
}
