import assert from "node:assert/strict";
import { embeddingsFromRows } from "../../lib/types.ts";
import {
  centroidScore,
  chamferScore,
  greedyMatch,
  hausdorffScore,
  linearSumAssignment,
  lpAssignment,
  matchSets,
  optimalAssignment,
  orderedMatch,
  scoreSimilarityMatrix,
  sinkhornScore,
} from "../../lib/matching/mod.ts";
import { sinkhornPlan } from "../../lib/matching/kernels.ts";
import { assertClose, matrix } from "./helpers.ts";

// A 3 × 4 example worked by hand.
//        b0    b1    b2    b3
// a0   0.90  0.80  0.10  0.00
// a1   0.85  0.20  0.30  0.10
// a2   0.10  0.20  0.40  0.35
const S = matrix([[0.9, 0.8, 0.1, 0.0], [0.85, 0.2, 0.3, 0.1], [0.1, 0.2, 0.4, 0.35]]);
const simple = (pairs: { a: number; b: number; similarity: number }[]) =>
  pairs.map(({ a, b, similarity }) => [a, b, similarity]);

Deno.test("greedy takes the largest remaining entry each time", () => {
  const r = greedyMatch(S);
  // 0.90 (a0,b0); then a1's best left is 0.30 (b2) vs a2's 0.40 (b2) → (a2,b2) 0.40; then a1: max(0.2, 0.1) = b1.
  assert.deepEqual(simple(r.pairs), [[0, 0, 0.9], [2, 2, 0.4], [1, 1, 0.2]]);
  assertClose(r.score!, 0.5);
  assert.deepEqual(r.unmatchedA, []);
  assert.deepEqual(r.unmatchedB, [3]);
  assert.equal(r.countedCount, 3);
});

Deno.test("greedy with s and m marks exclusions and averages the rest", () => {
  const r = greedyMatch(S, { s: 0.3 });
  assert.deepEqual(r.pairs.map((p) => [p.counted, p.excludedBy]), [[true, undefined], [true, undefined], [
    false,
    "s",
  ]]);
  assertClose(r.score!, 0.65);
  const capped = greedyMatch(S, { m: 1 });
  assertClose(capped.score!, 0.9);
  assert.deepEqual(capped.pairs.map((p) => p.excludedBy), [undefined, "m", "m"]);
  // s is checked first: a pair both below s and beyond m is reported as excluded by s.
  const both = greedyMatch(S, { s: 0.3, m: 1 });
  assert.deepEqual(both.pairs.map((p) => p.excludedBy), [undefined, "m", "s"]);
});

Deno.test("greedy breaks ties by lowest row, then lowest column", () => {
  const r = greedyMatch(matrix([[0.5, 0.5], [0.5, 0.5]]));
  assert.deepEqual(simple(r.pairs), [[0, 0, 0.5], [1, 1, 0.5]]);
  const t = greedyMatch(matrix([[0.1, 0.7, 0.7], [0.7, 0.2, 0.0]]));
  assert.deepEqual(simple(t.pairs), [[0, 1, 0.7], [1, 0, 0.7]]);
});

Deno.test("optimal beats greedy where greedy is myopic", () => {
  // Greedy takes 0.9 then is forced into 0.0; optimal takes 0.8 + 0.85.
  const M = matrix([[0.9, 0.8], [0.85, 0.0]]);
  assertClose(greedyMatch(M).score!, 0.45);
  const r = optimalAssignment(M);
  assert.deepEqual(simple(r.pairs), [[1, 0, 0.85], [0, 1, 0.8]]);
  assertClose(r.score!, 0.825);
  assertClose(r.totalDistance!, 0.35);
  const lp = lpAssignment(M);
  assert.deepEqual(simple(lp.pairs), simple(r.pairs));
  assertClose(lp.totalDistance!, 0.35);
});

Deno.test("optimal on the 3 × 4 example, and its transpose", () => {
  // Best: a0-b1 (0.8) + a1-b0 (0.85) + a2-b2 (0.4) = 2.05 (vs greedy's 1.5).
  const r = optimalAssignment(S);
  assert.deepEqual(simple(r.pairs), [[1, 0, 0.85], [0, 1, 0.8], [2, 2, 0.4]]);
  assert.deepEqual(r.unmatchedB, [3]);
  const T = matrix([[0.9, 0.85, 0.1], [0.8, 0.2, 0.2], [0.1, 0.3, 0.4], [0.0, 0.1, 0.35]]);
  const t = optimalAssignment(T);
  assert.deepEqual(simple(t.pairs), [[0, 1, 0.85], [1, 0, 0.8], [2, 2, 0.4]]);
  assert.deepEqual(t.unmatchedA, [3]);
});

Deno.test("linearSumAssignment matches scipy's documented example", () => {
  // scipy.optimize.linear_sum_assignment docs: cost [[4,1,3],[2,0,5],[3,2,2]] → cols [1,0,2], total 5.
  const r = linearSumAssignment([4, 1, 3, 2, 0, 5, 3, 2, 2], 3, 3);
  assert.deepEqual(Array.from(r.rowIndices), [0, 1, 2]);
  assert.deepEqual(Array.from(r.colIndices), [1, 0, 2]);
  assert.equal(r.total, 5);
  const max = linearSumAssignment([4, 1, 3, 2, 0, 5, 3, 2, 2], 3, 3, { maximize: true });
  assert.equal(max.total, 11);
  const tall = linearSumAssignment([1, 9, 9, 1, 5, 5], 3, 2);
  assert.deepEqual(Array.from(tall.rowIndices), [0, 1]);
  assert.deepEqual(Array.from(tall.colIndices), [0, 1]);
  assert.throws(() => linearSumAssignment([1, NaN], 1, 2), /entry \(0, 1\) is NaN/);
});

Deno.test("ordered compares positions and reports per-position values", () => {
  const M = matrix([[0.9, 0.1, 0.0], [0.2, 0.3, 0.9], [0.0, 0.8, 0.6]]);
  const r = orderedMatch(M);
  assert.deepEqual(r.perPosition, [0.9, 0.3, 0.6]);
  assertClose(r.score!, 0.6);
  assert.deepEqual(simple(r.pairs), [[0, 0, 0.9], [2, 2, 0.6], [1, 1, 0.3]]);
  assertClose(orderedMatch(M, { m: 2 }).score!, 0.75);
  assert.throws(() => orderedMatch(S), /equal size.*\|A\| = 3, \|B\| = 4/);
});

Deno.test("chamfer averages nearest neighbours, one way or both", () => {
  const r = chamferScore(S);
  // A→B best: 0.9, 0.85, 0.4 → mean 0.7167.
  assertClose(r.score!, (0.9 + 0.85 + 0.4) / 3);
  assert.deepEqual(r.unmatchedB, [1, 2, 3].filter((b) => b !== 2));
  const sym = chamferScore(S, { symmetric: true });
  // B→A best: 0.9, 0.8, 0.4, 0.35 → mean 0.6125.
  assertClose(sym.score!, ((0.9 + 0.85 + 0.4) / 3 + (0.9 + 0.8 + 0.4 + 0.35) / 4) / 2);
  assert.equal(sym.pairs.length, 7);
  assert.ok(sym.pairs.every((p) => p.direction === "AtoB" || p.direction === "BtoA"));
  // s = 0.86 keeps a0→b0 (0.9) and b0→a0 (0.9) only.
  assertClose(chamferScore(S, { symmetric: true, s: 0.86 }).score!, 0.9);
  const none = chamferScore(S, { symmetric: true, s: 0.95 });
  assert.equal(none.score, null);
  assert.match(none.reason!, /^A→B: no match passed s = 0.95/);
});

Deno.test("hausdorff is decided by the worst-matched item", () => {
  const r = hausdorffScore(S);
  // min over A→B bests (0.9, 0.85, 0.4) and B→A bests (0.9, 0.8, 0.4, 0.35) = 0.35 (b3).
  assertClose(r.score!, 0.35);
  assertClose(r.distance!, 0.65);
  const last = r.pairs[r.pairs.length - 1];
  assert.deepEqual([last.a, last.b, last.direction], [2, 3, "BtoA"]);
  assertClose(hausdorffScore(S, { symmetric: false }).score!, 0.4);
});

Deno.test("sinkhorn plan has uniform marginals and approaches the optimal assignment as ε → 0", () => {
  const M = matrix([[0.9, 0.8], [0.85, 0.0]]);
  const r = sinkhornScore(S, { epsilon: 0.1 });
  const plan = r.plan!;
  for (let i = 0; i < 3; i++) {
    assertClose(plan[i * 4] + plan[i * 4 + 1] + plan[i * 4 + 2] + plan[i * 4 + 3], 1 / 3);
  }
  for (let j = 0; j < 4; j++) {
    assertClose(plan[j] + plan[4 + j] + plan[8 + j], 1 / 4, 1e-9, `column ${j} mass`);
  }
  assert.ok(r.marginalError! < 1e-9);
  // Hitting the iteration limit keeps rows exact and reports the column error.
  const early = sinkhornScore(M, { epsilon: 0.05, maxIterations: 3 });
  assert.equal(early.iterations, 3);
  assertClose(early.plan![0] + early.plan![1], 0.5, 1e-12, "row mass at the limit");
  assertClose(
    Math.abs(early.plan![0] + early.plan![2] - 0.5) * 2,
    early.marginalError!,
    1e-12,
    "reported error",
  );
  const sharp = sinkhornScore(M, { epsilon: 0.002 }); // log-domain branch
  assertClose(sharp.score!, 0.825, 1e-3, "ε → 0 score");
  assert.deepEqual(sharp.pairs.map((p) => [p.a, p.b]), [[1, 0], [0, 1]]);
  // Large ε spreads mass uniformly: score → mean of S.
  assertClose(sinkhornScore(M, { epsilon: 1000 }).score!, (0.9 + 0.8 + 0.85) / 4, 1e-3, "ε → ∞ score");
  // The scaling and log-domain solvers agree where both are safe.
  for (const epsilon of [0.01, 0.05, 0.5]) {
    const scaling = sinkhornPlan(S.data, 3, 4, epsilon, 100000, 1e-12, "scaling");
    const log = sinkhornPlan(S.data, 3, 4, epsilon, 100000, 1e-12, "log");
    assertClose(scaling.score, log.score, 1e-9, `ε = ${epsilon}: scaling vs log`);
  }
  // Values far outside [−1, 1] (a similarity file that is not cosine) do not overflow to NaN.
  const wide = sinkhornScore(matrix([[50, -40], [-45, 60]]), { epsilon: 0.05 });
  assert.ok(Number.isFinite(wide.score!));
  assertClose(wide.score!, 55, 1e-6);
});

Deno.test("centroid is the cosine of the mean unit vectors", () => {
  const A = embeddingsFromRows([[1, 0], [0, 2]]); // unit means: (0.5, 0.5)
  const B = embeddingsFromRows([[3, 0]]);
  assertClose(centroidScore(A, B).score!, Math.SQRT1_2, 1e-7);
  assertClose(matchSets(A, B, { method: "centroid" }).score!, Math.SQRT1_2, 1e-7);
  const cancel = centroidScore(embeddingsFromRows([[1, 0], [-1, 0]]), B);
  assert.equal(cancel.score, null);
  assert.match(cancel.reason!, /mean unit vector of A is zero/);
  assert.throws(() => scoreSimilarityMatrix(S, { method: "centroid" }), /needs the embeddings/);
});

Deno.test("a set of one image works for every method", () => {
  const A = embeddingsFromRows([[1, 0, 0]]);
  const B = embeddingsFromRows([[1, 1, 0], [0, 0, 1]]);
  for (const method of ["greedy", "optimal", "lp", "chamfer", "hausdorff", "sinkhorn", "centroid"] as const) {
    const r = matchSets(A, B, { method });
    assert.ok(r.score !== null && Number.isFinite(r.score), `${method} gives a finite score`);
  }
  const one = matchSets(A, B, { method: "greedy" });
  assertClose(one.score!, Math.SQRT1_2, 1e-7);
  assert.deepEqual(one.unmatchedB, [1]);
  assertClose(matchSets(A, A, { method: "ordered" }).score!, 1, 1e-7);
});

Deno.test("matchSets normalises rows so S is a cosine", () => {
  const A = embeddingsFromRows([[3, 4], [10, 0]]);
  const B = embeddingsFromRows([[0.6, 0.8], [0, 5]]);
  const r = matchSets(A, B, { method: "optimal" });
  // Â = [(0.6, 0.8), (1, 0)], B̂ = [(0.6, 0.8), (0, 1)]: S = [[1, 0.8], [0.6, 0]].
  // Optimal pairs a0-b1 and a1-b0 (0.8 + 0.6) beat the diagonal (1 + 0).
  assertClose(r.score!, 0.7, 1e-7);
});
