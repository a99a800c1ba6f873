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
 * Process a batch into one NCHW float32 array of shape `[n, 3, height, width]`.
 * @throws {RangeError} if an image's buffer does not match its declared size.
 */
export function pixelValues(
  images: PreprocessedImage[],
  config: ProcessorConfig,
): Float32Array {
  if (images.length === 0) return new Float32Array(0);
  const outW = config.width ?? images[0].width;
  const outH = config.height ?? images[0].height;
  const plane = outW * outH;
  const out = new Float32Array(images.length * 3 * plane);
  const [s0, s1, s2] = [0, 1, 2].map((c) => config.rescale / config.std[c]);
  const [m0, m1, m2] = [0, 1, 2].map((c) => -config.mean[c] / config.std[c]);
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
    // Bilinear is separable: interpolate along x for every source row once, then along y.
    const rows = new Float32Array(H * outW * 3);
    for (let y = 0; y < H; y++) {
      const src = y * W * 3, dst = y * outW * 3;
      for (let x = 0; x < outW; x++) {
        const a = src + xs.lo[x] * 3, b = src + xs.hi[x] * 3, f = xs.frac[x], o = dst + x * 3;
        rows[o] = data[a] + (data[b] - data[a]) * f;
        rows[o + 1] = data[a + 1] + (data[b + 1] - data[a + 1]) * f;
        rows[o + 2] = data[a + 2] + (data[b + 2] - data[a + 2]) * f;
      }
    }
    const r = n * 3 * plane, g = r + plane, b = g + plane;
    for (let y = 0; y < outH; y++) {
      const top = ys.lo[y] * outW * 3, bottom = ys.hi[y] * outW * 3, f = ys.frac[y], o = y * outW;
      for (let x = 0; x < outW; x++) {
        const t = top + x * 3, u = bottom + x * 3;
        out[r + o + x] = (rows[t] + (rows[u] - rows[t]) * f) * s0 + m0;
        out[g + o + x] = (rows[t + 1] + (rows[u + 1] - rows[t + 1]) * f) * s1 + m1;
        out[b + o + x] = (rows[t + 2] + (rows[u + 2] - rows[t + 2]) * f) * s2 + m2;
      }
    }
  }
  return out;
}
