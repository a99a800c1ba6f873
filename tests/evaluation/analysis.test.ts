import assert from "node:assert/strict";
import {
  crowdedTarget,
  hardestNegativeExample,
  hardestNegatives,
  imageLabel,
  largestDisagreements,
  nearestSets,
  permuteWithinSets,
  setPairBlock,
  subMatrix,
  timed,
} from "../../lib/evaluation/mod.ts";
import { gridTable, noMatchStats, parseSweepJson, thresholdCapGrid } from "../../lib/sweep/mod.ts";
import type { PreparedProtocol } from "../../lib/evaluation/mod.ts";
import { embeddingsFromRows } from "../../lib/types.ts";

Deno.test("nearestSets ranks other sets by the cosine of their centroids", () => {
  const e = embeddingsFromRows([[1, 0], [1, 0.2], [0, 1], [0.6, 0.8], [0.8, 0.6]]);
  const ranked = nearestSets(e, [[0], [1], [2], [3, 4]], 0);
  assert.deepEqual(ranked.map((r) => r.set), [1, 3, 2]);
  // centroid of {(0.6,0.8),(0.8,0.6)} is along (1,1)/√2: cosine with (1,0) = 1/√2.
  assert.ok(Math.abs(ranked[1].similarity - Math.SQRT1_2) < 1e-6);
  assert.throws(() => nearestSets(e, [[0]], 3), /target = 3/);
  assert.throws(() => nearestSets(e, [[0], [9]], 0), /row 9/);
});

Deno.test("hardestNegatives skips relevant and excluded pairs", () => {
  const scores = new Float64Array([0.9, 0.8, 0.7, 0.95, -Infinity, 0.1]);
  const relevance = new Uint8Array([1, 0, 0, 0, 1, 0]);
  const excluded = new Uint8Array([0, 0, 0, 1, 0, 0]);
  const top = hardestNegatives(scores, relevance, { nQuery: 2, nGallery: 3, excluded }, 5);
  assert.deepEqual(top, [
    { query: 0, gallery: 1, score: 0.8 },
    { query: 0, gallery: 2, score: 0.7 },
    { query: 1, gallery: 2, score: 0.1 },
  ]);
  assert.throws(() => hardestNegatives(scores, relevance, { nQuery: 3, nGallery: 3 }), /9 values/);
});

Deno.test("subMatrix copies the block in the given order", () => {
  const S = { rows: 2, cols: 3, data: new Float32Array([1, 2, 3, 4, 5, 6]) };
  const block = subMatrix(S, [1, 0], [2, 0]);
  assert.deepEqual([...block.data], [6, 4, 3, 1]);
  assert.throws(() => subMatrix(S, [2], [0]), /row 2/);
});

Deno.test("permuteWithinSets: seeded, a permutation of each set, derangements move everything", () => {
  const sets = Array.from({ length: 50 }, (_, k) => [4 * k, 4 * k + 1, 4 * k + 2, 4 * k + 3]);
  const a = permuteWithinSets(sets, { seed: 3, derangement: true });
  assert.deepEqual(a, permuteWithinSets(sets, { seed: 3, derangement: true }));
  a.forEach((set, k) => {
    assert.deepEqual([...set].sort((x, y) => x - y), sets[k]);
    set.forEach((v, i) => assert.notEqual(v, sets[k][i]));
  });
  assert.deepEqual(permuteWithinSets([[7]], { seed: 0, derangement: true }), [[7]]);
  // Without derangement some position stays over 50 sets of 4 (probability 1 − (3/8)^50 ≈ 1).
  const plain = permuteWithinSets(sets, { seed: 3 });
  assert.ok(plain.some((set, k) => set.some((v, i) => v === sets[k][i])));
});

Deno.test("noMatchStats counts −Infinity pairs, unscored relevant sets and unrankable queries", () => {
  const scores = new Float64Array([-Infinity, -Infinity, 0.5, -Infinity]);
  const stats = noMatchStats(scores, { nQuery: 2, nGallery: 2, relevance: new Uint8Array([1, 0, 0, 1]) });
  assert.deepEqual(stats, { no_match_rate: 0.75, relevant_unscored_rate: 1, unrankable_rate: 0.5 });
});

Deno.test("thresholdCapGrid evaluates every (s, m) on match lists, hand-checked", () => {
  // Two queries, two gallery sets; query 0 = gallery 0, query 1 = gallery 1.
  // Query 0 vs gallery 0: sims [0.9, 0.3]; vs gallery 1: [0.8, 0.7].
  // Query 1 vs gallery 1: [0.95, 0.6]; vs gallery 0: [0.5, 0.4].
  const similarity = {
    rows: 4,
    cols: 4,
    data: new Float64Array([
      0.9,
      0,
      0.8,
      0,
      0,
      0.3,
      0,
      0.7,
      0.5,
      0,
      0.95,
      0,
      0,
      0.4,
      0,
      0.6,
    ]),
  };
  const prepared = {
    dataset: "coil100",
    protocol: "unordered",
    seed: 0,
    similarity,
    querySets: [[0, 1], [2, 3]],
    gallerySets: [[0, 1], [2, 3]],
    relevance: new Uint8Array([1, 0, 0, 1]),
    relevanceLevels: {},
    excluded: null,
    categories: ["a", "b"],
  } as unknown as PreparedProtocol;
  const rows = thresholdCapGrid(prepared, { method: "greedy", s: [null, 0.85], m: [1, null], bootstrap: 0 });
  assert.deepEqual(rows.map((r) => [r.setting.s, r.setting.m]), [[null, 1], [null, null], [0.85, 1], [
    0.85,
    null,
  ]]);
  // m = 1: query 0 scores 0.9 vs 0.8 → right. m = all: 0.6 vs 0.75 → wrong. Query 1 always right.
  // No resamples, no interval (not lo = hi = value).
  assert.deepEqual(rows[0].metrics.recall_at_1, { value: 1 });
  assert.equal(rows[1].metrics.recall_at_1.value, 0.5);
  // s = 0.85: query 0 → gallery 0 only (0.9); query 1 → gallery 1 (0.95), gallery 0 none.
  assert.equal(rows[3].metrics.recall_at_1.value, 1);
  assert.equal(rows[3].metrics.no_match_rate.value, 0.5);
  assert.equal(rows[0].metrics.no_match_rate.value, 0);
  // Without resamples the table has no interval columns, as the sweep CLI and eval write none.
  assert.deepEqual(Object.keys(gridTable(rows)[0]), [
    "method",
    "s",
    "m",
    "recall_at_1",
    "map",
    "no_match_rate",
    "relevant_unscored_rate",
    "unrankable_rate",
  ]);
  // With resamples it keeps the flat columns of the committed CSVs.
  const resampled = thresholdCapGrid(prepared, { method: "greedy", s: [null], m: [1], bootstrap: 20 });
  assert.deepEqual(Object.keys(gridTable(resampled)[0]), [
    "method",
    "s",
    "m",
    "recall_at_1",
    "recall_at_1_lo",
    "recall_at_1_hi",
    "map",
    "map_lo",
    "map_hi",
    "no_match_rate",
    "relevant_unscored_rate",
    "unrankable_rate",
  ]);
});

Deno.test("parseSweepJson reads cells back with none/all as null", () => {
  const text = JSON.stringify({
    format: "setsim-sweep/1",
    selection_metric: "map",
    grid: {},
    metrics: ["map"],
    cells: [{
      hash: "h",
      dataset: "coil100",
      protocol: "unordered",
      method: "greedy",
      s: "none",
      m: "all",
      seed: 0,
      model: "x",
      bootstrap: 0,
      options: {},
      metrics: { map: 0.5 },
      ci95: {},
    }],
  });
  const doc = parseSweepJson(text);
  assert.equal(doc.rows[0].setting.s, null);
  assert.equal(doc.rows[0].setting.m, null);
  assert.deepEqual(doc.rows[0].metrics.map, { value: 0.5 }, "bootstrap 0: no interval");
  assert.throws(() => parseSweepJson("{}", "x.json"), /x\.json: format/);
  assert.throws(() => parseSweepJson("nope"), /not JSON/);
});

Deno.test("timed returns the value and a non-negative duration", async () => {
  const { value, seconds } = await timed(async () => await Promise.resolve(42));
  assert.equal(value, 42);
  assert.ok(seconds >= 0);
});

Deno.test("imageLabel strips folders and extension", () => {
  assert.equal(imageLabel("/data/coil100/obj12__90.webp"), "obj12__90");
  assert.equal(imageLabel("plain"), "plain");
});

Deno.test("setPairBlock returns the pair's block with labels", () => {
  const prepared = {
    similarity: { rows: 3, cols: 2, data: new Float32Array([1, 2, 3, 4, 5, 6]) },
    querySets: [[0], [1, 2]],
    gallerySets: [[1], [0]],
    queries: [{ id: "q0", images: ["a/x.png"] }, { id: "q1", images: ["a/y.png", "a/z.png"] }],
    gallery: [{ id: "g0", images: ["b/u.png"] }, { id: "g1", images: ["b/v.png"] }],
  };
  const block = setPairBlock(prepared, 1, 0);
  assert.deepEqual([...block.similarity.data], [4, 6]);
  assert.deepEqual(block.rowLabels, ["y", "z"]);
  assert.deepEqual(block.colLabels, ["u"]);
  assert.equal(block.galleryId, "g0");
  assert.throws(() => setPairBlock(prepared, 2, 0), /query = 2/);
  const augmented = { ...prepared, querySets: [[0, 1], [1, 2]] };
  assert.throws(() => setPairBlock(augmented, 0, 0), /without augmentation/);
});

Deno.test("largestDisagreements orders by |gap| and skips non-finite pairs", () => {
  const a = new Float64Array([0.5, 0.6, -Infinity, 0.2]);
  const b = new Float64Array([0.7, 0.6, 0.9, 0.1]);
  const top = largestDisagreements(a, b, { nQuery: 2, nGallery: 2 }, 3);
  assert.deepEqual(top.map((d) => [d.query, d.gallery]), [[0, 0], [1, 1], [0, 1]]);
  assert.ok(Math.abs(top[0].gap - 0.2) < 1e-12);
});

Deno.test("hardestNegativeExample picks the best-scoring pair of different items", () => {
  // Query 0 vs gallery 1 (different) scores 0.8, above query 1 vs gallery 0 (0.3).
  const prepared = {
    similarity: { rows: 2, cols: 2, data: new Float64Array([0.9, 0.8, 0.3, 0.95]) },
    querySets: [[0], [1]],
    gallerySets: [[0], [1]],
    queries: [{ id: "q0", images: ["x.png"] }, { id: "q1", images: ["y.png"] }],
    gallery: [{ id: "g0", images: ["u.png"] }, { id: "g1", images: ["v.png"] }],
    relevance: new Uint8Array([1, 0, 0, 1]),
    excluded: null,
  };
  const example = hardestNegativeExample(prepared);
  assert.deepEqual(example.pair, { query: 0, gallery: 1, score: 0.8 });
  assert.equal(example.ownGallery, 0);
  assert.equal(example.ownScore, 0.9);
  assert.equal(example.block.galleryId, "g1");
});

Deno.test("crowdedTarget picks the set with the closest k-th neighbour", () => {
  // Sets 0, 1, 2 cluster near (1, 0); set 3 is alone at (0, 1). With k = 2, set 1 (middle) wins.
  const e = embeddingsFromRows([[1, 0.1], [1, 0], [1, -0.1], [0, 1]]);
  const sets = [[0], [1], [2], [3]];
  const { target, neighbours } = crowdedTarget(e, sets, 2);
  assert.equal(target, 1);
  assert.deepEqual(neighbours.map((n) => n.set).sort(), [0, 2]);
  assert.throws(() => crowdedTarget(e, sets, 4), /k must be/);
});

Deno.test("describeMethodComparison ranks methods by mAP and reads greedy/optimal agreement", async () => {
  const { describeMethodComparison } = await import("../../lib/evaluation/mod.ts");
  const row = (method: string, map: number, extra = {}) => ({
    dataset: "coil100",
    protocol: "unordered",
    method,
    n_queries: 10,
    n_gallery: 10,
    seconds: 0,
    recall_at_1: map,
    recall_at_1_lo: map - 0.1,
    recall_at_1_hi: map + 0.1,
    recall_at_5: 1,
    map,
    map_lo: map - 0.05,
    map_hi: map + 0.05,
    ...extra,
  });
  const agreement = {
    greedy_optimal_same_top1: 0.9,
    greedy_optimal_mean_gap: 0.01,
    greedy_optimal_max_gap: 0.2,
  };
  const rows = [row("greedy", 0.8, agreement), row("optimal", 0.85, agreement), row("chamfer", 0.9)];
  const text = describeMethodComparison("coil100", rows);
  assert.match(
    text,
    /greedy Recall@1 0\.800 \[0\.700, 0\.900\] vs optimal 0\.850 \[0\.750, 0\.950\] \(mAP 0\.800 vs 0\.850\)/,
  );
  assert.match(
    text,
    /same top-1 for 90\.0% of queries, optimal scores 0\.010 higher on average \(at most 0\.200\)/,
  );
  assert.match(
    text,
    /Ranked by mAP: chamfer 0\.900, optimal 0\.850, greedy 0\.800; greedy and optimal are within/,
  );
  assert.equal(describeMethodComparison("grocery", rows), "- **grocery:** not run (fast mode).");
});
