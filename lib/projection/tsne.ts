/**
 * Exact t-SNE (van der Maaten & Hinton, JMLR 2008), seeded, for the few hundred points a
 * notebook maps. The npm `tsne-js` package draws its initialisation from `Math.random` (so no
 * run can be repeated) and has not been released since 2016, hence this implementation: exact
 * gradients cost O(n²) per iteration, about a second for 315 points and 1000 iterations.
 *
 * Input affinities: for each point i, a Gaussian over the squared distances d²ᵢⱼ whose precision
 * βᵢ is found by bisection so that the perplexity 2^H(Pᵢ) equals `perplexity`:
 * p_{j|i} = exp(−βᵢ d²ᵢⱼ) / Σ_{k≠i} exp(−βᵢ d²ᵢₖ), then pᵢⱼ = (p_{j|i} + p_{i|j}) / 2n.
 * Output affinities: qᵢⱼ = (1 + ‖yᵢ − yⱼ‖²)⁻¹ / Σ_{k≠l} (1 + ‖y_k − y_l‖²)⁻¹.
 * The cost KL(P‖Q) = Σ pᵢⱼ log(pᵢⱼ/qᵢⱼ) has gradient
 * ∂C/∂yᵢ = 4 Σⱼ (pᵢⱼ − qᵢⱼ)(yᵢ − yⱼ)(1 + ‖yᵢ − yⱼ‖²)⁻¹.
 * Optimisation as in the paper and sklearn: gradient descent with momentum 0.5 then 0.8,
 * per-coordinate adaptive gains (Jacobs 1988), early exaggeration 12 for the first 250
 * iterations, learning rate max(n / exaggeration / 4, 50) ("auto", Belkina et al. 2019).
 * The initial map is N(0, 10⁻⁴ I) from a seeded generator, so a seed fixes the result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tsne } from "./tsne.ts";
 * const data = Float32Array.from({ length: 40 * 3 }, (_, i) => (i % 3) + (i < 60 ? 0 : 5));
 * const map = tsne({ data, count: 40, dim: 3 }, { perplexity: 5, iterations: 300, seed: 1 });
 * assert.equal(map.coords.length, 80);
 * ```
 * @module
 */

import type { Embeddings } from "../types.ts";
import { createRng, gaussian } from "../random/mod.ts";
import { checkPoints, squaredDistances } from "./distance.ts";

/** Options of {@link tsne}. */
export interface TsneOptions {
  /** Seed of the initial map (default 0). */
  seed?: number;
  /** Effective number of neighbours (default 30; must be < (n − 1) / 3). */
  perplexity?: number;
  /** Gradient steps (default 1000). */
  iterations?: number;
  /** Step size, or "auto" = max(n / exaggeration / 4, 50) (default "auto"). */
  learningRate?: number | "auto";
  /** Factor on P during the first `exaggerationIterations` steps (default 12). */
  earlyExaggeration?: number;
  /** Default 250. */
  exaggerationIterations?: number;
  /** Input distance: squared Euclidean on the rows, or 1 − cosine (default "euclidean"). */
  metric?: "euclidean" | "cosine";
  /** Called every 50 iterations with the iteration and current KL divergence. */
  onProgress?: (iteration: number, kl: number) => void;
}

/** A 2-D map: `coords[2i]`, `coords[2i+1]` are point i's x, y. */
export interface TsneResult {
  coords: Float64Array;
  count: number;
  /** KL(P‖Q) at the end (without exaggeration). */
  klDivergence: number;
  /** The options actually used. */
  params: Required<Omit<TsneOptions, "onProgress" | "learningRate">> & { learningRate: number };
}

/**
 * The symmetric joint probabilities P (n × n, row-major, zero diagonal, sums to 1) for the
 * given squared distances and perplexity.
 */
export function jointProbabilities(d2: Float64Array, n: number, perplexity: number): Float64Array {
  if (!(perplexity > 0) || perplexity >= n - 1) {
    throw new RangeError(`perplexity must be in (0, n − 1) = (0, ${n - 1}), got ${perplexity}`);
  }
  const target = Math.log(perplexity); // entropy in nats
  const conditional = new Float64Array(n * n);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let beta = 1;
    let lo = 0;
    let hi = Infinity;
    // Distances are shifted by the row's smallest off-diagonal one so exp never underflows to all zeros.
    let dmin = Infinity;
    for (let j = 0; j < n; j++) if (j !== i && d2[i * n + j] < dmin) dmin = d2[i * n + j];
    for (let step = 0; step < 200; step++) {
      let sum = 0;
      let weighted = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) {
          row[j] = 0;
          continue;
        }
        const d = d2[i * n + j] - dmin;
        const v = Math.exp(-beta * d);
        row[j] = v;
        sum += v;
        weighted += v * d;
      }
      // H = log Σ + β Σ p d (for the shifted distances; the shift cancels in p).
      const entropy = Math.log(sum) + (beta * weighted) / sum;
      for (let j = 0; j < n; j++) conditional[i * n + j] = row[j] / sum;
      const gap = entropy - target;
      if (Math.abs(gap) < 1e-5) break;
      if (gap > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
  }
  const p = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      p[i * n + j] = Math.max((conditional[i * n + j] + conditional[j * n + i]) / (2 * n), 1e-12);
    }
    p[i * n + i] = 0;
  }
  return p;
}

/** Run exact t-SNE on the rows of `points` and return a seeded 2-D map. */
export function tsne(points: Embeddings, options: TsneOptions = {}): TsneResult {
  checkPoints(points, "points");
  const n = points.count;
  const seed = options.seed ?? 0;
  const perplexity = options.perplexity ?? 30;
  const iterations = options.iterations ?? 1000;
  const exaggeration = options.earlyExaggeration ?? 12;
  const exaggerationIterations = options.exaggerationIterations ?? 250;
  const metric = options.metric ?? "euclidean";
  if (n < 4) throw new RangeError(`t-SNE needs at least 4 points, got ${n}`);
  if (!(perplexity > 0) || 3 * perplexity >= n - 1) {
    throw new RangeError(
      `perplexity must be positive and < (n − 1) / 3 = ${
        ((n - 1) / 3).toFixed(1)
      } for ${n} points, got ${perplexity}`,
    );
  }
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new RangeError(`iterations must be a positive integer, got ${iterations}`);
  }
  if (!(exaggeration >= 1)) throw new RangeError(`earlyExaggeration must be ≥ 1, got ${exaggeration}`);
  const learningRate = options.learningRate === undefined || options.learningRate === "auto"
    ? Math.max(n / exaggeration / 4, 50)
    : options.learningRate;
  if (!(learningRate > 0)) throw new RangeError(`learningRate must be positive, got ${learningRate}`);

  const p = jointProbabilities(squaredDistances(points, metric), n, perplexity);
  const rng = createRng(seed, "projection:tsne");
  const y = new Float64Array(2 * n);
  for (let i = 0; i < 2 * n; i++) y[i] = 1e-2 * gaussian(rng);
  const update = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  const num = new Float64Array(n * n);
  const grad = new Float64Array(2 * n);
  let kl = NaN;

  const computeKl = (scale: number, sumQ: number) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const pij = p[i * n + j] * scale;
        total += pij * Math.log(pij / Math.max(num[i * n + j] / sumQ, 1e-300));
      }
    }
    return total;
  };

  for (let it = 0; it < iterations; it++) {
    const exaggerating = it < exaggerationIterations;
    const scale = exaggerating ? exaggeration : 1;
    const momentum = it < exaggerationIterations ? 0.5 : 0.8;
    let sumQ = 0;
    for (let i = 0; i < n; i++) {
      num[i * n + i] = 0;
      for (let j = i + 1; j < n; j++) {
        const dx = y[2 * i] - y[2 * j];
        const dy = y[2 * i + 1] - y[2 * j + 1];
        const v = 1 / (1 + dx * dx + dy * dy);
        num[i * n + j] = v;
        num[j * n + i] = v;
        sumQ += 2 * v;
      }
    }
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      let gx = 0;
      let gy = 0;
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const w = num[i * n + j];
        const f = (scale * p[i * n + j] - w / sumQ) * w;
        gx += f * (y[2 * i] - y[2 * j]);
        gy += f * (y[2 * i + 1] - y[2 * j + 1]);
      }
      grad[2 * i] = 4 * gx;
      grad[2 * i + 1] = 4 * gy;
    }
    for (let k = 0; k < 2 * n; k++) {
      // Grow the gain where the gradient keeps pushing the same way as the last update.
      gains[k] = Math.sign(grad[k]) === Math.sign(update[k])
        ? Math.max(gains[k] * 0.8, 0.01)
        : gains[k] + 0.2;
      update[k] = momentum * update[k] - learningRate * gains[k] * grad[k];
      y[k] += update[k];
    }
    // Keep the map centred (the cost is translation invariant).
    let mx = 0;
    let my = 0;
    for (let i = 0; i < n; i++) {
      mx += y[2 * i];
      my += y[2 * i + 1];
    }
    for (let i = 0; i < n; i++) {
      y[2 * i] -= mx / n;
      y[2 * i + 1] -= my / n;
    }
    if (options.onProgress && (it + 1) % 50 === 0) {
      options.onProgress(it + 1, computeKl(1, sumQ));
    }
    if (it === iterations - 1) kl = computeKl(1, sumQ);
  }
  for (let k = 0; k < 2 * n; k++) {
    if (!Number.isFinite(y[k])) throw new Error(`t-SNE diverged (non-finite coordinate); lower learningRate`);
  }
  return {
    coords: y,
    count: n,
    klDivergence: kl,
    params: {
      seed,
      perplexity,
      iterations,
      learningRate,
      earlyExaggeration: exaggeration,
      exaggerationIterations,
      metric,
    },
  };
}
