/**
 * Calibration for static int8 quantization: run the float32 graph on real images with every
 * quantization point ({@link quantizationPoints}) exposed as an output, and record each tensor's
 * range. Ranges are the min/max over the calibration images (Jacob et al. 2018's post-training
 * recipe); `deno task setup --calibrate` writes them to a small JSON file that is committed, so
 * building the int8 model needs no images and stays deterministic.
 * @module
 */

import * as ort from "onnxruntime-node";
import { encodeModel, type GraphProto } from "../onnx/mod.ts";
import { type ActivationRange, quantizationPoints } from "./quantize.ts";

/** Calibration ranges as written to disk. */
export interface CalibrationFile {
  /** What the ranges were measured on (for the reader). */
  images: string[];
  ranges: Record<string, ActivationRange>;
}

/**
 * Ranges of every quantization point of `graph` over `batches` (NCHW float32 inputs of shape
 * `[count, 3, size, size]`, already processed for the network).
 */
export async function calibrateRanges(
  graph: GraphProto,
  batches: { pixels: Float32Array; count: number }[],
  size: number,
  threads = 2,
): Promise<Map<string, ActivationRange>> {
  const inputName = graph.inputs[0].name;
  const points = [...quantizationPoints(graph).keys()];
  const probed: GraphProto = {
    ...graph,
    outputs: [
      ...graph.outputs,
      ...points.filter((p) => p !== inputName && !graph.outputs.some((o) => o.name === p)).map((name) => ({
        name,
        elemType: "float32" as const,
      })),
    ],
  };
  const session = await ort.InferenceSession.create(encodeModel({ graph: probed }), {
    intraOpNumThreads: threads,
    graphOptimizationLevel: "basic",
  });
  const ranges = new Map<string, ActivationRange>(points.map((p) => [p, { min: Infinity, max: -Infinity }]));
  try {
    for (const { pixels, count } of batches) {
      const feeds = { [inputName]: new ort.Tensor("float32", pixels, [count, 3, size, size]) };
      const out = await session.run(feeds);
      for (const p of points) {
        const data = (p === inputName ? pixels : out[p].data) as Float32Array;
        const r = ranges.get(p)!;
        for (let i = 0; i < data.length; i++) {
          const v = data[i];
          if (v < r.min) r.min = v;
          if (v > r.max) r.max = v;
        }
      }
    }
  } finally {
    await session.release();
  }
  for (const [p, r] of ranges) {
    if (!Number.isFinite(r.min) || !Number.isFinite(r.max)) {
      throw new Error(`calibration: no finite values for "${p}"`);
    }
  }
  return ranges;
}
