/**
 * The s × m heatmap: one metric over a threshold × cap grid (rows = s with `none` first, columns =
 * m with `all` last), the best cell ({@link bestCell}) outlined. Every s × m figure of setsim is this
 * one function: the sweep's per-method heatmaps, the notebooks' in-process grids and their
 * differences.
 *
 * The colours span the values shown (a fixed [0, 1] made COIL-100's 0.95–0.99 grid one flat
 * colour), or diverge around a pivot — the default cell (s none, m all) or a number such as 0 for
 * differences — symmetrically, so that colour says better or worse than the pivot. The labels
 * carry as many decimals as the spread needs, and the 95% interval under each value when every
 * cell has one.
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
 * assert.deepEqual((options.color as { domain: number[] }).domain, [0.6, 0.9]); // fitted to the values
 * const diverging = gridHeatmapOptions(
 *   [cell(null, 1, 0.9), cell(null, null, 0.8), cell(0.8, 1, 0.7), cell(0.8, null, 0.6)],
 *   { metric: "recall_at_1", pivot: "default" }, // the default cell: s none, m all = 0.8
 * );
 * assert.deepEqual((diverging.color as { domain: number[] }).domain.map((v) => +v.toFixed(9)), [0.6, 1]);
 * ```
 * @module
 */

import { bestCell, type Estimate, type GridCell } from "../evaluation/estimate.ts";
import { metricLabel } from "../evaluation/metrics.ts";
import type { FigureOptions } from "./render.ts";
import { digitsToSeparate, fittedDomain, type HeatmapOptions, heatmapOptions } from "./heatmap.ts";

/** A cell of an s × m grid (`null` s = none, `null` m = all). */
export type ThresholdCapCell = GridCell<{ s: number | null; m: number | null }>;

/** Options of {@link gridHeatmapOptions}. */
export interface GridHeatmapOptions {
  /** The metric to show (and to maximise for the outlined cell). */
  metric: string;
  /** Colour legend label (default: {@link metricLabel}). */
  label?: string;
  /** Colour domain (default: fitted to the values shown, or symmetric around `pivot`). */
  domain?: [number, number];
  /**
   * Diverge the colours around this value: `"default"` = the default cell's (s none, m all), or a
   * number (0 for differences). The domain is then symmetric around it; the scheme defaults to rdbu.
   */
  pivot?: number | "default";
  /** Decimals of the cell labels (default: enough to tell the shown values apart, at least 2). */
  digits?: number;
  /** Show each cell's 95% interval under its value when every cell has one (default true). */
  intervals?: boolean;
  /** Figure title. */
  title?: string;
  /** Subtitle under the title. */
  subtitle?: string;
  /** Caption under the figure. */
  caption?: string;
  /** Side of a cell in pixels. */
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
  const estimates = sValues.map(() => new Array<Estimate | undefined>(mValues.length));
  for (const cell of cells) {
    const estimate = cell.metrics[options.metric];
    if (!estimate || !Number.isFinite(estimate.value)) {
      throw new RangeError(`cell s=${cell.setting.s} m=${cell.setting.m} has no numeric "${options.metric}"`);
    }
    const [i, j] = [sValues.indexOf(cell.setting.s), mValues.indexOf(cell.setting.m)];
    values[i][j] = estimate.value;
    estimates[i][j] = estimate;
  }
  const shown = values.flat().filter(Number.isFinite);
  const best = options.highlightBest === false ? undefined : bestCell(cells, options.metric);
  const digits = options.digits ?? digitsToSeparate(shown);
  const withIntervals = options.intervals !== false &&
    estimates.flat().every((e) => e === undefined || (e.lo !== undefined && e.hi !== undefined));
  const pivot = options.pivot === "default" ? defaultCellValue(values, sValues, mValues) : options.pivot;
  const annotate = (v: number, i: number, j: number) => {
    if (!Number.isFinite(v)) return "";
    const e = estimates[i][j];
    return withIntervals && e?.lo !== undefined && e.hi !== undefined
      ? `${v.toFixed(digits)}\n${e.lo.toFixed(digits)}–${e.hi.toFixed(digits)}`
      : v.toFixed(digits);
  };
  return heatmapOptions({
    values,
    rowLabels: sValues.map((s) => settingText(s, "none")),
    colLabels: mValues.map((m) => settingText(m, "all")),
    rowTitle: "s (threshold)",
    colTitle: "m (matches averaged)",
    annotate,
    label: options.label ?? metricLabel(options.metric),
    domain: options.domain ?? fittedDomain(shown, pivot),
    scheme: options.scheme ?? (pivot === undefined ? undefined : "rdbu"),
    highlight: best ? [[sValues.indexOf(best.setting.s), mValues.indexOf(best.setting.m)]] : [],
    title: options.title,
    subtitle: options.subtitle,
    caption: options.caption,
    // Labels are 14 px (about 8.4 px a character): a cell grows to fit its widest line (the interval).
    cellSize: Math.max(options.cellSize ?? 56, withIntervals ? Math.ceil(8.4 * (2 * digits + 5) + 10) : 0),
  });
}

/** The value of the default cell (s none, m all), which a diverging grid is centred on. */
function defaultCellValue(
  values: number[][],
  sValues: (number | null)[],
  mValues: (number | null)[],
): number {
  const [i, j] = [sValues.indexOf(null), mValues.indexOf(null)];
  if (i < 0 || j < 0) throw new RangeError('pivot "default": the grid has no default cell (s none, m all)');
  return values[i][j];
}
