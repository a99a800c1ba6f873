import assert from "node:assert/strict";
import {
  centroidScore,
  type MatchOptions,
  matchSequences,
  matchSequencesParallel,
  NO_MATCH_SCORE,
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
    assert.equal(scores.length, querySets.length * gallerySets.length);
    querySets.forEach((Q, q) =>
      gallerySets.forEach((G, g) => {
        const r = scoreSimilarityMatrix(subMatrix(similarity, Q, G), options);
        const expected = r.score ?? NO_MATCH_SCORE;
        assert.ok(!Number.isNaN(scores[q * gallerySets.length + g]));
        assertClose(
          scores[q * gallerySets.length + g],
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
    scores[7],
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
        assert.deepEqual(fast, direct, `${method} s=${s} m=${m}`);
      }
    }
  }
  assert.throws(() => matchSequences(input, { method: "sinkhorn" }), /use scoreSetPairs/);
  assert.throws(() => matchSequences(input, { method: "chamfer", symmetric: true }), /one-directional/);
});

Deno.test("no match passing s ranks as −Infinity, below every real score", () => {
  const scores = scoreSetPairs(input, { method: "greedy", s: 0.95 });
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
      assertClose(scores[q * gallerySets.length + g], r.score!, 1e-6, `centroid (${q}, ${g})`);
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
