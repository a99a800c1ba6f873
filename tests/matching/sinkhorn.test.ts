/**
 * Sinkhorn at small ε (issue 10, case 4): the log-domain iteration with ε-scaling converges, reports
 * `converged`, `iterations` and `marginalError`, and lands where theory says — within ε·log(min(r, c))
 * below the unregularised optimal-transport score, never above it.
 */
import assert from "node:assert/strict";
import { optimalAssignment, type SimilarityMatrix, sinkhornScore } from "../../lib/matching/mod.ts";
import { sinkhornPlan } from "../../lib/matching/kernels.ts";
import { assertClose, matrix, randomMatrix, seededRandom } from "./helpers.ts";

/**
 * The optimal-transport score between the uniform measures on rows and columns: with every row
 * repeated c times and every column r times, uniform transport is an assignment of the rc × rc
 * copies (integral marginals c and r have integral optimal vertices), solved by optimalAssignment.
 */
function transportOptimum(S: SimilarityMatrix): number {
  const { rows: r, cols: c } = S;
  const n = r * c;
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) data[i * n + j] = S.data[Math.floor(i / c) * c + Math.floor(j / r)];
  }
  return optimalAssignment({ rows: n, cols: n, data }).score!;
}

/** The article's two boots (notebook 04's worked example). */
const BOOTS = matrix([
  [0.837, 0.835, 0.747, 0.7703, 0.698],
  [0.803, 0.799, 0.838, 0.769, 0.769],
  [0.772, 0.752, 0.794, 0.761, 0.796],
  [0.787, 0.785, 0.794, 0.866, 0.881],
]);

function checkAgainstTheory(S: SimilarityMatrix, epsilon: number, what: string) {
  const r = sinkhornScore(S, { epsilon });
  assert.equal(r.converged, true, `${what}: converged (marginal error ${r.marginalError})`);
  assert.ok(r.marginalError! <= 1e-9, `${what}: marginal error ${r.marginalError}`);
  const ot = transportOptimum(S);
  const slack = 1e-8;
  assert.ok(r.score! <= ot + slack, `${what}: ${r.score} is above the transport optimum ${ot}`);
  const gap = epsilon * Math.log(Math.min(S.rows, S.cols));
  assert.ok(r.score! >= ot - gap - slack, `${what}: ${r.score} is more than ε log n = ${gap} below ${ot}`);
  return r;
}

Deno.test("the transport oracle equals the assignment optimum on square matrices (hand-checked)", () => {
  const square = matrix([[0.9, 0.8], [0.85, 0]]);
  assertClose(transportOptimum(square), 0.825, 1e-12); // a0→b1, a1→b0
  // 1 × 2: the one row sends half its mass to each column.
  assertClose(transportOptimum(matrix([[0.9, 0.5]])), 0.7, 1e-12);
});

Deno.test("sinkhorn at ε = 1e-6 converges to the optimum from below (the article's boots, 4 × 4 and 4 × 5)", () => {
  const square: SimilarityMatrix = {
    rows: 4,
    cols: 4,
    data: Float64Array.from([0, 1, 2, 3].flatMap((i) => Array.from(BOOTS.data.subarray(i * 5, i * 5 + 4)))),
  };
  const r = checkAgainstTheory(square, 1e-6, "boots 4 × 4");
  assertClose(r.score!, optimalAssignment(square).score!, 1e-5, "square: the assignment optimum");
  assert.ok(r.score! <= optimalAssignment(square).score! + 1e-9);
  checkAgainstTheory(BOOTS, 1e-6, "boots 4 × 5");
});

Deno.test("sinkhorn converges within ε log n of the transport optimum for every ε (random matrices)", () => {
  const rand = seededRandom(21);
  for (let trial = 0; trial < 40; trial++) {
    const rows = 1 + Math.floor(rand() * 5), cols = 1 + Math.floor(rand() * 5);
    const S = randomMatrix(rand, rows, cols, trial % 3 === 0 ? 3 : undefined);
    for (const epsilon of [0.1, 1e-2, 1e-3, 1e-4, 1e-6]) {
      checkAgainstTheory(S, epsilon, `trial ${trial} (${rows} × ${cols}), ε = ${epsilon}`);
    }
  }
});

Deno.test("log-domain and plain scaling agree where both converge", () => {
  const rand = seededRandom(3);
  let compared = 0;
  for (let trial = 0; trial < 10; trial++) {
    const S = randomMatrix(rand, 2 + (trial % 4), 3 + (trial % 3));
    for (const epsilon of [0.02, 0.05, 0.5]) {
      const plain = sinkhornPlan(S.data, S.rows, S.cols, epsilon, 20000, 1e-12, "scaling");
      const log = sinkhornPlan(S.data, S.rows, S.cols, epsilon, 20000, 1e-12, "log");
      assert.ok(log.converged, `trial ${trial}, ε = ${epsilon}: log domain converged`);
      if (!plain.converged) continue; // plain scaling is slow on nearly degenerate problems
      compared++;
      assertClose(plain.score, log.score, 1e-9, `trial ${trial}, ε = ${epsilon}: plain vs log`);
      for (let k = 0; k < plain.plan.length; k++) assertClose(plain.plan[k], log.plan[k], 1e-9, "plan");
    }
  }
  assert.ok(compared >= 25, `only ${compared} of 30 comparisons converged in the plain domain`);
});

Deno.test("hitting the iteration limit says so: converged false, rows exact, the column error reported", () => {
  for (const domain of ["scaling", "log"] as const) {
    const S = matrix([[0.9, 0.8], [0.85, 0]]);
    const early = sinkhornPlan(S.data, 2, 2, 0.05, 2, 1e-9, domain);
    assert.equal(early.converged, false, domain);
    assert.equal(early.iterations, 2, domain);
    assertClose(early.plan[0] + early.plan[1], 0.5, 1e-12, `${domain}: row mass`);
    const columnError = Math.abs(early.plan[0] + early.plan[2] - 0.5) +
      Math.abs(early.plan[1] + early.plan[3] - 0.5);
    assertClose(early.marginalError, columnError, 1e-12, `${domain}: reported error`);
    assert.ok(early.marginalError > 1e-9);
  }
  const result = sinkhornScore(BOOTS, { epsilon: 1e-6, maxIterations: 5 });
  assert.equal(result.converged, false);
  assert.equal(result.iterations, 5);
});
