import assert from "node:assert/strict";
import { compareWithHandMade, handMadeRow, headRow, signedDifference } from "../../../lib/learning/mod.ts";
import {
  attentionFinding,
  comparisonTableRows,
  costFinding,
  fitFinding,
  headRoomFinding,
  type HeadRunRecord,
  learnedFindings,
  seedFinding,
  seedRow,
  trainingSizeFinding,
} from "../../../notebooks/lib/learning_findings.ts";
import { testMetrics } from "../../learning/metrics_fixture.ts";

const m = testMetrics;

const epochs = (...pairs: [loss: number, validationMap: number][]) =>
  pairs.map(([loss, validationMap], i) => ({ epoch: i + 1, loss, validationMap, seconds: 1 }));

// Protocol "p": chamfer 0.90 [0.87, 0.93] is the best hand-made method, centroid 0.85.
// Projection seeds 0/1: 0.94 (+0.04, misses) and 0.97 [0.95, 0.99] (+0.07, disjoint: meets).
// Attention seeds 0/1: 0.86 and 0.88; seed 0 kept its untrained weights (best epoch 0).
const runs: HeadRunRecord[] = [
  {
    protocol: "p",
    head: "projection",
    seed: 0,
    test: m(0.94, 0.91, 0.96),
    seconds: 12,
    bestEpoch: 2,
    initial: 0.8,
    history: epochs([1, 0.85], [0.5, 0.9], [0.25, 0.88]),
  },
  {
    protocol: "p",
    head: "projection",
    seed: 1,
    test: m(0.97, 0.95, 0.99),
    seconds: 18,
    bestEpoch: 1,
    initial: 0.8,
    history: epochs([1, 0.9]),
  },
  {
    protocol: "p",
    head: "attention",
    seed: 0,
    test: m(0.86, 0.8, 0.9),
    seconds: 4,
    bestEpoch: 0,
    initial: 0.7,
    history: epochs([0.75, 0.6], [0.5, 0.65]),
  },
  {
    protocol: "p",
    head: "attention",
    seed: 1,
    test: m(0.88, 0.82, 0.92),
    seconds: 6,
    bestEpoch: 1,
    initial: 0.7,
    history: epochs([0.7, 0.72]),
  },
];

const summary = [
  handMadeRow("p", "chamfer", m(0.9, 0.87, 0.93), 0),
  handMadeRow("p", "centroid", m(0.85, 0.8, 0.9), 0),
  headRow("p", "projection", runs.filter((r) => r.head === "projection")),
  headRow("p", "attention", runs.filter((r) => r.head === "attention")),
];
const comparison = compareWithHandMade(summary, "p", 0.05);
const sizeRows = [
  { train_classes: 8, map: 0.9, map_lo: 0.85, map_hi: 0.95, recall_at_1: 0.9, best_epoch: 2 },
  { train_classes: 16, map: 0.95, map_lo: 0.9, map_hi: 0.98, recall_at_1: 0.95, best_epoch: 3 },
  { train_classes: 32, map: 0.94, map_lo: 0.9, map_hi: 0.97, recall_at_1: 0.94, best_epoch: 2 },
];
const timing = [
  { backend: "cpu" as const, head: "projection" as const, steps: 1, ms_per_step: 500, speedup_vs_cpu: 1 },
  { backend: "wasm" as const, head: "projection" as const, steps: 1, ms_per_step: 100, speedup_vs_cpu: 5 },
  { backend: "wasm" as const, head: "attention" as const, steps: 1, ms_per_step: 160, speedup_vs_cpu: 3.125 },
];

Deno.test("headRoomFinding: the remaining error, what the target needs and the interval to clear", () => {
  // 1 − 0.90 = 0.10 of error; +0.05 needs 0.95, i.e. 50% of it; disjoint needs lo > 0.93.
  assert.equal(
    headRoomFinding(comparison, summary),
    "- **Head-room.** On grocery unseen classes the best hand-made method (chamfer) already reaches mAP 0.900: " +
      "the target of +0.05 needs 0.950, i.e. removing 50% of the remaining error, and non-overlapping " +
      "intervals need the head's lower bound above 0.930 with 80 test queries.",
  );
  const bare = [{ ...summary[0], map_lo: undefined, map_hi: undefined }, ...summary.slice(1)];
  assert.throws(() => headRoomFinding(comparison, bare), /chamfer on "p" has no mAP interval/);
});

Deno.test("trainingSizeFinding: mAP per size, signed steps, the seed spread; fast mode says so", () => {
  // Steps +0.05 and −0.01; projection seeds 0.94 and 0.97: spread 0.03.
  assert.equal(
    trainingSizeFinding(sizeRows, summary[2]),
    "Trained on 8 classes: mAP 0.900; 16 classes: mAP 0.950; 32 classes: mAP 0.940 " +
      "(8 → 16: +0.050, 16 → 32: −0.010); the seed-to-seed spread at full size is 0.030.",
  );
  assert.equal(
    trainingSizeFinding([], summary[2]),
    "The training-size experiment runs in the full mode only.",
  );
});

Deno.test("fitFinding: first and last loss, untrained and kept validation mAP", () => {
  // Kept epoch 2 (1-based): validation 0.90, not the last epoch's 0.88.
  assert.equal(
    fitFinding(runs[0]),
    "head:projection: training loss 1.000 → 0.250 over 3 epochs, validation mAP 0.800 (untrained) → 0.900 (kept epoch 2)",
  );
  // Kept epoch 0: the untrained weights' validation mAP.
  assert.equal(
    fitFinding(runs[2]),
    "head:attention: training loss 0.750 → 0.500 over 2 epochs, validation mAP 0.700 (untrained) → 0.700 (kept epoch 0)",
  );
  assert.throws(() => fitFinding({ ...runs[0], history: [] }), /no epochs/);
});

Deno.test("seedFinding: each seed's projection head against the best hand-made method", () => {
  // Seed 0: 0.94 − 0.90 = +0.04 (misses); seed 1: +0.07 with [0.95, 0.99] clear of [0.87, 0.93].
  // Mean gain (0.94 + 0.97) / 2 − 0.90 = +0.055.
  assert.equal(
    seedFinding(comparison, summary, runs),
    "Per seed, head:projection vs chamfer: seed 0 +0.040, seed 1 +0.070 (meets the target); 1 of 2 seeds meet it, " +
      "mean gain +0.055. Test mAP ranges over seeds: p head:projection 0.940–0.970; p head:attention 0.860–0.880.",
  );
});

Deno.test("attentionFinding: against the centroid, and how many runs kept the untrained weights", () => {
  assert.match(
    attentionFinding(comparison, summary, runs),
    /^It pools each set into one vector, as the centroid does \(centroid mAP 0\.850, head:attention 0\.860 on p\); in 1 of 2 runs no epoch beat/,
  );
  const trained = runs.map((r) => ({ ...r, bestEpoch: 1 }));
  assert.match(
    attentionFinding(comparison, summary, trained),
    /training improved it on validation in every run/,
  );
  assert.throws(
    () => attentionFinding(comparison, summary.slice(0, 1), runs),
    /no row for centroid|head:attention/,
  );
});

Deno.test("costFinding: mean seconds per head and the wasm speed-up", () => {
  // Projection (12 + 18) / 2 = 15 s, attention (4 + 6) / 2 = 5 s.
  assert.equal(
    costFinding(summary, timing),
    "Mean training time per head on this shared 2-core machine: p head:projection 15 s, p head:attention 5 s; " +
      "the WebAssembly backend runs a training step projection 5.0×, attention 3.1× faster than TF.js's JavaScript CPU kernels.",
  );
});

Deno.test("learnedFindings: five bullets in order, from the parts (the cost bullet is a timing, shown apart)", () => {
  const text = learnedFindings({
    comparison,
    summary,
    runs,
    sizeRows,
    data: { train: new Array(32), validation: new Array(8) },
  });
  const bullets = text.split("\n");
  assert.deepEqual(
    bullets.map((b) => b.match(/^- \*\*([^.]+(?: \(seed \d\))?)\.\*\*/)?.[1]),
    ["Head-room", "Data", "Fit (seed 0)", "Seeds", "Attention head"],
  );
  assert.equal(bullets[0], headRoomFinding(comparison, summary));
  assert.ok(
    bullets[1].startsWith(
      "- **Data.** The heads learn from 32 classes (validation: 8). Trained on 8 classes",
    ),
  );
  // Fit: only the first seed's runs of the protocol, projection then attention.
  assert.equal(bullets[2], `- **Fit (seed 0).** ${fitFinding(runs[0])}; ${fitFinding(runs[2])}.`);
  assert.throws(
    () =>
      learnedFindings({
        comparison,
        summary,
        runs: [],
        sizeRows,
        data: { train: [], validation: [] },
      }),
    /no training runs/,
  );
});

Deno.test("seedRow, comparisonTableRows and signedDifference keep the committed spellings", () => {
  assert.deepEqual(seedRow(runs[0]), {
    protocol: "p",
    method: "head:projection",
    seed: 0,
    map: 0.94,
    map_lo: 0.91,
    map_hi: 0.96,
    recall_at_1: 0.94,
    best_epoch: 2,
    epochs_run: 3,
    training_seconds: 12,
  });
  const [row] = comparisonTableRows([comparison]);
  assert.equal(row.best_hand_made_interval, "0.87 0.93");
  assert.equal(row.best_head_interval, "0.91 0.96"); // the seed-0 row (fixed in advance), not the best seed
  assert.equal(row.best_head, "head:projection");
  assert.equal(signedDifference(0.0321), "+0.032");
  assert.equal(signedDifference(-0.01), "−0.010"); // U+2212, not a hyphen
  assert.equal(signedDifference(0), "+0.000");
});
