import assert from "node:assert/strict";
import { allPairsSetScores, chamferAllPairs } from "../../lib/matching/allpairs.ts";
import { cosineSimilarityMatrix, NO_MATCH_SCORE, scoreSetPairs } from "../../lib/matching/mod.ts";
import { mulberry32 } from "../../lib/random/mod.ts";

function embeddings(rand: () => number, count: number, dim: number) {
  return { data: Float32Array.from({ length: count * dim }, () => rand() * 2 - 1), count, dim };
}

Deno.test("all pairs: chamfer, centroid and optimal equal scoreSetPairs on uneven sets", async () => {
  const rand = mulberry32(11);
  const Q = embeddings(rand, 23, 7), G = embeddings(rand, 19, 7);
  const querySets = [[0, 1, 2], [3], [4, 5, 6, 7, 8, 9], [10, 22, 11], [12, 13]];
  const gallerySets = [[0, 1], [2, 3, 4, 5, 6], [18], [7, 8, 9, 10], [11, 12, 13, 14, 15, 16]];
  const similarity = cosineSimilarityMatrix(Q, G);
  const input = { queryEmbeddings: Q, galleryEmbeddings: G, querySets, gallerySets };
  for (const method of ["chamfer", "optimal", "greedy"] as const) {
    const want = scoreSetPairs({ similarity, querySets, gallerySets }, { method });
    const got = (await allPairsSetScores(input, { method })).data;
    got.forEach((v, p) =>
      assert.ok(Math.abs(v - want.data[p]) < 1e-6, `${method} pair ${p}: ${v} vs ${want.data[p]}`)
    );
  }
  const want = scoreSetPairs({ similarity, ...input }, { method: "centroid" });
  const got = (await allPairsSetScores(input, { method: "centroid" })).data;
  got.forEach((v, p) =>
    assert.ok(Math.abs(v - want.data[p]) < 1e-5, `centroid pair ${p}: ${v} vs ${want.data[p]}`)
  );
  // options still go through scoreSetPairs
  const thresholded = (await allPairsSetScores(input, { method: "chamfer", s: 0.2 })).data;
  const reference = scoreSetPairs({ similarity, querySets, gallerySets }, { method: "chamfer", s: 0.2 });
  thresholded.forEach((v, p) =>
    assert.ok(v === reference.data[p] || Math.abs(v - reference.data[p]) < 1e-6, `s = 0.2, pair ${p}`)
  );
});

Deno.test("all pairs: hand-checked chamfer; centroid of cancelling directions scores NO_MATCH_SCORE", async () => {
  const S = { rows: 2, cols: 3, data: new Float32Array([0.9, 0.1, 0.5, 0.2, 0.8, 0.3]) };
  const scores = chamferAllPairs(S, [[0, 1]], [[0, 1], [2]]);
  assert.deepEqual(Array.from(scores, (v) => Number(v.toFixed(6))), [0.85, 0.4]);
  const e = { data: new Float32Array([1, 0, -1, 0, 0, 1]), count: 3, dim: 2 };
  const c = await allPairsSetScores(
    { queryEmbeddings: e, galleryEmbeddings: e, querySets: [[0, 1], [2]], gallerySets: [[2]] },
    { method: "centroid" },
  );
  assert.deepEqual(Array.from(c.data), [NO_MATCH_SCORE, 1]);
  assert.equal(c.score(0, 0), null);
});

Deno.test("all pairs: bad input is named (non-finite value, zero row, bad set, unknown method)", async () => {
  const e = { data: new Float32Array([1, 0, 0, 1]), count: 2, dim: 2 };
  const nan = { data: new Float32Array([1, 0, NaN, 1]), count: 2, dim: 2 };
  const zero = { data: new Float32Array([1, 0, 0, 0]), count: 2, dim: 2 };
  const sets = [[0], [1]];
  const run = (q: typeof e, method: string, s = sets) =>
    allPairsSetScores({ queryEmbeddings: q, galleryEmbeddings: e, querySets: s, gallerySets: sets }, {
      method: method as "centroid",
    });
  await assert.rejects(run(nan, "centroid"), /queryEmbeddings row 1 has a non-finite value/);
  await assert.rejects(run(nan, "chamfer"), /queryEmbeddings row 1 has a non-finite value/);
  await assert.rejects(run(zero, "centroid"), /queryEmbeddings.*row 1/);
  await assert.rejects(run(e, "centroid", [[0], [5]]), /querySets\[1\]\[0\] = 5/);
  await assert.rejects(run(e, "nearest"), /method/);
});
