import type { TestMetrics } from "../../lib/learning/mod.ts";

/** Test metrics with mAP `map` [lo, hi] and the same Recall@1, for hand-built summary rows. */
export function testMetrics(map: number, lo: number, hi: number, n = 80): TestMetrics {
  return {
    map,
    map_lo: lo,
    map_hi: hi,
    recall_at_1: map,
    recall_at_1_lo: lo,
    recall_at_1_hi: hi,
    recall_at_5: 1,
    n_queries: n,
  };
}
