/**
 * The two learned heads, on top of frozen image embeddings (d = the image model's dimension):
 *
 * - **projection** (per image): `y = n(x W₁ + b₁)`, or with a hidden layer of width h
 *   `y = n(relu(x W₁ + b₁) W₂ + b₂)`, where `n(v) = v / √(Σ v² + ε)`. Its output replaces the
 *   image embedding, so every set method (greedy, optimal, chamfer, …) runs on it unchanged.
 * - **attention** (per set; Set Transformer's pooling by multihead attention, PMA, with one seed
 *   vector — Lee et al., ICML 2019): each image is encoded `h = x W_in + b_in` (k wide); one
 *   learned seed `s` attends over the set with H heads,
 *   `oⱼ = softmax(qⱼ Kⱼᵀ / √(k/H)) Vⱼ` with `q = s W_q`, `K = h W_k`, `V = h W_v` split into H
 *   column blocks, and `z = n([o₁ … o_H] W_o + b_o)`. One vector per set, whatever its size and
 *   order (softmax over the set's images is permutation invariant). The loss scores sets by cosine.
 *
 * Weights are plain named `Float32Array`s (row-major, `x W` convention) so they can be hashed,
 * compared byte for byte and written to ONNX (`onnx.ts`). Initial weights come from the seeded
 * generator, never from TF.js's random ops.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initHeadWeights, resolveHeadConfig } from "./heads.ts";
 * const config = resolveHeadConfig({ kind: "projection", inputDim: 8, outputDim: 4 });
 * const weights = initHeadWeights(config, 0);
 * assert.deepEqual(Object.keys(weights), ["w1", "b1"]); // no hidden layer by default
 * assert.deepEqual([weights.w1.shape, weights.b1.shape], [[8, 4], [4]]);
 * assert.deepEqual(initHeadWeights(config, 0), weights); // seeded
 * ```
 * @module
 */

import type * as tfType from "@tensorflow/tfjs";
import { createRng, gaussian } from "../random/mod.ts";

/** Head kinds. */
export const HEAD_KINDS = ["projection", "attention"] as const;
/** A head kind. */
export type HeadKind = typeof HEAD_KINDS[number];

/** A head's architecture. */
export interface HeadConfig {
  kind: HeadKind;
  /** Input (image embedding) dimension d. */
  inputDim: number;
  /** Output dimension k (128–512 in the experiments). */
  outputDim: number;
  /** projection: hidden width (0 = linear). */
  hidden: number;
  /** attention: number of heads H (divides `outputDim`). */
  heads: number;
}

/** A weight tensor. */
export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

/** A head's weights by name (names and order fixed per kind, see {@link parameterShapes}). */
export type HeadWeights = Record<string, WeightTensor>;

/** ε inside the L2 normalisation `v / √(Σ v² + ε)` (the same in TF.js and in ONNX). */
export const NORM_EPSILON = 1e-12;

/** Fill in defaults and check a head configuration, naming what is wrong. */
export function resolveHeadConfig(
  config: Partial<HeadConfig> & Pick<HeadConfig, "kind" | "inputDim">,
): HeadConfig {
  if (!(HEAD_KINDS as readonly string[]).includes(config.kind)) {
    throw new RangeError(`unknown head "${config.kind}"; choose from ${HEAD_KINDS.join(", ")}`);
  }
  const out: HeadConfig = {
    kind: config.kind,
    inputDim: config.inputDim,
    outputDim: config.outputDim ?? 256,
    hidden: config.kind === "projection" ? config.hidden ?? 0 : 0,
    heads: config.kind === "attention" ? config.heads ?? 4 : 1,
  };
  for (const key of ["inputDim", "outputDim"] as const) {
    if (!Number.isInteger(out[key]) || out[key] < 1) {
      throw new RangeError(`head ${key} must be an integer ≥ 1, got ${out[key]}`);
    }
  }
  if (!Number.isInteger(out.hidden) || out.hidden < 0) {
    throw new RangeError(`head hidden width must be an integer ≥ 0, got ${out.hidden}`);
  }
  if (!Number.isInteger(out.heads) || out.heads < 1 || out.outputDim % out.heads !== 0) {
    throw new RangeError(`attention heads must divide outputDim ${out.outputDim}, got ${out.heads}`);
  }
  return out;
}

/** Parameter names and shapes, in a fixed order. */
export function parameterShapes(config: HeadConfig): [string, number[]][] {
  const { inputDim: d, outputDim: k, hidden: h } = config;
  if (config.kind === "projection") {
    return h === 0
      ? [["w1", [d, k]], ["b1", [k]]]
      : [["w1", [d, h]], ["b1", [h]], ["w2", [h, k]], ["b2", [k]]];
  }
  return [
    ["w_in", [d, k]],
    ["b_in", [k]],
    ["seed", [1, k]],
    ["w_q", [k, k]],
    ["w_k", [k, k]],
    ["w_v", [k, k]],
    ["w_o", [k, k]],
    ["b_o", [k]],
  ];
}

/**
 * Seeded initial weights: matrices N(0, 1/fan_in) (a random projection that roughly keeps cosines,
 * so training starts near the frozen embeddings' own geometry), biases 0, the attention seed N(0, 1).
 */
export function initHeadWeights(config: HeadConfig, seed: number): HeadWeights {
  const rng = createRng(seed, `learning:init:${config.kind}`);
  const weights: HeadWeights = {};
  for (const [name, shape] of parameterShapes(config)) {
    const size = shape.reduce((p, s) => p * s, 1);
    const data = new Float32Array(size);
    if (shape.length === 2) {
      const scale = name === "seed" ? 1 : 1 / Math.sqrt(shape[0]);
      for (let i = 0; i < size; i++) data[i] = gaussian(rng) * scale;
    }
    weights[name] = { shape, data };
  }
  return weights;
}

/** Check that weights fit a configuration (names, shapes, finite values). */
export function checkWeights(config: HeadConfig, weights: HeadWeights): void {
  for (const [name, shape] of parameterShapes(config)) {
    const w = weights[name];
    if (w === undefined) throw new Error(`${config.kind} head: weight "${name}" is missing`);
    if (w.shape.join("×") !== shape.join("×")) {
      throw new Error(
        `${config.kind} head: weight "${name}" has shape ${w.shape.join("×")}, expected ${shape.join("×")}`,
      );
    }
    const size = shape.reduce((p, s) => p * s, 1);
    if (w.data.length !== size) {
      throw new Error(`${config.kind} head: weight "${name}" has ${w.data.length} values, expected ${size}`);
    }
    for (let i = 0; i < w.data.length; i++) {
      if (!Number.isFinite(w.data[i])) {
        throw new Error(`${config.kind} head: weight "${name}"[${i}] is not finite`);
      }
    }
  }
}

type Tf = typeof tfType;
type Tensor = tfType.Tensor;

/** L2-normalise along the last axis: v / √(Σ v² + ε). */
export function l2NormalizeTf(tf: Tf, v: Tensor): Tensor {
  return tf.div(v, tf.sqrt(tf.add(tf.sum(tf.square(v), -1, true), NORM_EPSILON)));
}

/** Projection head forward pass: x [n, d] → [n, k], rows unit length. */
export function projectTf(tf: Tf, w: Record<string, Tensor>, x: Tensor): Tensor {
  let y = tf.add(tf.matMul(x as tfType.Tensor2D, w.w1 as tfType.Tensor2D), w.b1);
  if (w.w2 !== undefined) y = tf.add(tf.matMul(tf.relu(y) as tfType.Tensor2D, w.w2 as tfType.Tensor2D), w.b2);
  return l2NormalizeTf(tf, y);
}

/**
 * Attention head forward pass on a batch of equal-size sets: x [B, n, d] → [B, k], rows unit length.
 */
export function encodeSetsTf(tf: Tf, w: Record<string, Tensor>, x: Tensor, heads: number): Tensor {
  const [batch, n, d] = x.shape as [number, number, number];
  const k = w.w_o.shape[0];
  const dh = k / heads;
  const flat = tf.reshape(x, [batch * n, d]) as tfType.Tensor2D;
  const h = tf.add(tf.matMul(flat, w.w_in as tfType.Tensor2D), w.b_in) as tfType.Tensor2D;
  const keys = tf.reshape(tf.matMul(h, w.w_k as tfType.Tensor2D), [batch, n, heads, dh]);
  const values = tf.reshape(tf.matMul(h, w.w_v as tfType.Tensor2D), [batch, n, heads, dh]);
  const q = tf.reshape(tf.matMul(w.seed as tfType.Tensor2D, w.w_q as tfType.Tensor2D), [1, 1, heads, dh]);
  const logits = tf.div(tf.sum(tf.mul(keys, q), -1), Math.sqrt(dh)); // [B, n, H]
  const attention = tf.softmax(tf.transpose(logits, [0, 2, 1]), -1); // [B, H, n]
  const pooled = tf.sum(tf.mul(tf.expandDims(tf.transpose(attention, [0, 2, 1]), -1), values), 1); // [B, H, dh]
  const out = tf.add(
    tf.matMul(tf.reshape(pooled, [batch, k]) as tfType.Tensor2D, w.w_o as tfType.Tensor2D),
    w.b_o,
  );
  return l2NormalizeTf(tf, out);
}

/**
 * Soft Chamfer similarity of every query set with every gallery set, differentiable:
 * for unit rows, `S = P_q P_gᵀ` reshaped to [B, a, B, b];
 * `A→B(i, j) = mean_r τ·logsumexp_c(S[i, r, j, c] / τ)` (→ mean of row maxima as τ → 0), likewise
 * B→A over rows, and the result is their mean [B, B].
 */
export function softChamferTf(tf: Tf, query: Tensor, gallery: Tensor, tau: number): Tensor {
  const [batch, a, k] = query.shape as [number, number, number];
  const b = gallery.shape[1] as number;
  const S = tf.reshape(
    tf.matMul(
      tf.reshape(query, [batch * a, k]) as tfType.Tensor2D,
      tf.reshape(gallery, [batch * b, k]) as tfType.Tensor2D,
      false,
      true,
    ),
    [batch, a, batch, b],
  );
  const scaled = tf.div(S, tau);
  const forward = tf.mean(tf.mul(tf.logSumExp(scaled, 3), tau), 1); // [B, B]
  const backward = tf.mean(tf.mul(tf.logSumExp(scaled, 1), tau), 2); // [B, B]
  return tf.div(tf.add(forward, backward), 2);
}

/**
 * Symmetric InfoNCE over a [B, B] similarity matrix whose diagonal holds the positive pairs:
 * `L = ½ (CE(rows) + CE(columns))` on logits `sim / τ` (van den Oord et al. 2018; CLIP's loss).
 */
export function infoNceTf(tf: Tf, similarity: Tensor, temperature: number): tfType.Scalar {
  const logits = tf.div(similarity, temperature) as tfType.Tensor2D;
  const positives = tf.sum(tf.mul(logits, tf.eye(logits.shape[0])), 1);
  const rows = tf.sub(tf.logSumExp(logits, 1), positives);
  const cols = tf.sub(tf.logSumExp(logits, 0), positives);
  return tf.div(tf.add(tf.mean(rows), tf.mean(cols)), 2) as tfType.Scalar;
}
