import assert from "node:assert/strict";
import { CodeScanSession, quantizeCodes, quantizeQueries } from "../../lib/index/code_scan.ts";
import { createRng } from "../../lib/random/mod.ts";

/** Exact top-k row indices of rows · q (ties: lower row first). */
function exactTop(
  codes: Float32Array,
  rows: number,
  dim: number,
  q: Float32Array,
  k: number,
  bias?: Float32Array,
) {
  const scores = Array.from({ length: rows }, (_, r) => {
    let dot = 0;
    for (let c = 0; c < dim; c++) dot += codes[r * dim + c] * q[c];
    return { r, s: dot + (bias?.[r] ?? 0) };
  }).filter((x) => x.s > -Infinity);
  scores.sort((a, b) => b.s - a.s || a.r - b.r);
  return scores.slice(0, k).map((x) => x.r);
}

Deno.test("code scan: on the 8-bit grid the scan ranks exactly as float dot products (property)", async () => {
  const rng = createRng(7, "code-scan-grid");
  const scan = new CodeScanSession();
  try {
    for (let trial = 0; trial < 5; trial++) {
      const rows = 50 + Math.floor(rng() * 200),
        dim = 1 + Math.floor(rng() * 40),
        m = 1 + Math.floor(rng() * 4);
      // Values on the grid: integers in [−127, 127] with ±127 present in every dimension (scale 1).
      const codes = Float32Array.from({ length: rows * dim }, () => Math.round(rng() * 254 - 127));
      for (let c = 0; c < dim; c++) codes[c] = 127;
      const quantized = quantizeCodes(codes, rows, dim);
      assert.deepEqual([...quantized.scales], new Array(dim).fill(1));
      // Queries: one coordinate 127 or −127, the rest integers, so their 8-bit copy is exact.
      const queries = Float32Array.from({ length: m * dim }, () => Math.round(rng() * 254 - 127));
      for (let j = 0; j < m; j++) queries[j * dim] = 127;
      const bias = Float32Array.from({ length: rows }, () => rng() < 0.1 ? -Infinity : 0);
      const k = 1 + Math.floor(rng() * 20);
      const best = await scan.best(quantized, queries, m, bias, k);
      for (let j = 0; j < m; j++) {
        const q = queries.subarray(j * dim, (j + 1) * dim);
        assert.deepEqual(best[j], exactTop(codes, rows, dim, q, k, bias), `trial ${trial}, query ${j}`);
      }
    }
  } finally {
    await scan.dispose();
  }
});

Deno.test("code scan: masked rows never come back; asking for more than there are returns the rest", async () => {
  const scan = new CodeScanSession();
  try {
    const codes = quantizeCodes(new Float32Array([1, 0, 0, 1, -1, 0]), 3, 2);
    const bias = new Float32Array([0, -Infinity, 0]);
    const [best] = await scan.best(codes, new Float32Array([1, 0.5]), 1, bias, 10);
    assert.deepEqual(best, [0, 2]);
  } finally {
    await scan.dispose();
  }
});

Deno.test("code scan: quantisation refuses a NaN and wrong shapes, naming them", () => {
  assert.throws(() => quantizeCodes(new Float32Array([0, NaN]), 1, 2), /row 0 holds a NaN/);
  assert.throws(() => quantizeCodes(new Float32Array(3), 2, 2), /3 values are not 2 × 2/);
  // A zero query stays zero (no division by zero).
  assert.deepEqual([...quantizeQueries(new Float32Array(2), 1, new Float32Array([1, 1]))], [0, 0]);
});
