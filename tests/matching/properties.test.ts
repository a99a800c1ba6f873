import assert from "node:assert/strict";
import {
  AssignmentWorkspace,
  greedyMatch,
  linearSumAssignment,
  lpAssignment,
  optimalAssignment,
  type SimilarityMatrix,
} from "../../lib/matching/mod.ts";
import { solveAssignmentInPlace } from "../../lib/matching/assignment.ts";
import { assertClose, bruteForceBestTotal, randomMatrix, referenceGreedy, seededRandom } from "./helpers.ts";

const total = (pairs: { similarity: number }[]) => pairs.reduce((t, p) => t + p.similarity, 0);

function* smallMatrices(seed: number, count: number): Generator<SimilarityMatrix> {
  const rand = seededRandom(seed);
  for (let k = 0; k < count; k++) {
    const rows = 1 + Math.floor(rand() * 6), cols = 1 + Math.floor(rand() * 6);
    // Every third matrix is quantised to 5 levels so ties are common.
    yield randomMatrix(rand, rows, cols, k % 3 === 0 ? 4 : undefined);
  }
}

function assertOneToOne(S: SimilarityMatrix, pairs: { a: number; b: number }[], what: string): void {
  assert.equal(pairs.length, Math.min(S.rows, S.cols), `${what}: min(|A|, |B|) pairs`);
  assert.equal(new Set(pairs.map((p) => p.a)).size, pairs.length, `${what}: rows distinct`);
  assert.equal(new Set(pairs.map((p) => p.b)).size, pairs.length, `${what}: columns distinct`);
}

Deno.test("optimal equals brute force on 3,000 random rectangular matrices (1..6 × 1..6)", () => {
  for (const S of smallMatrices(1, 3000)) {
    const r = optimalAssignment(S);
    assertOneToOne(S, r.pairs, `${S.rows}×${S.cols}`);
    assertClose(total(r.pairs), bruteForceBestTotal(S), 1e-9, `${S.rows}×${S.cols} optimal total`);
    // Best first, non-increasing.
    for (let k = 1; k < r.pairs.length; k++) assert.ok(r.pairs[k - 1].similarity >= r.pairs[k].similarity);
  }
});

Deno.test("lp equals brute force and the fast solver on 3,000 random rectangular matrices", () => {
  for (const S of smallMatrices(2, 3000)) {
    const lp = lpAssignment(S);
    assertOneToOne(S, lp.pairs, `${S.rows}×${S.cols} lp`);
    const best = bruteForceBestTotal(S);
    assertClose(total(lp.pairs), best, 1e-9, `${S.rows}×${S.cols} lp total`);
    assertClose(total(optimalAssignment(S).pairs), total(lp.pairs), 1e-9, "lp vs fast solver");
  }
});

Deno.test("linearSumAssignment minimises any finite cost, wide or tall", () => {
  const rand = seededRandom(3);
  for (let k = 0; k < 1000; k++) {
    const rows = 1 + Math.floor(rand() * 6), cols = 1 + Math.floor(rand() * 6);
    const cost = Array.from({ length: rows * cols }, () => Math.round(rand() * 200 - 100));
    const { rowIndices, colIndices, total: t } = linearSumAssignment(cost, rows, cols);
    const neg = { rows, cols, data: Float64Array.from(cost, (x) => -x) };
    assert.equal(t, -bruteForceBestTotal(neg), `${rows}×${cols}`);
    for (let i = 1; i < rowIndices.length; i++) {
      assert.ok(rowIndices[i - 1] < rowIndices[i], "rows ascending");
    }
    assert.equal(new Set(colIndices).size, colIndices.length);
  }
});

Deno.test("greedy equals its definition on 3,000 random matrices, ties included", () => {
  for (const S of smallMatrices(4, 3000)) {
    const r = greedyMatch(S);
    assert.deepEqual(
      r.pairs.map(({ a, b, similarity }) => ({ a, b, similarity })),
      referenceGreedy(S),
      `${S.rows}×${S.cols}`,
    );
    // Greedy's total is at least half the optimum (the 1/2-approximation bound), at most the optimum,
    // on non-negative weights.
    const shifted = { ...S, data: S.data.map((x) => (x + 1) / 2) };
    const g = total(greedyMatch(shifted).pairs), best = bruteForceBestTotal(shifted);
    assert.ok(g <= best + 1e-12 && g >= best / 2 - 1e-12);
  }
});

Deno.test("greedy's sorting path (large blocks) equals its scanning path's definition", () => {
  const rand = seededRandom(5);
  for (const [rows, cols, levels] of [[40, 30, undefined], [33, 50, 8], [64, 64, 3]] as const) {
    const S = randomMatrix(rand, rows, cols, levels);
    assert.deepEqual(
      greedyMatch(S).pairs.map(({ a, b, similarity }) => ({ a, b, similarity })),
      referenceGreedy(S),
    );
  }
});

Deno.test("optimal matches brute-force-free checks on larger matrices: ≥ greedy, = transpose", () => {
  const rand = seededRandom(6);
  for (let k = 0; k < 50; k++) {
    const rows = 10 + Math.floor(rand() * 40), cols = 10 + Math.floor(rand() * 40);
    const S = randomMatrix(rand, rows, cols);
    const T = { rows: cols, cols: rows, data: new Float64Array(rows * cols) };
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) T.data[j * rows + i] = S.data[i * cols + j];
    const o = total(optimalAssignment(S).pairs);
    assert.ok(o >= total(greedyMatch(S).pairs) - 1e-9);
    assertClose(o, total(optimalAssignment(T).pairs), 1e-9, "transpose");
  }
});

Deno.test("s and m: counted matches are a prefix of length min(m, #{S ≥ s})", () => {
  const rand = seededRandom(7);
  for (const S of smallMatrices(8, 500)) {
    const s = Math.round((rand() * 2 - 1) * 10) / 10, m = 1 + Math.floor(rand() * 6);
    for (const r of [greedyMatch(S, { s, m }), optimalAssignment(S, { s, m })]) {
      const passing = r.pairs.filter((p) => p.similarity >= s).length;
      const k = Math.min(m, passing);
      assert.deepEqual(r.pairs.map((p) => p.counted), r.pairs.map((_, i) => i < k));
      if (k === 0) {
        assert.equal(r.score, null);
        assert.match(r.reason!, /no match passed s/);
      } else assertClose(r.score!, total(r.pairs.slice(0, k)) / k, 1e-12);
    }
  }
});

Deno.test("the exact solver is optimal with and without its augmenting-row-reduction warm start", () => {
  const rand = seededRandom(9);
  const ws = new AssignmentWorkspace();
  for (let k = 0; k < 2000; k++) {
    const nr = 1 + Math.floor(rand() * 6), nc = nr + Math.floor(rand() * 3);
    const S = randomMatrix(rand, nr, nc, k % 2 === 0 ? 3 : undefined);
    const cost = S.data.map((x) => -x);
    const best = bruteForceBestTotal(S);
    for (const passes of [0, 1, 2, 5]) {
      const col4row = solveAssignmentInPlace(cost, nr, nc, ws, passes);
      assert.equal(new Set(col4row.subarray(0, nr)).size, nr, `passes=${passes}: distinct columns`);
      let total = 0;
      for (let i = 0; i < nr; i++) total += S.data[i * nc + col4row[i]];
      assertClose(total, best, 1e-9, `${nr}×${nc} passes=${passes}`);
    }
  }
});

Deno.test("larger assignments carry an LP optimality certificate (dual feasibility + complementary slackness)", () => {
  const rand = seededRandom(10);
  const ws = new AssignmentWorkspace();
  for (let k = 0; k < 60; k++) {
    const nr = 5 + Math.floor(rand() * 60), nc = nr + Math.floor(rand() * 30);
    const cost = randomMatrix(rand, nr, nc, k % 3 === 0 ? 5 : undefined).data;
    const col4row = solveAssignmentInPlace(cost, nr, nc, ws, k % 2 === 0 ? 2 : 0);
    const { u, v } = ws;
    const assigned = new Uint8Array(nc);
    for (let i = 0; i < nr; i++) {
      assigned[col4row[i]] = 1;
      for (let j = 0; j < nc; j++) {
        const reduced = cost[i * nc + j] - u[i] - v[j];
        assert.ok(reduced >= -1e-9, `${nr}×${nc}: reduced cost (${i}, ${j}) = ${reduced} < 0`);
        if (j === col4row[i]) assert.ok(Math.abs(reduced) < 1e-9, `assigned edge (${i}, ${j}) not tight`);
      }
    }
    for (let j = 0; j < nc; j++) {
      assert.ok(v[j] <= 1e-9, `v[${j}] = ${v[j]} > 0`);
      if (!assigned[j]) assert.ok(Math.abs(v[j]) < 1e-9, `free column ${j} has v = ${v[j]}`);
    }
  }
});
