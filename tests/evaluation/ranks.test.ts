import assert from "node:assert/strict";
import { lostTopRanks, relevantRanks } from "../../lib/evaluation/mod.ts";
import { pairThresholdGrid } from "../../lib/sweep/mod.ts";

const relevance = new Uint8Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);

Deno.test("relevantRanks: optimistic rank of the relevant set, null when it has no score", () => {
  const scores = new Float64Array([0.5, 0.9, 0.5, 0.2, 0.8, 0.1, 0.4, 0.3, -Infinity]);
  assert.deepEqual(relevantRanks(scores, { nQuery: 3, nGallery: 3, relevance }), [
    { query: 0, rank: 2, top: 1 },
    { query: 1, rank: 1, top: 1 },
    { query: 2, rank: null, top: 0 },
  ]);
});

Deno.test("relevantRanks ignores excluded gallery sets", () => {
  const scores = new Float64Array([0.5, 0.9, 0.1, 0, 1, 0, 0, 0, 1]);
  const excluded = new Uint8Array([0, 1, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(relevantRanks(scores, { nQuery: 3, nGallery: 3, relevance, excluded })[0].rank, 1);
});

Deno.test("lostTopRanks lists queries that lose rank 1, worst first", () => {
  const before = new Float64Array([0.9, 0.1, 0.1, 0.1, 0.9, 0.1, 0.1, 0.1, 0.9]);
  const after = new Float64Array([0.5, 0.9, 0.1, 0.1, 0.9, 0.1, 0.1, 0.1, -Infinity]);
  assert.deepEqual(lostTopRanks(before, after, { nQuery: 3, nGallery: 3, relevance }), [
    { query: 2, before: 1, after: null, topAfter: 0 },
    { query: 0, before: 1, after: 2, topAfter: 1 },
  ]);
});

Deno.test("pairThresholdGrid scores each pair under each (s, m)", () => {
  const S = { rows: 2, cols: 2, data: new Float64Array([0.9, 0.1, 0.2, 0.6]) };
  const rows = pairThresholdGrid([{ name: "x", similarity: S }], { s: [null, 0.8], m: [1, null] });
  assert.deepEqual(rows, [
    { s: "none", m: 1, x: 0.9 },
    { s: "none", m: "all", x: 0.75 },
    { s: 0.8, m: 1, x: 0.9 },
    { s: 0.8, m: "all", x: 0.9 },
  ]);
  assert.throws(() => pairThresholdGrid([], { s: [null], m: [null] }), /must not be empty/);
});

Deno.test("gridDifference subtracts matching (s, m) cells and rejects mismatched grids", async () => {
  const { gridDifference } = await import("../../lib/sweep/mod.ts");
  const row = (s: number | null, m: number | null, value: number) => ({
    setting: { s, m },
    metrics: { recall_at_1: { value, lo: value, hi: value } },
  });
  const a = [row(null, 1, 0.5), row(0.8, null, 0.4)];
  const b = [row(0.8, null, 0.7), row(null, 1, 0.5)];
  const diff = gridDifference(a, b, "recall_at_1");
  assert.deepEqual(
    diff.map((d) => [d.setting.s, d.setting.m, Number(d.metrics.difference.value.toFixed(6))]),
    [[null, 1, 0], [
      0.8,
      null,
      0.3,
    ]],
  );
  assert.throws(() => gridDifference(a, [b[0]], "recall_at_1"), /same \(s, m\) cells/);
});
