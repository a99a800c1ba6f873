import { strict as assert } from "node:assert";
import {
  crossValidatedWeight,
  fuseSimilarities,
  fusionSweep,
  restrictByCategory,
  sweepLineOptions,
  textFixes,
} from "../../lib/fusion/mod.ts";
import { renderPlot } from "../../lib/figures/mod.ts";

const image = { rows: 2, cols: 3, data: Float64Array.from([0.9, 0.8, 0.1, 0.2, 0.6, 0.4]) };
const text = { rows: 2, cols: 3, data: Float64Array.from([0.1, 0.7, 0.3, 1, 0, 0.5]) };

Deno.test("fuseSimilarities is w·text + (1 − w)·image, exact at the endpoints", () => {
  assert.deepEqual(Array.from(fuseSimilarities(image, text, 0).data), Array.from(image.data));
  assert.deepEqual(Array.from(fuseSimilarities(image, text, 1).data), Array.from(text.data));
  const half = fuseSimilarities(image, text, 0.25).data;
  const expected = [0.7, 0.775, 0.15, 0.4, 0.45, 0.425];
  half.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 1e-12));
  // −∞ from an earlier restriction survives, and never becomes NaN at w = 0 or 1.
  const restricted = { rows: 1, cols: 2, data: Float64Array.from([-Infinity, 0.5]) };
  const other = { rows: 1, cols: 2, data: Float64Array.from([0.2, 0.4]) };
  assert.deepEqual(Array.from(fuseSimilarities(restricted, other, 0.5).data), [-Infinity, 0.45]);
  assert.deepEqual(Array.from(fuseSimilarities(restricted, other, 1).data), [0.2, 0.4]);
});

Deno.test("fuseSimilarities rejects bad input, naming it", () => {
  assert.throws(() => fuseSimilarities(image, text, 1.5), /weight must be in \[0, 1\], got 1.5/);
  assert.throws(() => fuseSimilarities(image, text, NaN), /weight must be in \[0, 1\]/);
  assert.throws(
    () => fuseSimilarities(image, { rows: 3, cols: 2, data: new Float64Array(6) }, 0.5),
    /image similarity is 2 × 3 but text similarity is 3 × 2/,
  );
  assert.throws(
    () => fuseSimilarities(image, { rows: 2, cols: 3, data: Float64Array.from([0, 0, 0, 0, NaN, 0]) }, 0.5),
    /NaN at \(1, 1\) of the text similarity/,
  );
});

Deno.test("restrictByCategory sets other categories to −∞ and leaves the input untouched", () => {
  const r = restrictByCategory(image, ["shoe", "sandal"], ["shoe", "sandal", "shoe"]);
  assert.deepEqual(Array.from(r.data), [0.9, -Infinity, 0.1, -Infinity, 0.6, -Infinity]);
  assert.equal(image.data[1], 0.8);
  assert.throws(
    () => restrictByCategory(image, ["a"], ["a", "b", "c"]),
    /queryCategories has 1 entries for 2/,
  );
});

Deno.test("fusionSweep: hand-checked metrics at each weight", () => {
  // Query 0 is relevant to candidate 1; query 1 to candidate 0. Image ranks them wrong, text right.
  const img = { rows: 2, cols: 2, data: Float64Array.from([0.9, 0.1, 0.1, 0.9]) };
  const txt = { rows: 2, cols: 2, data: Float64Array.from([0.1, 0.9, 0.9, 0.1]) };
  const relevant = Uint8Array.from([0, 1, 1, 0]);
  const rows = fusionSweep({ image: img, text: txt, relevant, weights: [0, 0.5, 1], bootstrap: 0 });
  // w = 0: the relevant candidate is 2nd → AP = 1/2. w = 0.5: both scores are 0.5, a tie → expected
  // AP = (1/1 + 1/2) / 2 = 0.75 and recall@1 = 1/2.
  assert.deepEqual(rows.map((r) => r.map), [0.5, 0.75, 1]);
  assert.deepEqual(rows.map((r) => r.recall_at_1), [0, 0.5, 1]);
  // No resamples, no interval columns (issue 10 case 8).
  assert.ok(rows.every((r) => !("map_lo" in r) && !("map_hi" in r) && r.n_queries === 2));
  const restricted = fusionSweep({
    image: img,
    text: txt,
    relevant,
    weights: [0],
    bootstrap: 0,
    restrict: [["a", "b"], ["b", "a"]],
  });
  assert.equal(restricted[0].map, 1);
  assert.equal(restricted[0].restricted, true);
  const figure = renderPlot(sweepLineOptions(rows.map((r) => ({ series: "t", ...r })), { metrics: ["map"] }));
  assert.ok(figure.svg.includes("t · mAP"));
  assert.throws(
    () => sweepLineOptions([{ weight: 0 }], { metrics: ["map"] }),
    /sweep row lacks a numeric "map"/,
  );
});

Deno.test("textFixes lists queries whose precision@k rose, largest gain first", () => {
  const img = { rows: 3, cols: 3, data: Float64Array.from([0.9, 0.1, 0.2, 0.3, 0.9, 0.1, 0.5, 0.4, 0.9]) };
  const fused = { rows: 3, cols: 3, data: Float64Array.from([0.9, 0.2, 0.1, 0.3, 0.9, 0.1, 0.4, 0.5, 0.9]) };
  const relevant = Uint8Array.from([0, 1, 0, 1, 0, 0, 1, 0, 0]);
  const excluded = Uint8Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const { fixed, worse } = textFixes(img, fused, relevant, { k: 1, excluded });
  assert.deepEqual(fixed, [{ query: 0, imagePrecision: 0, fusedPrecision: 1, gain: 1 }]);
  assert.deepEqual(worse, [{ query: 2, imagePrecision: 1, fusedPrecision: 0, gain: -1 }]);
});

Deno.test("crossValidatedWeight: held-out choice by hand, and errors", () => {
  // 4 queries × 2 candidates; candidate 1 is relevant for queries 0, 1, 2 and candidate 0 for query 3.
  // Text ranks every query right; image ranks every query wrong. Any w > 0.5 ranks every query right.
  const img = { rows: 4, cols: 2, data: Float64Array.from([0.9, 0.1, 0.9, 0.1, 0.9, 0.1, 0.1, 0.9]) };
  const txt = { rows: 4, cols: 2, data: Float64Array.from([0.1, 0.9, 0.1, 0.9, 0.1, 0.9, 0.9, 0.1]) };
  const relevant = Uint8Array.from([0, 1, 0, 1, 0, 1, 1, 0]);
  const cv = crossValidatedWeight({ image: img, text: txt, relevant, weights: [0, 0.25, 0.75, 1], folds: 2 });
  assert.equal(cv.in_sample_weight, 0.75); // the smaller of the tied best weights
  assert.equal(cv.in_sample_value, 1);
  assert.equal(cv.held_out_value, 1);
  assert.deepEqual(cv.folds.map((f) => f.chosen_weight), [0.75, 0.75]);
  assert.deepEqual(cv.folds.map((f) => f.n_queries), [2, 2]);
  assert.throws(
    () => crossValidatedWeight({ image: img, text: txt, relevant, folds: 5 }),
    /folds must be an integer in \[2, 4\]/,
  );
  assert.throws(
    () => crossValidatedWeight({ image: img, text: txt, relevant, metric: "ndcg" as "map" }),
    /unknown metric "ndcg"/,
  );
});
