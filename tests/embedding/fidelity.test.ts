/**
 * Conversion fidelity: the ONNX models built by `deno task setup` and loaded through
 * transformers.js must give the same features as nsfwjs's own TF.js models on real images.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { resolveConfig } from "../../lib/config/mod.ts";
import { decodeWeights, readNsfwjsModel } from "../../lib/embedding/model_build/tfjs.ts";
import { encodeKerasModel } from "../../lib/embedding/model_build/keras.ts";
import { loadLocalImageModel } from "../../lib/embedding/local.ts";
import { pixelValues } from "../../lib/embedding/processor.ts";
import { preprocessImage } from "../../lib/embedding/preprocess.ts";
import { findVariant } from "../../lib/embedding/variants.ts";
import type { PreprocessedImage } from "../../lib/embedding/model.ts";
import { sha256Hex } from "../../lib/io/mod.ts";

const dataDir = resolveConfig().dataDir;

async function realImages(): Promise<PreprocessedImage[]> {
  const first = async (dataset: string, nth: number) => {
    const rows = (await Deno.readTextFile(join(dataDir, dataset, "labels.csv"))).trim().split("\n");
    return join(dataDir, dataset, rows[nth].split(",")[0]);
  };
  const files = [
    await first("coil100", 1),
    await first("coil100", 3000),
    await first("grocery_store", 500),
    await first("myntra_footwear", 10),
  ];
  return await Promise.all(files.map(async (f) => preprocessImage(await Deno.readFile(f), {}, f)));
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

/** NCHW → NHWC for TF.js. */
function toNhwc(nchw: Float32Array, n: number, size: number): Float32Array {
  const out = new Float32Array(nchw.length);
  const plane = size * size;
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < plane; p++) out[(b * plane + p) * 3 + c] = nchw[(b * 3 + c) * plane + p];
    }
  }
  return out;
}

async function tfjsReference(
  source: "mobilenet_v2" | "mobilenet_v2_mid" | "inception_v3",
  layer: string,
  nhwc: Float32Array,
  n: number,
  size: number,
): Promise<Float32Array> {
  await tf.setBackend("cpu");
  const art = await readNsfwjsModel(source);
  const handler = {
    load: () =>
      Promise.resolve({
        modelTopology: art.modelTopology,
        format: art.format,
        // deno-lint-ignore no-explicit-any
        weightSpecs: art.weightSpecs as any,
        weightData: art.weightData.slice().buffer as ArrayBuffer,
      }),
  };
  const input = tf.tensor(nhwc, [n, size, size, 3]);
  let out: tf.Tensor;
  if (art.format === "graph-model") {
    const model = await tf.loadGraphModel(handler);
    // deno-lint-ignore no-explicit-any
    const node = art.modelTopology.node.find((x: any) => x.name.endsWith(layer)).name;
    out = tf.tidy(() => (model.execute(input, node) as tf.Tensor).mean([1, 2]));
    model.dispose();
  } else {
    const model = await tf.loadLayersModel(handler);
    const sub = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer(layer).output as tf.SymbolicTensor,
    });
    out = tf.tidy(() => (sub.predict(input) as tf.Tensor).mean([1, 2]));
    model.dispose();
  }
  const data = (await out.data()) as Float32Array;
  out.dispose();
  input.dispose();
  return data;
}

for (
  const [name, count] of [["mobilenet-v2-pool", 3], ["mobilenet-v2-block10", 1], ["mobilenet-v2-1.4", 2], [
    "inception-v3-mixed5",
    1,
  ]] as const
) {
  Deno.test(`fidelity: ${name} (ONNX via transformers.js) equals the nsfwjs TF.js reference on real images`, async () => {
    const variant = findVariant(name)!;
    const model = await loadLocalImageModel(variant, name);
    try {
      const images = (await realImages()).slice(0, count);
      const pixels = pixelValues(images, model.processor);
      const ours = await model.forward(pixels, images.length);
      const ref = await tfjsReference(
        variant.source,
        variant.layer,
        toNhwc(pixels, images.length, variant.inputSize),
        images.length,
        variant.inputSize,
      );
      assert.equal(ours.length, ref.length);
      for (let i = 0; i < images.length; i++) {
        const c = cosine(
          ours.subarray(i * model.dim, (i + 1) * model.dim),
          ref.subarray(i * model.dim, (i + 1) * model.dim),
        );
        assert.ok(c >= 0.9999, `${name}, image ${i}: cosine ${c} < 0.9999`);
      }
      // The normalised embedding path returns the same directions.
      const rows = await model.embedImages(images);
      for (let i = 0; i < images.length; i++) {
        const c = cosine(
          rows.subarray(i * model.dim, (i + 1) * model.dim),
          ref.subarray(i * model.dim, (i + 1) * model.dim),
        );
        assert.ok(c >= 0.9999, `${name}, embedImages row ${i}: cosine ${c}`);
      }
    } finally {
      await model.dispose?.();
    }
  });
}

Deno.test("conversion is deterministic and matches the file setup wrote", async () => {
  const variant = findVariant("mobilenet-v2-block10")!;
  const art = await readNsfwjsModel(variant.source);
  const convert = () =>
    encodeKerasModel(art.modelTopology, decodeWeights(art), {
      outputLayer: variant.layer,
      name: variant.name,
      metadata: { source: `nsfwjs/${variant.source}`, layer: variant.layer, converter: "1" },
    }).bytes;
  const a = await sha256Hex(convert());
  assert.equal(a, await sha256Hex(convert()));
  const onDisk = await Deno.readFile(join(resolveConfig().modelsDir, variant.name, "onnx", "model.onnx"));
  assert.equal(a, await sha256Hex(onDisk), "setup's model.onnx differs from a fresh conversion");
});
