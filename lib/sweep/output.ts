/**
 * Sweep results as files: one CSV row and one JSON entry per cell in grid order, the best cell per
 * (dataset, protocol, method), and atomic writes (temporary file, fsync, rename) so a reader never
 * sees a half-written file.
 *
 * Nothing time- or machine-dependent is written, so a resumed sweep produces byte-identical files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bestCells, describeBest, toCsv } from "./output.ts";
 * const cell = (s: number | null, map: number) => ({
 *   hash: `h${s}`,
 *   setting: { dataset: "d", protocol: "p", method: "greedy", s, m: 1, seed: 0, model: "x", bootstrap: 0, options: {} },
 *   metrics: { map: { value: map } }, // bootstrap 0: no interval
 * });
 * const rows = [cell(null, 0.5), cell(0.8, 0.6)];
 * assert.equal(
 *   toCsv(rows),
 *   "dataset,protocol,method,s,m,seed,model,bootstrap,map,map_lo,map_hi,hash\n" +
 *     "d,p,greedy,none,1,0,x,0,0.5,,,hnull\nd,p,greedy,0.8,1,0,x,0,0.6,,,h0.8\n", // no interval: empty bounds
 * );
 * const [best] = bestCells(rows, "map");
 * assert.equal(describeBest(best), "d/p greedy: s=0.8 m=1 | map 0.600");
 * ```
 * @module
 */

import { toCsv as formatCsv, writeFileAtomic } from "../io/mod.ts";
import {
  bestCell,
  ci95Of,
  type Estimate,
  formatEstimate,
  type GridCell,
  valuesOf,
} from "../evaluation/estimate.ts";
import { canonicalJson, type JsonValue, type SweepCell, type SweepPlan } from "./cell.ts";
import { formatMatchCap, formatThreshold } from "./grid.ts";

export { writeFileAtomic };

/**
 * A finished cell: its setting and an {@link Estimate} per metric. Without bootstrap resamples
 * (`setting.bootstrap` 0) the estimates have no interval and the files leave the ends empty.
 */
export interface CellResult extends GridCell<SweepCell> {
  hash: string;
  provenance?: Record<string, string | number>;
}

/** Metrics in their preferred column order; others follow alphabetically. */
export const PREFERRED_METRICS = ["recall_at_1", "recall_at_5", "recall_at_10", "map"] as const;

/** Format identifier written into the JSON file. */
export const SWEEP_FORMAT = "setsim-sweep/1";

/** The metric names present in any row, in column order. */
export function metricNames(rows: readonly CellResult[]): string[] {
  const present = new Set<string>();
  for (const row of rows) for (const name of Object.keys(row.metrics)) present.add(name);
  const preferred: string[] = PREFERRED_METRICS.filter((name) => present.has(name));
  const others = [...present].filter((name) => !preferred.includes(name)).sort();
  return [...preferred, ...others];
}

/** Whether a row's intervals were computed (the files write them only then). */
export function hasIntervals(row: CellResult): boolean {
  return row.setting.bootstrap > 0;
}

/** The `ci95` spelling of a row's intervals, `{}` without bootstrap (the JSON contract). */
export function rowCi95(row: CellResult): Record<string, [number, number]> {
  return hasIntervals(row) ? ci95Of(row.metrics) : {};
}

/**
 * A cell's estimates from the wire spelling of a backend, the journal and `sweep.json`: point values
 * and `ci95` bounds (absent without bootstrap: the estimate then has no interval).
 */
export function cellEstimates(
  values: Record<string, number>,
  ci95: Record<string, readonly [number, number]> = {},
): Record<string, Estimate> {
  const out: Record<string, Estimate> = {};
  for (const [name, value] of Object.entries(values)) {
    const bounds = ci95[name];
    out[name] = bounds ? { value, lo: bounds[0], hi: bounds[1] } : { value };
  }
  return out;
}

function numberText(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "" : String(value);
}

/**
 * The CSV text: `dataset,protocol,method,s,m,seed,model,bootstrap`, then per metric
 * `<metric>,<metric>_lo,<metric>_hi` (the 95% CI; empty when not computed), then `hash`.
 */
export function toCsv(rows: readonly CellResult[]): string {
  const metrics = metricNames(rows);
  const header = ["dataset", "protocol", "method", "s", "m", "seed", "model", "bootstrap"];
  for (const name of metrics) header.push(name, `${name}_lo`, `${name}_hi`);
  header.push("hash");
  const records = rows.map((row) => {
    const { setting: cell } = row;
    const record: Record<string, string> = {
      dataset: cell.dataset,
      protocol: cell.protocol,
      method: cell.method,
      s: formatThreshold(cell.s),
      m: formatMatchCap(cell.m),
      seed: String(cell.seed),
      model: cell.model,
      bootstrap: String(cell.bootstrap),
      hash: row.hash,
    };
    const withInterval = hasIntervals(row);
    for (const name of metrics) {
      const e: Estimate | undefined = row.metrics[name];
      record[name] = numberText(e?.value);
      record[`${name}_lo`] = withInterval ? numberText(e?.lo) : "";
      record[`${name}_hi`] = withInterval ? numberText(e?.hi) : "";
    }
    return record;
  });
  return formatCsv(records, header);
}

/** The best cell of one (dataset, protocol, method). */
export interface BestCell {
  dataset: string;
  protocol: string;
  method: string;
  /** The metric the choice maximised. */
  metric: string;
  row: CellResult;
}

/** The rows of each (dataset, protocol, method), in grid order of first appearance. */
export function groupByMethod(rows: readonly CellResult[]): Map<string, CellResult[]> {
  return Map.groupBy(
    rows,
    ({ setting }) => JSON.stringify([setting.dataset, setting.protocol, setting.method]),
  ) as Map<string, CellResult[]>;
}

/**
 * The best cell per (dataset, protocol, method) by {@link bestCell}: maximising `metric`, ties to
 * the higher `tieBreak` metric, then to the earlier cell in grid order. Groups appear in grid order.
 */
export function bestCells(rows: readonly CellResult[], metric: string, tieBreak?: string): BestCell[] {
  const out: BestCell[] = [];
  for (const group of groupByMethod(rows).values()) {
    const row = bestCell(group, metric, tieBreak);
    if (!row) continue;
    const { dataset, protocol, method } = row.setting;
    out.push({ dataset, protocol, method, metric, row });
  }
  return out;
}

function cellJson(row: CellResult): JsonValue {
  const { setting: cell } = row;
  return {
    hash: row.hash,
    dataset: cell.dataset,
    protocol: cell.protocol,
    method: cell.method,
    s: formatThresholdJson(cell.s),
    m: cell.m === null ? "all" : cell.m,
    seed: cell.seed,
    model: cell.model,
    bootstrap: cell.bootstrap,
    options: cell.options,
    metrics: valuesOf(row.metrics),
    ci95: rowCi95(row),
    provenance: { ...(row.provenance ?? {}) },
  };
}

function formatThresholdJson(s: number | null): JsonValue {
  return s === null ? "none" : s;
}

/** One line per best cell: `coil100/unordered greedy: s=0.8 m=3 | … | map 0.912 [0.901, 0.925]`. */
export function describeBest(best: BestCell, digits = 3): string {
  const { row } = best;
  const parts = metricNames([row]).map((name) => {
    const e = row.metrics[name];
    return `${name} ${formatEstimate(e, digits)}`;
  });
  return `${best.dataset}/${best.protocol} ${best.method}: s=${formatThreshold(row.setting.s)} m=${
    formatMatchCap(row.setting.m)
  } | ${parts.join(" | ")}`;
}

/** The JSON document: format, grid, best cells and every cell in grid order. */
export function toJson(plan: SweepPlan, rows: readonly CellResult[], metric: string): string {
  const document: JsonValue = {
    format: SWEEP_FORMAT,
    selection_metric: metric,
    grid: {
      datasets: plan.datasets,
      protocols: plan.protocols,
      methods: plan.methods,
      s: plan.s.map(formatThresholdJson),
      m: plan.m.map((m) => (m === null ? "all" : m)),
      seed: plan.seed,
      model: plan.model,
      bootstrap: plan.bootstrap,
      options: plan.options,
    },
    metrics: metricNames(rows),
    best: bestCells(rows, metric).map((b) => ({
      dataset: b.dataset,
      protocol: b.protocol,
      method: b.method,
      hash: b.row.hash,
      s: formatThresholdJson(b.row.setting.s),
      m: b.row.setting.m === null ? "all" : b.row.setting.m,
      metrics: valuesOf(b.row.metrics),
      ci95: rowCi95(b.row),
    })),
    cells: rows.map(cellJson),
  };
  // Stable key order inside cells keeps diffs readable; canonicalJson guarantees determinism.
  return JSON.stringify(JSON.parse(canonicalJson(document)), null, 1) + "\n";
}
