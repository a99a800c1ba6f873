/**
 * A model's own image processor, as described by its transformers.js
 * `preprocessor_config.json`: bilinear resize to the network's input size, rescale, normalise,
 * HWC → NCHW. Written as one fused loop over typed arrays because it runs for every image and
 * transformers.js's generic `RawImage` path costs more than the network's first layers.
 *
 * For each output pixel `(y, x)` and channel `c`:
 * `v = bilinear(image, c, y·(H−1)/(h−1), x·(W−1)/(w−1))` (align-corners sampling, as TF.js
 * `resizeBilinear(…, alignCorners = true)` that nsfwjs uses), then
 * `out[c, y, x] = (v · rescale − mean[c]) / std[c]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pixelValues } from "./processor.ts";
 * // A red and a green pixel (HWC) come out channel by channel (NCHW), scaled to [-1, 1].
 * const image = { data: new Uint8Array([255, 0, 0, 0, 255, 0]), width: 2, height: 1, channels: 3 as const };
 * const t = pixelValues([image], { width: 2, height: 1, rescale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
 * assert.deepEqual(t, new Float32Array([1, -1, -1, 1, -1, -1])); // R plane, G plane, B plane
 * ```
 * @module
 */

import type { PreprocessedImage } from "./model.ts";

/** What the processor does, read from `preprocessor_config.json`. */
export interface ProcessorConfig {
  /** Network input size; `undefined` keeps each image's own size (all must match). */
  width?: number;
  height?: number;
  rescale: number;
  mean: [number, number, number];
  std: [number, number, number];
}

// deno-lint-ignore no-explicit-any
export function processorFromJson(json: any, source = "preprocessor_config.json"): ProcessorConfig {
  const num = (v: unknown, what: string): number => {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${source}: ${what} must be a number`);
    return v;
  };
  const triple = (v: unknown, fallback: number, what: string): [number, number, number] => {
    if (v === undefined) return [fallback, fallback, fallback];
    const a = typeof v === "number" ? [v, v, v] : v;
    if (!Array.isArray(a) || a.length !== 3) throw new Error(`${source}: ${what} must be 3 numbers`);
    return a.map((x, i) => num(x, `${what}[${i}]`)) as [number, number, number];
  };
  const resize = json.do_resize !== false;
  const normalize = json.do_normalize === true;
  return {
    width: resize ? num(json.size?.width ?? json.size?.shortest_edge, "size.width") : undefined,
    height: resize ? num(json.size?.height ?? json.size?.shortest_edge, "size.height") : undefined,
    rescale: json.do_rescale === false ? 1 : num(json.rescale_factor ?? 1 / 255, "rescale_factor"),
    mean: normalize ? triple(json.image_mean, 0, "image_mean") : [0, 0, 0],
    std: normalize ? triple(json.image_std, 1, "image_std") : [1, 1, 1],
  };
}

interface Axis {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float32Array;
}

function axis(inSize: number, outSize: number): Axis {
  const lo = new Int32Array(outSize), hi = new Int32Array(outSize), frac = new Float32Array(outSize);
  const scale = outSize > 1 ? (inSize - 1) / (outSize - 1) : 0;
  for (let i = 0; i < outSize; i++) {
    const s = i * scale;
    const l = Math.min(Math.floor(s), inSize - 1);
    lo[i] = l;
    hi[i] = Math.min(l + 1, inSize - 1);
    frac[i] = s - l;
  }
  return { lo, hi, frac };
}

/**
 * x-interpolate source row `y` (HWC uint8) at the output columns into `row` (interleaved RGB).
 * Stored as float32, like every intermediate value, so the result does not depend on which
 * rows are cached.
 */
function interpolateRow(data: Uint8Array, W: number, y: number, xs: Axis, row: Float32Array): void {
  const src = y * W * 3;
  for (let x = 0; x < xs.lo.length; x++) {
    const a = src + xs.lo[x] * 3, b = src + xs.hi[x] * 3, f = xs.frac[x], o = x * 3;
    row[o] = data[a] + (data[b] - data[a]) * f;
    row[o + 1] = data[a + 1] + (data[b + 1] - data[a + 1]) * f;
    row[o + 2] = data[a + 2] + (data[b + 2] - data[a + 2]) * f;
  }
}

/**
 * Process a batch into one NCHW float32 array of shape `[n, 3, height, width]`.
 *
 * @param out where to write (a worker reuses one batch tensor instead of allocating one per
 *   call); at least `n · 3 · height · width` long. The result is its first `n · 3 · height · width`
 *   values.
 * @throws {RangeError} if an image's buffer does not match its declared size, or `out` is short.
 */
export function pixelValues(
  images: PreprocessedImage[],
  config: ProcessorConfig,
  out?: Float32Array,
): Float32Array {
  if (images.length === 0) return new Float32Array(0);
  const outW = config.width ?? images[0].width;
  const outH = config.height ?? images[0].height;
  const plane = outW * outH;
  const length = images.length * 3 * plane;
  if (out !== undefined && out.length < length) {
    throw new RangeError(`pixelValues: out holds ${out.length} values, the batch needs ${length}`);
  }
  const target = out === undefined ? new Float32Array(length) : out.subarray(0, length);
  const [s0, s1, s2] = [0, 1, 2].map((c) => config.rescale / config.std[c]);
  const [m0, m1, m2] = [0, 1, 2].map((c) => -config.mean[c] / config.std[c]);
  // Bilinear is separable: rows are interpolated along x once, then pairs of them along y. Only
  // the two source rows the current output row needs are kept (ys.lo is non-decreasing).
  let upper = new Float32Array(outW * 3), lower = new Float32Array(outW * 3);
  for (let n = 0; n < images.length; n++) {
    const { width: W, height: H, data } = images[n];
    if (data.length !== W * H * 3) {
      throw new RangeError(`image ${n}: ${data.length} bytes for ${W}x${H}x3`);
    }
    if ((config.width === undefined) && (W !== outW || H !== outH)) {
      throw new RangeError(
        `image ${n} is ${W}x${H}, the batch is ${outW}x${outH}; the processor does not resize`,
      );
    }
    const xs = axis(W, outW), ys = axis(H, outH);
    let upperRow = -1, lowerRow = -1;
    const r = n * 3 * plane, g = r + plane, b = g + plane;
    for (let y = 0; y < outH; y++) {
      const top = ys.lo[y], bottom = ys.hi[y], f = ys.frac[y], o = y * outW;
      if (top !== upperRow) {
        if (top === lowerRow) {
          [upper, lower] = [lower, upper];
          lowerRow = -1;
        } else {
          interpolateRow(data, W, top, xs, upper);
        }
        upperRow = top;
      }
      if (bottom !== lowerRow) {
        interpolateRow(data, W, bottom, xs, lower);
        lowerRow = bottom;
      }
      for (let x = 0; x < outW; x++) {
        const t = x * 3;
        target[r + o + x] = (upper[t] + (lower[t] - upper[t]) * f) * s0 + m0;
        target[g + o + x] = (upper[t + 1] + (lower[t + 1] - upper[t + 1]) * f) * s1 + m1;
        target[b + o + x] = (upper[t + 2] + (lower[t + 2] - upper[t + 2]) * f) * s2 + m2;
      }
    }
  }
  return target;
}
