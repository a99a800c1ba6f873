import assert from "node:assert/strict";
import { pixelValues, processorFromJson } from "../../lib/embedding/processor.ts";
import { AUGMENT_KINDS, augmentImage } from "../../lib/embedding/augment.ts";
import { l2NormalizeRows } from "../../lib/embedding/normalize.ts";
import type { PreprocessedImage } from "../../lib/embedding/model.ts";

const image = (width: number, height: number, values: number[]): PreprocessedImage => ({
  data: Uint8Array.from(values),
  width,
  height,
  channels: 3,
});

Deno.test("processor: align-corners bilinear resize, rescale, NCHW layout", () => {
  // 2x2 image, channel 0 = [0 100; 200 50], channel 1 = 10, channel 2 = 255.
  const im = image(2, 2, [0, 10, 255, 100, 10, 255, 200, 10, 255, 50, 10, 255]);
  const out = pixelValues([im], { width: 3, height: 3, rescale: 1, mean: [0, 0, 0], std: [1, 1, 1] });
  assert.equal(out.length, 27);
  // corners are copied, edge midpoints average two, the centre averages four
  assert.deepEqual(Array.from(out.subarray(0, 9)), [0, 50, 100, 100, 87.5, 75, 200, 125, 50]);
  assert.deepEqual(Array.from(out.subarray(9, 18)), Array(9).fill(10));
  const norm = pixelValues([im], {
    width: 2,
    height: 2,
    rescale: 1 / 255,
    mean: [0.5, 0, 0],
    std: [0.5, 1, 2],
  });
  assert.ok(Math.abs(norm[0] - -1) < 1e-6); // (0/255 - 0.5) / 0.5
  assert.ok(Math.abs(norm[8] - 0.5) < 1e-6); // (255/255 - 0) / 2
});

Deno.test("processor: reads transformers.js preprocessor_config.json", () => {
  const p = processorFromJson({
    do_resize: true,
    size: { height: 224, width: 224 },
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.25, 0.25, 0.25],
  });
  assert.deepEqual(p, {
    width: 224,
    height: 224,
    rescale: 1 / 255,
    mean: [0.5, 0.5, 0.5],
    std: [0.25, 0.25, 0.25],
  });
  assert.throws(() => processorFromJson({ size: { height: "x" } }), /size.width must be a number/);
});

Deno.test("augment: hand-checked rotations and mirrors of a 3x2 image", () => {
  // pixel values 1..6, row-major:  1 2 3 / 4 5 6  (grey pixels, all channels equal)
  const im = image(3, 2, [1, 2, 3, 4, 5, 6].flatMap((v) => [v, v, v]));
  const grey = (p: PreprocessedImage) => Array.from({ length: p.width * p.height }, (_, i) => p.data[i * 3]);
  const r90 = augmentImage(im, "rot90");
  assert.deepEqual([r90.width, r90.height], [2, 3]);
  assert.deepEqual(grey(r90), [4, 1, 5, 2, 6, 3]);
  assert.deepEqual(grey(augmentImage(im, "rot180")), [6, 5, 4, 3, 2, 1]);
  assert.deepEqual(grey(augmentImage(im, "rot270")), [3, 6, 2, 5, 1, 4]);
  assert.deepEqual(grey(augmentImage(im, "flip")), [4, 5, 6, 1, 2, 3]);
  assert.deepEqual(grey(augmentImage(im, "flop")), [3, 2, 1, 6, 5, 4]);
  let round = im;
  for (let i = 0; i < 4; i++) round = augmentImage(round, "rot90");
  assert.deepEqual(round, im);
  assert.deepEqual(augmentImage(augmentImage(im, "rot90"), "rot270"), im);
  assert.throws(() => augmentImage(im, "rot45" as "rot90"), /one of rot90, rot180, rot270, flip, flop/);
  assert.equal(AUGMENT_KINDS.length, 5);
});

Deno.test("l2 normalisation: unit rows, zero rows stay zero, non-finite rows are errors", () => {
  const rows = l2NormalizeRows(new Float32Array([3, 4, 0, 0]), 2);
  assert.deepEqual(Array.from(rows), [0.6000000238418579, 0.800000011920929, 0, 0]);
  assert.throws(
    () => l2NormalizeRows(new Float32Array([1, NaN]), 2, "features"),
    /features: row 0 contains a non-finite/,
  );
});

/** The processor written the plain way (a full x-interpolated intermediate), as a reference. */
function referencePixelValues(im: PreprocessedImage, outW: number, outH: number): Float32Array {
  const axis = (inSize: number, outSize: number) =>
    Array.from({ length: outSize }, (_, i) => {
      const s = i * (outSize > 1 ? (inSize - 1) / (outSize - 1) : 0);
      const lo = Math.min(Math.floor(s), inSize - 1);
      return { lo, hi: Math.min(lo + 1, inSize - 1), f: Math.fround(s - lo) };
    });
  const xs = axis(im.width, outW), ys = axis(im.height, outH);
  const rows = new Float32Array(im.height * outW * 3);
  for (let y = 0; y < im.height; y++) {
    for (let x = 0; x < outW; x++) {
      for (let c = 0; c < 3; c++) {
        const a = im.data[(y * im.width + xs[x].lo) * 3 + c], b = im.data[(y * im.width + xs[x].hi) * 3 + c];
        rows[(y * outW + x) * 3 + c] = a + (b - a) * xs[x].f;
      }
    }
  }
  const out = new Float32Array(3 * outW * outH);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        const t = rows[(ys[y].lo * outW + x) * 3 + c], u = rows[(ys[y].hi * outW + x) * 3 + c];
        out[(c * outH + y) * outW + x] = (t + (u - t) * ys[y].f) * (2 / 255) + -1;
      }
    }
  }
  return out;
}

Deno.test("processor: equals the plain two-pass bilinear bit for bit, up and down, into a reused buffer", () => {
  let seed = 7;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const config = {
    rescale: 2 / 255,
    mean: [1, 1, 1] as [number, number, number],
    std: [1, 1, 1] as [
      number,
      number,
      number,
    ],
  };
  const buffer = new Float32Array(2 * 3 * 64 * 64).fill(NaN);
  for (let t = 0; t < 40; t++) {
    const [W, H, w, h] = [1 + random(60), 1 + random(60), 1 + random(64), 1 + random(64)];
    const im = image(W, H, Array.from({ length: W * H * 3 }, () => random(256)));
    const out = pixelValues([im, im], { ...config, width: w, height: h }, buffer);
    assert.equal(out.buffer, buffer.buffer, "written into the given buffer");
    assert.equal(out.length, 2 * 3 * w * h);
    const expected = referencePixelValues(im, w, h);
    assert.deepEqual(out.subarray(0, expected.length), expected, `${W}x${H} → ${w}x${h}`);
    assert.deepEqual(out.subarray(expected.length), expected, `${W}x${H} → ${w}x${h}, second image`);
  }
  assert.throws(
    () => pixelValues([image(1, 1, [1, 2, 3])], { ...config, width: 2, height: 2 }, new Float32Array(11)),
    /out holds 11 values, the batch needs 12/,
  );
});
