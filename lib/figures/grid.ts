/**
 * Heatmap of one metric over a threshold × cap grid (rows = s with `none` first, columns = m with
 * `all` last), from rows such as those of `thresholdCapGrid`; the best cell is outlined.
 *
 * @example
 * ```ts
 * import { gridHeatmapOptions } from "./grid.ts";
 * const rows = [
 *   { s: null, m: 1, recall_at_1: 0.9 }, { s: null, m: null, recall_at_1: 0.8 },
 *   { s: 0.8, m: 1, recall_at_1: 0.7 }, { s: 0.8, m: null, recall_at_1: 0.6 },
 * ];
 * const options = gridHeatmapOptions(rows, { metric: "recall_at_1" });
 * ```
 * @module
 */

import type { FigureOptions } from "./render.ts";
import { type HeatmapOptions, heatmapOptions } from "./heatmap.ts";

/** A grid row: its setting and numeric metrics. */
export type GridCell = { s: number | null; m: number | null } & Record<string, unknown>;

/** Options of {@link gridHeatmapOptions}. */
export interface GridHeatmapOptions {
  /** The column of the rows to show. */
  metric: string;
  /** Colour legend label (default: Recall@1 / mAP / the metric name). */
  label?: string;
  /** Colour domain (default [0, 1]). */
  domain?: [number, number];
  title?: string;
  subtitle?: string;
  caption?: string;
  cellSize?: number;
  /** Colour scheme (default viridis; e.g. "rdbu" for differences). */
  scheme?: HeatmapOptions["scheme"];
  /** Outline the cell with the highest value (default true). */
  highlightBest?: boolean;
}

const LABELS: Record<string, string> = { recall_at_1: "Recall@1", map: "mAP" };

function sortKey(v: number | null, last: boolean): number {
  return v === null ? (last ? Infinity : -Infinity) : v;
}

/** Plot options for the s × m heatmap of `metric`. */
export function gridHeatmapOptions(rows: readonly GridCell[], options: GridHeatmapOptions): FigureOptions {
  if (rows.length === 0) throw new RangeError("gridHeatmapOptions: no rows");
  const sValues = [...new Set(rows.map((r) => r.s))].sort((a, b) => sortKey(a, false) - sortKey(b, false));
  const mValues = [...new Set(rows.map((r) => r.m))].sort((a, b) => sortKey(a, true) - sortKey(b, true));
  const values = sValues.map(() => new Array<number>(mValues.length).fill(NaN));
  let best: [number, number] | null = null;
  for (const row of rows) {
    const value = row[options.metric];
    if (typeof value !== "number") {
      throw new RangeError(`row s=${row.s} m=${row.m} has no numeric "${options.metric}"`);
    }
    const i = sValues.indexOf(row.s), j = mValues.indexOf(row.m);
    values[i][j] = value;
    if (Number.isFinite(value) && (!best || value > values[best[0]][best[1]])) best = [i, j];
  }
  return heatmapOptions({
    values,
    rowLabels: sValues.map((s) => (s === null ? "none" : String(s))),
    colLabels: mValues.map((m) => (m === null ? "all" : String(m))),
    rowTitle: "s (threshold)",
    colTitle: "m (matches averaged)",
    label: options.label ?? LABELS[options.metric] ?? options.metric,
    domain: options.domain ?? [0, 1],
    scheme: options.scheme,
    highlight: options.highlightBest === false || !best ? [] : [best],
    title: options.title,
    subtitle: options.subtitle,
    caption: options.caption,
    cellSize: options.cellSize ?? 56,
  });
}
