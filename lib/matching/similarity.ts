/**
 * Cosine-similarity matrices between two sets of embeddings.
 *
 * cos(a, b) = a·b / (‖a‖ ‖b‖); with rows already L2-normalised it is the dot product, so the matrix is
 * Â B̂ᵀ. The product runs in a cache-blocked, register-tiled Float32 kernel (4 rows of A × 4 rows of B
 * per inner loop, accumulating in float64 for accuracy). For very large matrices use
 * `cosineSimilarityMatrixOnnx` (onnxruntime's multithreaded MatMul).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cosineSimilarityMatrix } from "./similarity.ts";
 * import { embeddingsFromRows } from "../types.ts";
 * // Rows are normalised first: [3, 4] / 5 against [1, 0] and [0, 1].
 * const S = cosineSimilarityMatrix(embeddingsFromRows([[1, 0], [0, 2]]), embeddingsFromRows([[3, 4]]));
 * assert.deepEqual([S.rows, S.cols], [2, 1]);
 * assert.deepEqual(S.data, new Float32Array([0.6, 0.8]));
 * ```
 * @module
 */

import type { Embeddings } from "../types.ts";
import type { SimilarityMatrix } from "./types.ts";
import { validateEmbeddings } from "./validate.ts";

/** Options for {@link cosineSimilarityMatrix}. */
export interface CosineOptions {
  /**
   * Re-normalise rows to unit length (default true). Pass false for rows that are already unit
   * length (as `lib/embedding` returns them) to skip a copy; all-zero rows are rejected either way.
   */
  normalize?: boolean;
  /** Skip the finiteness and zero-row checks (hot paths whose inputs were already checked). */
  trusted?: boolean;
}

/** Throw if a row of `e` is all zeros (its cosine with anything is undefined). */
export function assertNoZeroRows(e: Embeddings, name: string): void {
  const { data, count, dim } = e;
  for (let i = 0; i < count; i++) {
    let any = false;
    for (let k = i * dim; k < (i + 1) * dim; k++) {
      if (data[k] !== 0) {
        any = true;
        break;
      }
    }
    if (!any) throw new RangeError(`${name} row ${i} is all zeros; its cosine similarity is undefined`);
  }
}

/** A copy of `e` with every row scaled to unit L2 norm (rows must be non-zero). */
export function normalizeRows(e: Embeddings, name = "embeddings"): Embeddings {
  const { data, count, dim } = e;
  const out = new Float32Array(data.length);
  for (let i = 0; i < count; i++) {
    let sq = 0;
    for (let k = i * dim; k < (i + 1) * dim; k++) sq += data[k] * data[k];
    if (sq === 0) throw new RangeError(`${name} row ${i} is all zeros; its cosine similarity is undefined`);
    const inv = 1 / Math.sqrt(sq);
    for (let k = i * dim; k < (i + 1) * dim; k++) out[k] = data[k] * inv;
  }
  return { data: out, count, dim };
}

/**
 * The checks and row normalisation every cosine-similarity backend runs before its dot products:
 * validates A and B (unless `trusted`), requires equal dimensions, and returns unit-norm rows
 * (or, with `normalize: false`, the inputs themselves after checking no row is all zeros).
 * When `b` is `a`, `bn` is `an` (normalised once).
 */
export function prepareCosineInputs(
  a: Embeddings,
  b: Embeddings,
  options: CosineOptions = {},
): { an: Embeddings; bn: Embeddings } {
  if (!options.trusted) {
    validateEmbeddings(a, "A");
    validateEmbeddings(b, "B");
  }
  if (a.dim !== b.dim) throw new RangeError(`dimension mismatch: A has dimension ${a.dim}, B has ${b.dim}`);
  if (options.normalize ?? true) {
    const an = normalizeRows(a, "A");
    return { an, bn: b === a ? an : normalizeRows(b, "B") };
  }
  if (!options.trusted) {
    assertNoZeroRows(a, "A");
    assertNoZeroRows(b, "B");
  }
  return { an: a, bn: b };
}

/**
 * The |A| × |B| cosine-similarity matrix (Float32, row-major).
 *
 * S_ij = ⟨a_i, b_j⟩ / (‖a_i‖ ‖b_j‖).
 *
 * Errors: empty sets, dimension mismatch, non-finite values, all-zero rows — each naming the argument.
 */
export function cosineSimilarityMatrix(
  a: Embeddings,
  b: Embeddings,
  options: CosineOptions = {},
): SimilarityMatrix {
  const { an, bn } = prepareCosineInputs(a, b, options);
  const data = new Float32Array(a.count * b.count);
  if (b === a || b.data === a.data) {
    // A set against itself: S is symmetric, so compute the upper triangle and mirror it (half the work).
    dotProductMatrix(an.data, a.count, an.data, a.count, a.dim, data, true);
  } else {
    dotProductMatrix(an.data, a.count, bn.data, b.count, a.dim, data);
  }
  return { rows: a.count, cols: b.count, data };
}

/**
 * Copy the upper triangle of the square `n × n` row-major matrix `S` onto its lower triangle,
 * in 64 × 64 tiles so both the reads and the writes stay in cache.
 */
export function mirrorUpperTriangle(S: Float32Array | Float64Array, n: number, fromRow = 0): void {
  const tile = 64;
  for (let i0 = fromRow; i0 < n; i0 += tile) {
    const i1 = Math.min(n, i0 + tile);
    for (let j0 = 0; j0 < i1; j0 += tile) {
      const j1 = Math.min(i1, j0 + tile);
      for (let i = i0; i < i1; i++) {
        const row = i * n;
        const end = Math.min(j1, i);
        for (let j = j0; j < end; j++) S[row + j] = S[j * n + i];
      }
    }
  }
}

/**
 * out[i * nB + j] = Σ_k A[i * d + k] · B[j * d + k] for all i < nA, j < nB (i.e. A Bᵀ).
 *
 * Blocked so a panel of B rows stays in cache while every row of A streams past it; within a panel,
 * 4 × 4 register tiles read each loaded value four times.
 *
 * With `symmetric` (B is A, nB = nA) only tiles on or above the diagonal are computed and the upper
 * triangle is then mirrored, halving the arithmetic.
 */
export function dotProductMatrix(
  A: Float32Array,
  nA: number,
  B: Float32Array,
  nB: number,
  d: number,
  out: Float32Array | Float64Array,
  symmetric = false,
): void {
  if (symmetric && (A !== B || nA !== nB)) throw new RangeError("symmetric products need B to be A");
  // ~256 KiB of B per panel (fits L2 on common CPUs).
  const panel = Math.max(4, Math.floor(65536 / Math.max(1, d)) & ~3);
  for (let j0 = 0; j0 < nB; j0 += panel) {
    const j1 = Math.min(nB, j0 + panel);
    let i = 0;
    for (; i + 4 <= nA; i += 4) {
      const a0 = i * d, a1 = a0 + d, a2 = a1 + d, a3 = a2 + d;
      let j = symmetric ? Math.max(j0, i) : j0;
      for (; j + 4 <= j1; j += 4) {
        const b0 = j * d, b1 = b0 + d, b2 = b1 + d, b3 = b2 + d;
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
        let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        let s20 = 0, s21 = 0, s22 = 0, s23 = 0;
        let s30 = 0, s31 = 0, s32 = 0, s33 = 0;
        for (let k = 0; k < d; k++) {
          const x0 = A[a0 + k], x1 = A[a1 + k], x2 = A[a2 + k], x3 = A[a3 + k];
          const y0 = B[b0 + k], y1 = B[b1 + k], y2 = B[b2 + k], y3 = B[b3 + k];
          s00 += x0 * y0;
          s01 += x0 * y1;
          s02 += x0 * y2;
          s03 += x0 * y3;
          s10 += x1 * y0;
          s11 += x1 * y1;
          s12 += x1 * y2;
          s13 += x1 * y3;
          s20 += x2 * y0;
          s21 += x2 * y1;
          s22 += x2 * y2;
          s23 += x2 * y3;
          s30 += x3 * y0;
          s31 += x3 * y1;
          s32 += x3 * y2;
          s33 += x3 * y3;
        }
        const o0 = i * nB + j, o1 = o0 + nB, o2 = o1 + nB, o3 = o2 + nB;
        out[o0] = s00, out[o0 + 1] = s01, out[o0 + 2] = s02, out[o0 + 3] = s03;
        out[o1] = s10, out[o1 + 1] = s11, out[o1 + 2] = s12, out[o1 + 3] = s13;
        out[o2] = s20, out[o2 + 1] = s21, out[o2 + 2] = s22, out[o2 + 3] = s23;
        out[o3] = s30, out[o3 + 1] = s31, out[o3 + 2] = s32, out[o3 + 3] = s33;
      }
      for (; j < j1; j++) {
        for (let t = 0; t < 4; t++) out[(i + t) * nB + j] = dot(A, (i + t) * d, B, j * d, d);
      }
    }
    for (; i < nA; i++) {
      for (let j = symmetric ? Math.max(j0, i) : j0; j < j1; j++) {
        out[i * nB + j] = dot(A, i * d, B, j * d, d);
      }
    }
  }
  if (symmetric) mirrorUpperTriangle(out, nA);
}

function dot(A: Float32Array, a: number, B: Float32Array, b: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += A[a + k] * B[b + k];
  return s;
}
