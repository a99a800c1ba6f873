import assert from "node:assert/strict";
import { attr, GraphBuilder } from "../../lib/embedding/onnx/mod.ts";
import { countFlops } from "../../lib/embedding/onnx/flops.ts";
import { findVariant } from "../../lib/embedding/mod.ts";
import { floatModel } from "../../lib/embedding/model_build/setup.ts";
import { decodeWeights, readNsfwjsModel } from "../../lib/embedding/model_build/tfjs.ts";

Deno.test("flops: hand-counted strided, padded, depthwise convolutions and element-wise ops", () => {
  const g = new GraphBuilder("t");
  const x = g.input("x", "float32", [2, 4, 9, 9]);
  // 3×3 stride 2 SAME: 9 → 5; 8 filters over 4 channels, with bias
  const c1 = g.node("Conv", [
    x,
    g.floats("w1", new Float32Array(8 * 4 * 9), [8, 4, 3, 3]),
    g.floats("b1", new Float32Array(8), [8]),
  ], {
    strides: attr.ints([2, 2]),
    auto_pad: attr.string("SAME_UPPER"),
  })[0];
  // depthwise 3×3, pads 1: 5 → 5, group 8
  const c2 = g.node("Conv", [c1, g.floats("w2", new Float32Array(8 * 9), [8, 1, 3, 3])], {
    group: attr.int(8),
    pads: attr.ints([1, 1, 1, 1]),
  })[0];
  const r = g.node("Relu", [c2])[0];
  const pooled = g.node("GlobalAveragePool", [r])[0];
  g.output(g.node("Flatten", [pooled], { axis: attr.int(1) })[0], "float32");
  const f = countFlops(g.build(), [2, 4, 9, 9]);
  const conv1 = 2 * (2 * 8 * 4 * 9 * 25) + 2 * 8 * 25;
  const conv2 = 2 * (2 * 8 * 1 * 9 * 25);
  assert.equal(f.byOp.Conv, conv1 + conv2);
  assert.equal(f.byOp.Relu, 2 * 8 * 25);
  assert.equal(f.byOp.GlobalAveragePool, 2 * 8 * 25);
  assert.equal(f.total, conv1 + conv2 + 4 * 8 * 25);
  const bad = new GraphBuilder("bad");
  bad.output(bad.node("Softmax", [bad.input("x", "float32", [1, 2])])[0], "float32");
  assert.throws(() => countFlops(bad.build(), [1, 2]), /Softmax .* is not counted/);
});

Deno.test("flops: the default model costs what MobileNetV2-1.4 is published at (≈ 582 M multiply-adds)", async () => {
  const v = findVariant("mobilenet-v2")!;
  const a = await readNsfwjsModel(v.source);
  const { model } = floatModel(v, { topology: a.modelTopology, weights: decodeWeights(a) });
  const { byOp, total } = countFlops(model.graph, [1, 3, 224, 224]);
  const macs = byOp.Conv / 2;
  assert.ok(macs > 575e6 && macs < 595e6, `${macs} multiply-adds`);
  assert.ok(total > 1.15e9 && total < 1.2e9, `${total} FLOPs`);
});
