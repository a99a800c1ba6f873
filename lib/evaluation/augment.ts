/**
 * Augmentations for the evaluation's augmentation option: rotated and mirrored copies of an
 * image, encoded losslessly (PNG) so that the embedder sees exactly the transformed pixels.
 *
 * @example
 * ```ts
 * import { augmentImage } from "./augment.ts";
 * const png = await augmentImage("photo.jpg", "rot90");
 * ```
 * @module
 */

import sharp from "sharp";

/** The available augmentations. */
export const AUGMENTATIONS = ["rot90", "rot180", "rot270", "mirror"] as const;
/** One augmentation: a rotation by 90°, 180° or 270° clockwise, or a left–right mirror. */
export type Augmentation = typeof AUGMENTATIONS[number];

/** Check a list of augmentation names, naming the bad one. */
export function parseAugmentations(names: readonly string[]): Augmentation[] {
  const out: Augmentation[] = [];
  for (const name of names) {
    if (!(AUGMENTATIONS as readonly string[]).includes(name)) {
      throw new RangeError(`unknown augmentation "${name}"; choose from ${AUGMENTATIONS.join(", ")}`);
    }
    if (!out.includes(name as Augmentation)) out.push(name as Augmentation);
  }
  return out;
}

/** The PNG bytes of `image` (a path or encoded bytes) transformed by `augmentation`. */
export async function augmentImage(
  image: string | Uint8Array,
  augmentation: Augmentation,
): Promise<Uint8Array> {
  const pipeline = sharp(image);
  const transformed = augmentation === "mirror"
    ? pipeline.flop()
    : pipeline.rotate(augmentation === "rot90" ? 90 : augmentation === "rot180" ? 180 : 270);
  return new Uint8Array(await transformed.png().toBuffer());
}
