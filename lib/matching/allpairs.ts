/**
 * All-pairs set scores straight from embeddings, as fast as the vectorised numpy a user would write
 * (`bench/matching.ts` section 5): one onnxruntime matrix product for the similarities, then a
 * reduction that reads each similarity once.
 *
 * - `centroid`: the cosine of the sets' mean unit vectors — one product of the |Q| × d and |G| × d
 *   mean matrices (not the |Q|·k × |G|·k similarity matrix);
 * - `chamfer` (one-directional, no `s`/`m`): for each query row, its best similarity in each gallery
 *   set, averaged over the query set — a single pass over S, no per-pair block copy or sort;
 * - every other method (and chamfer with options): `scoreSetPairs` on the product.
 *
 * Scores equal `scoreSetPairs` on `cosineSimilarityMatrix` (up to float summation order, ≤ 1e-12).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allPairsSetScores } from "./allpairs.ts";
 * const e = { data: new Float32Array([1, 0, 0, 1, 1, 0, 0.6, 0.8]), count: 4, dim: 2 };
 * const scores = await allPairsSetScores(
 *   { queryEmbeddings: e, galleryEmbeddings: e, querySets: [[0, 1]], gallerySets: [[2, 3]] },
 *   { method: "chamfer" },
 * );
 * // Query rows [1, 0] and [0, 1]; their nearest gallery rows: [1, 0] (cosine 1) and [0.6, 0.8] (0.8).
 * assert.deepEqual([scores.rows, scores.cols], [1, 1]);
 * assert.equal(scores.get(0, 0).toFixed(6), ((1 + 0.8) / 2).toFixed(6));
 * ```
 * @module
 */

import type { Embeddings } from "../types.ts";
import { scoreSetPairs } from "./batch.ts";
import { checkSets } from "./sets.ts";
import { attr, encodeModel, GraphBuilder } from "../embedding/onnx/mod.ts";
import { resolveOptions } from "./registry.ts";
import { assertNoZeroRows } from "./similarity.ts";
import { cosineSimilarityMatrixOnnx } from "./similarity_onnx.ts";
import { type MatchOptions, NO_MATCH_SCORE, ScoreMatrix, type SimilarityMatrix } from "./types.ts";
import { validateEmbeddings } from "./validate.ts";

/** Sets given as row indices into their embeddings. */
export interface EmbeddedSetPairs {
  queryEmbeddings: Embeddings;
  galleryEmbeddings: Embeddings;
  querySets: ArrayLike<number>[];
  gallerySets: ArrayLike<number>[];
}

/**
 * One-directional chamfer of every query set against every gallery set:
 * `score(Q, G) = (1/|Q|) Σ_{a∈Q} max_{b∈G} S[a, b]`, row-major `|querySets| × |gallerySets|`.
 */
export function chamferAllPairs(
  S: SimilarityMatrix,
  querySets: ArrayLike<number>[],
  gallerySets: ArrayLike<number>[],
): Float64Array {
  checkSets(querySets, S.rows, "querySets", "row");
  checkSets(gallerySets, S.cols, "gallerySets", "column");
  const nG = gallerySets.length, { data, cols } = S;
  const scores = new Float64Array(querySets.length * nG);
  for (let q = 0; q < querySets.length; q++) {
    const Q = querySets[q], out = q * nG;
    for (let i = 0; i < Q.length; i++) {
      const base = Q[i] * cols;
      for (let g = 0; g < nG; g++) {
        const G = gallerySets[g];
        let best = data[base + G[0]];
        for (let j = 1; j < G.length; j++) {
          const v = data[base + G[j]];
          if (v > best) best = v;
        }
        scores[out + g] += best;
      }
    }
    for (let g = 0; g < nG; g++) scores[out + g] /= Q.length;
  }
  return scores;
}

/** Row indices padded to the largest set, with weights 1/|set| (0 on padding). */
function paddedSets(
  sets: ArrayLike<number>[],
): { index: BigInt64Array; weight: Float32Array; width: number } {
  const width = Math.max(...sets.map((s) => s.length));
  const index = new BigInt64Array(sets.length * width);
  const weight = new Float32Array(sets.length * width);
  sets.forEach((set, k) => {
    for (let t = 0; t < set.length; t++) {
      index[k * width + t] = BigInt(set[t]);
      weight[k * width + t] = 1 / set.length;
    }
  });
  return { index, weight, width };
}

/**
 * The centroid graph: each set's members gathered (`[sets, k, d]`), weighted by `1 / (|set| · ‖x‖)`
 * (0 on padding) and summed over the set — the mean of unit rows — then normalised, and one `Gemm` of
 * the query means against the gallery means. Outputs the cosines and each mean's norm. (Mul +
 * ReduceSum measured faster here than a batched `[sets, 1, k] × [sets, k, d]` MatMul.)
 */
function centroidModel(dim: number): Uint8Array {
  const g = new GraphBuilder("setsim_centroid_all_pairs");
  const side = (name: string, count: string) => {
    const e = g.input(`${name}_embeddings`, "float32", [`${name}_rows`, dim]);
    const index = g.input(`${name}_index`, "int64", [count, `${name}_width`]);
    const weight = g.input(`${name}_weight`, "float32", [count, `${name}_width`, 1]);
    const norm = g.node("ReduceL2", [e], { axes: attr.ints([1]), keepdims: attr.int(0) })[0];
    const memberNorm =
      g.node("Unsqueeze", [g.node("Gather", [norm, index])[0], g.int64s(`${name}_axis2`, [2])])[0];
    const w = g.node("Div", [weight, memberNorm])[0];
    const members = g.node("Gather", [e, index], { axis: attr.int(0) })[0];
    const weighted = g.node("Mul", [members, w])[0];
    const mean =
      g.node("ReduceSum", [weighted, g.int64s(`${name}_axis1`, [1])], { keepdims: attr.int(0) })[0];
    const meanNorm = g.node("ReduceL2", [mean], { axes: attr.ints([1]), keepdims: attr.int(1) })[0];
    g.output(meanNorm, "float32", [count, 1], `${name}_mean_norm`);
    return g.node("Div", [mean, meanNorm])[0];
  };
  const q = side("query", "nq"), gl = side("gallery", "ng");
  g.output(g.node("Gemm", [q, gl], { transB: attr.int(1) })[0], "float32", ["nq", "ng"], "cosine");
  return encodeModel({ graph: g.build() });
}

/**
 * Centroid cosine of every query set against every gallery set (see {@link centroidScore}'s
 * definition in `methods.ts`): the whole computation in one onnxruntime graph, so the d-long rows are
 * read by vectorised kernels on every core. A mean below 1e-12 scores NO_MATCH_SCORE.
 */
export async function centroidAllPairs(input: EmbeddedSetPairs): Promise<Float64Array> {
  const { queryEmbeddings: qe, galleryEmbeddings: ge, querySets, gallerySets } = input;
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(centroidModel(qe.dim), {
    intraOpNumThreads: navigator.hardwareConcurrency,
    graphOptimizationLevel: "all",
    // One run per session: idle worker threads spinning afterwards would only steal the next step's cycles.
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  });
  try {
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const [name, e, sets] of [["query", qe, querySets], ["gallery", ge, gallerySets]] as const) {
      const { index, weight, width } = paddedSets(sets);
      // onnxruntime-node reads a tensor's whole buffer: copy only a view into a larger one.
      const whole = e.data.byteOffset === 0 && e.data.buffer.byteLength === e.count * e.dim * 4;
      feeds[`${name}_embeddings`] = new ort.Tensor("float32", whole ? e.data : e.data.slice(), [
        e.count,
        e.dim,
      ]);
      feeds[`${name}_index`] = new ort.Tensor("int64", index, [sets.length, width]);
      feeds[`${name}_weight`] = new ort.Tensor("float32", weight, [sets.length, width, 1]);
    }
    const out = await session.run(feeds);
    const cosine = out.cosine.data as Float32Array;
    const qn = out.query_mean_norm.data as Float32Array, gn = out.gallery_mean_norm.data as Float32Array;
    const scores = new Float64Array(cosine.length);
    const nG = gallerySets.length;
    let finite = qn.every(Number.isFinite) && gn.every(Number.isFinite);
    for (let q = 0; q < querySets.length && finite; q++) {
      for (let g = 0; g < nG; g++) {
        const p = q * nG + g, c = cosine[p];
        if (!(qn[q] >= 1e-12) || !(gn[g] >= 1e-12)) {
          scores[p] = NO_MATCH_SCORE; // a mean vector cancelled out: its direction is undefined
          continue;
        }
        // c - c is NaN exactly when c is NaN or ±Infinity.
        if (c - c !== 0) finite = false;
        scores[p] = c > 1 ? 1 : c < -1 ? -1 : c;
      }
    }
    if (!finite) {
      // Non-finite values or zero rows made NaN: let the checks name the input and row.
      for (const [e, name] of [[qe, "queryEmbeddings"], [ge, "galleryEmbeddings"]] as const) {
        validateEmbeddings(e, name);
        assertNoZeroRows(e, name);
      }
      throw new RangeError("centroid: the embeddings produced non-finite cosines");
    }
    return scores;
  } finally {
    await session.release();
  }
}

/** Every query set against every gallery set with `options.method`, from the embeddings. */
export async function allPairsSetScores(
  input: EmbeddedSetPairs,
  options: MatchOptions,
): Promise<ScoreMatrix> {
  const { queryEmbeddings: qe, galleryEmbeddings: ge, querySets, gallerySets } = input;
  for (const [e, name] of [[qe, "queryEmbeddings"], [ge, "galleryEmbeddings"]] as const) {
    if (
      !e || !(e.data instanceof Float32Array) || !(e.count >= 1 && e.dim >= 1) ||
      e.data.length !== e.count * e.dim
    ) {
      throw new RangeError(`${name} must be { data: Float32Array, count, dim } with count · dim values`);
    }
  }
  if (qe.dim !== ge.dim) {
    throw new RangeError(
      `dimension mismatch: queryEmbeddings has dimension ${qe.dim}, galleryEmbeddings ${ge.dim}`,
    );
  }
  checkSets(querySets, qe.count, "querySets", "queryEmbeddings row");
  checkSets(gallerySets, ge.count, "gallerySets", "galleryEmbeddings row");
  const resolved = resolveOptions(options); // validates the method and its options
  // centroid checks values lazily (a NaN in its outputs triggers the full check); the product checks them.
  const [nQ, nG] = [querySets.length, gallerySets.length];
  if (resolved.method === "centroid") {
    return new ScoreMatrix("centroid", nQ, nG, await centroidAllPairs(input));
  }
  validateEmbeddings(qe, "queryEmbeddings");
  validateEmbeddings(ge, "galleryEmbeddings");
  const similarity = await cosineSimilarityMatrixOnnx(qe, ge);
  const plainChamfer = resolved.method === "chamfer" && resolved.s === undefined &&
    resolved.m === undefined &&
    !resolved.symmetric;
  if (plainChamfer) {
    return new ScoreMatrix("chamfer", nQ, nG, chamferAllPairs(similarity, querySets, gallerySets));
  }
  return scoreSetPairs({ similarity, querySets, gallerySets }, options);
}
