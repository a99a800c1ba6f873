/**
 * Cosine-similarity matrices through onnxruntime's MatMul (MLAS: SIMD and multithreaded), for large
 * matrices such as a whole gallery against itself. Same result as `cosineSimilarityMatrix` up to
 * float32 rounding; rows are normalised in TypeScript, then Y = Â B̂ᵀ runs as a one-node ONNX `Gemm`
 * graph built with the project's one ONNX writer (`lib/embedding/onnx`; no model file needed). The
 * onnxruntime session lives in an {@link OnnxSimilarityCache} the caller owns.
 *
 * @example
 * ```ts
 * import { cosineSimilarityMatrixOnnx } from "./similarity_onnx.ts";
 * import { embeddingsFromRows } from "../types.ts";
 * import assert from "node:assert/strict";
 * const S = await cosineSimilarityMatrixOnnx(embeddingsFromRows([[1, 0]]), embeddingsFromRows([[3, 4]]));
 * assert.ok(Math.abs(S.data[0] - 0.6) < 1e-6); // one session, created and released for this call
 * ```
 * @module
 */

import { attr, encodeModel, GraphBuilder } from "../embedding/onnx/mod.ts";
import type { Embeddings } from "../types.ts";
import { type CosineOptions, mirrorUpperTriangle, prepareCosineInputs } from "./similarity.ts";
import type { SimilarityMatrix } from "./types.ts";

/** The bytes of an ONNX model computing Y = A Bᵀ with A: [n, d], B: [m, d] (float32), one `Gemm` node. */
export function gemmTransposeBModel(): Uint8Array {
  const g = new GraphBuilder("setsim_cosine");
  const A = g.input("A", "float32", ["n", "d"]);
  const B = g.input("B", "float32", ["m", "d"]);
  const [Y] = g.node("Gemm", [A, B], { transB: attr.int(1) }, ["Y"], { name: "similarity" });
  g.output(Y, "float32", ["n", "m"]);
  return encodeModel({ graph: g.build(), opsetImports: [{ domain: "", version: 13 }] });
}

/**
 * The onnxruntime-node module and its sessions, untyped: the package is imported lazily (only
 * callers that compute on it load it) and its types are not part of setsim's API.
 */
// deno-lint-ignore no-explicit-any
export type Ort = any;

/**
 * An onnxruntime session for {@link gemmTransposeBModel}, created on first use and kept until
 * {@link OnnxSimilarityCache.dispose}: creating one costs ~10 ms, so a caller computing many matrices
 * owns one cache and passes it to every call. There is no module-level session.
 *
 * @example
 * ```ts
 * import { cosineSimilarityMatrixOnnx, OnnxSimilarityCache } from "./similarity_onnx.ts";
 * import { embeddingsFromRows } from "../types.ts";
 * import assert from "node:assert/strict";
 * const cache = new OnnxSimilarityCache();
 * try {
 *   const S = await cosineSimilarityMatrixOnnx(embeddingsFromRows([[1, 0]]), embeddingsFromRows([[3, 4]]), { cache });
 *   assert.ok(Math.abs(S.data[0] - 0.6) < 1e-6);
 * } finally {
 *   await cache.dispose();
 * }
 * ```
 */
export class OnnxSimilarityCache {
  private session?: Promise<{ ort: Ort; session: Ort }>;

  /** The session, created on first call. */
  get(): Promise<{ ort: Ort; session: Ort }> {
    this.session ??= (async () => {
      const ort = await import("onnxruntime-node");
      return { ort, session: await ort.InferenceSession.create(gemmTransposeBModel()) };
    })();
    return this.session;
  }

  /** Release the session (the cache can be used again afterwards; it then creates a new one). */
  async dispose(): Promise<void> {
    const pending = this.session;
    this.session = undefined;
    if (pending) await (await pending).session.release?.();
  }
}

/** Options of {@link cosineSimilarityMatrixOnnx}. */
export interface OnnxCosineOptions extends CosineOptions {
  /** A session cache owned by the caller; without one, a session is created and released per call. */
  cache?: OnnxSimilarityCache;
}

/**
 * The |A| × |B| cosine-similarity matrix computed by onnxruntime. Same checks and options as
 * `cosineSimilarityMatrix`.
 */
export async function cosineSimilarityMatrixOnnx(
  a: Embeddings,
  b: Embeddings,
  options: OnnxCosineOptions = {},
): Promise<SimilarityMatrix> {
  const { an, bn } = prepareCosineInputs(a, b, options);
  const cache = options.cache ?? new OnnxSimilarityCache();
  try {
    return await cosineWithSession(a, b, an, bn, cache);
  } finally {
    if (!options.cache) await cache.dispose();
  }
}

/**
 * Y = X Yᵀ for row-major X: [n, d] and Y: [m, d] (float32, no normalisation): the plain product
 * behind the cosine matrices, for callers that need it raw (PCA fits, projections, scans). Views
 * (`subarray`, e.g. one list of a memory-mapped file) are passed without a copy: onnxruntime-node
 * honours a typed array's byte offset (checked by the second assertion below).
 *
 * @example
 * ```ts
 * import { multiplyTransposed, OnnxSimilarityCache } from "./similarity_onnx.ts";
 * import assert from "node:assert/strict";
 * const cache = new OnnxSimilarityCache();
 * try {
 *   const y = await multiplyTransposed(new Float32Array([1, 2, 3, 4]), 2, new Float32Array([1, 1]), 1, 2, cache);
 *   assert.deepEqual([...y], [3, 7]);
 *   const rows = new Float32Array([9, 9, 1, 2, 3, 4]).subarray(2); // a view: [1, 2], [3, 4]
 *   assert.deepEqual([...await multiplyTransposed(rows, 2, new Float32Array([1, 0]), 1, 2, cache)], [1, 3]);
 *   const out = new Float32Array(2); // a reused output buffer
 *   assert.equal(await multiplyTransposed(rows, 2, new Float32Array([0, 1]), 1, 2, cache, out), out);
 *   assert.deepEqual([...out], [2, 4]);
 * } finally {
 *   await cache.dispose();
 * }
 * ```
 */
export async function multiplyTransposed(
  x: Float32Array,
  n: number,
  y: Float32Array,
  m: number,
  d: number,
  cache: OnnxSimilarityCache,
  /** Where to write the n × m result (reused by callers that run many products; else allocated). */
  out?: Float32Array,
): Promise<Float32Array> {
  if (x.length !== n * d || y.length !== m * d) {
    throw new RangeError(
      `multiplyTransposed: expected [${n}, ${d}] and [${m}, ${d}], got ${x.length} and ${y.length} values`,
    );
  }
  const { ort, session } = await cache.get();
  const feeds = { A: new ort.Tensor("float32", x, [n, d]), B: new ort.Tensor("float32", y, [m, d]) };
  if (out !== undefined) {
    if (out.length !== n * m) {
      throw new RangeError(`multiplyTransposed: out holds ${out.length} values, not ${n} × ${m}`);
    }
    // onnxruntime writes into a pre-allocated output tensor given in `fetches`.
    await session.run(feeds, { Y: new ort.Tensor("float32", out, [n, m]) });
    return out;
  }
  const { Y } = await session.run(feeds);
  return Y.data as Float32Array;
}

async function cosineWithSession(
  a: Embeddings,
  b: Embeddings,
  an: Embeddings,
  bn: Embeddings,
  cache: OnnxSimilarityCache,
): Promise<SimilarityMatrix> {
  const d = a.dim;
  const gemm = (x: Float32Array, nx: number, y: Float32Array, ny: number) =>
    multiplyTransposed(x, nx, y, ny, d, cache);
  const n = a.count;
  if ((b === a || b.data === a.data) && n >= 2 * SYMMETRIC_BLOCK_ROWS) {
    // A set against itself: one Gemm per block of rows against itself and every later row, then mirror
    // the upper triangle — (k + 1) / 2k of the arithmetic for k blocks, as numpy's syrk for A @ A.T.
    const data = new Float32Array(n * n);
    const blocks = Math.ceil(n / SYMMETRIC_BLOCK_ROWS);
    for (let p = 0; p < blocks; p++) {
      const r0 = Math.floor(n * p / blocks), r1 = Math.floor(n * (p + 1) / blocks);
      // Copies, not views: onnxruntime-node reads a tensor's whole underlying buffer.
      const rows = an.data.slice(r0 * d, r1 * d);
      const rest = p === 0 ? an.data : an.data.slice(r0 * d);
      const block = await gemm(rows, r1 - r0, rest, n - r0);
      const width = n - r0;
      for (let i = 0; i < r1 - r0; i++) {
        data.set(block.subarray(i * width, (i + 1) * width), (r0 + i) * n + r0);
      }
    }
    mirrorUpperTriangle(data, n);
    return { rows: n, cols: n, data };
  }
  const data = await gemm(an.data, a.count, bn.data, b.count);
  return { rows: a.count, cols: b.count, data };
}

/** Rows per block in the symmetric (set against itself) path. */
const SYMMETRIC_BLOCK_ROWS = 1536;
