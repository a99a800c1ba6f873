import assert from "node:assert/strict";
import { scaleRows } from "../../lib/search/scale.ts";

Deno.test("scaleRows: build, exact and the store-re-ranked strategies at C, in seconds, by series then size", () => {
  const strategies = [
    { name: "fde", candidates: 300, recall_at_10: 0.9, p50_ms: 160, p95_ms: 600, rerank: "lance" },
    { name: "fde", candidates: 100, recall_at_10: 0.5, p50_ms: 30, p95_ms: 100, rerank: "lance" },
    { name: "centroid", candidates: 300, recall_at_10: 1, p50_ms: 70, p95_ms: 100, rerank: "memory" },
  ];
  const rows = scaleRows([
    { images: 100000, build_s: 80, exact: { p50_ms: 4800, p95_ms: 6900 }, strategies },
    { images: 10000, build_s: 8, exact: { p50_ms: 800, p95_ms: 1800 }, strategies },
  ], 300);
  assert.deepEqual(rows.map((r) => [r.series, r.images, r.seconds]), [
    ["build (excl. embedding)", 10000, 8],
    ["build (excl. embedding)", 100000, 80],
    ["exact search p50", 10000, 0.8],
    ["exact search p50", 100000, 4.8],
    ["fde shortlist p50 (C = 300)", 10000, 0.16],
    ["fde shortlist p50 (C = 300)", 100000, 0.16],
  ]);
  assert.equal(rows[4].recall_at_10, 0.9);
});
