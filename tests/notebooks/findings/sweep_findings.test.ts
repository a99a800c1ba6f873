import assert from "node:assert/strict";
import { augmentationComparison, sweepFindings } from "../../../notebooks/lib/sweep_findings.ts";
import type { CellResult } from "../../../lib/sweep/output.ts";

const cell = (method: string, s: number | null, m: number | null, map: number, r1 = map): CellResult => ({
  hash: `${method}${s}${m}`,
  setting: {
    dataset: "coil100",
    protocol: "unordered",
    method,
    s,
    m,
    seed: 0,
    model: "x",
    bootstrap: 10,
    options: {},
  },
  metrics: {
    map: { value: map, lo: map - 0.02, hi: map + 0.02 },
    recall_at_1: { value: r1, lo: r1 - 0.02, hi: r1 + 0.02 },
  },
});

Deno.test("sweepFindings: best vs default, the thresholded cell's verdict, and what clears the interval", () => {
  const rows = [
    cell("greedy", null, null, 0.8),
    cell("greedy", null, 1, 0.81),
    cell("greedy", 0.9, 1, 0.9, 0.95), // a threshold clearly helps: above the default's interval
    cell("greedy", 0.9, null, 0.7),
  ];
  const [perMethod, overall] = sweepFindings(rows, "map");
  assert.match(perMethod, /^4 cells \(4 per dataset and method\), selection metric map:/);
  assert.match(
    perMethod,
    /Best mAP at s = 0\.9, m = 1: 0\.900 \[0\.880, 0\.920\] against the default's 0\.800 \[0\.780, 0\.820\]/,
  );
  assert.match(perMethod, /gain 0\.100, above the default's interval/);
  assert.match(perMethod, /best Recall@1 at s = 0\.9, m = 1: 0\.950 vs 0\.800/);
  assert.match(
    perMethod,
    /\(s = 0\.9, m = 1, mAP 0\.900\) beats the best cell without a threshold \(0\.810, m = 1\)/,
  );
  assert.match(overall, /Only coil100\/greedy clears the default's interval/);
  assert.match(overall, /a threshold is part of some best cells/);
  assert.throws(() => sweepFindings([]), /no cell has a finite mAP/);
});

Deno.test("augmentationFinding and strictnessFinding read the plain and augmented grids", async () => {
  const { augmentationFinding, strictnessFinding } = await import("../../../notebooks/lib/sweep_findings.ts");
  // plain: a threshold costs 0.2 of Recall@1; augmented: it costs nothing, and a cap gains 0.1.
  const plain = [
    cell("greedy", null, 1, 0.7),
    cell("greedy", null, null, 0.7),
    cell("greedy", 0.9, 1, 0.5),
    cell("greedy", 0.9, null, 0.5),
  ];
  const augmented = [
    cell("greedy", null, 1, 0.9),
    cell("greedy", null, null, 0.8),
    cell("greedy", 0.9, 1, 0.8),
    cell("greedy", 0.9, null, 0.8),
  ];
  const verdict = augmentationFinding("coil100", plain, augmented);
  assert.match(
    verdict,
    /^- \*\*coil100: augmentation helps\.\*\* Greedy Recall@1 with s = none, m = all: 0\.700 \[0\.680, 0\.720\] plain → 0\.800/,
  );
  assert.match(verdict, /augmented s = none, m = 1 0\.900 \[0\.880, 0\.920\].*do not overlap/);
  const strict = strictnessFinding("coil100", plain, augmented);
  assert.match(strict, /s = 0\.9: 0\.200 \/ 0\.000 — the augmented sets lose less at 1 of 1 thresholds/);
  assert.match(
    strict,
    /gains 0\.000 on plain and 0\.100 on augmented sets: the stricter setting that pays off with augmentation is a cap m/,
  );
  assert.throws(() => strictnessFinding("x", plain.slice(1), augmented), /no cell s = none, m = 1/);
});

Deno.test("thresholdCostFinding and unscoredFinding: default, best, and what high thresholds leave unscored", async () => {
  const { thresholdCostFinding, unscoredFinding } = await import("../../../notebooks/lib/sweep_findings.ts");
  const withUnscored = (c: CellResult, rate: number): CellResult => ({
    ...c,
    metrics: { ...c.metrics, relevant_unscored_rate: { value: rate, lo: rate, hi: rate } },
  });
  const grid = [
    withUnscored(cell("greedy", null, 1, 0.95), 0),
    withUnscored(cell("greedy", null, null, 0.9), 0),
    withUnscored(cell("greedy", 0.6, null, 0.7), 0),
    withUnscored(cell("greedy", 0.95, null, 0.5), 0.25),
  ];
  const cost = thresholdCostFinding("COIL-100", grid, 0.9);
  assert.match(
    cost,
    /Recall@1 is 0\.900 \[0\.880, 0\.920\] \(mAP 0\.900\); the best cell \(s = none, m = 1\) reaches 0\.950/,
  );
  assert.match(cost, /unscored: s = 0\.95: Recall@1 0\.500, own object unscored for 25% of queries\.$/);
  const unscored = unscoredFinding("Grocery", grid);
  assert.match(unscored, /every own class hurts \(worst at s = 0\.6: Recall@1 0\.700\)/);
  assert.match(unscored, /unscored: s = 0\.95: 25\.0% of queries \(Recall@1 0\.500\)\.$/);
});

Deno.test("augmentationComparison pairs the plain and augmented cells by (s, m), intervals by formatEstimate", () => {
  const withUnscored = (c: CellResult, rate: number): CellResult => ({
    ...c,
    metrics: { ...c.metrics, relevant_unscored_rate: { value: rate } },
  });
  const plain = [cell("greedy", null, null, 0.8, 0.9), cell("greedy", 0.9, 1, 0.7)].map((c) =>
    withUnscored(c, 0)
  );
  // The augmented grid in another order: pairing goes by setting, not position.
  const augmented = [
    withUnscored(cell("greedy", 0.9, 1, 0.75), 0.25),
    withUnscored(cell("greedy", null, null, 0.85), 0),
  ];
  assert.deepEqual(augmentationComparison("coil100", plain, augmented), [
    {
      dataset: "coil100",
      s: "none",
      m: "all",
      plain: "0.900 [0.880, 0.920]",
      augmented: "0.850 [0.830, 0.870]",
      map_plain: 0.8,
      map_augmented: 0.85,
      own_unscored_augmented: 0,
    },
    {
      dataset: "coil100",
      s: 0.9,
      m: 1,
      plain: "0.700 [0.680, 0.720]",
      augmented: "0.750 [0.730, 0.770]",
      map_plain: 0.7,
      map_augmented: 0.75,
      own_unscored_augmented: 0.25,
    },
  ]);
  assert.throws(
    () => augmentationComparison("coil100", plain, augmented.slice(0, 1)),
    /no cell s = none, m = all/,
  );
});
