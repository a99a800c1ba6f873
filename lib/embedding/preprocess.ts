/**
 * setsim's own image preprocessing (the article's step), with sharp/libvips:
 *
 * 1. decode (JPEG, PNG, WebP, GIF, TIFF, AVIF, SVG…), refusing more than `maxPixels` pixels;
 * 2. honour the EXIF orientation tag (rotate/flip so the image looks as its author saw it);
 * 3. flatten any alpha channel onto white (transparent product shots are white-backed);
 * 4. convert any colour space (grayscale, CMYK, 16-bit) to 8-bit sRGB, 3 channels;
 * 5. fit it into `width × height` (default 240 × 180): `"pad"` letterboxes with `padColor`,
 *    `"crop"` fills and centre-crops, `"stretch"` ignores the aspect ratio.
 *
 * The model's own processor (resize to its input size, rescale, normalise) runs afterwards,
 * inside the model (see `local.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import sharp from "sharp";
 * import { preprocessImage } from "./preprocess.ts";
 * const png = await sharp({ create: { width: 64, height: 48, channels: 4, background: "#c33" } }).png().toBuffer();
 * const image = await preprocessImage(png, { width: 240, height: 180, fit: "pad" });
 * assert.deepEqual([image.width, image.height, image.channels], [240, 180, 3]); // alpha dropped (on white)
 * assert.equal(image.data.length, 240 * 180 * 3);
 * ```
 * @module
 */

import sharp from "sharp";
import type { PreprocessedImage } from "./model.ts";

/** How an image is fitted into the target box. */
export type FitMode = "pad" | "crop" | "stretch";

/** Options for {@link preprocessImage}. */
export interface PreprocessOptions {
  /** Target width in pixels (default 240). */
  width?: number;
  /** Target height in pixels (default 180). */
  height?: number;
  /** `"pad"` (default): keep aspect, letterbox. `"crop"`: keep aspect, centre-crop. `"stretch"`: distort. */
  fit?: FitMode;
  /** Letterbox colour for `"pad"`, as `[r, g, b]` 0–255 (default white). */
  padColor?: [number, number, number];
  /** Refuse images with more pixels than this (decompression bombs). Default 40 000 000. */
  maxPixels?: number;
}

/** Fully resolved preprocessing settings (what the cache key is built from). */
export type ResolvedPreprocess = Required<PreprocessOptions>;

/** Defaults: the article's 240 × 180, letterboxed on white. */
export const DEFAULT_PREPROCESS: ResolvedPreprocess = {
  width: 240,
  height: 180,
  fit: "pad",
  padColor: [255, 255, 255],
  maxPixels: 40_000_000,
};

/** An image that could not be decoded or preprocessed; `reason` is meant for users. */
export class ImageInputError extends Error {
  /** The error's name (`ImageInputError`). */
  override name = "ImageInputError";
  /** The path, or `<buffer i>` for bytes passed directly. */
  readonly input: string;
  /** Why the image could not be used. */
  readonly reason: string;
  /** An error for `input`, with the user-facing `reason`. */
  constructor(input: string, reason: string, options?: ErrorOptions) {
    super(`${input}: ${reason}`, options);
    this.input = input;
    this.reason = reason;
  }
}

/** Merge options with {@link DEFAULT_PREPROCESS}, validating each value. */
export function resolvePreprocess(options: PreprocessOptions = {}): ResolvedPreprocess {
  const r = {
    ...DEFAULT_PREPROCESS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  };
  for (const key of ["width", "height"] as const) {
    if (!Number.isInteger(r[key]) || r[key] < 1 || r[key] > 8192) {
      throw new RangeError(`preprocess.${key} must be an integer in 1..8192, got ${r[key]}`);
    }
  }
  if (!["pad", "crop", "stretch"].includes(r.fit)) {
    throw new RangeError(`preprocess.fit must be "pad", "crop" or "stretch", got ${JSON.stringify(r.fit)}`);
  }
  if (
    !Array.isArray(r.padColor) || r.padColor.length !== 3 ||
    r.padColor.some((c) => !Number.isInteger(c) || c < 0 || c > 255)
  ) {
    throw new RangeError(
      `preprocess.padColor must be [r, g, b] integers 0..255, got ${JSON.stringify(r.padColor)}`,
    );
  }
  if (!Number.isInteger(r.maxPixels) || r.maxPixels < 1) {
    throw new RangeError(`preprocess.maxPixels must be a positive integer, got ${r.maxPixels}`);
  }
  return r as ResolvedPreprocess;
}

/** A stable string identifying the preprocessing (part of every cache key). */
export function preprocessFingerprint(options: ResolvedPreprocess, augment?: string): string {
  const { width, height, fit, padColor, maxPixels } = options;
  return `v1:${width}x${height}:${fit}:${padColor.join(",")}:${maxPixels}${augment ? `:${augment}` : ""}`;
}

const FIT: Record<FitMode, "contain" | "cover" | "fill"> = { pad: "contain", crop: "cover", stretch: "fill" };

/** Turn libvips/sharp messages into short, user-facing reasons. */
export function explainDecodeError(message: string, maxPixels: number): string {
  const m = message.toLowerCase();
  if (m.includes("pixel limit")) return `image has more than ${maxPixels} pixels (preprocess.maxPixels)`;
  if (m.includes("unsupported image format")) return "not an image (unsupported or unrecognised format)";
  if (m.includes("empty")) return "empty file";
  if (
    m.includes("premature end") || m.includes("truncated") || m.includes("unexpected end") ||
    m.includes("read error") || m.includes("not enough data") || m.includes("out of order read") ||
    m.includes("end of stream") || m.includes("incomplete") || m.includes("corrupt")
  ) {
    return `truncated or corrupt image (${message.trim().split("\n")[0]})`;
  }
  return `cannot decode image (${message.trim().split("\n")[0]})`;
}

/**
 * Decode and preprocess one image (file bytes) into 8-bit sRGB RGB pixels of the target size.
 *
 * @param input the encoded image file's bytes.
 * @param options size, fit mode, pad colour, pixel limit.
 * @param label how to name the input in errors (a path).
 * @throws {ImageInputError} for empty, non-image, truncated, corrupt or too-large inputs.
 */
export async function preprocessImage(
  input: Uint8Array,
  options: PreprocessOptions | ResolvedPreprocess = {},
  label = "<buffer>",
): Promise<PreprocessedImage> {
  const o = resolvePreprocess(options);
  if (input.length === 0) throw new ImageInputError(label, "empty file");
  const [r, g, b] = o.padColor;
  try {
    const { data, info } = await sharp(input, { limitInputPixels: o.maxPixels, failOn: "error" })
      .rotate() // EXIF orientation
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace("srgb")
      .resize(o.width, o.height, { fit: FIT[o.fit], background: { r, g, b, alpha: 1 }, kernel: "lanczos3" })
      .removeAlpha()
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== o.width || info.height !== o.height) {
      throw new Error(`unexpected decoder output ${info.width}x${info.height}x${info.channels}`);
    }
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      channels: 3,
    };
  } catch (error) {
    if (error instanceof ImageInputError) throw error;
    throw new ImageInputError(label, explainDecodeError((error as Error).message, o.maxPixels), {
      cause: error,
    });
  }
}
