/**
 * Learned heads as ONNX graphs, written with the project's one ONNX writer
 * (`lib/embedding/onnx`), and run with onnxruntime — so inference needs no TF.js.
 *
 * | head         | input                   | output                       |
 * | ------------ | ----------------------- | ---------------------------- |
 * | `projection` | `embeddings` [n, d]     | `projected` [n, k], unit rows |
 * | `attention`  | `set` [n, d] (one set)  | `set_embedding` [1, k], unit  |
 *
 * The graphs compute exactly the math of `heads.ts` (same operation order, same ε), so the
 * onnxruntime output matches the TF.js forward pass to float32 rounding (tested).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { headToOnnx, HeadSession } from "./onnx.ts";
 * import { initHeadWeights, resolveHeadConfig } from "./heads.ts";
 * import { embeddingsFromRows } from "../types.ts";
 * const config = resolveHeadConfig({ kind: "projection", inputDim: 3, outputDim: 2 });
 * const weights = initHeadWeights(config, 0); // b₁ starts at 0
 * const session = await HeadSession.create(headToOnnx(config, weights), config);
 * const out = await session.project(embeddingsFromRows([[1, 0, 0], [0, 1, 0]]));
 * await session.dispose();
 * assert.deepEqual([out.count, out.dim], [2, 2]);
 * // y = n(x W₁ + b₁): the unit basis vector eᵢ maps to row i of W₁, normalised.
 * for (const i of [0, 1]) {
 *   const [u, v] = weights.w1.data.subarray(2 * i, 2 * i + 2), norm = Math.hypot(u, v);
 *   assert.ok(Math.abs(out.data[2 * i] - u / norm) < 1e-6 && Math.abs(out.data[2 * i + 1] - v / norm) < 1e-6);
 * }
 * ```
 * @module
 */

import { attr, encodeModel, GraphBuilder } from "../embedding/onnx/mod.ts";
import type { Embeddings } from "../types.ts";
import { checkWeights, type HeadConfig, type HeadWeights, NORM_EPSILON } from "./heads.ts";

/** Opset of the head graphs (ReduceSumSquare/ReduceSum with axes as in opset 13–17). */
const OPSET = 13;

function normalizeRows(g: GraphBuilder, v: string): string {
  const ss = g.node("ReduceSumSquare", [v], { axes: attr.ints([-1]), keepdims: attr.int(1) })[0];
  const eps = g.floats("norm_eps", [NORM_EPSILON], []);
  return g.node("Div", [v, g.node("Sqrt", [g.node("Add", [ss, eps])[0]])[0]])[0];
}

function weight(g: GraphBuilder, weights: HeadWeights, name: string): string {
  return g.initializer(name, weights[name].data, weights[name].shape);
}

/**
 * The per-image graph of any head, `embeddings` [n, d] → `projected` [n, k]: the projection head
 * itself, or for an attention head the encoding of each image as a one-image set (softmax over one
 * image is 1, so z = n((x W_in + b_in) W_v W_o + b_o)). This is the file `<base>+head:NAME` model
 * names load in `lib/embedding`, which needs nothing but onnxruntime.
 */
export function headToImageOnnx(
  config: HeadConfig,
  weights: HeadWeights,
  metadata: Record<string, string> = {},
): Uint8Array {
  if (config.kind === "projection") return headToOnnx(config, weights, metadata);
  checkWeights(config, weights);
  const g = new GraphBuilder("setsim_attention_head_per_image");
  const x = g.input("embeddings", "float32", ["n", config.inputDim]);
  const h =
    g.node("Add", [g.node("MatMul", [x, weight(g, weights, "w_in")])[0], weight(g, weights, "b_in")])[0];
  const v = g.node("MatMul", [h, weight(g, weights, "w_v")])[0];
  const out =
    g.node("Add", [g.node("MatMul", [v, weight(g, weights, "w_o")])[0], weight(g, weights, "b_o")])[0];
  g.output(normalizeRows(g, out), "float32", ["n", config.outputDim], "projected");
  return encodeModel({
    graph: g.build(),
    opsetImports: [{ domain: "", version: OPSET }],
    producerName: "setsim-learning",
    metadata: { head: config.kind, mode: "per-image", config: JSON.stringify(config), ...metadata },
  });
}

/** Encode a head as ONNX bytes (deterministic: same weights → same bytes). */
export function headToOnnx(
  config: HeadConfig,
  weights: HeadWeights,
  metadata: Record<string, string> = {},
): Uint8Array {
  checkWeights(config, weights);
  const { inputDim: d, outputDim: k } = config;
  const g = new GraphBuilder(`setsim_${config.kind}_head`);
  if (config.kind === "projection") {
    const x = g.input("embeddings", "float32", ["n", d]);
    let y = g.node("Add", [g.node("MatMul", [x, weight(g, weights, "w1")])[0], weight(g, weights, "b1")])[0];
    if (config.hidden > 0) {
      const r = g.node("Relu", [y])[0];
      y = g.node("Add", [g.node("MatMul", [r, weight(g, weights, "w2")])[0], weight(g, weights, "b2")])[0];
    }
    g.output(normalizeRows(g, y), "float32", ["n", k], "projected");
  } else {
    const H = config.heads, dh = k / H;
    const x = g.input("set", "float32", ["n", d]);
    const h =
      g.node("Add", [g.node("MatMul", [x, weight(g, weights, "w_in")])[0], weight(g, weights, "b_in")])[0];
    const keys = g.node("MatMul", [h, weight(g, weights, "w_k")])[0];
    const values = g.node("MatMul", [h, weight(g, weights, "w_v")])[0];
    const q = g.node("MatMul", [weight(g, weights, "seed"), weight(g, weights, "w_q")])[0]; // [1, k]
    // Column c belongs to head ⌊c / dh⌋: per-head sums are a product with this indicator.
    const indicator = new Float32Array(k * H);
    for (let c = 0; c < k; c++) indicator[c * H + Math.floor(c / dh)] = 1;
    const ind = g.initializer("head_indicator", indicator, [k, H]);
    const indT = g.initializer("head_indicator_t", transpose(indicator, k, H), [H, k]);
    const logits = g.node("Div", [
      g.node("MatMul", [g.node("Mul", [keys, q])[0], ind])[0],
      g.floats("sqrt_dh", [Math.sqrt(dh)], []),
    ])[0]; // [n, H]
    const attention = g.node("Softmax", [logits], { axis: attr.int(0) })[0]; // over the set's images
    const spread = g.node("MatMul", [attention, indT])[0]; // [n, k]
    const pooled = g.node("ReduceSum", [g.node("Mul", [spread, values])[0], g.int64s("axis0", [0])], {
      keepdims: attr.int(1),
    })[0]; // [1, k]
    const out =
      g.node("Add", [g.node("MatMul", [pooled, weight(g, weights, "w_o")])[0], weight(g, weights, "b_o")])[0];
    g.output(normalizeRows(g, out), "float32", [1, k], "set_embedding");
  }
  return encodeModel({
    graph: g.build(),
    opsetImports: [{ domain: "", version: OPSET }],
    producerName: "setsim-learning",
    metadata: { head: config.kind, config: JSON.stringify(config), ...metadata },
  });
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j];
  return out;
}

// deno-lint-ignore no-explicit-any
type Ort = any;

/** An onnxruntime session of a head. */
export class HeadSession {
  readonly config: HeadConfig;
  private readonly ort: Ort;
  // deno-lint-ignore no-explicit-any
  private readonly session: any;

  // deno-lint-ignore no-explicit-any
  private constructor(config: HeadConfig, ort: Ort, session: any) {
    this.config = config;
    this.ort = ort;
    this.session = session;
  }

  /** Open a session on head bytes (one intra-op thread unless told otherwise). */
  static async create(bytes: Uint8Array, config: HeadConfig, threads = 1): Promise<HeadSession> {
    const ort = await import("onnxruntime-node");
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
    });
    return new HeadSession(config, ort, session);
  }

  private checkInput(e: Embeddings, what: string): void {
    if (e.dim !== this.config.inputDim) {
      throw new RangeError(`${what} has dimension ${e.dim}, but the head expects ${this.config.inputDim}`);
    }
    if (e.count < 1) throw new RangeError(`${what} is empty`);
  }

  /** Projection head: map every row (image embedding) to the learned space. */
  async project(e: Embeddings): Promise<Embeddings> {
    if (this.config.kind !== "projection") {
      throw new Error(`project() needs a projection head, this is ${this.config.kind}`);
    }
    this.checkInput(e, "embeddings");
    // A copy: onnxruntime-node reads a tensor's whole underlying buffer.
    const input = new this.ort.Tensor("float32", e.data.slice(0, e.count * e.dim), [e.count, e.dim]);
    const { projected } = await this.session.run({ embeddings: input });
    return {
      data: new Float32Array(projected.data as Float32Array),
      count: e.count,
      dim: this.config.outputDim,
    };
  }

  /** Attention head: one unit vector for the set of rows. */
  async encodeSet(e: Embeddings): Promise<Float32Array> {
    if (this.config.kind !== "attention") {
      throw new Error(`encodeSet() needs an attention head, this is ${this.config.kind}`);
    }
    this.checkInput(e, "set");
    const input = new this.ort.Tensor("float32", e.data.slice(0, e.count * e.dim), [e.count, e.dim]);
    const { set_embedding } = await this.session.run({ set: input });
    return new Float32Array(set_embedding.data as Float32Array);
  }

  /** Attention head: one row per set, `sets[i]` = row indices of `e`. */
  async encodeSets(e: Embeddings, sets: readonly (readonly number[])[]): Promise<Embeddings> {
    const k = this.config.outputDim;
    const data = new Float32Array(sets.length * k);
    for (let i = 0; i < sets.length; i++) {
      const rows = sets[i];
      const member = new Float32Array(rows.length * e.dim);
      rows.forEach((r, j) => member.set(e.data.subarray(r * e.dim, (r + 1) * e.dim), j * e.dim));
      data.set(await this.encodeSet({ data: member, count: rows.length, dim: e.dim }), i * k);
    }
    return { data, count: sets.length, dim: k };
  }

  /**
   * One vector per image, whatever the head: the projection of the image, or the attention
   * encoding of the one-image set {x} (what `--model …+head:NAME` gives per image).
   */
  async perImage(e: Embeddings): Promise<Embeddings> {
    if (this.config.kind === "projection") return await this.project(e);
    return await this.encodeSets(e, Array.from({ length: e.count }, (_, i) => [i]));
  }

  async dispose(): Promise<void> {
    await this.session.release?.();
  }
}
