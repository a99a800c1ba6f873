/**
 * Geometric augmentations of a preprocessed image, for robustness evaluations (does a set still
 * match when its photos are rotated or mirrored?). Exact pixel permutations, no resampling.
 *
 * Kinds (sharp's naming): `rot90` / `rot180` / `rot270` rotate clockwise; `flip` mirrors top ↔
 * bottom; `flop` mirrors left ↔ right. `rot90` and `rot270` swap width and height.
 *
 * Use it directly, or pass `augment: "rot90"` to `embedImages` (the kind is part of the cache key).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { augmentImage } from "./augment.ts";
 * const image = { data: new Uint8Array([1, 1, 1, 2, 2, 2]), width: 2, height: 1, channels: 3 as const };
 * assert.deepEqual(augmentImage(image, "flop").data, new Uint8Array([2, 2, 2, 1, 1, 1])); // mirrored
 * ```
 * @module
 */

import type { PreprocessedImage } from "./model.ts";

/** The augmentation kinds. */
export const AUGMENT_KINDS = ["rot90", "rot180", "rot270", "flip", "flop"] as const;
/** One augmentation kind: a quarter turn, a half turn, three quarters, a vertical or a horizontal flip. */
export type AugmentKind = typeof AUGMENT_KINDS[number];

/** Throw a `RangeError` naming the valid kinds unless `kind` is one of {@link AUGMENT_KINDS}. */
export function assertAugmentKind(kind: unknown): asserts kind is AugmentKind {
  if (!AUGMENT_KINDS.includes(kind as AugmentKind)) {
    throw new RangeError(
      `augment kind must be one of ${AUGMENT_KINDS.join(", ")}, got ${JSON.stringify(kind)}`,
    );
  }
}

/** Return a new image rotated or mirrored (see module doc). */
export function augmentImage(image: PreprocessedImage, kind: AugmentKind): PreprocessedImage {
  assertAugmentKind(kind);
  const { width: w, height: h, data } = image;
  if (data.length !== w * h * 3) throw new RangeError(`image has ${data.length} bytes, expected ${w}x${h}x3`);
  const swap = kind === "rot90" || kind === "rot270";
  const ow = swap ? h : w, oh = swap ? w : h;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      // (sx, sy): the source pixel that lands on (x, y).
      let sx: number, sy: number;
      switch (kind) {
        case "rot90":
          sx = y, sy = h - 1 - x;
          break;
        case "rot180":
          sx = w - 1 - x, sy = h - 1 - y;
          break;
        case "rot270":
          sx = w - 1 - y, sy = x;
          break;
        case "flip":
          sx = x, sy = h - 1 - y;
          break;
        default:
          sx = w - 1 - x, sy = y;
      }
      const o = (y * ow + x) * 3, s = (sy * w + sx) * 3;
      out[o] = data[s];
      out[o + 1] = data[s + 1];
      out[o + 2] = data[s + 2];
    }
  }
  return { data: out, width: ow, height: oh, channels: 3 };
}
