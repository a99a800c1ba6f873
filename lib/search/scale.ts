/**
 * How search cost grows with the catalog: rows for one plot of build time and search latency
 * against the number of images, from `deno task bench catalog --json` outputs (one per size).
 *
 * @example
 * ```ts
 * import { scaleRows } from "./scale.ts";
 * import assert from "node:assert/strict";
 * const rows = scaleRows([{ images: 10000, build_s: 8.7, exact: { p50_ms: 860, p95_ms: 1800 }, strategies: [] }], 300);
 * assert.deepEqual(rows.map((r) => r.series), ["build (excl. embedding)", "exact search p50"]);
 * ```
 * @module
 */

/** The fields of a `bench catalog --json` object this module reads. */
export interface CatalogBenchResult {
  images: number;
  /** Vector dimension (series are labelled by it when the results mix dimensions). */
  dim?: number;
  build_s: number;
  exact: { p50_ms: number; p95_ms: number };
  strategies: {
    name: string;
    candidates: number;
    recall_at_10: number;
    p50_ms: number;
    p95_ms: number;
    rerank?: string;
  }[];
}

/** One point: seconds for `series` at `images`. */
export interface ScaleRow {
  images: number;
  series: string;
  seconds: number;
  recall_at_10?: number;
}

/**
 * Build time, exact search p50 and each strategy's p50 at `candidates` re-ranked (re-rank from the
 * store — its mapped vector file or its tables — the path `search` takes), in seconds, sorted by
 * series then size. With several dimensions among the results, each series names its d.
 */
export function scaleRows(results: readonly CatalogBenchResult[], candidates: number): ScaleRow[] {
  const rows: ScaleRow[] = [];
  const mixed = new Set(results.map((r) => r.dim)).size > 1;
  for (const r of results) {
    const d = mixed ? `, d = ${r.dim}` : "";
    rows.push({ images: r.images, series: `build (excl. embedding${d})`, seconds: r.build_s });
    rows.push({
      images: r.images,
      series: `exact search p50${mixed ? ` (d = ${r.dim})` : ""}`,
      seconds: r.exact.p50_ms / 1000,
    });
    for (const s of r.strategies) {
      if (s.candidates !== candidates || !["lance", "mapped"].includes(s.rerank ?? "lance")) continue;
      rows.push({
        images: r.images,
        series: `${s.name} shortlist p50 (C = ${candidates}${d})`,
        seconds: s.p50_ms / 1000,
        recall_at_10: s.recall_at_10,
      });
    }
  }
  return rows.sort((a, b) => (a.series < b.series ? -1 : a.series > b.series ? 1 : 0) || a.images - b.images);
}
