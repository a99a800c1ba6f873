import { strict as assert } from "node:assert";
import {
  formatInterval,
  offDiagonalQuantiles,
  percent,
  sharedFirstWordRate,
  topK,
} from "../../lib/retrieval/mod.ts";

Deno.test("formatInterval and percent format computed values and reject bad ones", () => {
  assert.equal(formatInterval(0.6403, 0.6011, 0.6764), "0.640 [0.601, 0.676]");
  assert.equal(formatInterval(0.5, 0.25, 0.75, 1), "0.5 [0.3, 0.8]");
  assert.throws(() => formatInterval(0.5, 0.7, 0.6), /reversed/);
  assert.throws(() => formatInterval(NaN, 0, 1), /value must be a finite number/);
  assert.equal(percent(0.384), "38%");
  assert.equal(percent(0.1234, 1), "12.3%");
  assert.throws(() => percent(Infinity), /share/);
});

Deno.test("offDiagonalQuantiles ignores the diagonal and interpolates like numpy", () => {
  // Off-diagonal values: 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 (diagonal 9 would dominate if counted).
  const m = { rows: 3, cols: 3, data: Float64Array.from([9, 0.1, 0.2, 0.3, 9, 0.4, 0.5, 0.6, 9]) };
  const [min, median, max, q10] = offDiagonalQuantiles(m, [0, 0.5, 1, 0.1]);
  assert.equal(min, 0.1);
  assert.ok(Math.abs(median - 0.35) < 1e-12);
  assert.equal(max, 0.6);
  assert.ok(Math.abs(q10 - 0.15) < 1e-12); // numpy.quantile([.1,.2,.3,.4,.5,.6], .1) = 0.15
  assert.throws(() => offDiagonalQuantiles({ rows: 2, cols: 3, data: new Float64Array(6) }, [0.5]), /square/);
  assert.throws(() => offDiagonalQuantiles(m, [1.5]), /probability 1.5/);
  assert.throws(
    () => offDiagonalQuantiles({ rows: 2, cols: 2, data: Float64Array.from([1, NaN, 0, 1]) }, [0.5]),
    /NaN/,
  );
});

Deno.test("sharedFirstWordRate counts neighbours whose title starts with the query's first word", () => {
  const titles = ["Puma Men Black", "puma women white", "Nike Men Black", "Nike Air"];
  // Scores: 0's best is 1 (Puma), then 2; 2's best is 3 (Nike), then 0.
  const scores = {
    rows: 4,
    cols: 4,
    data: Float64Array.from([
      [1, 0.9, 0.5, 0.1],
      [0.9, 1, 0.2, 0.3],
      [0.5, 0.2, 1, 0.8],
      [0.1, 0.3, 0.8, 1],
    ].flat()),
  };
  const excluded = Uint8Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  const top = topK(scores, 2, { excluded });
  // Query 0: {1 puma ✓, 2 nike ✗} = 1/2. Query 2: {3 nike ✓, 0 puma ✗} = 1/2.
  assert.equal(sharedFirstWordRate(titles, top, [0, 2]), 0.5);
  // Query 1: {0 ✓, 3 ✗} = 1/2; query 3: {2 ✓, 1 ✗} = 1/2 → all four give 0.5.
  assert.equal(sharedFirstWordRate(titles, top), 0.5);
  const top1 = topK(scores, 1, { excluded });
  assert.equal(sharedFirstWordRate(titles, top1), 1);
  assert.throws(() => sharedFirstWordRate(titles, top, []), /queries is empty/);
  assert.throws(() => sharedFirstWordRate(titles, top, [7]), /query 7/);
  assert.throws(() => sharedFirstWordRate(titles.slice(0, 2), top), /titles has 2 entries/);
});
