import assert from "node:assert/strict";
import { join } from "node:path";
import { env, PreTrainedModel, Tensor } from "@huggingface/transformers";
import sharp from "sharp";
import { resolveConfig } from "../../lib/config/mod.ts";
import {
  embedImages,
  findVariant,
  type ImageEmbeddingModel,
  pixelValues,
  type PreprocessedImage,
  preprocessImage,
} from "../../lib/embedding/mod.ts";
import { loadLocalImageModel } from "../../lib/embedding/local.ts";
import { BoundedQueue, planEmbedding } from "../../lib/embedding/pipeline.ts";

const config = resolveConfig();

async function coilPaths(n: number, stride = 89): Promise<string[]> {
  const rows = (await Deno.readTextFile(join(config.dataDir, "coil100", "labels.csv"))).trim().split("\n")
    .slice(1);
  return rows.filter((_, i) => i % stride === 0).slice(0, n).map((r) =>
    join(config.dataDir, "coil100", r.split(",")[0])
  );
}

Deno.test("BoundedQueue: push waits while full, take waits for a full batch until closed", async () => {
  const q = new BoundedQueue<number>(2);
  assert.equal(await q.push(1), true);
  assert.equal(await q.push(2), true);
  let third = false;
  const pushing = q.push(3).then((ok) => (third = ok));
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(third, false, "the third push waits for room");
  assert.deepEqual(await q.take(2), [1, 2]);
  await pushing;
  assert.equal(third, true);
  let taken: number[] | undefined;
  const taking = q.take(2).then((t) => (taken = t));
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(taken, undefined, "take waits for a full batch");
  q.close();
  await taking;
  assert.deepEqual(taken, [3], "closing releases the partial batch");
  assert.deepEqual(await q.take(2), [], "closed and drained");
  assert.equal(await q.push(4), false, "a closed queue drops pushes");
  const r = new BoundedQueue<number>(1);
  await r.push(1);
  const blocked = r.push(2);
  r.abort();
  assert.equal(await blocked, false, "abort wakes a waiting producer");
  assert.deepEqual(await r.take(1), []);
  assert.throws(() => new BoundedQueue(0), RangeError);
  const m = new BoundedQueue<number>(4);
  await m.push(1);
  await m.push(2);
  assert.deepEqual(await m.take(4, 2), [1, 2], "take(max, min) starts once min items are there");
});

Deno.test("planEmbedding: validates options without touching any image", () => {
  assert.throws(
    () => planEmbedding([], { augment: "rot45" as "rot90" }),
    /augment kind must be one of rot90, rot180, rot270, flip, flop, got "rot45"/,
  );
  assert.throws(() => planEmbedding([], { batchSize: 0 }), /batchSize must be an integer ≥ 1, got 0/);
  assert.throws(() => planEmbedding([], { concurrency: 1.5 }), /concurrency must be an integer ≥ 1/);
  assert.throws(() => planEmbedding("a.jpg"), TypeError);
  assert.throws(() => planEmbedding([], { preprocess: { fit: "zoom" as "pad" } }), /preprocess.fit/);
  const plan = planEmbedding([], { batchSize: 5, augment: "flip" });
  assert.equal(plan.queueCapacity, 10);
  assert.equal(plan.preprocessKey, "v1:240x180:pad:255,255,255:40000000:flip");
});

Deno.test("pipeline: the default model's rows are identical to embedding one image at a time", async () => {
  const variant = findVariant("mobilenet-v2")!;
  const model = await loadLocalImageModel(variant, "mobilenet-v2");
  try {
    const paths = await coilPaths(7);
    const missing = join(config.dataDir, "coil100", "no-such-image.png");
    const inputs = [paths[0], missing, ...paths.slice(1), paths[2]];
    const result = await embedImages(inputs, {
      model,
      cache: false,
      progress: false,
      batchSize: 3,
      concurrency: 2,
    });
    assert.deepEqual(result.failures.map((f) => f.reason), ["file not found"]);
    assert.deepEqual(result.index, [0, 2, 3, 4, 5, 6, 7, 8]);
    const dim = model.dim;
    const row = (r: number) => result.embeddings.data.subarray(r * dim, (r + 1) * dim);
    for (const [r, position] of result.index.entries()) {
      const image = await preprocessImage(await Deno.readFile(inputs[position]), {}, inputs[position]);
      const sequential = await model.embedImages([image]);
      assert.deepEqual(row(r), sequential, `row ${r} (${inputs[position]}) equals the one-image path`);
    }
    const s = result.stages;
    assert.ok(s.inference > 0 && s.decode > 0 && s.wall > 0, JSON.stringify(s));
    assert.ok(Object.values(s).every((v) => Number.isFinite(v) && v >= 0));
  } finally {
    await model.dispose();
  }
});

Deno.test("pipeline: onnxruntime fed directly equals the transformers.js PreTrainedModel path", async () => {
  const variant = findVariant("mobilenet-v2")!;
  const model = await loadLocalImageModel(variant, "mobilenet-v2");
  env.allowRemoteModels = false;
  env.localModelPath = config.modelsDir.endsWith("/") ? config.modelsDir : `${config.modelsDir}/`;
  const reference = await PreTrainedModel.from_pretrained(variant.name, {
    local_files_only: true,
    dtype: "fp32",
    device: "cpu",
  });
  try {
    const paths = await coilPaths(3, 301);
    const images = await Promise.all(paths.map(async (p) => preprocessImage(await Deno.readFile(p))));
    const pixels = pixelValues(images, model.processor);
    const ours = await model.forward(pixels, images.length);
    const out = await reference({
      pixel_values: new Tensor("float32", pixels, [images.length, 3, 224, 224]),
    });
    const theirs = (out.pooler_output as Tensor).data as Float32Array;
    assert.equal(ours.length, theirs.length);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
    assert.ok(worst <= 1e-6, `max |difference| ${worst}`);
  } finally {
    await model.dispose();
    await reference.dispose();
  }
});

Deno.test("pipeline: a failing model stops the run with its error (no hang, nothing half-returned)", async () => {
  let calls = 0;
  const model: ImageEmbeddingModel = {
    name: "fails-second-batch",
    fingerprint: "fails-v1",
    dim: 2,
    embedImages(images: PreprocessedImage[]) {
      if (++calls === 2) return Promise.reject(new Error("network exploded"));
      return Promise.resolve(new Float32Array(images.length * 2).fill(Math.SQRT1_2));
    },
  };
  const paths = await coilPaths(9, 53);
  await assert.rejects(
    embedImages(paths, { model, cache: false, progress: false, batchSize: 2 }),
    /network exploded/,
  );
  const wrongShape: ImageEmbeddingModel = {
    ...model,
    embedImages: (images) => Promise.resolve(new Float32Array(images.length)),
  };
  await assert.rejects(
    embedImages(paths.slice(0, 2), { model: wrongShape, cache: false, progress: false }),
    /2 values for 2 images of dim 2/,
  );
});

Deno.test("pipeline: the next batch is handed to the model before the previous rows are stored, two at most", async () => {
  // Each call's rows arrive when the next call comes (or, for the last one, after a while): the
  // pipeline must make call k+1 before it has the rows of call k, and never a third.
  let outstanding = 0, most = 0;
  const waiting: (() => void)[] = [];
  const model: ImageEmbeddingModel = {
    name: "grey-level",
    fingerprint: "grey-level-v1",
    dim: 2,
    embedImages(images: PreprocessedImage[]) {
      most = Math.max(most, ++outstanding);
      waiting.shift()?.();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          outstanding--;
          // (grey, 1 − grey) of the first pixel, so each row says which image it came from.
          resolve(Float32Array.from(images.flatMap((im) => [im.data[0] / 255, 1 - im.data[0] / 255])));
        };
        const timer = setTimeout(() => waiting.splice(waiting.indexOf(done), 1) && done(), 2000);
        waiting.push(done);
      });
    },
  };
  const greys = [0, 30, 60, 90, 120, 150, 180];
  const inputs = await Promise.all(
    greys.map(async (g) =>
      new Uint8Array(
        await sharp({ create: { width: 8, height: 6, channels: 3, background: { r: g, g, b: g } } }).png()
          .toBuffer(),
      )
    ),
  );
  const result = await embedImages(inputs, { model, cache: false, progress: false, batchSize: 2 });
  assert.equal(most, 2, "two batches with the model at once, never more");
  assert.deepEqual(
    Array.from(result.embeddings.data.filter((_, i) => i % 2 === 0), (v) => Math.round(v * 255)),
    greys,
  );
});
