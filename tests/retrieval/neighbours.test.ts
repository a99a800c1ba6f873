import { strict as assert } from "node:assert";
import {
  diagonalMask,
  meanWithInterval,
  neighbourLabelMix,
  precisionAtK,
  sameLabelMask,
  topK,
} from "../../lib/retrieval/mod.ts";

const scores = {
  rows: 3,
  cols: 3,
  data: Float64Array.from([1, 0.9, 0.1, 0.9, 1, 0.2, 0.1, 0.2, 1]),
};

Deno.test("topK skips excluded candidates and breaks ties by the lower column", () => {
  const t = topK(scores, 2, { excluded: diagonalMask(3) });
  assert.deepEqual(Array.from(t.indices), [1, 2, 0, 2, 1, 0]);
  assert.deepEqual(Array.from(t.scores), [0.9, 0.1, 0.9, 0.2, 0.2, 0.1]);
  const tied = topK({ rows: 1, cols: 3, data: Float64Array.from([0.5, 0.7, 0.7]) }, 3);
  assert.deepEqual(Array.from(tied.indices), [1, 2, 0]);
  // Fewer candidates than k: −1 / NaN padding.
  const short = topK({ rows: 1, cols: 2, data: Float64Array.from([0.5, 0.7]) }, 3, {
    excluded: Uint8Array.from([1, 0]),
  });
  assert.deepEqual(Array.from(short.indices), [1, -1, -1]);
  assert.ok(Number.isNaN(short.scores[1]));
});

Deno.test("precisionAtK is the expectation over tied orders", () => {
  // One query; scores 0.9 (relevant), then a tie of 3 at 0.5 with 1 relevant, then 0.1.
  const s = { rows: 1, cols: 5, data: Float64Array.from([0.9, 0.5, 0.5, 0.5, 0.1]) };
  const rel = Uint8Array.from([1, 1, 0, 0, 1]);
  // k = 2: 1 + 1·(1/3) hits → 2/3 / … → (1 + 1/3) / 2.
  assert.ok(Math.abs(precisionAtK(s, rel, 2)[0] - (1 + 1 / 3) / 2) < 1e-12);
  assert.equal(precisionAtK(s, rel, 4)[0], 2 / 4);
  // k beyond the candidates still divides by k.
  assert.equal(precisionAtK(s, rel, 10)[0], 3 / 10);
  const p = precisionAtK(scores, sameLabelMask(["a", "a", "b"]), 1, { excluded: diagonalMask(3) });
  assert.deepEqual(Array.from(p), [1, 1, 0]);
  assert.throws(() => precisionAtK(scores, new Uint8Array(4), 1), /relevant has 4 values, expected 9/);
  assert.throws(() => precisionAtK(scores, new Uint8Array(9), 0), /k must be a positive integer/);
});

Deno.test("meanWithInterval: mean, seeded interval containing it, zero-width for constant data", () => {
  const values = Float64Array.from([0, 1, 0, 1, 1, 1, 0, 1]);
  const a = meanWithInterval(values, { seed: 1, bootstrap: 500 });
  const b = meanWithInterval(values, { seed: 1, bootstrap: 500 });
  assert.deepEqual(a, b);
  assert.equal(a.mean, 5 / 8);
  assert.ok(a.lo <= a.mean && a.mean <= a.hi && a.lo < a.hi);
  assert.deepEqual(meanWithInterval([0.3, 0.3, 0.3], { bootstrap: 100 }), {
    mean: 0.3,
    lo: 0.3,
    hi: 0.3,
    n: 3,
  });
  assert.deepEqual(meanWithInterval(values, { rows: [1, 3], bootstrap: 0 }), { mean: 1, lo: 1, hi: 1, n: 2 });
  assert.throws(() => meanWithInterval([]), /at least one value/);
  assert.throws(() => meanWithInterval([NaN]), /value 0 is NaN/);
});

Deno.test("neighbourLabelMix counts neighbour labels per query label", () => {
  const t = topK(scores, 1, { excluded: diagonalMask(3) });
  const mix = neighbourLabelMix(t, ["a", "a", "b"], ["a", "a", "b"]);
  assert.deepEqual(mix, [
    { query_label: "a", neighbour_label: "a", count: 2, fraction: 1 },
    { query_label: "a", neighbour_label: "b", count: 0, fraction: 0 },
    { query_label: "b", neighbour_label: "a", count: 1, fraction: 1 },
    { query_label: "b", neighbour_label: "b", count: 0, fraction: 0 },
  ]);
});
