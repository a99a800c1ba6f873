import assert from "node:assert/strict";
import {
  compareWithHandMade,
  comparisonBullets,
  handMadeRow,
  headRow,
  subsampleItems,
  timeBackends,
} from "../../lib/learning/mod.ts";
import { testMetrics } from "./metrics_fixture.ts";

const m = testMetrics;

Deno.test("headRow reports the first seed's run and the spread over seeds", () => {
  const row = headRow("p", "attention", [
    { seed: 0, test: m(0.9, 0.85, 0.95), seconds: 10, bestEpoch: 4 },
    { seed: 1, test: m(0.96, 0.9, 0.99), seconds: 20, bestEpoch: 2 },
    { seed: 2, test: m(0.93, 0.9, 0.97), seconds: 30, bestEpoch: 3 },
  ]);
  assert.equal(row.method, "head:attention");
  assert.equal(row.kind, "learned");
  assert.equal(row.seed, 0);
  assert.equal(row.map, 0.9);
  assert.equal(row.seeds, 3);
  assert.ok(Math.abs(row.map_seed_mean - 0.93) < 1e-12);
  assert.equal(row.map_seed_min, 0.9);
  assert.equal(row.map_seed_max, 0.96);
  assert.equal(row.training_seconds, 20);
  assert.equal(row.best_epoch, 4);
  assert.throws(() => headRow("p", "projection", []), /no runs/);
});

Deno.test("compareWithHandMade: the target needs +0.05 and disjoint intervals; shortfall otherwise", () => {
  const hand = [
    handMadeRow("p", "chamfer", m(0.9, 0.87, 0.93), 0),
    handMadeRow("p", "greedy", m(0.88, 0.85, 0.91), 0),
  ];
  const met = compareWithHandMade([
    ...hand,
    headRow("p", "projection", [{ seed: 0, test: m(0.96, 0.94, 0.98), seconds: 1, bestEpoch: 1 }]),
  ], "p");
  assert.equal(met.best_hand_made, "chamfer");
  assert.ok(met.target_met && !met.intervals_overlap && met.shortfall === 0);
  const close = compareWithHandMade([
    ...hand,
    headRow("p", "projection", [{ seed: 0, test: m(0.93, 0.9, 0.96), seconds: 1, bestEpoch: 1 }]),
  ], "p");
  assert.ok(!close.target_met && close.intervals_overlap);
  assert.ok(Math.abs(close.shortfall - 0.02) < 1e-12);
  // +0.05 but overlapping intervals is not enough.
  const wide = compareWithHandMade([
    ...hand,
    headRow("p", "projection", [{ seed: 0, test: m(0.95, 0.92, 0.98), seconds: 1, bestEpoch: 1 }]),
  ], "p");
  assert.ok(!wide.target_met && wide.intervals_overlap);
  assert.match(comparisonBullets([close]), /misses the target of \+0\.05 by 0\.020; the intervals overlap/);
  assert.match(comparisonBullets([met]), /\+0\.060 mAP — meets the target/);
  assert.throws(() => compareWithHandMade(hand, "p"), /no learned rows/);
});

Deno.test("subsampleItems keeps a seeded subset of training items and checks n", () => {
  const data = {
    embeddings: { data: new Float32Array(20), count: 10, dim: 2 },
    train: Array.from({ length: 5 }, (_, i) => ({ id: `i${i}`, rows: [2 * i, 2 * i + 1] })),
    validation: [],
  };
  const sub = subsampleItems(data, 3, 1);
  assert.equal(sub.train.length, 3);
  assert.deepEqual(subsampleItems(data, 3, 1).train, sub.train);
  assert.throws(() => subsampleItems(data, 6), /2\.\.5/);
});

Deno.test("timeBackends measures both backends in one run", async () => {
  const rows = Array.from({ length: 24 }, (_, i) => [Math.cos(i), Math.sin(i), 1]);
  const data = {
    embeddings: { data: Float32Array.from(rows.flat()), count: 24, dim: 3 },
    train: Array.from(
      { length: 4 },
      (_, c) => ({ id: `c${c}`, rows: [0, 1, 2, 3, 4, 5].map((k) => 4 * k + c) }),
    ),
    validation: [],
  };
  const t = await timeBackends(data, {
    head: "projection",
    outputDim: 2,
    a: 2,
    b: 2,
    batchItems: 4,
    passes: 2,
    rounds: 1,
  });
  assert.deepEqual(t.map((r) => r.backend), ["cpu", "wasm"]);
  for (const r of t) assert.ok(r.ms_per_step > 0 && Number.isFinite(r.speedup_vs_cpu));
  assert.equal(t[0].speedup_vs_cpu, 1);
});

Deno.test("describeSplit counts items, images and what training shares with the test sets", async () => {
  const { splitGroceryNewPhotos, describeSplit } = await import("../../lib/learning/mod.ts");
  const photo = (split: string, c: number, k: number) => ({
    path: `${split}/${c}/${k}`,
    file: "",
    split,
    superCategory: "Fruit",
    fineClassId: c,
    fineClass: `c${c}`,
    coarseClassId: 0,
    coarseClass: "x",
    iconicImage: "",
  });
  const train = [0, 1].flatMap((c) => Array.from({ length: 10 }, (_, k) => photo("train", c, k)));
  const test = [0, 1].flatMap((c) => Array.from({ length: 9 }, (_, k) => photo("test", c, k)));
  const split = splitGroceryNewPhotos(train, test);
  const data = {
    embeddings: { data: new Float32Array(0), count: 20, dim: 0 },
    train: split.train.map((i, n) => ({ id: i.id, rows: i.images.map((_, k) => 10 * n + k) })),
    validation: split.validation.map((i) => ({ id: i.id, rows: [0, 1] })),
  };
  const d = describeSplit(split, data);
  assert.equal(d.train_items, 2);
  assert.equal(d.train_images, 16);
  assert.equal(d.test_queries, 2);
  assert.equal(d.shared_images, 0);
  assert.equal(d.shared_items, 2); // new photos of known classes
});
