import assert from "node:assert/strict";
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { env as transformersEnv } from "@huggingface/transformers";
import {
  listLocalClipModels,
  loadClipImageModel,
  loadClipTextModel,
  ModelUnavailableError,
} from "../../lib/embedding/clip/mod.ts";
import type { PreprocessedImage } from "../../lib/embedding/model.ts";
import { loadTextModel } from "../../lib/embedding/text/mod.ts";
import {
  TINY_CLIP,
  TINY_CLIP_ID,
  tinyClipImageEmbedding,
  tinyClipTextEmbedding,
  tinyClipVocabulary,
  writeTinyClip,
} from "../fixtures/tiny-clip/generate.ts";

const modelsDir = await Deno.makeTempDir({ prefix: "setsim-tiny-clip-" });
await writeTinyClip(modelsDir);
const offline = { modelsDir, allowRemote: false } as const;
const DIM = TINY_CLIP.projectionDim;

function image(
  width: number,
  height: number,
  pixel: (x: number, y: number, c: number) => number,
): PreprocessedImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = pixel(x, y, c);
    }
  }
  return { data, width, height, channels: 3 };
}

const pattern = (x: number, y: number, c: number) => (x * 37 + y * 11 + c * 71 + x * y) % 256;

/** CLIP's processor by hand for an image already at crop size after the crop: rescale, normalise, HWC → CHW. */
function normalisedPixels(img: PreprocessedImage, top: number, left: number): Float64Array {
  const s = TINY_CLIP.imageSize;
  const out = new Float64Array(3 * s * s);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < s; y++) {
      for (let x = 0; x < s; x++) {
        const value = img.data[((top + y) * img.width + left + x) * 3 + c] / 255;
        out[(c * s + y) * s + x] = (value - TINY_CLIP.imageMean[c]) / TINY_CLIP.imageStd[c];
      }
    }
  }
  return out;
}

function unit(v: Float64Array): number[] {
  const norm = Math.hypot(...v);
  return Array.from(v, (x) => x / norm);
}

function row(data: Float32Array, i: number, dim = DIM): number[] {
  return Array.from(data.subarray(i * dim, (i + 1) * dim));
}

function assertClose(actual: number[], expected: number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((value, i) => {
    assert.ok(Math.abs(value - expected[i]) <= tolerance, `${what}[${i}]: ${value} vs ${expected[i]}`);
  });
}

Deno.test("tiny CLIP image tower: processor normalisation and the network match a hand computation", async () => {
  const model = await loadClipImageModel(TINY_CLIP_ID, offline);
  try {
    assert.equal(model.name, TINY_CLIP_ID);
    assert.equal(model.dim, DIM);
    assert.match(model.fingerprint, /^clip-image-[0-9a-f]{32}$/);
    // Exactly crop size: no resize, no crop; only rescale + normalise + CHW.
    const square = image(16, 16, pattern);
    const expected = unit(tinyClipImageEmbedding(normalisedPixels(square, 0, 0)));
    assertClose(row(await model.embedImages([square]), 0), expected, 1e-4, "16x16");
    // Shortest edge already 16: no resize; the centre crop keeps rows 4..19 of 24.
    const tall = image(16, 24, pattern);
    const expectedTall = unit(tinyClipImageEmbedding(normalisedPixels(tall, 4, 0)));
    assertClose(row(await model.embedImages([tall]), 0), expectedTall, 1e-4, "16x24 centre crop");
  } finally {
    await model.dispose?.();
  }
});

Deno.test("tiny CLIP image tower: resize applies, rows are unit, deterministic, batch = one by one", async () => {
  const model = await loadClipImageModel(TINY_CLIP_ID, { ...offline, batchSize: 2 });
  try {
    // A uniform 40x40 image resized to 16x16 is the same uniform 16x16 image.
    const flat = (size: number) => image(size, size, (_x, _y, c) => [200, 120, 40][c]);
    const [big, small] = [await model.embedImages([flat(40)]), await model.embedImages([flat(16)])];
    assertClose(row(big, 0), row(small, 0), 1e-3, "uniform 40x40 vs 16x16");

    const images = [
      image(16, 16, pattern),
      image(30, 20, (x, y, c) => (x * 9 + y * 5 * c) % 256),
      image(60, 80, (x, y) => (x ^ y) & 255),
      flat(16),
      image(17, 33, (x, y, c) => (x * y + c * 50) % 256),
    ];
    const batched = await model.embedImages(images);
    assert.equal(batched.length, images.length * DIM);
    for (let i = 0; i < images.length; i++) {
      assert.ok(Math.abs(Math.hypot(...row(batched, i)) - 1) < 1e-5, `row ${i} not unit`);
      const single = await model.embedImages([images[i]]);
      assertClose(row(batched, i), row(single, 0), 1e-5, `image ${i} batched vs alone`);
    }
    assert.deepEqual(await model.embedImages(images), batched);
    for (let i = 0; i < images.length; i++) {
      for (let j = i + 1; j < images.length; j++) {
        const cosine = row(batched, i).reduce((s, v, k) => s + v * row(batched, j)[k], 0);
        assert.ok(cosine < 0.9999, `images ${i} and ${j} got the same vector`);
      }
    }
    assert.equal((await model.embedImages([])).length, 0);
  } finally {
    await model.dispose?.();
  }
});

Deno.test("tiny CLIP image tower rejects bad images, naming them", async () => {
  const model = await loadClipImageModel(TINY_CLIP_ID, offline);
  try {
    const good = image(16, 16, pattern);
    await assert.rejects(
      model.embedImages(good as unknown as PreprocessedImage[]),
      /images must be an array/,
    );
    await assert.rejects(
      model.embedImages([good, { ...good, data: good.data.subarray(1) }]),
      /images\[1\]\.data has 767 values, expected width\*height\*3 = 768/,
    );
    await assert.rejects(
      model.embedImages([{ ...good, channels: 4 as 3 }]),
      /images\[0\]\.channels must be 3/,
    );
    await assert.rejects(
      model.embedImages([{ ...good, width: 0 }]),
      /images\[0\]\.width must be a positive integer/,
    );
    await assert.rejects(
      model.embedImages([{ ...good, data: Array.from(good.data) as unknown as Uint8Array }]),
      /images\[0\]\.data must be a Uint8Array/,
    );
  } finally {
    await model.dispose?.();
  }
});

Deno.test("tiny CLIP text tower: tokenizer and network match a hand computation", async () => {
  const { vocab } = tinyClipVocabulary();
  const bos = vocab["<|startoftext|>"];
  const eos = vocab["<|endoftext|>"];
  const model = await loadClipTextModel(TINY_CLIP_ID, { ...offline, batchSize: 2 });
  try {
    assert.equal(model.name, `clip:${TINY_CLIP_ID}`);
    assert.equal(model.dim, DIM);
    assert.match(model.fingerprint, /^clip-text-[0-9a-f]{32}$/);
    const cases: [string, number[]][] = [
      // Lower-cased, whitespace collapsed, known words merged to one token with "</w>".
      [
        "A  Photo of the RED shoe",
        ["a</w>", "photo</w>", "of</w>", "the</w>", "red</w>", "shoe</w>"].map((t) => vocab[t]),
      ],
      // Unknown word: bytes, the last one marked as word end; punctuation is its own word.
      ["xyz!", [vocab["x"], vocab["y"], vocab["z</w>"], vocab["!</w>"]]],
      // CLIP's 77-token context: BOS + 75 tokens + EOS.
      ["shoe ".repeat(100), Array(75).fill(vocab["shoe</w>"])],
      ["", []],
    ];
    const vectors = await model.embedTexts(cases.map(([text]) => text));
    cases.forEach(([text, ids], i) => {
      const expected = unit(tinyClipTextEmbedding([bos, ...ids, eos]));
      assertClose(row(vectors, i), expected, 1e-4, JSON.stringify(text.slice(0, 20)));
    });
    // Batched (padded) = one by one.
    for (let i = 0; i < cases.length; i++) {
      assertClose(row(vectors, i), row(await model.embedTexts([cases[i][0]]), 0), 1e-5, `text ${i} alone`);
    }
    await assert.rejects(model.embedTexts(["ok", 1 as unknown as string]), /texts\[1\] must be a string/);
  } finally {
    await model.dispose?.();
  }
});

Deno.test("loadTextModel('clip:<id>') is the CLIP text tower; images and texts share one space", async () => {
  const text = await loadTextModel(`clip:${TINY_CLIP_ID}`, offline);
  const direct = await loadClipTextModel(TINY_CLIP_ID, offline);
  const images = await loadClipImageModel(TINY_CLIP_ID, offline);
  try {
    assert.equal(text.fingerprint, direct.fingerprint);
    assert.deepEqual(await text.embedTexts(["red shoe"]), await direct.embedTexts(["red shoe"]));
    assert.equal(text.dim, images.dim);
    assert.notEqual(text.fingerprint, images.fingerprint);
  } finally {
    await Promise.all([text.dispose?.(), direct.dispose?.(), images.dispose?.()]);
  }
});

Deno.test("a folder path loads that folder, never the Hub", async () => {
  const dir = join(modelsDir, ...TINY_CLIP_ID.split("/"));
  const byPath = await loadClipImageModel(dir);
  const byId = await loadClipImageModel(TINY_CLIP_ID, offline);
  try {
    assert.equal(byPath.dim, DIM);
    const img = [image(16, 16, pattern)];
    assert.deepEqual(await byPath.embedImages(img), await byId.embedImages(img));
  } finally {
    await Promise.all([byPath.dispose?.(), byId.dispose?.()]);
  }
  const error = await loadClipTextModel(join(modelsDir, "nowhere")).catch((e) => e);
  assert.ok(error instanceof ModelUnavailableError, String(error));
  assert.match(error.message, /no local copy at .*nowhere \(a folder path is never looked up on the Hub\)/);
});

Deno.test("CLIP fingerprint is stable and changes with the processor config", async () => {
  const copyRoot = await Deno.makeTempDir({ prefix: "setsim-tiny-clip-copy-" });
  try {
    await cp(modelsDir, copyRoot, { recursive: true });
    const a = await loadClipImageModel(TINY_CLIP_ID, offline);
    const b = await loadClipImageModel(TINY_CLIP_ID, { modelsDir: copyRoot, allowRemote: false });
    assert.equal(a.fingerprint, b.fingerprint);
    // Pinned (the fixture is deterministic): cached vectors are keyed by it, so a change of formula
    // would orphan them all.
    assert.equal(a.fingerprint, "clip-image-d01d9fdad818fb459fdf6cea2247a506");
    const processorPath = join(copyRoot, ...TINY_CLIP_ID.split("/"), "preprocessor_config.json");
    const processor = JSON.parse(await readFile(processorPath, "utf8"));
    await writeFile(processorPath, JSON.stringify({ ...processor, image_mean: [0.5, 0.5, 0.5] }));
    const c = await loadClipImageModel(TINY_CLIP_ID, { modelsDir: copyRoot, allowRemote: false });
    assert.notEqual(a.fingerprint, c.fingerprint);
    await Promise.all([a.dispose?.(), b.dispose?.(), c.dispose?.()]);
  } finally {
    await rm(copyRoot, { recursive: true });
  }
});

Deno.test("missing CLIP model offline: clear error listing what works offline", async () => {
  assert.deepEqual(await listLocalClipModels(modelsDir), [TINY_CLIP_ID]);
  for (const load of [loadClipImageModel, loadClipTextModel]) {
    const error = await load("Xenova/clip-vit-base-patch32", offline).then(
      () => assert.fail("expected an error"),
      (e) => e,
    );
    assert.ok(error instanceof ModelUnavailableError, String(error));
    assert.match(error.message, /Xenova\/clip-vit-base-patch32/);
    assert.match(error.message, /allowRemote: false/);
    assert.match(error.message, /mobilenet-v2/);
    assert.match(error.message, /use \(text\)/);
    assert.match(error.message, /tfidf \(text\)/);
    assert.ok(error.available.some((name: string) => name.startsWith(TINY_CLIP_ID)), String(error.available));
  }
  const injected = await loadClipImageModel("Xenova/clip-vit-base-patch32", {
    ...offline,
    offlineModels: ["mobilenet-v2", "mobilenet-v2-100-224"],
  }).catch((e) => e);
  assert.match(
    injected.message,
    /Available offline: mobilenet-v2, mobilenet-v2-100-224, setsim-fixtures\/tiny-clip/,
  );
});

Deno.test("unreachable Hub: clear error that says so", async () => {
  const remoteHost = transformersEnv.remoteHost;
  // A closed local port stands in for a Hub that cannot be reached (and keeps machines that
  // do have Hub access from downloading a real checkpoint here).
  transformersEnv.remoteHost = "http://127.0.0.1:9/";
  try {
    const error = await loadClipImageModel("Xenova/clip-vit-base-patch32", { modelsDir, allowRemote: true })
      .catch((e) => e);
    assert.ok(error instanceof ModelUnavailableError, String(error));
    assert.match(error.message, /Hugging Face Hub did not deliver it/);
    assert.match(error.message, /Available offline: .*use \(text\)/);
  } finally {
    transformersEnv.remoteHost = remoteHost;
  }
});

Deno.test("Hub path: a model served like the Hub is downloaded into modelsDir, then loads offline", async () => {
  // A local HTTP server with the Hub's URL layout (`<id>/resolve/<revision>/<file>`) serving the
  // fixture: the same code path a user with Hub access runs, without the network.
  const served = new Set<string>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname);
    const match = path.match(/^\/(.+?)\/resolve\/main\/(.+)$/);
    if (!match) return new Response("bad path", { status: 400 });
    try {
      const body = await Deno.readFile(join(modelsDir, ...match[1].split("/"), match[2]));
      served.add(match[2]);
      return new Response(body, { headers: { "content-length": String(body.length) } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  const remoteHost = transformersEnv.remoteHost;
  transformersEnv.remoteHost = `http://127.0.0.1:${server.addr.port}/`;
  const downloadDir = await Deno.makeTempDir({ prefix: "setsim-clip-download-" });
  try {
    const fromHub = await loadClipImageModel(TINY_CLIP_ID, { modelsDir: downloadDir });
    const textFromHub = await loadClipTextModel(TINY_CLIP_ID, { modelsDir: downloadDir });
    assert.ok(served.has("onnx/vision_model.onnx") && served.has("onnx/text_model.onnx"), [...served].join());
    assert.deepEqual(await listLocalClipModels(downloadDir), [TINY_CLIP_ID]);
    const local = await loadClipImageModel(TINY_CLIP_ID, offline);
    const cached = await loadClipImageModel(TINY_CLIP_ID, { modelsDir: downloadDir, allowRemote: false });
    assert.equal(fromHub.fingerprint, local.fingerprint);
    assert.equal(cached.fingerprint, local.fingerprint);
    const img = [image(20, 18, pattern)];
    assert.deepEqual(await fromHub.embedImages(img), await local.embedImages(img));
    assert.deepEqual(await cached.embedImages(img), await local.embedImages(img));
    assert.equal(textFromHub.dim, DIM);
    await Promise.all([fromHub, textFromHub, local, cached].map((m) => m.dispose?.()));
  } finally {
    transformersEnv.remoteHost = remoteHost;
    await server.shutdown();
    await rm(downloadDir, { recursive: true });
  }
});

Deno.test("CLIP loaders reject bad ids and options", async () => {
  await assert.rejects(loadClipImageModel("", offline), /CLIP model id must be a Hub id/);
  await assert.rejects(loadClipImageModel("a b", offline), /CLIP model id must be a Hub id/);
  await assert.rejects(loadClipTextModel("../etc", offline), /CLIP model id must be a Hub id/);
  await assert.rejects(loadClipImageModel(TINY_CLIP_ID, { ...offline, batchSize: 0 }), /batchSize/);
  await assert.rejects(
    loadClipImageModel(TINY_CLIP_ID, { ...offline, dtype: "fp64" as "fp32" }),
    /options\.dtype/,
  );
  // Local copy without the requested precision: the error names the missing file.
  await assert.rejects(
    loadClipImageModel(TINY_CLIP_ID, { ...offline, dtype: "q8" }),
    /local copy at .*tiny-clip lacks onnx\/vision_model_quantized\.onnx and remote loading is disabled/,
  );
});

Deno.test("a local folder that is not CLIP is reported as such", async () => {
  const root = await Deno.makeTempDir({ prefix: "setsim-not-clip-" });
  try {
    const dir = await writeTinyClip(root, "someone/not-clip");
    const config = JSON.parse(await readFile(join(dir, "config.json"), "utf8"));
    await writeFile(join(dir, "config.json"), JSON.stringify({ ...config, projection_dim: undefined }));
    await assert.rejects(
      loadClipImageModel("someone/not-clip", { modelsDir: root, allowRemote: false }),
      /is not a CLIP config/,
    );
  } finally {
    await rm(root, { recursive: true });
  }
});

Deno.test({
  name: "remove the tiny CLIP temp dir",
  sanitizeResources: false,
  async fn() {
    await rm(modelsDir, { recursive: true });
  },
});
