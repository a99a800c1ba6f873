import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { resolveConfig } from "../../lib/config/mod.ts";
import {
  augmentImage,
  EmbeddingCache,
  embedImages,
  embedTexts,
  type ImageEmbeddingModel,
  listImageModels,
  loadImageModel,
  type PreprocessedImage,
} from "../../lib/embedding/mod.ts";

const dataDir = resolveConfig().dataDir;

async function coilPaths(n: number): Promise<string[]> {
  const rows = (await Deno.readTextFile(join(dataDir, "coil100", "labels.csv"))).trim().split("\n").slice(1);
  return rows.filter((_, i) => i % 97 === 0).slice(0, n).map((r) =>
    join(dataDir, "coil100", r.split(",")[0])
  );
}

/** A transparent model: the vector is the mean colour of the image, counted per call. */
class MeanColourModel implements ImageEmbeddingModel {
  readonly name = "mean-colour";
  readonly fingerprint = "mean-colour-v1";
  readonly dim = 3;
  calls = 0;
  images: PreprocessedImage[] = [];
  embedImages(images: PreprocessedImage[]): Promise<Float32Array> {
    this.calls++;
    this.images.push(...images);
    const out = new Float32Array(images.length * 3);
    images.forEach((im, i) => {
      for (let p = 0; p < im.width * im.height; p++) {
        for (let c = 0; c < 3; c++) out[i * 3 + c] += im.data[p * 3 + c];
      }
      const norm = Math.hypot(out[i * 3], out[i * 3 + 1], out[i * 3 + 2]) || 1;
      for (let c = 0; c < 3; c++) out[i * 3 + c] /= norm;
    });
    return Promise.resolve(out);
  }
}

const tempCache = async () =>
  EmbeddingCache.open(join(await Deno.makeTempDir({ prefix: "setsim-embed-" }), "c.sqlite"));

Deno.test("embedImages: bad inputs are reported by path and reason; the rest is embedded in order", async () => {
  const dir = await Deno.makeTempDir({ prefix: "setsim-bad-" });
  const good = await coilPaths(3);
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#c33" } }).jpeg()
    .toBuffer();
  const files = {
    empty: join(dir, "empty.jpg"),
    text: join(dir, "notes.jpg"),
    truncated: join(dir, "truncated.jpg"),
    missing: join(dir, "missing.jpg"),
  };
  await Deno.writeFile(files.empty, new Uint8Array(0));
  await Deno.writeTextFile(files.text, "this is not a picture");
  await Deno.writeFile(files.truncated, jpeg.subarray(0, jpeg.length / 2));
  const inputs = [
    good[0],
    files.empty,
    good[1],
    files.text,
    files.truncated,
    files.missing,
    dir,
    good[2],
    jpeg,
  ];
  const model = new MeanColourModel();
  const result = await embedImages(inputs, { model, cache: false, progress: false, batchSize: 2 });
  assert.deepEqual(result.index, [0, 2, 7, 8]);
  assert.equal(result.embeddings.count, 4);
  const reasons = Object.fromEntries(result.failures.map((f) => [f.input, f.reason]));
  assert.equal(reasons[files.empty], "empty file");
  assert.match(reasons[files.text], /not an image/);
  assert.match(reasons[files.truncated], /truncated or corrupt/);
  assert.equal(reasons[files.missing], "file not found");
  assert.match(reasons[dir], /directory|cannot read/);
  assert.equal(result.failures.length, 5);
  // the in-memory JPEG is red: its mean-colour vector points along red
  const last = result.embeddings.data.subarray(9, 12);
  assert.ok(last[0] > 0.9 && last[1] < 0.4, `red buffer → ${Array.from(last)}`);
  assert.ok(model.images.every((im) => im.width === 240 && im.height === 180));
  assert.equal(result.fingerprint, "mean-colour-v1|v1:240x180:pad:255,255,255:40000000");
});

Deno.test("embedImages: a cache hit never runs the model; preprocessing and augment are part of the key", async () => {
  const paths = await coilPaths(5);
  const cache = await tempCache();
  const model = new MeanColourModel();
  const first = await embedImages(paths, { model, cache, progress: false });
  assert.equal(first.cacheHits, 0);
  const calls = model.calls;
  const second = await embedImages(paths, { model, cache, progress: false });
  assert.equal(second.cacheHits, 5);
  assert.equal(model.calls, calls, "model not called on a full cache hit");
  assert.deepEqual(second.embeddings, first.embeddings);
  const cropped = await embedImages(paths, { model, cache, progress: false, preprocess: { fit: "crop" } });
  assert.equal(cropped.cacheHits, 0, "other preprocessing is another key");
  const rotated = await embedImages(paths, { model, cache, progress: false, augment: "rot90" });
  assert.equal(rotated.cacheHits, 0, "augmentation is another key");
  assert.ok(model.images.slice(-5).every((im) => im.width === 180 && im.height === 240));
  cache.close();
});

Deno.test("embedImages: the default model embeds real images into unit rows, deterministically", async () => {
  const paths = await coilPaths(4);
  const cache = await tempCache();
  const a = await embedImages(paths, { cache, progress: false });
  assert.equal(a.model, "mobilenet-v2");
  assert.equal(a.embeddings.count, 4);
  assert.ok(a.embeddings.dim >= 64);
  for (let i = 0; i < 4; i++) {
    const row = a.embeddings.data.subarray(i * a.embeddings.dim, (i + 1) * a.embeddings.dim);
    const norm = Math.hypot(...row);
    assert.ok(Math.abs(norm - 1) < 1e-5, `row ${i} norm ${norm}`);
    assert.ok(row.every(Number.isFinite));
  }
  const b = await embedImages(paths, { cache: false, progress: false, batchSize: 3 });
  for (let k = 0; k < a.embeddings.data.length; k++) {
    assert.ok(
      Math.abs(a.embeddings.data[k] - b.embeddings.data[k]) < 1e-5,
      "batching does not change vectors",
    );
  }
  const hit = await embedImages(paths, { cache, progress: false });
  assert.equal(hit.cacheHits, 4);
  assert.deepEqual(hit.embeddings, a.embeddings);
  cache.close();
});

Deno.test("embedImages: augment rot180 equals embedding a rotated copy", async () => {
  const [path] = await coilPaths(1);
  const rotated = await sharp(await Deno.readFile(path)).rotate(180).png().toBuffer();
  const model = new MeanColourModel();
  const viaOption = await embedImages([path], { model, cache: false, progress: false, augment: "rot180" });
  const viaFile = await embedImages([rotated], { model, cache: false, progress: false });
  const [x, y] = model.images;
  assert.deepEqual(augmentImage(x, "rot180").width, y.width);
  for (let k = 0; k < 3; k++) {
    assert.ok(Math.abs(viaOption.embeddings.data[k] - viaFile.embeddings.data[k]) < 1e-3);
  }
});

Deno.test("registry: unknown names and unavailable models list what works offline", async () => {
  await assert.rejects(
    loadImageModel("resnet-9000"),
    /unknown image model "resnet-9000"\. Available offline: .*mobilenet-v2/,
  );
  const empty = await Deno.makeTempDir({ prefix: "setsim-models-" });
  await assert.rejects(
    loadImageModel("mobilenet-v2", { modelsDir: empty }),
    /image model "mobilenet-v2" is not built .*deno task setup.*Available offline: none are built yet/,
  );
  await assert.rejects(
    loadImageModel("nobody/no-such-clip", { allowRemote: false }),
    (error: Error) => {
      assert.match(error.message, /nobody\/no-such-clip/);
      assert.match(error.message, /mobilenet-v2/);
      return true;
    },
  );
  const names = (await listImageModels()).filter((m) => m.offline).map((m) => m.name);
  for (const n of ["mobilenet-v2", "mobilenet-v2-pool", "mobilenet-v2-block10", "inception-v3"]) {
    assert.ok(names.includes(n), `${n} listed as offline (have ${names})`);
  }
});

Deno.test("embedTexts: delegates to the text models", async () => {
  const texts = ["red running shoe", "blue running shoe", "green apple"];
  const { embeddings, model } = await embedTexts(texts, { model: "tfidf", textOptions: { corpus: texts } });
  assert.equal(model, "tfidf");
  assert.equal(embeddings.count, 3);
  const norm = Math.hypot(...embeddings.data.subarray(0, embeddings.dim));
  assert.ok(Math.abs(norm - 1) < 1e-5);
});

Deno.test("embedImages: identical files in one batch run through the model once, each gets its row", async () => {
  const [a, b] = await coilPaths(2);
  const model = new MeanColourModel();
  const result = await embedImages([a, b, a, await Deno.readFile(a)], {
    model,
    cache: false,
    progress: false,
  });
  assert.deepEqual(result.index, [0, 1, 2, 3]);
  assert.equal(model.images.length, 2, "two distinct images embedded");
  const row = (r: number) => Array.from(result.embeddings.data.subarray(r * 3, r * 3 + 3));
  assert.deepEqual(row(2), row(0));
  assert.deepEqual(row(3), row(0));
  assert.notDeepEqual(row(1), row(0));
});
