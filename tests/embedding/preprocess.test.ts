import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { resolveConfig } from "../../lib/config/mod.ts";
import { ImageInputError, preprocessImage, resolvePreprocess } from "../../lib/embedding/preprocess.ts";
import type { PreprocessedImage } from "../../lib/embedding/model.ts";

const px = (im: PreprocessedImage, x: number, y: number) =>
  Array.from(im.data.subarray((y * im.width + x) * 3, (y * im.width + x) * 3 + 3));

/** A w×h image whose top half is red and bottom half blue. */
function halves(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(y < height / 2 ? [255, 0, 0] : [0, 0, 255], (y * width + x) * 3);
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

async function rejects(input: Uint8Array, pattern: RegExp, options = {}) {
  await assert.rejects(preprocessImage(input, options, "some/file.jpg"), (error: unknown) => {
    assert.ok(error instanceof ImageInputError, `expected ImageInputError, got ${error}`);
    assert.equal(error.input, "some/file.jpg");
    assert.match(error.reason, pattern);
    assert.match(error.message, /^some\/file\.jpg: /);
    return true;
  });
}

Deno.test("preprocess: default is 240x180, RGB, 8-bit", async () => {
  const im = await preprocessImage(await halves(64, 64));
  assert.equal(im.width, 240);
  assert.equal(im.height, 180);
  assert.equal(im.channels, 3);
  assert.equal(im.data.length, 240 * 180 * 3);
});

Deno.test("preprocess: fit modes and pad colour", async () => {
  const wide = await sharp({
    create: { width: 100, height: 50, channels: 3, background: { r: 0, g: 200, b: 0 } },
  })
    .png().toBuffer();
  const pad = await preprocessImage(wide, { width: 50, height: 50, fit: "pad", padColor: [10, 20, 30] });
  assert.deepEqual(px(pad, 25, 2), [10, 20, 30], "letterbox band at the top");
  assert.deepEqual(px(pad, 25, 25), [0, 200, 0], "image in the middle");
  assert.deepEqual(px(pad, 25, 47), [10, 20, 30], "letterbox band at the bottom");
  const crop = await preprocessImage(wide, { width: 50, height: 50, fit: "crop" });
  assert.deepEqual(px(crop, 25, 1), [0, 200, 0]);
  const stretch = await preprocessImage(await halves(100, 50), { width: 50, height: 50, fit: "stretch" });
  assert.deepEqual(px(stretch, 25, 5), [255, 0, 0]);
  assert.deepEqual(px(stretch, 25, 45), [0, 0, 255]);
});

Deno.test("preprocess: EXIF orientation is honoured", async () => {
  // Stored 40x20 with red on top; orientation 6 = display rotated 90° clockwise (20x40, red on the right).
  const jpeg = await sharp(await halves(40, 20)).jpeg({ quality: 100 }).withMetadata({ orientation: 6 })
    .toBuffer();
  assert.equal((await sharp(jpeg).metadata()).orientation, 6);
  const im = await preprocessImage(jpeg, { width: 20, height: 40, fit: "stretch" });
  const [lr, , lb] = px(im, 3, 20), [rr, , rb] = px(im, 16, 20);
  assert.ok(lb > 200 && lr < 60, `left should be blue, got ${px(im, 3, 20)}`);
  assert.ok(rr > 200 && rb < 60, `right should be red, got ${px(im, 16, 20)}`);
});

Deno.test("preprocess: alpha is flattened onto white", async () => {
  const data = Buffer.alloc(8 * 8 * 4); // fully transparent black
  for (let i = 0; i < 32; i++) data.set([0, 0, 0, 255], i * 4); // top half opaque black
  const png = await sharp(data, { raw: { width: 8, height: 8, channels: 4 } }).png().toBuffer();
  const im = await preprocessImage(png, { width: 8, height: 8, fit: "stretch" });
  assert.deepEqual(px(im, 4, 0), [0, 0, 0]);
  assert.deepEqual(px(im, 4, 7), [255, 255, 255]);
});

Deno.test("preprocess: grayscale, CMYK and 16-bit inputs become 8-bit sRGB", async () => {
  const gray = await sharp({
    create: { width: 16, height: 16, channels: 3, background: { r: 100, g: 100, b: 100 } },
  })
    .toColourspace("b-w").png().toBuffer();
  assert.equal((await sharp(gray).metadata()).channels, 1);
  const g = await preprocessImage(gray, { width: 16, height: 16 });
  assert.deepEqual(px(g, 8, 8), [100, 100, 100]);

  const red = sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 220, g: 30, b: 30 } } });
  const cmyk = await red.clone().toColourspace("cmyk").jpeg({ quality: 100 }).toBuffer();
  assert.equal((await sharp(cmyk).metadata()).space, "cmyk");
  const [r, gg, b] = px(await preprocessImage(cmyk, { width: 16, height: 16 }), 8, 8);
  assert.ok(r > 180 && gg < 90 && b < 90, `CMYK red should stay red, got ${[r, gg, b]}`);

  const png16 = await red.clone().toColourspace("rgb16").png().toBuffer();
  assert.equal((await sharp(png16).metadata()).depth, "ushort");
  const c = px(await preprocessImage(png16, { width: 16, height: 16 }), 8, 8);
  assert.ok(Math.abs(c[0] - 220) <= 2 && Math.abs(c[1] - 30) <= 2, `16-bit red → 8-bit, got ${c}`);
});

Deno.test("preprocess: too many pixels is refused before decoding", async () => {
  const big = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: "#888" } }).png()
    .toBuffer();
  await rejects(big, /more than 5000000 pixels/, { maxPixels: 5_000_000 });
});

Deno.test("preprocess: empty, non-image, truncated and corrupt inputs name the file and the reason", async () => {
  await rejects(new Uint8Array(0), /empty file/);
  await rejects(new TextEncoder().encode("name,price\nshoe,12\n"), /not an image/);
  const jpeg = await sharp(await halves(64, 64)).jpeg().toBuffer();
  await rejects(jpeg.subarray(0, jpeg.length / 2), /truncated or corrupt/);
  const corrupt = Uint8Array.from(jpeg);
  for (let i = 200; i < corrupt.length - 2; i++) corrupt[i] = (i * 7919) & 0xff;
  await rejects(corrupt, /corrupt|cannot decode/);
  const dataDir = resolveConfig().dataDir;
  const row = (await Deno.readTextFile(join(dataDir, "coil100", "labels.csv"))).split("\n")[1];
  const webp = await Deno.readFile(join(dataDir, "coil100", row.split(",")[0]));
  await rejects(webp.subarray(0, webp.length / 2), /truncated or corrupt|cannot decode/);
});

Deno.test("preprocess: options are validated", () => {
  assert.throws(() => resolvePreprocess({ width: 0 }), /width must be an integer in 1..8192, got 0/);
  assert.throws(() => resolvePreprocess({ fit: "zoom" as "pad" }), /fit must be "pad", "crop" or "stretch"/);
  assert.throws(() => resolvePreprocess({ padColor: [0, 0, 300] }), /padColor/);
  assert.deepEqual(resolvePreprocess({ width: undefined }).width, 240);
});

Deno.test("preprocess: files cut short are refused in every common format, never half-decoded", async () => {
  const base = sharp({ create: { width: 120, height: 80, channels: 3, background: "#3a6" } }).composite([{
    input: Buffer.from(
      '<svg width="120" height="80"><circle cx="60" cy="40" r="30" fill="red"/></svg>',
    ),
  }]);
  for (const format of ["png", "jpeg", "webp", "gif", "avif"] as const) {
    const whole = await base.clone().toFormat(format).toBuffer();
    await preprocessImage(whole); // the complete file decodes
    await rejects(whole.subarray(0, Math.floor(whole.length * 0.9)), /truncated or corrupt/);
  }
});
