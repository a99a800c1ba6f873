import assert from "node:assert/strict";
import {
  type FusionCell,
  fusionSweep,
  fusionSweepCells,
  fusionSweepTable,
  restrictByCategory,
  restrictionRows,
} from "../../../lib/fusion/mod.ts";
import {
  bestWeightRow,
  equalSpreadWeight,
  flatWeights,
  fusionFindings,
  type FusionFindingsInput,
} from "../../../notebooks/lib/fusion_findings.ts";
import { evaluateRanking } from "../../../lib/evaluation/mod.ts";

// Query 0 is relevant to candidate 1; query 1 to candidate 0. Image ranks them wrong, text right.
const img = { rows: 2, cols: 2, data: Float64Array.from([0.9, 0.1, 0.1, 0.9]) };
const txt = { rows: 2, cols: 2, data: Float64Array.from([0.1, 0.9, 0.9, 0.1]) };
const relevant = Uint8Array.from([0, 1, 1, 0]);

Deno.test("fusionSweepCells: one grid cell per weight; the table is fusionSweep's rows", () => {
  const cells = fusionSweepCells({ image: img, text: txt, relevant, weights: [0, 1], bootstrap: 0 });
  assert.deepEqual(cells.map((c) => c.setting), [{ weight: 0, restricted: false }, {
    weight: 1,
    restricted: false,
  }]);
  assert.deepEqual(cells[0].metrics.map, { value: 0.5 }, "no resamples, no interval");
  assert.deepEqual(cells[1].metrics.recall_at_1, { value: 1 });
  assert.equal(cells[0].n_queries, 2);
  const input = { image: img, text: txt, relevant, weights: [0, 0.5, 1], bootstrap: 30, seed: 3 };
  const resampled = fusionSweepCells(input);
  assert.ok(
    resampled.every((c) =>
      c.metrics.map.lo! <= c.metrics.map.value && c.metrics.map.value <= c.metrics.map.hi!
    ),
  );
  const rows = fusionSweepTable(resampled);
  assert.deepEqual(rows, fusionSweep(input));
  // The committed weight-sweep.csv column order: the setting, n_queries, then name, name_lo, name_hi.
  assert.deepEqual(Object.keys(rows[0]).slice(0, 7), [
    "weight",
    "restricted",
    "n_queries",
    "recall_at_1",
    "recall_at_1_lo",
    "recall_at_1_hi",
    "recall_at_5",
  ]);
});

Deno.test("restrictionRows: precision@5 and mAP with intervals per setting, hand-checked", () => {
  const categories = ["a", "b"];
  const settings = [
    { setting: "image", scores: img },
    // Restricting query 0 (a) to candidates of category a leaves only candidate 0 … which is not relevant.
    { setting: "restricted", scores: restrictByCategory(img, ["a", "b"], ["b", "a"]) },
  ];
  const none = restrictionRows("s", settings, { relevant, categories, bootstrap: 0 });
  assert.deepEqual(none.map((r) => [r.sample, r.setting, r.map]), [["s", "image", 0.5], [
    "s",
    "restricted",
    1,
  ]]);
  const p5 = evaluateRanking(
    { scores: img.data, relevant, excluded: null, nQuery: 2, nGallery: 2 },
    { seed: 0, bootstrap: 0 },
  ).precision_at_5;
  assert.equal(none[0].precision_at_5, p5);
  assert.ok(!("map_lo" in none[0]) && !("p5_lo" in none[0]), "no resamples, no interval columns");
  const some = restrictionRows("s", settings, { relevant, categories, bootstrap: 20 });
  assert.deepEqual(Object.keys(some[0]), [
    "sample",
    "setting",
    "precision_at_5",
    "p5_lo",
    "p5_hi",
    "map",
    "map_lo",
    "map_hi",
  ]);
});

const cell = (weight: number, map: number, lo: number, hi: number, p5: number): FusionCell => ({
  setting: { weight, restricted: false },
  metrics: { map: { value: map, lo, hi }, precision_at_5: { value: p5, lo: p5, hi: p5 } },
  n_queries: 4,
});

Deno.test("bestWeightRow, flatWeights and equalSpreadWeight, hand-checked", () => {
  const cells = [
    cell(0, 0.5, 0.45, 0.55, 0.6),
    cell(0.5, 0.7, 0.65, 0.75, 0.8),
    cell(1, 0.7, 0.6, 0.72, 0.78),
  ];
  assert.deepEqual(bestWeightRow("use", cells), {
    text_model: "use",
    best_w_by_map: 0.5, // the first of two equal mAPs
    map_at_best: 0.7,
    map_ci: "0.650–0.750", // the interval's ends, as the committed best-weight.csv spells them
    map_image_only: 0.5,
    map_text_only: 0.7,
    p5_at_best: 0.8,
    p5_image_only: 0.6,
    p5_text_only: 0.78,
  });
  assert.deepEqual(flatWeights(cells), [0.5, 1]);
  // No resamples, no interval: an empty map_ci, never "NaN–NaN".
  const bare = cells.map((c) => ({ ...c, metrics: { ...c.metrics, map: { value: c.metrics.map.value } } }));
  assert.equal(bestWeightRow("use", bare).map_ci, "");
  assert.throws(() => bestWeightRow("use", cells.slice(1)), /no weight 0/);
  assert.throws(
    () => flatWeights([{ ...cells[0], metrics: { map: { value: 0.5 } } }]),
    /has no interval \(bootstrap 0\)/,
  );
  // Image spreads 0.3, text 0.1: text must weigh 3× to move the score as much → w = 0.75.
  assert.ok(Math.abs(equalSpreadWeight([0.6, 0.9], [0.4, 0.5]) - 0.75) < 1e-12);
});

function findingsInput(): FusionFindingsInput {
  const C = "Casual Shoes", F = "Formal Shoes", S = "Sports Shoes";
  // Off-diagonal image values: four 0.6 and eight 0.9 → 2nd/98th percentiles 0.6 and 0.9; text 0.2/0.5.
  const square = (a: number, b: number) => ({
    rows: 4,
    cols: 4,
    data: Float64Array.from([1, a, a, b, a, 1, b, b, a, b, 1, b, b, b, b, 1]),
  });
  const top1 = (indices: number[]) => ({
    k: 1,
    rows: 4,
    indices: Int32Array.from(indices),
    scores: new Float64Array(4),
  });
  const sweepUse = [
    cell(0, 0.5, 0.45, 0.55, 0.6),
    cell(0.5, 0.7, 0.65, 0.75, 0.8),
    cell(1, 0.68, 0.6, 0.72, 0.78),
  ];
  const sweepTfidf = [
    cell(0, 0.5, 0.45, 0.55, 0.6),
    cell(0.5, 0.55, 0.5, 0.6, 0.7),
    cell(1, 0.8, 0.75, 0.85, 0.9),
  ];
  const perType = (w: number, values: number[]) =>
    [C, F, S].map((type, k) => ({ w, type, precision_at_5: values[k] }));
  const pm = (precision_at_5: number, map: number) => ({ precision_at_5, map });
  return {
    model: "m",
    seed: 0,
    bootstrap: 10,
    textModels: ["use", "tfidf"],
    titles: ["Nike Casual Shoes", "Puma Formal Shoes", "Nike Sports Shoe", "Puma Sneaker"],
    labels: [C, F, S, C],
    types: [C, F, S],
    image: square(0.6, 0.9),
    text: { use: square(0.2, 0.5), tfidf: square(0.2, 0.5) },
    sweep: { use: sweepUse, tfidf: sweepTfidf },
    crossValidation: [
      { text_model: "use", in_sample_map: 0.7, held_out_map: 0.69, chosen_w_per_fold: "0.5 / 0.5 / 1" },
      { text_model: "tfidf", in_sample_map: 0.8, held_out_map: 0.8, chosen_w_per_fold: "1 / 1 / 1" },
    ],
    weight: 0.5,
    fixes: {
      improved: 2,
      worse: 1,
      unchanged: 1,
      sportyFixed: 1,
      queries: [0, 3],
      // Query 0 (Nike) → 2 (Nike) both ways; query 3 (Puma) → 0 (Nike) by image, → 1 (Puma) fused.
      imageTop: top1([2, 0, 0, 0]),
      fusedTop: top1([2, 0, 0, 1]),
    },
    perType: [...perType(0, [0.4, 0.8, 0.5]), ...perType(0.5, [0.5, 0.8, 0.7])],
    usageAgrees: 3,
    restriction: {
      a: [pm(0.6, 0.5), pm(0.9, 0.85), pm(0.7, 0.6), pm(0.95, 0.9)],
      b: [pm(0.4, 0.3), pm(0.6, 0.5), pm(0.65, 0.45), pm(0.75, 0.6)],
      wideItems: 8,
      wideTypes: 2,
    },
  };
}

Deno.test("fusionFindings reads hand-built tables", () => {
  const text = fusionFindings(findingsInput());
  assert.match(
    text,
    /^Measured with `m` images, seed 0, the 4 shoes \(plus 8 footwear for restriction \(b\)\), 10 bootstrap/,
  );
  assert.match(
    text,
    /\*\*: 75% of the titles contain their type's word/,
    "Puma Sneaker does not name casual",
  );
  assert.match(
    text,
    /Image only: 0\.600 \/ 0\.500\. Title only with USE: 0\.780 \/ 0\.680\. Title only with TF-IDF: 0\.900 \/ 0\.800\./,
  );
  assert.match(text, /The lexical baseline beats the sentence encoder on mAP: the deciding words/);
  assert.match(text, /\(image similarities spread 0\.60–0\.90\)/);
  assert.match(
    text,
    /\*\*USE\*\*: best w = 0\.5, mAP 0\.700 \[0\.650, 0\.750\], precision@5 0\.800; clearly above image only, and inside the title-only interval, 0\.680 \[0\.600, 0\.720\]\. Flat for w ∈ \[0\.5, 1\]\. 5-fold cross-validation picks w = 0\.5–1; held-out mAP 0\.690 vs in-sample 0\.700\. Title similarities spread 0\.20–0\.50, so the equal-spread weight is 0\.50\./,
  );
  assert.match(text, /\*\*TF-IDF\*\*: best w = 1, mAP 0\.800 \[0\.750, 0\.850\].*Flat for w ∈ \[1, 1\]/);
  assert.match(
    text,
    /improves for 2 shoes, gets worse for 1 and stays the same for 1\. For 1 non-sports shoes/,
  );
  assert.match(
    text,
    /goes from 50% \(image only\) to 100% \(fused\), so brand words do much of the fixing\./,
  );
  assert.match(
    text,
    /precision@5 rises for 2 of 3 types: casual 0\.400 → 0\.500, formal 0\.800 → 0\.800, sports 0\.500 → 0\.700\./,
  );
  assert.match(
    text,
    /agrees with `articleType` for 3 of 4 shoes.*image precision@5 0\.600 → 0\.900 \(mAP 0\.500 → 0\.850\)/,
  );
  assert.match(
    text,
    /image only 0\.400 \/ 0\.300; restricted 0\.600 \/ 0\.500; image \+ USE text 0\.650 \/ 0\.450; both 0\.750 \/ 0\.600\. Restriction and text fusion help in different ways/,
  );
  assert.match(text, /This run used a CNN, so only USE and TF-IDF appear\.$/);
});

Deno.test("fusionFindings: other verdicts, and what is missing is named", () => {
  const input = findingsInput();
  input.sweep = {
    ...input.sweep,
    use: [cell(0, 0.5, 0.45, 0.55, 0.6), cell(0.5, 0.56, 0.5, 0.6, 0.7), cell(1, 0.52, 0.4, 0.55, 0.6)],
  };
  input.restriction = {
    ...input.restriction,
    b: input.restriction.b.map((r, k) => (k === 3 ? { ...r, map: 0.4 } : r)),
  };
  const text = fusionFindings(input);
  assert.match(
    text,
    /\*\*USE\*\*: best w = 0\.5, .* not clearly above image only, and above the title-only interval/,
  );
  assert.match(
    text,
    /Combining restriction and text fusion does not beat the better of the two on both metrics\./,
  );
  const noCv = findingsInput();
  noCv.crossValidation = noCv.crossValidation.slice(0, 1);
  assert.throws(() => fusionFindings(noCv), /no cross-validation row for tfidf/);
  const noSweep = findingsInput();
  noSweep.textModels = ["use", "clip:x"];
  assert.throws(() => fusionFindings(noSweep), /no sweep for text model clip:x/);
});
