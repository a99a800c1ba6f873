/**
 * The int8 variant: a QDQ graph built from nsfwjs's own uint8 weight levels and committed
 * activation ranges. It must load, fuse into integer kernels, and agree with the float32 network.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { resolveConfig } from "../../lib/config/mod.ts";
import { findVariant, pixelValues, preprocessImage } from "../../lib/embedding/mod.ts";
import { loadLocalImageModel } from "../../lib/embedding/local.ts";
import {
  activationParameters,
  quantizationPoints,
  quantizeGraph,
  quantizeWeight,
} from "../../lib/embedding/model_build/quantize.ts";
import { floatModel, setupModels, variantModel } from "../../lib/embedding/model_build/setup.ts";
import { decodeWeights, readNsfwjsModel } from "../../lib/embedding/model_build/tfjs.ts";
import { attr, encodeModel, GraphBuilder } from "../../lib/embedding/onnx/mod.ts";

const config = resolveConfig();
/** Stated agreement of the int8 features with float32 (measured 0.993 min, 0.996 mean). */
const MIN_COSINE = 0.98;

Deno.test("int8: activation parameters cover the range, clip at 6 with zero point 0", () => {
  const p = activationParameters({ min: -1, max: 3 });
  assert.ok(Math.abs(p.scale - 4 / 255) < 1e-12);
  assert.equal(p.zeroPoint, Math.round(1 / (4 / 255)));
  const relu6 = activationParameters({ min: 0, max: 9 }, [0, 6]);
  assert.equal(relu6.zeroPoint, 0);
  assert.ok(Math.abs(relu6.scale - 6 / 255) < 1e-12, "clipped at 6, not the calibrated 9");
  const positive = activationParameters({ min: 2, max: 4 });
  assert.equal(positive.zeroPoint, 0, "the range is widened to include 0");
});

Deno.test("int8: weights with source levels are written as exactly those levels", () => {
  // q · 0.5 − 1 for q = 0..4: zero point 2 (integral), levels −1, −0.5, 0, 0.5, 1.
  const w = {
    name: "w",
    dataType: "float32" as const,
    dims: [5, 1, 1, 1],
    data: new Float32Array([-1, -0.5, 0, 0.5, 1]),
  };
  const q = quantizeWeight(w, { scale: 0.5, min: -1 });
  assert.equal(q.perChannel, false);
  assert.deepEqual(Array.from(q.data, (v) => (v - q.zeroPoint[0]) * q.scale[0]), [-1, -0.5, 0, 0.5, 1]);
  // without levels: per output channel, symmetric, |error| ≤ scale / 2
  const free = quantizeWeight({
    ...w,
    dims: [1, 5, 1, 1],
    data: new Float32Array([0.1, -0.3, 0.25, 0, 0.3]),
  });
  assert.equal(free.perChannel, true);
  assert.ok(Math.abs(free.scale[0] - 0.3 / 127) < 1e-9);
  free.data.forEach((v, i) =>
    assert.ok(
      Math.abs(v * free.scale[0] - w.data[i] * 0 - [0.1, -0.3, 0.25, 0, 0.3][i]) <= free.scale[0] / 2 + 1e-9,
    )
  );
});

Deno.test("int8: a tiny Conv → Relu6 → Add graph quantizes, runs and stays close to float32", async () => {
  const g = new GraphBuilder("tiny");
  const x = g.input("x", "float32", ["n", 2, 4, 4]);
  const w = g.floats("w", Array.from({ length: 2 * 2 * 3 * 3 }, (_, i) => ((i * 37) % 11) / 11 - 0.5), [
    2,
    2,
    3,
    3,
  ]);
  const b = g.floats("b", [0.1, -0.2], [2]);
  const conv =
    g.node("Conv", [x, w, b], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) })[0];
  const act = g.node("Clip", [conv, g.floats("lo", [0], []), g.floats("hi", [6], [])])[0];
  const sum = g.node("Add", [act, x])[0];
  g.output(sum, "float32", ["n", 2, 4, 4], "y");
  const graph = g.build();
  const points = quantizationPoints(graph);
  assert.deepEqual([...points.keys()].sort(), [act, sum, "x"].sort());
  assert.deepEqual(points.get(act)!.clip, [0, 6]);
  const input = Float32Array.from({ length: 2 * 2 * 16 }, (_, i) => ((i * 13) % 17) / 17);
  const float = await ort.InferenceSession.create(encodeModel({ graph }));
  const want = (await float.run({ x: new ort.Tensor("float32", input, [2, 2, 4, 4]) })).y
    .data as Float32Array;
  const ranges = new Map([["x", { min: 0, max: 1 }], [act, { min: 0, max: 3 }], [sum, { min: 0, max: 4 }]]);
  assert.throws(() => quantizeGraph(graph, new Map()), /no calibration range for "x"/);
  const qgraph = quantizeGraph(graph, ranges);
  assert.ok(!qgraph.nodes.some((n) => n.opType === "Clip"), "the clip is folded into the quantization range");
  const int8 = await ort.InferenceSession.create(encodeModel({ graph: qgraph }), {
    graphOptimizationLevel: "all",
  });
  const got = (await int8.run({ x: new ort.Tensor("float32", input, [2, 2, 4, 4]) })).y.data as Float32Array;
  const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0);
  assert.ok(worst < 0.05, `max |int8 − float32| = ${worst}`);
  await float.release();
  await int8.release();
});

Deno.test("int8: the default model's int8 variant is built deterministically and agrees with float32", async () => {
  const variant = findVariant("mobilenet-v2-1.4-int8")!;
  const base = findVariant("mobilenet-v2-1.4")!;
  await setupModels({ only: [variant.name], quiet: true });
  const artifacts = await readNsfwjsModel(variant.source);
  const loaded = { topology: artifacts.modelTopology, weights: decodeWeights(artifacts) };
  const built = await Deno.readFile(join(config.modelsDir, variant.name, "onnx", "model.onnx"));
  assert.deepEqual(
    encodeModel((await variantModel(variant, loaded)).model),
    built,
    "same bytes as setup wrote",
  );
  const { model } = floatModel(base, loaded);
  const convs = model.graph.nodes.filter((n) => n.opType === "Conv").length;
  const qnodes = (await variantModel(variant, loaded)).model.graph.nodes;
  assert.equal(qnodes.filter((n) => n.opType === "Conv").length, convs);
  assert.ok(qnodes.filter((n) => n.opType === "QuantizeLinear").length >= convs);

  const rows = (await Deno.readTextFile(join(config.dataDir, "coil100", "labels.csv"))).trim().split("\n")
    .slice(1);
  const paths = rows.filter((_, i) => i % 700 === 0).map((r) =>
    join(config.dataDir, "coil100", r.split(",")[0])
  );
  const images = await Promise.all(paths.map(async (p) => preprocessImage(await Deno.readFile(p))));
  const f = await loadLocalImageModel(base), q = await loadLocalImageModel(variant);
  try {
    assert.notEqual(q.fingerprint, f.fingerprint, "the int8 model has its own cache key");
    const pixels = pixelValues(images, f.processor);
    const [a, b] = [await f.embedImages(images), await q.embedImages(images)];
    for (let i = 0; i < images.length; i++) {
      let dot = 0;
      for (let k = 0; k < f.dim; k++) dot += a[i * f.dim + k] * b[i * f.dim + k];
      assert.ok(dot >= MIN_COSINE, `${paths[i]}: cosine ${dot} < ${MIN_COSINE}`);
    }
    assert.equal(pixels.length, images.length * 3 * 224 * 224);
  } finally {
    await f.dispose();
    await q.dispose();
  }
});
