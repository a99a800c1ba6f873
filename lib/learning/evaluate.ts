/**
 * Evaluate learned heads on a prepared test protocol, next to the hand-made methods.
 *
 * - A projection head maps every image embedding; {@link projectPrepared} returns the prepared
 *   protocol with the projected embeddings and their similarity matrix, so **every** set method
 *   (greedy, optimal, chamfer, …) and every tool that takes a `PreparedProtocol` runs on it
 *   unchanged. `head:projection` in the summary is Chamfer (the method it is trained for) on it.
 * - An attention head gives one vector per set; {@link attentionScores} returns the query × gallery
 *   cosine matrix of the set vectors — the same shape and meaning as `scoreSetPairs`, so
 *   `evaluateScores` turns it into metrics. That is how the attention head plugs in as a set scorer.
 *
 * A saved head opens with `openHeadSession("grocery-attn")`; here an untrained one shows the contract:
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { attentionScores } from "./evaluate.ts";
 * import { initHeadWeights, resolveHeadConfig } from "./heads.ts";
 * import { headToOnnx, HeadSession } from "./onnx.ts";
 * import { evaluateScores, prepareProtocol } from "../evaluation/mod.ts";
 * const prepared = await prepareProtocol({ dataset: "coil100", protocol: "unordered", seed: 0 });
 * const config = resolveHeadConfig({ kind: "attention", inputDim: prepared.queryEmbeddings.dim, outputDim: 64 });
 * const session = await HeadSession.create(headToOnnx(config, initHeadWeights(config, 0)), config);
 * const scores = await attentionScores(prepared, session);
 * assert.equal(scores.length, 100 * 100); // one cosine per (query set, gallery set), as scoreSetPairs
 * // One vector per set whatever the order of its images: reversed sets score the same.
 * const reversed = { ...prepared, querySets: prepared.querySets.map((set) => set.toReversed()) };
 * const again = await attentionScores(reversed, session);
 * assert.ok(scores.every((v, k) => Math.abs(v - again[k]) < 1e-5));
 * const metrics = evaluateScores(scores, prepared, { bootstrap: 0 });
 * assert.equal(metrics.n_queries, 100);
 * await session.dispose();
 * ```
 * @module
 */

import {
  evaluateScores,
  type MetricColumns,
  metricColumns,
  type PreparedProtocol,
} from "../evaluation/mod.ts";
import { cosineSimilarityMatrix } from "../matching/mod.ts";
import type { Embeddings } from "../types.ts";
import { HeadSession } from "./onnx.ts";
import { loadHead } from "./store.ts";

/** Open an onnxruntime session on a saved head. */
export async function openHeadSession(
  name: string,
  options: { modelsDir?: string } = {},
): Promise<HeadSession> {
  const { manifest, onnx } = await loadHead(name, options);
  return await HeadSession.create(onnx, manifest.config);
}

/** The prepared protocol with every image embedding replaced by the head's per-image vector. */
export async function projectPrepared(
  prepared: PreparedProtocol,
  session: HeadSession,
): Promise<PreparedProtocol> {
  const queryEmbeddings = await session.perImage(prepared.queryEmbeddings);
  const galleryEmbeddings = prepared.galleryEmbeddings === prepared.queryEmbeddings
    ? queryEmbeddings
    : await session.perImage(prepared.galleryEmbeddings);
  return {
    ...prepared,
    queryEmbeddings,
    galleryEmbeddings,
    similarity: cosineSimilarityMatrix(queryEmbeddings, galleryEmbeddings),
    model: `${prepared.model}+head`,
    fingerprint: `${prepared.fingerprint}|head:${session.config.kind}`,
  };
}

function dotMatrix(a: Embeddings, b: Embeddings): Float64Array {
  const out = new Float64Array(a.count * b.count);
  for (let i = 0; i < a.count; i++) {
    for (let j = 0; j < b.count; j++) {
      let dot = 0;
      for (let c = 0; c < a.dim; c++) dot += a.data[i * a.dim + c] * b.data[j * b.dim + c];
      out[i * b.count + j] = dot;
    }
  }
  return out;
}

/** Attention head: cosine of every query set's vector with every gallery set's vector (nQuery × nGallery). */
export async function attentionScores(
  prepared: PreparedProtocol,
  session: HeadSession,
): Promise<Float64Array> {
  const zq = await session.encodeSets(prepared.queryEmbeddings, prepared.querySets);
  const zg = await session.encodeSets(prepared.galleryEmbeddings, prepared.gallerySets);
  return dotMatrix(zq, zg); // unit vectors: dot = cosine
}

/** Metric columns (with 95% bootstrap intervals) of a score matrix on a prepared protocol. */
export function scoreColumns(
  scores: Float64Array,
  prepared: PreparedProtocol,
  bootstrap = 1000,
): MetricColumns & { n_queries: number } {
  const m = evaluateScores(scores, prepared, { bootstrap });
  return { ...metricColumns(m), n_queries: m.n_queries };
}
