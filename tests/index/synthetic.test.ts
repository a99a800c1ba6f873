import assert from "node:assert/strict";
import { projectRows } from "../../lib/index/mod.ts";
import { topIndices } from "../../lib/search/mod.ts";
import { syntheticCatalog } from "../../bench/support/synthetic.ts";
import { createRng } from "../../lib/random/mod.ts";

function sources(count: number, dim: number) {
  const rng = createRng(1, "test-sources");
  const data = new Float32Array(count * dim).map(() => rng() - 0.5);
  const unit = projectRows(data, dim, dim, 3); // any unit rows will do
  return {
    vectors: { data: unit, count, dim },
    groups: Array.from({ length: count }, (_, r) => `g${r % 4}`),
  };
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((t, v, d) => t + v * b[d], 0);

Deno.test("syntheticCatalog: exact image count, 1–8 images per item, unit rows, seeded, projected dims", () => {
  const src = sources(40, 16);
  const a = syntheticCatalog(src, { images: 500, seed: 7 });
  const b = syntheticCatalog(src, { images: 500, seed: 7 });
  const c = syntheticCatalog(src, { images: 500, seed: 8 });
  assert.equal(a.items.reduce((t, i) => t + i.vectors.count, 0), 500);
  assert.ok(a.items.every((i) => i.vectors.count >= 1 && i.vectors.count <= 8));
  assert.ok(new Set(a.items.map((i) => i.vectors.count)).size > 4, "sizes vary");
  assert.deepEqual(a.items[3].vectors.data, b.items[3].vectors.data, "same seed, same catalog");
  assert.notDeepEqual(a.items[3].vectors.data, c.items[3].vectors.data);
  for (const item of a.items.slice(0, 10)) {
    for (let j = 0; j < item.vectors.count; j++) {
      const v = item.vectors.data.subarray(j * 16, (j + 1) * 16);
      assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
    }
  }
  // An item's images are near each other (one anchor), nearer than images of two random items.
  const row = (k: number, j: number) => a.items[k].vectors.data.subarray(j * 16, (j + 1) * 16);
  const multi = a.items.map((_, k) => k).filter((k) => a.items[k].vectors.count >= 2);
  const within = multi.reduce((t, k) => t + dot(row(k, 0), row(k, 1)), 0) / multi.length;
  const across = multi.slice(1).reduce((t, k, i) => t + dot(row(k, 0), row(multi[i], 0)), 0) /
    (multi.length - 1);
  assert.ok(within > across + 0.2, `within-item cosine ${within} vs across ${across}`);
  const v1 = a.variant(3, 1);
  assert.equal(v1.id, a.items[3].id);
  assert.equal(v1.vectors.count, a.items[3].vectors.count);
  assert.notDeepEqual(v1.vectors.data, a.items[3].vectors.data, "a variant has new images");
  const projected = syntheticCatalog(src, { images: 50, dim: 8, seed: 7 });
  assert.equal(projected.dim, 8);
  assert.equal(projected.items[0].vectors.data.length, projected.items[0].vectors.count * 8);
  assert.throws(() => syntheticCatalog(src, { images: 0 }), /images must be an integer/);
});

Deno.test("topIndices: the k largest, best first, ties by index", () => {
  assert.deepEqual(topIndices(Float32Array.from([0.1, 0.9, 0.5, 0.9, 0.2]), 3), [1, 3, 2]);
  assert.deepEqual(topIndices(Float32Array.from([0.3, 0.1]), 5), [0, 1]);
  assert.deepEqual(topIndices(Float32Array.from([0.3]), 0), []);
});
