import { strict as assert } from "node:assert";
import { jointProbabilities, squaredDistances, trustworthiness, tsne } from "../../lib/projection/mod.ts";
import { createRng } from "../../lib/random/mod.ts";
import { gaussian } from "../../lib/random/mod.ts";

/** Three tight, well-separated Gaussian blobs in 5-D. */
function blobs(perBlob: number, seed: number) {
  const rng = createRng(seed, "test");
  const data = new Float32Array(3 * perBlob * 5);
  const labels: number[] = [];
  for (let b = 0; b < 3; b++) {
    for (let i = 0; i < perBlob; i++) {
      const row = b * perBlob + i;
      for (let d = 0; d < 5; d++) data[row * 5 + d] = (d === b ? 20 : 0) + gaussian(rng);
      labels.push(b);
    }
  }
  return { points: { data, count: 3 * perBlob, dim: 5 }, labels };
}

Deno.test("jointProbabilities: symmetric, zero diagonal, sums to 1", () => {
  const { points } = blobs(10, 1);
  const n = points.count;
  const d2 = squaredDistances(points);
  const p = jointProbabilities(d2, n, 5);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    assert.equal(p[i * n + i], 0);
    for (let j = 0; j < n; j++) {
      assert.ok(Math.abs(p[i * n + j] - p[j * n + i]) < 1e-15);
      sum += p[i * n + j];
    }
  }
  assert.ok(Math.abs(sum - 1) < 1e-9);
});

Deno.test("jointProbabilities: with equal distances every neighbour is equally likely", () => {
  // 4 points at mutual distance 1: p_{j|i} = 1/3 whatever β, so p_ij = (1/3 + 1/3) / 8 = 1/12.
  const d2 = Float64Array.from([0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0]);
  const p = jointProbabilities(d2, 4, 2);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) if (i !== j) assert.ok(Math.abs(p[i * 4 + j] - 1 / 12) < 1e-12);
  }
});

Deno.test("tsne is deterministic for a seed and keeps well-separated clusters apart", () => {
  const { points, labels } = blobs(15, 2);
  const a = tsne(points, { seed: 3, perplexity: 8, iterations: 400 });
  const b = tsne(points, { seed: 3, perplexity: 8, iterations: 400 });
  const c = tsne(points, { seed: 4, perplexity: 8, iterations: 400 });
  assert.deepEqual(a.coords, b.coords);
  assert.notDeepEqual(a.coords, c.coords);
  assert.ok(Number.isFinite(a.klDivergence) && a.klDivergence > 0);
  // Every point's nearest map neighbour is from its own blob.
  const n = points.count;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = (a.coords[2 * i] - a.coords[2 * j]) ** 2 + (a.coords[2 * i + 1] - a.coords[2 * j + 1]) ** 2;
      if (d < bestD) [best, bestD] = [j, d];
    }
    assert.equal(labels[best], labels[i], `point ${i}`);
  }
  assert.ok(trustworthiness(points, a.coords, { k: 5 }) > 0.85);
});

Deno.test("tsne rejects bad options, naming them", () => {
  const { points } = blobs(4, 1);
  assert.throws(() => tsne(points, { perplexity: 30 }), /perplexity must be positive and < \(n − 1\) \/ 3/);
  assert.throws(
    () => tsne(points, { perplexity: 2, iterations: 0 }),
    /iterations must be a positive integer/,
  );
  assert.throws(() => tsne(points, { perplexity: 2, learningRate: -1 }), /learningRate must be positive/);
  assert.throws(() => tsne({ data: new Float32Array(6), count: 3, dim: 2 }), /at least 4 points/);
});
