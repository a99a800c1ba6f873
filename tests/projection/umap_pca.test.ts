import { strict as assert } from "node:assert";
import { pca, trustworthiness, umap } from "../../lib/projection/mod.ts";

Deno.test("umap is deterministic for a seed and differs across seeds", () => {
  const data = Float32Array.from({ length: 40 * 4 }, (_, i) => Math.sin(i * 1.7) + (i < 80 ? 0 : 4));
  const points = { data, count: 40, dim: 4 };
  const a = umap(points, { seed: 1, nNeighbors: 8, nEpochs: 60 });
  const b = umap(points, { seed: 1, nNeighbors: 8, nEpochs: 60 });
  const c = umap(points, { seed: 2, nNeighbors: 8, nEpochs: 60 });
  assert.deepEqual(a.coords, b.coords);
  assert.notDeepEqual(a.coords, c.coords);
  assert.ok(trustworthiness(points, a.coords, { k: 5 }) > 0.7);
  assert.throws(() => umap(points, { nNeighbors: 40 }), /nNeighbors must be an integer in \[2, n\)/);
  assert.throws(() => umap(points, { nEpochs: 0 }), /nEpochs must be a positive integer/);
});

Deno.test("pca matches numpy's SVD scores (sign: largest entry positive)", () => {
  // Reference from /usr/bin/python3: U·S of the centred matrix, explained variance S²/n.
  const points = { data: Float32Array.from([2, 0, 1, 0, 1, 3, 4, 2, 2, 1, 5, 0, 3, 3, 3]), count: 5, dim: 3 };
  const r = pca(points, { components: 2 });
  const expected = [
    [-1.735694, -1.441762, -0.378239, 3.324351, 0.231343],
    [-0.394421, -1.928072, 1.966723, -0.906183, 1.261953],
  ];
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < 5; i++) {
      assert.ok(Math.abs(r.scores[i * 2 + c] - expected[c][i]) < 1e-4, `pc ${c} row ${i}`);
    }
  }
  assert.ok(Math.abs(r.explainedVariance[0] - 3.267841277918695) < 1e-6);
  assert.ok(Math.abs(r.explainedVarianceRatio[1] - 0.3213519255773678) < 1e-6);
  assert.throws(() => pca(points, { components: 4 }), /components must be an integer in \[1, 3\]/);
});
