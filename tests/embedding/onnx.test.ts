import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";
import { attr, encodeModel, GraphBuilder } from "../../lib/embedding/onnx/mod.ts";

Deno.test("onnx writer: onnxruntime loads and runs a tiny Conv + Relu + Gemm model", async () => {
  const g = new GraphBuilder("tiny");
  const x = g.input("pixels", "float32", ["batch", 1, 3, 3]);
  // 2x2 kernel of ones, bias -1: each output = sum of a 2x2 window minus 1.
  const w = g.floats("conv_w", [1, 1, 1, 1], [1, 1, 2, 2]);
  const b = g.floats("conv_b", [-1], [1]);
  const conv = g.node("Conv", [x, w, b], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([1, 1]) })[0];
  const relu = g.node("Relu", [conv])[0];
  const flat = g.node("Flatten", [relu], { axis: attr.int(1) })[0];
  const gw = g.floats("gemm_w", [1, 0, 0, 0, 0, 0, 0, 2], [4, 2]);
  const gemm = g.node("Gemm", [flat, gw], { alpha: attr.float(0.5) })[0];
  g.output(gemm, "float32", ["batch", 2], "features");
  const bytes = encodeModel({ graph: g.build(), metadata: { source: "test" } });

  const session = await ort.InferenceSession.create(bytes);
  assert.deepEqual(session.inputNames, ["pixels"]);
  assert.deepEqual(session.outputNames, ["features"]);
  const input = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1, -1, -1, -1]);
  const out = await session.run({ pixels: new ort.Tensor("float32", input, [2, 1, 3, 3]) });
  const features = out.features;
  assert.deepEqual(features.dims, [2, 2]);
  // image 1 windows: 12,16,24,28 → minus 1 → 11,15,23,27; gemm: [11*1, 27*2] * 0.5
  assert.deepEqual(Array.from(features.data as Float32Array), [5.5, 27, 0, 0]);
  await session.release();
});

Deno.test("onnx writer: int64 initializers, negative ints and symbolic dims round-trip through Reshape", async () => {
  const g = new GraphBuilder("reshape");
  const x = g.input("x", "float32", ["n", 6]);
  const shape = g.int64s("shape", [-1, 2, 3], [3]);
  const y = g.node("Reshape", [x, shape])[0];
  const r = g.node("ReduceSum", [y, g.int64s("axes", [-1])], { keepdims: attr.int(0) })[0];
  g.output(r, "float32", ["n", 2], "sums");
  const session = await ort.InferenceSession.create(encodeModel({ graph: g.build() }));
  const out = await session.run({
    x: new ort.Tensor("float32", new Float32Array([1, 2, 3, 4, 5, 6]), [1, 6]),
  });
  assert.deepEqual(Array.from(out.sums.data as Float32Array), [6, 15]);
  await session.release();
});

Deno.test("onnx writer: encoding is deterministic and validates order and sizes", () => {
  const build = () => {
    const g = new GraphBuilder("g");
    const x = g.input("x", "float32", [1]);
    g.output(g.node("Neg", [x], { b: attr.int(1), a: attr.float(2) }, ["y"])[0], "float32", [1]);
    return encodeModel({ graph: g.build(), metadata: { z: "1", a: "2" } });
  };
  assert.deepEqual(build(), build());
  assert.throws(
    () =>
      encodeModel({
        graph: {
          name: "bad",
          inputs: [],
          outputs: [{ name: "y", elemType: "float32" }],
          nodes: [{ opType: "Neg", inputs: ["x"], outputs: ["y"] }],
        },
      }),
    /reads "x" before it is defined/,
  );
  const g = new GraphBuilder("sizes");
  assert.throws(() => {
    g.initializer("w", new Float32Array(3), [2, 2]);
    encodeModel({ graph: { ...g.build(), outputs: [] } });
  }, /dims \[2,2\] need 4 float32 values, got 3/);
});
