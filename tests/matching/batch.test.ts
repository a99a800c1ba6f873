import assert from "node:assert/strict";
import {
  centroidScore,
  type MatchOptions,
  matchSequences,
  matchSequencesParallel,
  NO_MATCH_SCORE,
  ScoreMatrix,
  scoreSequences,
  scoreSetPairs,
  scoreSetPairsParallel,
  scoreSimilarityMatrix,
  type SimilarityMatrix,
} from "../../lib/matching/mod.ts";
import { selectRows } from "../../lib/types.ts";
import { assertClose, randomMatrix, seededRandom } from "./helpers.ts";

function subMatrix(S: SimilarityMatrix, rows: number[], cols: number[]): SimilarityMatrix {
  const data = new Float64Array(rows.length * cols.length);
  rows.forEach((r, i) => cols.forEach((c, j) => data[i * cols.length + j] = S.data[r * S.cols + c]));
  return { rows: rows.length, cols: cols.length, data };
}

function randomSets(rand: () => number, n: number, limit: number, sizes: number[]): number[][] {
  return Array.from({ length: n }, () => {
    const size = sizes[Math.floor(rand() * sizes.length)];
    return Array.from({ length: size }, () => Math.floor(rand() * limit));
  });
}

const rand = seededRandom(11);
const S32 = randomMatrix(rand, 40, 50, 10);
const similarity = { rows: 40, cols: 50, data: Float32Array.from(S32.data) };
const querySets = randomSets(rand, 7, 40, [1, 3, 4, 5]);
const gallerySets = randomSets(rand, 9, 50, [1, 2, 4, 5, 6]);
const input = { similarity, querySets, gallerySets };

Deno.test("scoreSetPairs equals scoreSimilarityMatrix pair by pair, for every matrix method", () => {
  const settings: MatchOptions[] = [
    { method: "greedy" },
    { method: "greedy", s: 0.2, m: 2 },
    { method: "optimal", s: 0.5 },
    { method: "lp", m: 3 },
    { method: "chamfer", s: 0.1 },
    { method: "chamfer", symmetric: true, s: 0.3 },
    { method: "hausdorff" },
    { method: "hausdorff", symmetric: false },
    { method: "sinkhorn", epsilon: 0.1 },
  ];
  for (const options of settings) {
    const scores = scoreSetPairs(input, options);
    assert.deepEqual([scores.rows, scores.cols, scores.data.length, scores.method], [
      querySets.length,
      gallerySets.length,
      querySets.length * gallerySets.length,
      options.method,
    ]);
    assert.equal(scores.unconverged, 0);
    querySets.forEach((Q, q) =>
      gallerySets.forEach((G, g) => {
        const r = scoreSimilarityMatrix(subMatrix(similarity, Q, G), options);
        const expected = r.score ?? NO_MATCH_SCORE;
        assert.ok(!Number.isNaN(scores.get(q, g)));
        assert.equal(scores.get(q, g), scores.data[q * gallerySets.length + g]);
        assert.equal(scores.score(q, g), r.score === null ? null : scores.get(q, g));
        assertClose(
          scores.get(q, g),
          expected,
          1e-12,
          `${JSON.stringify(options)} (${q}, ${g})`,
        );
      })
    );
  }
});

Deno.test("ordered in batch needs equal sizes and agrees with the per-pair function", () => {
  const sets4 = randomSets(rand, 5, 40, [4]);
  const g4 = randomSets(rand, 6, 50, [4]);
  const scores = scoreSetPairs({ similarity, querySets: sets4, gallerySets: g4 }, { method: "ordered" });
  assertClose(
    scores.get(1, 1),
    scoreSimilarityMatrix(subMatrix(similarity, sets4[1], g4[1]), { method: "ordered" }).score!,
  );
  assert.throws(() => scoreSetPairs(input, { method: "ordered" }), /equal size/);
});

Deno.test("matchSequences + scoreSequences reproduce scoreSetPairs under any (s, m)", () => {
  for (const method of ["greedy", "optimal", "chamfer"] as const) {
    const sequences = matchSequences(input, { method });
    for (const s of [undefined, -1, 0, 0.4, 0.9, 1]) {
      for (const m of [undefined, 1, 2, 5]) {
        const fast = scoreSequences(sequences, { s, m });
        const direct = scoreSetPairs(input, { method, s, m });
        assert.deepEqual(fast, direct.data, `${method} s=${s} m=${m}`);
      }
    }
  }
  assert.throws(() => matchSequences(input, { method: "sinkhorn" }), /use scoreSetPairs/);
  assert.throws(() => matchSequences(input, { method: "chamfer", symmetric: true }), /one-directional/);
});

Deno.test("no match passing s ranks as −Infinity, below every real score", () => {
  const scores = scoreSetPairs(input, { method: "greedy", s: 0.95 }).data;
  assert.ok(scores.some((x) => x === NO_MATCH_SCORE));
  assert.ok(scores.every((x) => x === NO_MATCH_SCORE || (x >= 0.95 && x <= 1)));
  const ranked = Array.from(scores).sort((x, y) => y - x);
  assert.equal(ranked[ranked.length - 1], NO_MATCH_SCORE);
});

Deno.test("centroid in batch equals centroidScore on the selected rows", () => {
  const dim = 6;
  const emb = (n: number) => ({
    data: Float32Array.from({ length: n * dim }, () => rand() * 2 - 1),
    count: n,
    dim,
  });
  const queryEmbeddings = emb(40), galleryEmbeddings = emb(50);
  const scores = scoreSetPairs({ ...input, queryEmbeddings, galleryEmbeddings }, { method: "centroid" });
  querySets.forEach((Q, q) =>
    gallerySets.forEach((G, g) => {
      const r = centroidScore(selectRows(queryEmbeddings, Q), selectRows(galleryEmbeddings, G));
      assertClose(scores.get(q, g), r.score!, 1e-6, `centroid (${q}, ${g})`);
    })
  );
  assert.throws(() => scoreSetPairs(input, { method: "centroid" }), /needs input\.queryEmbeddings/);
});

Deno.test("bad set indices are rejected with their position", () => {
  assert.throws(
    () => scoreSetPairs({ similarity, querySets: [[0, 40]], gallerySets }, { method: "greedy" }),
    /querySets\[0\]\[1\] = 40 is not a row index in 0\.\.39/,
  );
  assert.throws(
    () => scoreSetPairs({ similarity, querySets, gallerySets: [[]] }, { method: "greedy" }),
    /gallerySets\[0\] is empty/,
  );
  assert.throws(
    () => scoreSetPairs({ similarity, querySets: [], gallerySets }, { method: "greedy" }),
    /non-empty array/,
  );
});

Deno.test("the parallel batch functions return exactly the serial results", async () => {
  const options = { method: "optimal" as const, s: 0.2, m: 3 };
  const parallel = await scoreSetPairsParallel(input, options, { workers: 2 });
  assert.deepEqual(parallel, scoreSetPairs(input, options));
  const sequences = await matchSequencesParallel(input, { method: "greedy" }, { workers: 3 });
  const serial = matchSequences(input, { method: "greedy" });
  assert.deepEqual(sequences.offsets, serial.offsets);
  assert.deepEqual(sequences.values, serial.values);
  await assert.rejects(
    () => scoreSetPairsParallel({ ...input, gallerySets: [[99]] }, options),
    /gallerySets\[0\]\[0\] = 99/,
  );
});

Deno.test("ScoreMatrix: accessors check their indices, row views, null for no match", () => {
  const scores = scoreSetPairs(input, { method: "greedy", s: 0.95 });
  assert.throws(() => scores.get(querySets.length, 0), /query set 7 is out of range 0\.\.6/);
  assert.throws(() => scores.get(0, -1), /gallery set -1 is out of range 0\.\.8/);
  assert.throws(() => scores.row(1.5), /query set 1.5 is out of range/);
  assert.deepEqual(Array.from(scores.row(2)), Array.from(scores.data.subarray(2 * 9, 3 * 9)));
  for (let q = 0; q < scores.rows; q++) {
    for (let g = 0; g < scores.cols; g++) {
      assert.equal(scores.score(q, g), scores.get(q, g) === NO_MATCH_SCORE ? null : scores.get(q, g));
    }
  }
  assert.throws(() => new ScoreMatrix("greedy", 2, 2, new Float64Array(3)), /length 3, expected 2 × 2 = 4/);
});

Deno.test("sinkhorn in batch counts the pairs that did not converge", async () => {
  const capped = scoreSetPairs(input, { method: "sinkhorn", epsilon: 1e-4, maxIterations: 2 });
  assert.ok(capped.unconverged > 0 && capped.unconverged <= capped.data.length);
  const parallel = await scoreSetPairsParallel(
    input,
    { method: "sinkhorn", epsilon: 1e-4, maxIterations: 2 },
    {
      workers: 2,
    },
  );
  assert.equal(parallel.unconverged, capped.unconverged);
  assert.equal(scoreSetPairs(input, { method: "sinkhorn", epsilon: 1e-4 }).unconverged, 0);
});

Deno.test("evaluation's batch path warns when sinkhorn pairs did not converge (issue 10: 4, elsewhere)", async () => {
  const { scorePrepared } = await import("../../lib/evaluation/run.ts");
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (message: string) => warnings.push(message);
  try {
    const prepared = { similarity, querySets, gallerySets } as unknown as Parameters<typeof scorePrepared>[0];
    scorePrepared(prepared, { method: "sinkhorn", epsilon: 1e-4, maxIterations: 2 });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /warning: sinkhorn: \d+ of 63 set pairs did not converge/);
    scorePrepared(prepared, { method: "sinkhorn", epsilon: 1e-4 });
    scorePrepared(prepared, { method: "greedy" });
    assert.equal(warnings.length, 1, "no warning when every pair converged");
  } finally {
    console.warn = warn;
  }
});
