import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveConfig } from "../../lib/config/mod.ts";
import {
  augmentImage,
  findVariant,
  type PreprocessedImage,
  preprocessImage,
} from "../../lib/embedding/mod.ts";
import { loadLocalImageModel } from "../../lib/embedding/local.ts";

const config = resolveConfig();

async function coilImages(n: number): Promise<PreprocessedImage[]> {
  const rows = (await Deno.readTextFile(join(config.dataDir, "coil100", "labels.csv"))).trim().split("\n")
    .slice(1);
  const paths = rows.filter((_, i) => i % 211 === 0).slice(0, n).map((r) =>
    join(config.dataDir, "coil100", r.split(",")[0])
  );
  return await Promise.all(paths.map(async (p) => preprocessImage(await Deno.readFile(p), {}, p)));
}

Deno.test("local model: batches of mixed sizes and lengths give the rows of one image at a time", async () => {
  const variant = findVariant("mobilenet-v2-block10")!;
  const model = await loadLocalImageModel(variant, variant.name, { inferenceBatch: 2 });
  try {
    const [a, b, c] = await coilImages(3);
    // 240×180 and 180×240 images interleaved: network calls of one size each, at most 2 images.
    const images = [a, augmentImage(b, "rot90"), c, b, augmentImage(a, "rot270")];
    const rows = await model.embedImages(images);
    assert.equal(rows.length, images.length * model.dim);
    for (const [i, image] of images.entries()) {
      const alone = await model.embedImages([image]);
      assert.deepEqual(rows.subarray(i * model.dim, (i + 1) * model.dim), alone, `row ${i}`);
    }
    // The buffers the worker hands back are reused: a second pass gives the same rows.
    assert.deepEqual(await model.embedImages(images), rows);
    assert.equal(model.stageTimes.images, 2 * images.length + images.length);
    assert.ok(model.stageTimes.inference > 0 && model.stageTimes.processor > 0);
    await assert.rejects(
      model.embedImages([a, { ...b, data: b.data.subarray(1) }]),
      /image 1 has 129599 bytes for 240x180x3/,
    );
  } finally {
    await model.dispose();
  }
  // dispose() ends the worker; a later call starts a new one.
  try {
    const [a] = await coilImages(1);
    assert.equal((await model.embedImages([a])).length, model.dim);
  } finally {
    await model.dispose();
  }
});

Deno.test("local model: a damaged model file fails the call with the model's name, without hanging", async () => {
  const variant = findVariant("mobilenet-v2-block10")!;
  const modelsDir = await Deno.makeTempDir({ prefix: "setsim-damaged-model-" });
  try {
    const source = join(config.modelsDir, variant.name);
    const target = join(modelsDir, variant.name);
    await Deno.mkdir(join(target, "onnx"), { recursive: true });
    for (const file of ["config.json", "preprocessor_config.json"]) {
      await Deno.copyFile(join(source, file), join(target, file));
    }
    const bytes = await Deno.readFile(join(source, "onnx", "model.onnx"));
    await Deno.writeFile(join(target, "onnx", "model.onnx"), bytes.subarray(0, bytes.length >> 1)); // truncated
    const model = await loadLocalImageModel(variant, "damaged", { modelsDir });
    try {
      await assert.rejects(model.embedImages(await coilImages(1)), /damaged session worker failed/);
    } finally {
      await model.dispose();
    }
  } finally {
    await Deno.remove(modelsDir, { recursive: true });
  }
});
