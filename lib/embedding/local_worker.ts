/**
 * The thread a local model's onnxruntime session runs on (a Deno Worker started by `local.ts`).
 *
 * onnxruntime-node's `session.run` is synchronous on the thread that calls it (its promise only
 * defers the call with `setImmediate`), so on the main thread it stops every decode from being
 * started or finished while the network works. Here the main thread keeps reading, hashing and
 * decoding while this thread runs the model's processor (resize, rescale, NCHW into one reused
 * batch tensor) and the network.
 *
 * Tasks (one at a time, in order; see `lib/workers/serve.ts`):
 * - `images`: a batch of decoded RGB images (HWC uint8, all the same size, back to back) →
 *   processor → network → the un-normalised pooled features; the image buffer is handed back so
 *   the caller can reuse it;
 * - `pixels`: already processed NCHW float32 values → network (tests, benchmarks);
 * - `release`: release the session (before the worker is terminated).
 * @module
 */
/// <reference lib="deno.worker" />

import * as ort from "onnxruntime-node";
import { serveTasks } from "../workers/serve.ts";
import type { PreprocessedImage } from "./model.ts";
import { pixelValues, type ProcessorConfig } from "./processor.ts";

/** What the worker is started with. */
export interface SessionInit {
  /** The model file. */
  onnxPath: string;
  /** Model name, in errors. */
  name: string;
  dim: number;
  processor: ProcessorConfig;
  threads: number;
  spinning: boolean;
}

/** One task of the worker. */
export type SessionTask =
  | { kind: "images"; images: Uint8Array; count: number; width: number; height: number }
  | { kind: "pixels"; pixels: Float32Array; count: number }
  | { kind: "release" };

/** The answer to an `images` or `pixels` task (`release` answers with no features). */
export interface SessionResult {
  /** `count × dim` pooled features, not normalised. */
  features: Float32Array;
  /** The `images` buffer of the task, handed back for reuse. */
  images?: Uint8Array;
  /** Milliseconds in the processor and in `session.run`. */
  processorMs: number;
  inferenceMs: number;
}

let init: SessionInit | undefined;
let session: ort.InferenceSession | undefined;
// The batch tensor, grown to the largest batch seen and reused: a fresh 5 MB array per batch
// costs page faults and zeroing comparable to the processor itself.
let batchTensor = new Float32Array(0);

async function run(pixels: Float32Array, count: number): Promise<{ features: Float32Array; ms: number }> {
  const { processor, name, dim } = init!;
  const started = performance.now();
  const out = await session!.run({
    pixel_values: new ort.Tensor("float32", pixels, [count, 3, processor.height!, processor.width!]),
  });
  const ms = performance.now() - started;
  const pooled = out.pooler_output;
  if (pooled === undefined || pooled.type !== "float32" || pooled.data.length !== count * dim) {
    throw new Error(`${name}: the network returned no ${count}×${dim} pooler_output`);
  }
  return { features: pooled.data as Float32Array, ms };
}

serveTasks<SessionTask, SessionResult | null>({
  async init(payload) {
    init = payload as SessionInit;
    session = await ort.InferenceSession.create(init.onnxPath, {
      intraOpNumThreads: init.threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
      extra: { session: { intra_op: { allow_spinning: init.spinning ? "1" : "0" } } },
    });
  },
  async task(task) {
    if (task.kind === "release") {
      await session?.release();
      session = undefined;
      return null;
    }
    if (session === undefined) throw new Error(`${init?.name}: the session was released`);
    if (task.kind === "pixels") {
      const { features, ms } = await run(task.pixels, task.count);
      return { features, processorMs: 0, inferenceMs: ms };
    }
    const { count, width, height } = task;
    const size = width * height * 3;
    const images: PreprocessedImage[] = Array.from({ length: count }, (_, k) => ({
      data: task.images.subarray(k * size, (k + 1) * size),
      width,
      height,
      channels: 3,
    }));
    const { processor } = init!;
    const needed = count * 3 * processor.height! * processor.width!;
    if (batchTensor.length < needed) batchTensor = new Float32Array(needed);
    const started = performance.now();
    const pixels = pixelValues(images, processor, batchTensor);
    const processorMs = performance.now() - started;
    const { features, ms } = await run(pixels, count);
    return { features, images: task.images, processorMs, inferenceMs: ms };
  },
  transfer: (result) =>
    result === null ? [] : [result.features.buffer, ...(result.images ? [result.images.buffer] : [])],
});
