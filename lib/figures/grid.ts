/**
 * The s × m heatmap: one metric over a threshold × cap grid (rows = s with `none` first, columns =
 * m with `all` last), the best cell ({@link bestCell}) outlined. Every s × m figure of setsim is this
 * one function: the sweep's per-method heatmaps, the notebooks' in-process grids and their
 * differences.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gridHeatmapOptions } from "./grid.ts";
 * const cell = (s: number | null, m: number | null, value: number) => ({
 *   setting: { s, m }, metrics: { recall_at_1: { value } },
 * });
 * const options = gridHeatmapOptions(
 *   [cell(null, 1, 0.9), cell(null, null, 0.8), cell(0.8, 1, 0.7), cell(0.8, null, 0.6)],
 *   { metric: "recall_at_1" },
 * );
 * assert.deepEqual((options.y as { domain: string[] }).domain, ["none", "0.8"]);
 * assert.deepEqual((options.x as { domain: string[] }).domain, ["1", "all"]);
 * ```
 * @module
 */

import { bestCell, type GridCell } from "../evaluation/estimate.ts";
import { metricLabel } from "../evaluation/metrics.ts";
import type { FigureOptions } from "./render.ts";
import { type HeatmapOptions, heatmapOptions } from "./heatmap.ts";

/** A cell of an s × m grid (`null` s = none, `null` m = all). */
export type ThresholdCapCell = GridCell<{ s: number | null; m: number | null }>;

/** Options of {@link gridHeatmapOptions}. */
export interface GridHeatmapOptions {
  /** The metric to show (and to maximise for the outlined cell). */
  metric: string;
  /** Colour legend label (default: {@link metricLabel}). */
  label?: string;
  /** Colour domain (default [0, 1]); `"auto"` = Plot's own from the values. */
  domain?: [number, number] | "auto";
  /** Decimals of the cell labels (default 2). */
  digits?: number;
  title?: string;
  subtitle?: string;
  caption?: string;
  cellSize?: number;
  /** Colour scheme (default viridis; e.g. "rdbu" for differences). */
  scheme?: HeatmapOptions["scheme"];
  /** Outline the best cell (default true). */
  highlightBest?: boolean;
}

function sortKey(v: number | null, last: boolean): number {
  return v === null ? (last ? Infinity : -Infinity) : v;
}

/** Text of a threshold or cap: `none` / `all` for `null`. */
function settingText(v: number | null, none: string): string {
  return v === null ? none : String(v);
}

/** Plot options for the s × m heatmap of `options.metric`. */
export function gridHeatmapOptions(
  cells: readonly ThresholdCapCell[],
  options: GridHeatmapOptions,
): FigureOptions {
  if (cells.length === 0) throw new RangeError("gridHeatmapOptions: no cells");
  const sValues = [...new Set(cells.map((c) => c.setting.s))].sort((a, b) =>
    sortKey(a, false) - sortKey(b, false)
  );
  const mValues = [...new Set(cells.map((c) => c.setting.m))].sort((a, b) =>
    sortKey(a, true) - sortKey(b, true)
  );
  const values = sValues.map(() => new Array<number>(mValues.length).fill(NaN));
  for (const cell of cells) {
    const estimate = cell.metrics[options.metric];
    if (!estimate) {
      throw new RangeError(`cell s=${cell.setting.s} m=${cell.setting.m} has no numeric "${options.metric}"`);
    }
    values[sValues.indexOf(cell.setting.s)][mValues.indexOf(cell.setting.m)] = estimate.value;
  }
  const best = options.highlightBest === false ? undefined : bestCell(cells, options.metric);
  const digits = options.digits ?? 2;
  return heatmapOptions({
    values,
    rowLabels: sValues.map((s) => settingText(s, "none")),
    colLabels: mValues.map((m) => settingText(m, "all")),
    rowTitle: "s (threshold)",
    colTitle: "m (matches averaged)",
    annotate: (v) => (Number.isFinite(v) ? v.toFixed(digits) : ""),
    label: options.label ?? metricLabel(options.metric),
    domain: options.domain === "auto" ? undefined : options.domain ?? [0, 1],
    scheme: options.scheme,
    highlight: best ? [[sValues.indexOf(best.setting.s), mValues.indexOf(best.setting.m)]] : [],
    title: options.title,
    subtitle: options.subtitle,
    caption: options.caption,
    cellSize: options.cellSize ?? 56,
  });
}
