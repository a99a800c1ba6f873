import { strict as assert } from "node:assert";
import {
  adjustedRandIndex,
  closestToCenters,
  distinctiveWords,
  fieldMix,
  groupedSeriation,
  kMeans,
  silhouette,
  silhouetteSamples,
  titleWords,
} from "../../lib/projection/mod.ts";

const twoGroups = { data: Float32Array.from([0, 0, 0, 1, 10, 10, 10, 11, 0.5, 0]), count: 5, dim: 2 };

Deno.test("kMeans finds obvious clusters, numbers them by first appearance, and is seeded", () => {
  const r = kMeans(twoGroups, 2, { seed: 0 });
  assert.deepEqual(r.labels, [0, 0, 1, 1, 0]);
  // Centres: mean of (0,0),(0,1),(0.5,0) and of (10,10),(10,11).
  assert.deepEqual(Array.from(r.centers).map((v) => Math.round(v * 1e6) / 1e6), [
    0.166667,
    0.333333,
    10,
    10.5,
  ]);
  // Inertia by hand: (1/36 + 1/9)·… computed as Σ squared distances to the centres.
  const inertia = (1 / 36 + 1 / 9) + (1 / 36 + 4 / 9) + (1 / 9 + 1 / 9) + 0.25 * 2;
  assert.ok(Math.abs(r.inertia - inertia) < 1e-9);
  assert.deepEqual(kMeans(twoGroups, 2, { seed: 5 }).labels, r.labels);
  assert.throws(() => kMeans(twoGroups, 6), /k must be an integer in \[1, 5\]/);
});

Deno.test("silhouette by hand", () => {
  // 1-D points 0, 1 | 5: a(0) = 1, b(0) = 5 → 0.8; a(1) = 1, b(1) = 4 → 0.75; singleton → 0.
  const points = { data: Float32Array.from([0, 1, 5]), count: 3, dim: 1 };
  const s = silhouetteSamples(points, [0, 0, 1]);
  assert.deepEqual(Array.from(s), [0.8, 0.75, 0]);
  assert.ok(Math.abs(silhouette(points, [0, 0, 1]) - 1.55 / 3) < 1e-12);
  assert.throws(() => silhouette(points, [0, 0, 0]), /at least 2 clusters/);
});

Deno.test("adjusted Rand index: identical up to renaming → 1; hand-checked value", () => {
  assert.equal(adjustedRandIndex([0, 0, 1, 1], ["b", "b", "a", "a"]), 1);
  // a = [0,0,0,1,1,1], b = [0,0,1,1,2,2]: contingency pairs Σ C(n_ij,2) = 1 + 1 = 2; rows 3+3 = 6;
  // cols 1+1+1 = 3; expected = 6·3/15 = 1.2; max = 4.5 → (2 − 1.2)/(4.5 − 1.2) = 0.8/3.3.
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) - 0.8 / 3.3) < 1e-12);
  assert.throws(() => adjustedRandIndex([0], [0, 1]), /1 and 2 entries/);
});

Deno.test("groupedSeriation groups by label and chains similar items", () => {
  // a-items 0, 2, 4: 0~4 very similar, 2 far from both; b-item 1, 3.
  const s = [
    [1, 0, 0.1, 0, 0.9],
    [0, 1, 0, 0.5, 0],
    [0.1, 0, 1, 0, 0.2],
    [0, 0.5, 0, 1, 0],
    [0.9, 0, 0.2, 0, 1],
  ];
  const order = groupedSeriation({ rows: 5, cols: 5, data: Float64Array.from(s.flat()) }, [
    "a",
    "b",
    "a",
    "b",
    "a",
  ]);
  // Chain starts at 2 (lowest total similarity in group a), then 4 (0.2 > 0.1), then 0.
  assert.deepEqual(order, [2, 4, 0, 1, 3]);
  assert.throws(
    () =>
      groupedSeriation({ rows: 2, cols: 2, data: new Float64Array(4) }, ["a", "b"], { groupOrder: ["a"] }),
    /groupOrder lacks group\(s\) b/,
  );
});

Deno.test("cluster descriptions: words, field mix, closest members", () => {
  assert.deepEqual(titleWords("Puma Men's Black Black Shoe"), ["puma", "men's", "black", "shoe"]);
  const titles = [
    "Red Canvas Sneaker",
    "Blue Canvas Sneaker",
    "White Canvas Sneaker",
    "Brown Leather Loafer",
    "Black Leather Loafer",
    "Tan Leather Loafer",
  ];
  const labels = [0, 0, 0, 1, 1, 1];
  const words = distinctiveWords(titles, labels, { top: 2, minCount: 2 });
  assert.deepEqual(words.filter((w) => w.cluster === 0).map((w) => w.word).sort(), ["canvas", "sneaker"]);
  assert.deepEqual(words.filter((w) => w.cluster === 1).map((w) => w.word).sort(), ["leather", "loafer"]);
  assert.ok(words.every((w) => w.z > 0 && w.share === 1));
  assert.deepEqual(fieldMix(["x", "y", "x", "x"], [0, 0, 0, 1]), [
    { cluster: 0, value: "x", count: 2, share: 2 / 3 },
    { cluster: 0, value: "y", count: 1, share: 1 / 3 },
    { cluster: 1, value: "x", count: 1, share: 1 },
  ]);
  const closest = closestToCenters(twoGroups, [0, 0, 1, 1, 0], [0.2, 0.2, 10, 10], 2);
  assert.deepEqual(closest, [[0, 4], [2, 3]]);
});
