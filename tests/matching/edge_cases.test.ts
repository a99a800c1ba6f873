import assert from "node:assert/strict";
import { embeddingsFromRows } from "../../lib/types.ts";
import {
  cosineSimilarityMatrix,
  greedyMatch,
  MATCH_METHODS,
  type MatchMethod,
  matchSets,
  scoreSimilarityMatrix,
} from "../../lib/matching/mod.ts";
import { assertClose, matrix, randomMatrix, seededRandom } from "./helpers.ts";

const A = embeddingsFromRows([[1, 0], [0, 1]]);
const S = matrix([[0.9, 0.2], [0.1, 0.8]]);

Deno.test("empty sets are rejected, naming the side", () => {
  const empty = { data: new Float32Array(0), count: 0, dim: 2 };
  assert.throws(() => matchSets(empty, A, { method: "greedy" }), /A is empty/);
  assert.throws(() => matchSets(A, empty, { method: "centroid" }), /B is empty/);
  assert.throws(
    () => scoreSimilarityMatrix({ rows: 0, cols: 3, data: new Float64Array(0) }, { method: "greedy" }),
    /set A is empty/,
  );
  assert.throws(
    () => scoreSimilarityMatrix({ rows: 2, cols: 0, data: new Float64Array(0) }, { method: "optimal" }),
    /set B is empty/,
  );
});

Deno.test("dimension mismatch is rejected", () => {
  const B = embeddingsFromRows([[1, 0, 0]]);
  assert.throws(
    () => matchSets(A, B, { method: "greedy" }),
    /dimension mismatch: A has dimension 2, B has 3/,
  );
  assert.throws(() => matchSets(A, B, { method: "centroid" }), /dimension mismatch/);
  assert.throws(
    () => scoreSimilarityMatrix({ rows: 2, cols: 2, data: new Float64Array(3) }, { method: "greedy" }),
    /length 3, expected rows × cols = 4/,
  );
});

Deno.test("non-finite values are rejected with their position", () => {
  const bad = embeddingsFromRows([[1, 0], [0, NaN]]);
  assert.throws(
    () => matchSets(bad, A, { method: "greedy" }),
    /A row 1 has a non-finite value \(NaN\) at position 1/,
  );
  assert.throws(() => matchSets(A, embeddingsFromRows([[Infinity, 0]]), { method: "centroid" }), /B row 0/);
  assert.throws(() => greedyMatch(matrix([[0.1, Infinity]])), /entry \(0, 1\) is Infinity/);
});

Deno.test("all-zero vectors are rejected, with or without normalising", () => {
  const zero = embeddingsFromRows([[1, 0], [0, 0]]);
  assert.throws(() => matchSets(zero, A, { method: "optimal" }), /A row 1 is all zeros/);
  assert.throws(() => cosineSimilarityMatrix(A, zero, { normalize: false }), /B row 1 is all zeros/);
  assert.throws(() => matchSets(A, zero, { method: "centroid" }), /B row 1 is all zeros/);
});

Deno.test("s outside [−1, 1] or not a number is rejected", () => {
  for (const s of [1.5, -1.01, NaN, Infinity]) {
    assert.throws(
      () => scoreSimilarityMatrix(S, { method: "greedy", s }),
      /options\.s \(similarity threshold\) must be a number in \[-1, 1\]/,
    );
  }
  assert.throws(() => greedyMatch(S, { s: 2 }), /^RangeError: s \(similarity threshold\)/);
  assert.equal(greedyMatch(S, { s: -1 }).countedCount, 2);
  assert.equal(greedyMatch(S, { s: 1 }).score, null);
});

Deno.test("m below 1 or not an integer is rejected", () => {
  for (const m of [0, -1, 1.5, NaN, Infinity]) {
    assert.throws(
      () => scoreSimilarityMatrix(S, { method: "optimal", m }),
      /options\.m \(match cap\) must be an integer ≥ 1/,
    );
  }
  assert.equal(greedyMatch(S, { m: 10 }).countedCount, 2);
});

Deno.test("unknown methods and misplaced options are rejected", () => {
  assert.throws(
    () => scoreSimilarityMatrix(S, { method: "hungarian" as MatchMethod }),
    /options\.method must be one of ordered, greedy/,
  );
  assert.throws(
    () => scoreSimilarityMatrix(S, { method: "sinkhorn", s: 0.5 }),
    /apply only to ordered, greedy, optimal, lp, chamfer/,
  );
  assert.throws(
    () => scoreSimilarityMatrix(S, { method: "sinkhorn", epsilon: 0 }),
    /epsilon must be a finite number > 0/,
  );
  assert.equal(MATCH_METHODS.length, 8);
});

Deno.test("when no match passes s the result says so and never leaks NaN", () => {
  for (const method of ["ordered", "greedy", "optimal", "lp", "chamfer"] as const) {
    const r = scoreSimilarityMatrix(S, { method, s: 0.95 });
    assert.equal(r.score, null, method);
    assert.equal(r.countedCount, 0);
    assert.match(r.reason!, /no match passed s = 0.95: the best similarity was 0.9/);
    assert.ok(r.pairs.every((p) => !p.counted && p.excludedBy === "s"));
  }
});

Deno.test("lp refuses matrices beyond its size limit at once, saying how big is too big and suggesting optimal", () => {
  const big = { rows: 101, cols: 100, data: new Float64Array(101 * 100).fill(0.5) };
  const started = performance.now();
  assert.throws(
    () => scoreSimilarityMatrix(big, { method: "lp" }),
    /lp is limited to 10,000 entries \(e\.g\. 100 × 100\); this matrix is 101 × 100 = 10,100.*--method optimal/,
  );
  assert.ok(performance.now() - started < 1000, "refused before solving");
  // At the limit it still runs, and agrees with optimal.
  const rand = seededRandom(4);
  const edge = randomMatrix(rand, 100, 100);
  assertClose(
    scoreSimilarityMatrix(edge, { method: "lp" }).score!,
    scoreSimilarityMatrix(edge, { method: "optimal" }).score!,
    1e-9,
    "lp = optimal at 100 × 100",
  );
});
