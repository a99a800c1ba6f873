import assert from "node:assert/strict";
import {
  chamferSimilarity,
  encodeDocumentFde,
  encodeQueryFde,
  fdeDimension,
  type FdePlan,
  fdePlan,
  simhashBucket,
} from "../../lib/search/fde.ts";
import { encodeItemFdes } from "../../lib/search/fde_items.ts";
import { createRng } from "../../lib/random/mod.ts";

const dot = (a: Float32Array, b: Float32Array) => a.reduce((t, v, i) => t + v * b[i], 0);

/** One hyperplane g = (1, 0) in 2-d: bucket 1 = right half-plane, bucket 0 = the rest. */
function handPlan(fillEmpty: boolean): FdePlan {
  return {
    dim: 2,
    simhashBits: 1,
    hyperplanes: [new Float32Array([1, 0])],
    projections: [null],
    projectionDim: 2,
    final: null,
    fillEmpty,
  };
}

Deno.test("fde: hand-checked buckets, query sums, document means and Hamming filling", () => {
  const D = new Float32Array([1, 0, 0.6, 0.8]); // both in bucket 1
  const Q = new Float32Array([-1, 0, 0, 1]); // ⟨g, q⟩ = −1 and 0 → both bucket 0
  assert.equal(simhashBucket(D.subarray(2), handPlan(true).hyperplanes[0], 1), 1);
  assert.equal(simhashBucket(Q.subarray(2), handPlan(true).hyperplanes[0], 1), 0);
  // Document: bucket 0 empty → filled with the first vector at Hamming distance 1, (1, 0);
  // bucket 1 = mean((1, 0), (0.6, 0.8)) = (0.8, 0.4).
  const d = encodeDocumentFde(D, handPlan(true));
  assert.deepEqual([...d].map((v) => Math.round(v * 1e6) / 1e6), [1, 0, 0.8, 0.4]);
  assert.deepEqual([...encodeDocumentFde(D, handPlan(false))].map((v) => Math.round(v * 1e6) / 1e6), [
    0,
    0,
    0.8,
    0.4,
  ]);
  // Query: bucket 0 = (−1, 0) + (0, 1); bucket 1 = 0.
  const q = encodeQueryFde(Q, handPlan(true));
  assert.deepEqual([...q], [-1, 1, 0, 0]);
  assert.equal(dot(q, d), -1);
  // The Chamfer it estimates: max(−1, −0.6) + max(0, 0.8) = 0.2.
  assert.ok(Math.abs(chamferSimilarity(Q, D, 2) - 0.2) < 1e-6);
});

function randomSet(rng: () => number, count: number, dim: number, center: Float32Array, spread: number) {
  const out = new Float32Array(count * dim);
  for (let r = 0; r < count; r++) {
    let n = 0;
    for (let j = 0; j < dim; j++) {
      const v = center[j] + spread * (rng() * 2 - 1);
      out[r * dim + j] = v;
      n += v * v;
    }
    n = Math.sqrt(n);
    for (let j = 0; j < dim; j++) out[r * dim + j] /= n;
  }
  return out;
}

Deno.test("fde: exact in the one-bucket case, FDE(Q)·FDE(D) = Σ_q ⟨q, mean(D)⟩", () => {
  const rng = createRng(3, "fde-test");
  const dim = 8;
  const plan = fdePlan(dim, { simhashBits: 0, repetitions: 1, seed: 5 });
  for (let trial = 0; trial < 20; trial++) {
    const center = Float32Array.from({ length: dim }, () => rng() * 2 - 1);
    const Q = randomSet(rng, 1 + Math.floor(rng() * 5), dim, center, 1);
    const D = randomSet(rng, 1 + Math.floor(rng() * 5), dim, center, 1);
    let expected = 0;
    const nD = D.length / dim;
    for (let q = 0; q < Q.length; q += dim) {
      for (let j = 0; j < dim; j++) {
        let mean = 0;
        for (let r = 0; r < nD; r++) mean += D[r * dim + j];
        expected += Q[q + j] * mean / nD;
      }
    }
    assert.ok(Math.abs(dot(encodeQueryFde(Q, plan), encodeDocumentFde(D, plan)) - expected) < 1e-5);
    // A one-vector document: the estimate is the Chamfer similarity itself.
    const single = D.subarray(0, dim);
    assert.ok(
      Math.abs(
        dot(encodeQueryFde(Q, plan), encodeDocumentFde(single, plan)) - chamferSimilarity(Q, single, dim),
      ) <
        1e-5,
    );
  }
});

function pearson(x: number[], y: number[]): number {
  const n = x.length, mx = x.reduce((a, b) => a + b) / n, my = y.reduce((a, b) => a + b) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

Deno.test("fde: dot products track Chamfer similarity on random clustered sets; more buckets track it better than one", () => {
  const rng = createRng(11, "fde-corr");
  const dim = 16;
  const centers = Array.from({ length: 6 }, () => Float32Array.from({ length: dim }, () => rng() * 2 - 1));
  const sets = Array.from(
    { length: 40 },
    (_, i) => randomSet(rng, 1 + Math.floor(rng() * 6), dim, centers[i % centers.length], 0.8),
  );
  const chamfer: number[] = [], muvera: number[] = [], oneBucket: number[] = [];
  const plan = fdePlan(dim, { simhashBits: 3, repetitions: 10, seed: 1 });
  const flat = fdePlan(dim, { simhashBits: 0, repetitions: 1, seed: 1 });
  for (let a = 0; a < 20; a++) {
    for (let b = 20; b < 40; b++) {
      const nQ = sets[a].length / dim;
      // Normalised by |Q| so that pairs with different query sizes are comparable.
      chamfer.push(chamferSimilarity(sets[a], sets[b], dim) / nQ);
      muvera.push(dot(encodeQueryFde(sets[a], plan), encodeDocumentFde(sets[b], plan)) / 10 / nQ);
      oneBucket.push(dot(encodeQueryFde(sets[a], flat), encodeDocumentFde(sets[b], flat)) / nQ);
    }
  }
  const r = pearson(chamfer, muvera);
  assert.ok(r > 0.9, `correlation ${r}`);
  assert.ok(r > pearson(chamfer, oneBucket), `buckets ${r} vs one bucket ${pearson(chamfer, oneBucket)}`);
});

Deno.test("fde: seeded, projected dimensions, and clear errors", () => {
  const opts = { simhashBits: 2, repetitions: 3, projectionDim: 4, finalDim: 10, seed: 9 };
  const a = fdePlan(6, opts), b = fdePlan(6, opts);
  assert.equal(fdeDimension(fdePlan(6, { ...opts, finalDim: undefined })), 3 * 4 * 4);
  assert.equal(fdeDimension(a), 10);
  const X = new Float32Array(12).map((_, i) => Math.sin(i + 1));
  assert.deepEqual(encodeDocumentFde(X, a), encodeDocumentFde(X, b));
  assert.notDeepEqual(encodeDocumentFde(X, a), encodeDocumentFde(X, fdePlan(6, { ...opts, seed: 10 })));
  assert.throws(() => encodeQueryFde(new Float32Array(5), a), /6-dimensional/);
  assert.throws(() => encodeQueryFde(new Float32Array(0), a), /non-empty/);
  assert.throws(() => fdePlan(6, { ...opts, simhashBits: 13 }), /simhashBits/);
});

Deno.test("encodeItemFdes: groups rows by item (ids sorted), centres on the mean row, one document FDE each", () => {
  const plan = fdePlan(2, { simhashBits: 1, repetitions: 2, seed: 4 });
  const vectors = new Float32Array([1, 0, 0, 1, 1, 1, 3, 2]); // mean (1.25, 1)
  const out = encodeItemFdes(["b", "a", "b", "a"], vectors, 2, plan);
  assert.deepEqual(out.ids, ["a", "b"]);
  assert.deepEqual([...out.centre], [1.25, 1]);
  const a = encodeDocumentFde(new Float32Array([0 - 1.25, 1 - 1, 3 - 1.25, 2 - 1]), plan);
  assert.deepEqual(out.data.subarray(0, out.dim), a);
  assert.equal(out.data.length, 2 * fdeDimension(plan));
});
