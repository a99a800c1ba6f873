import { deepEqual, equal, throws } from "node:assert/strict";
import {
  greedyOptimalContrast,
  pickFailureSetting,
  type StrictFailureRow,
  strictFailureScan,
  withoutColumns,
} from "../../lib/evaluation/mod.ts";
import type { SimilarityMatrix } from "../../lib/matching/mod.ts";

// Two queries (rows 0-1 = query 0, rows 2-3 = query 1) against two gallery sets (cols 0-1, 2-3).
// Query 0's own set (gallery 0) is good on both images (0.8, 0.8); gallery 1 has one
// near-identical detail (0.95) and one poor image (0.1). Query 1 is unambiguous.
function toy(): Parameters<typeof strictFailureScan>[0] {
  const rows = [
    [0.8, 0.3, 0.95, 0.1],
    [0.3, 0.8, 0.1, 0.1],
    [0.1, 0.1, 0.9, 0.3],
    [0.1, 0.1, 0.3, 0.9],
  ];
  const similarity: SimilarityMatrix = { rows: 4, cols: 4, data: new Float64Array(rows.flat()) };
  return {
    similarity,
    querySets: [[0, 1], [2, 3]],
    gallerySets: [[0, 1], [2, 3]],
    relevance: new Uint8Array([1, 0, 0, 1]),
    excluded: null,
  } as Parameters<typeof strictFailureScan>[0];
}

Deno.test("strictFailureScan: m = 1 lets one near-identical detail outrank the own set", () => {
  const p = toy();
  // Greedy, s = none, m = all: query 0 → own 0.8, other (0.95 + 0.1)/2 = 0.525; query 1 → 0.9 vs 0.1.
  const baseline = new Float64Array([0.8, 0.525, 0.1, 0.9]);
  const [none, loose, strict] = strictFailureScan(p, baseline, { s: [null, 0.5, 0.85], m: 1 });
  equal(none.outranked, 1);
  // s = 0.5, m = 1: own 0.8 vs other 0.95 → query 0 outranked.
  equal(loose.lost, 1);
  equal(loose.outranked, 1);
  equal(loose.own_unscored, 0);
  equal(loose.changes[0].query, 0);
  // s = 0.85: own set has no match ≥ 0.85 → unscored, not outranked.
  equal(strict.lost, 1);
  equal(strict.own_unscored, 1);
  equal(strict.outranked, 0);
  equal(pickFailureSetting([strict, loose])?.s, 0.5);
  equal(pickFailureSetting([loose, none])?.s, 0.5);
  equal(pickFailureSetting([none])?.s, null);
  equal(pickFailureSetting([strict]), null);
});

Deno.test("strictFailureScan: rejects bad input", () => {
  const p = toy();
  throws(() => strictFailureScan(p, new Float64Array(3), { s: [0.5], m: 1 }), /baseline/);
  throws(() => strictFailureScan(p, new Float64Array(4), { s: [0.5], m: 0 }), /m must/);
  throws(() => strictFailureScan(p, new Float64Array(4), { s: [], m: 1 }), /s must/);
  throws(() => strictFailureScan(p, new Float64Array(4), { s: [NaN], m: 1 }), /s must/);
});

Deno.test("pickFailureSetting: most outranked wins, ties go to the higher s", () => {
  const row = (s: number, outranked: number): StrictFailureRow => ({
    s,
    m: 1,
    lost: outranked,
    own_unscored: 0,
    outranked,
    changes: [],
  });
  equal(pickFailureSetting([row(0.9, 2), row(0.8, 2), row(0.95, 1)])?.s, 0.9);
});

Deno.test("greedyOptimalContrast: counts the pair where the optimum gives up the best match", () => {
  // Classic 2 × 2: greedy takes 0.9 then 0.1 (distance 1.0); optimal takes 0.8 + 0.8 (distance 0.4).
  const similarity: SimilarityMatrix = {
    rows: 4,
    cols: 4,
    data: new Float64Array([
      0.9,
      0.8,
      0,
      0,
      0.8,
      0.1,
      0,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      0,
      1,
    ]),
  };
  const c = greedyOptimalContrast({
    similarity,
    querySets: [[0, 1], [2, 3]],
    gallerySets: [[0, 1], [2, 3]],
    excluded: null,
  });
  equal(c.pairs, 4);
  equal(c.differ, 1);
  equal(c.drops_best_pair, 1);
  equal(c.better_worst, 1);
  equal(Math.round(c.max_saving * 1e9) / 1e9, 0.6);
  const excl = greedyOptimalContrast({
    similarity,
    querySets: [[0, 1], [2, 3]],
    gallerySets: [[0, 1], [2, 3]],
    excluded: new Uint8Array([1, 0, 0, 0]),
  });
  equal(excl.pairs, 3);
  equal(excl.differ, 0);
});

Deno.test("withoutColumns drops only the named columns and leaves the input intact", () => {
  const rows = [{ a: 1, seconds: 0.5, b: "x" }];
  deepEqual(withoutColumns(rows, ["seconds"]), [{ a: 1, b: "x" }]);
  equal(rows[0].seconds, 0.5);
});
