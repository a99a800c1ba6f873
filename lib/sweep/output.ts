/**
 * Sweep results as files: one CSV row and one JSON entry per cell in grid order, the best cell per
 * (dataset, protocol, method), and atomic writes (temporary file, fsync, rename) so a reader never
 * sees a half-written file.
 *
 * Nothing time- or machine-dependent is written, so a resumed sweep produces byte-identical files.
 *
 * @example
 * ```ts
 * import { bestCells, toCsv } from "./output.ts";
 * const rows = [{
 *   hash: "h", cell: { dataset: "d", protocol: "p", method: "greedy", s: null, m: 1, seed: 0,
 *     model: "x", bootstrap: 0, options: {} },
 *   metrics: { map: 0.5 }, ci95: {},
 * }];
 * console.log(toCsv(rows), bestCells(rows, "map").length);
 * ```
 * @module
 */

import { csvField, writeFileAtomic } from "../io/mod.ts";
import { canonicalJson, type JsonValue, type SweepCell, type SweepPlan } from "./cell.ts";
import { formatMatchCap, formatThreshold } from "./grid.ts";

export { writeFileAtomic };

/** A finished cell. */
export interface CellResult {
  hash: string;
  cell: SweepCell;
  metrics: Record<string, number>;
  ci95: Record<string, [number, number]>;
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
  const lines = [header.join(",")];
  for (const { hash, cell, metrics: values, ci95 } of rows) {
    const fields = [
      cell.dataset,
      cell.protocol,
      cell.method,
      formatThreshold(cell.s),
      formatMatchCap(cell.m),
      String(cell.seed),
      cell.model,
      String(cell.bootstrap),
    ];
    for (const name of metrics) {
      fields.push(numberText(values[name]), numberText(ci95[name]?.[0]), numberText(ci95[name]?.[1]));
    }
    fields.push(hash);
    lines.push(fields.map(csvField).join(","));
  }
  return lines.join("\n") + "\n";
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

/**
 * The best cell per (dataset, protocol, method), maximising `metric`; ties go to the higher
 * `tieBreak` metric, then to the earlier cell in grid order. Groups appear in grid order.
 */
export function bestCells(rows: readonly CellResult[], metric: string, tieBreak?: string): BestCell[] {
  const second = tieBreak ?? (metric === "map" ? "recall_at_1" : "map");
  const best = new Map<string, BestCell>();
  for (const row of rows) {
    const value = row.metrics[metric];
    if (value === undefined || !Number.isFinite(value)) continue;
    const key = JSON.stringify([row.cell.dataset, row.cell.protocol, row.cell.method]);
    const current = best.get(key);
    const better = !current || value > current.row.metrics[metric] ||
      (value === current.row.metrics[metric] &&
        (row.metrics[second] ?? -Infinity) > (current.row.metrics[second] ?? -Infinity));
    if (better) {
      best.set(key, {
        dataset: row.cell.dataset,
        protocol: row.cell.protocol,
        method: row.cell.method,
        metric,
        row,
      });
    }
  }
  return [...best.values()];
}

function cellJson(row: CellResult): JsonValue {
  const { cell } = row;
  const ci95: { [key: string]: JsonValue } = {};
  for (const [name, bounds] of Object.entries(row.ci95)) ci95[name] = [bounds[0], bounds[1]];
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
    metrics: { ...row.metrics },
    ci95,
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
    const ci = row.ci95[name];
    const value = row.metrics[name].toFixed(digits);
    return ci ? `${name} ${value} [${ci[0].toFixed(digits)}, ${ci[1].toFixed(digits)}]` : `${name} ${value}`;
  });
  return `${best.dataset}/${best.protocol} ${best.method}: s=${formatThreshold(row.cell.s)} m=${
    formatMatchCap(row.cell.m)
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
      s: formatThresholdJson(b.row.cell.s),
      m: b.row.cell.m === null ? "all" : b.row.cell.m,
      metrics: { ...b.row.metrics },
      ci95: Object.fromEntries(Object.entries(b.row.ci95).map(([k, v]) => [k, [v[0], v[1]]])),
    })),
    cells: rows.map(cellJson),
  };
  // Stable key order inside cells keeps diffs readable; canonicalJson guarantees determinism.
  return JSON.stringify(JSON.parse(canonicalJson(document)), null, 1) + "\n";
}
