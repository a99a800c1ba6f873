/**
 * MUVERA fixed-dimensional encodings (FDE): one vector per *set* of vectors whose dot product
 * approximates the Chamfer similarity of the sets, so a set shortlist becomes one ordinary
 * maximum-inner-product search (Dhulipala, Hadian, Jayaram, Lee, Mirrokni: "MUVERA: Multi-Vector
 * Retrieval via Fixed Dimensional Encodings", NeurIPS 2024, arXiv:2405.19504).
 *
 * The target is the one-way Chamfer similarity of a query set Q and a document set D,
 *
 *     CH(Q, D) = Σ_{q ∈ Q} max_{d ∈ D} ⟨q, d⟩.
 *
 * One repetition t draws k_sim Gaussian hyperplanes g_1..g_k ~ N(0, I_d) (SimHash). They split the
 * space into B = 2^k_sim buckets: φ(x) = Σ_i [⟨g_i, x⟩ > 0] · 2^(i−1). Vectors in one bucket point
 * roughly the same way, so inside a bucket the max in CH is approximated by an aggregate:
 *
 *     query block     F_q(Q)[k] = Σ_{q ∈ Q, φ(q) = k} ψ(q)
 *     document block  F_d(D)[k] = (1 / |D ∩ φ⁻¹(k)|) Σ_{d ∈ D, φ(d) = k} ψ(d)
 *
 * and when no document vector falls in bucket k (with `fillEmpty`), F_d(D)[k] = ψ(d*) for the d*
 * whose bucket is nearest k in Hamming distance of the sign bits (ties: the first such d), so that
 * a query vector in an empty bucket still meets its probable nearest document vector. ψ is the
 * identity or, with `projectionDim` = d_proj, a random ±1/√d_proj matrix (an AMS sketch:
 * E⟨ψx, ψy⟩ = ⟨x, y⟩). Then
 *
 *     ⟨F_q(Q), F_d(D)⟩ = Σ_k Σ_{q: φ(q) = k} ⟨ψq, F_d(D)[k]⟩ ≈ CH(Q, D).
 *
 * r repetitions with independent hyperplanes and projections are concatenated (dimension
 * r · 2^k_sim · d_proj; the sum of r estimates lowers the variance), and an optional final ±1/√d_f
 * projection (`finalDim`) shrinks that to d_f dimensions. Everything is drawn from `seed`, so the
 * index build and every search regenerate the same maps without storing them.
 *
 * Exactness: with k_sim = 0 (one bucket), r = 1 and no projections, F_q(Q) = Σ_q q and F_d(D) =
 * mean(D), so ⟨F_q(Q), F_d(D)⟩ = Σ_q ⟨q, mean(D)⟩ exactly — a lower bound of CH(Q, D) that equals
 * it when D has one vector.
 *
 * @example
 * ```ts
 * import { encodeDocumentFde, encodeQueryFde, fdePlan } from "./fde.ts";
 * import assert from "node:assert/strict";
 * // One bucket, no projections: FDE(q)·FDE(d) = Σ_q ⟨q, mean(D)⟩.
 * const plan = fdePlan(2, { simhashBits: 0, repetitions: 1, seed: 0 });
 * const q = encodeQueryFde(new Float32Array([1, 0, 0, 1]), plan); // Σ_q = (1, 1)
 * const d = encodeDocumentFde(new Float32Array([1, 0, 0, 0]), plan); // mean = (0.5, 0)
 * assert.deepEqual([...q], [1, 1]);
 * assert.deepEqual([...d], [0.5, 0]);
 * ```
 * @module
 */

import { projectionMatrix } from "./sketch.ts";
import { createRng, type Rng } from "../random/mod.ts";

/** How to encode (the same options must be used for queries and documents). */
export interface FdeOptions {
  /** k_sim: SimHash hyperplanes per repetition; 2^k_sim buckets (0–12). */
  simhashBits: number;
  /** r: independent repetitions concatenated (≥ 1). */
  repetitions: number;
  /** d_proj: inner ±1 projection of each vector per repetition; omitted = identity (d_proj = d). */
  projectionDim?: number;
  /** d_f: final ±1 projection of the concatenation; omitted = none. */
  finalDim?: number;
  /** Fill a document's empty buckets from its vector nearest in Hamming distance (default true). */
  fillEmpty?: boolean;
  /** Seed of the hyperplanes and projections. */
  seed: number;
}

/** The drawn maps of one encoding: what {@link fdePlan} regenerates from options. */
export interface FdePlan {
  /** Input dimension d. */
  dim: number;
  simhashBits: number;
  /** Per repetition: k_sim hyperplanes, row-major k_sim × d. */
  hyperplanes: Float32Array[];
  /** Per repetition: the d × d_proj inner projection (row-major), or null for the identity. */
  projections: (Float32Array | null)[];
  /** d_proj (= d without inner projection). */
  projectionDim: number;
  /** The (r · B · d_proj) × d_f final projection, or null. */
  final: Float32Array | null;
  fillEmpty: boolean;
}

/** Length of the encodings of a plan. */
export function fdeDimension(plan: FdePlan): number {
  const inner = plan.hyperplanes.length * (1 << plan.simhashBits) * plan.projectionDim;
  return plan.final === null ? inner : plan.final.length / inner;
}

function signMatrix(rng: Rng, rows: number, cols: number): Float32Array {
  const scale = 1 / Math.sqrt(cols);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = rng() < 0.5 ? -scale : scale;
  return out;
}

function checkCount(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`fde ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/** Draw the hyperplanes and projections of `options` for `dim`-dimensional inputs (deterministic). */
export function fdePlan(dim: number, options: FdeOptions): FdePlan {
  checkCount("dim", dim, 1);
  checkCount("simhashBits", options.simhashBits, 0, 12);
  checkCount("repetitions", options.repetitions, 1);
  const rng = createRng(options.seed, "muvera-fde");
  const projectionDim = options.projectionDim ?? dim;
  checkCount("projectionDim", projectionDim, 1);
  const hyperplanes: Float32Array[] = [];
  const projections: (Float32Array | null)[] = [];
  for (let t = 0; t < options.repetitions; t++) {
    // The Gaussian matrix of the sketches (d × k_sim, cached), transposed to one plane per row.
    const gaussian = projectionMatrix(dim, options.simhashBits, Math.floor(rng() * 2 ** 31));
    const planes = new Float32Array(options.simhashBits * dim);
    for (let i = 0; i < dim; i++) {
      for (let b = 0; b < options.simhashBits; b++) {
        planes[b * dim + i] = gaussian[i * options.simhashBits + b];
      }
    }
    hyperplanes.push(planes);
    projections.push(options.projectionDim === undefined ? null : signMatrix(rng, dim, projectionDim));
  }
  const inner = options.repetitions * (1 << options.simhashBits) * projectionDim;
  let final: Float32Array | null = null;
  if (options.finalDim !== undefined) {
    checkCount("finalDim", options.finalDim, 1);
    final = signMatrix(rng, inner, options.finalDim);
  }
  return {
    dim,
    simhashBits: options.simhashBits,
    hyperplanes,
    projections,
    projectionDim,
    final,
    fillEmpty: options.fillEmpty ?? true,
  };
}

/** SimHash bucket of `x` under row-major `planes` (bit i set when ⟨g_i, x⟩ > 0). */
export function simhashBucket(x: Float32Array, planes: Float32Array, bits: number): number {
  const dim = x.length;
  let bucket = 0;
  for (let i = 0; i < bits; i++) {
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += planes[i * dim + j] * x[j];
    if (dot > 0) bucket |= 1 << i;
  }
  return bucket;
}

function popcount(v: number): number {
  let n = 0;
  for (; v !== 0; v &= v - 1) n++;
  return n;
}

/** ψ(x) into `out` (length d_proj). */
function project(x: Float32Array, P: Float32Array | null, out: Float64Array): void {
  if (P === null) {
    for (let j = 0; j < x.length; j++) out[j] = x[j];
    return;
  }
  out.fill(0);
  const to = out.length;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v === 0) continue;
    const row = i * to;
    for (let j = 0; j < to; j++) out[j] += v * P[row + j];
  }
}

function encode(vectors: Float32Array, plan: FdePlan, kind: "query" | "document"): Float32Array {
  const { dim, simhashBits, projectionDim: dp } = plan;
  if (vectors.length === 0 || vectors.length % dim !== 0) {
    throw new RangeError(
      `fde ${kind} needs a non-empty set of ${dim}-dimensional vectors, got ${vectors.length} values`,
    );
  }
  const count = vectors.length / dim;
  const B = 1 << simhashBits;
  const inner = new Float64Array(plan.hyperplanes.length * B * dp);
  const buckets = new Int32Array(count);
  const projected = new Float64Array(count * dp);
  const counts = new Int32Array(B);
  for (let t = 0; t < plan.hyperplanes.length; t++) {
    const base = t * B * dp;
    counts.fill(0);
    for (let r = 0; r < count; r++) {
      const x = vectors.subarray(r * dim, (r + 1) * dim);
      const k = buckets[r] = simhashBucket(x, plan.hyperplanes[t], simhashBits);
      const psi = projected.subarray(r * dp, (r + 1) * dp);
      project(x, plan.projections[t], psi);
      counts[k]++;
      for (let j = 0; j < dp; j++) inner[base + k * dp + j] += psi[j];
    }
    if (kind === "query") continue;
    for (let k = 0; k < B; k++) {
      const block = inner.subarray(base + k * dp, base + (k + 1) * dp);
      if (counts[k] > 0) {
        for (let j = 0; j < dp; j++) block[j] /= counts[k];
      } else if (plan.fillEmpty) {
        let nearest = 0, distance = Infinity;
        for (let r = 0; r < count; r++) {
          const h = popcount(buckets[r] ^ k);
          if (h < distance) [nearest, distance] = [r, h];
        }
        block.set(projected.subarray(nearest * dp, (nearest + 1) * dp));
      }
    }
  }
  if (plan.final === null) return Float32Array.from(inner);
  const out = new Float64Array(fdeDimension(plan));
  const to = out.length;
  for (let i = 0; i < inner.length; i++) {
    const v = inner[i];
    if (v === 0) continue;
    for (let j = 0; j < to; j++) out[j] += v * plan.final[i * to + j];
  }
  return Float32Array.from(out);
}

/** FDE of a query set (row-major vectors of `plan.dim`): per-bucket sums. */
export function encodeQueryFde(vectors: Float32Array, plan: FdePlan): Float32Array {
  return encode(vectors, plan, "query");
}

/** FDE of a document set (row-major vectors of `plan.dim`): per-bucket means, empty buckets filled. */
export function encodeDocumentFde(vectors: Float32Array, plan: FdePlan): Float32Array {
  return encode(vectors, plan, "document");
}

/** One-way Chamfer similarity Σ_q max_d ⟨q, d⟩ (what FDE dot products approximate). */
export function chamferSimilarity(query: Float32Array, document: Float32Array, dim: number): number {
  let total = 0;
  for (let q = 0; q < query.length; q += dim) {
    let best = -Infinity;
    for (let d = 0; d < document.length; d += dim) {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += query[q + j] * document[d + j];
      if (dot > best) best = dot;
    }
    total += best;
  }
  return total;
}

/**
 * The encoding the `fde` shortlist uses: 2 repetitions × 4 buckets × 128 dims = 1024 floats per
 * item. With 1792-d image vectors the ±1 inner projection is the main error (its noise on a cosine
 * is about 1/√d_proj), so few buckets with wide projections beat many narrow ones at the same size
 * (measured: see `fde_items.ts`).
 */
export const SHORTLIST_FDE: FdeOptions = { simhashBits: 2, repetitions: 2, projectionDim: 128, seed: 0 };
