/**
 * Heatmaps of matrices (similarity matrices, s × m sweep grids) as Plot options, with optional
 * per-cell annotations (e.g. the order in which greedy matching took a pair) and highlighted cells.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { heatmapOptions } from "./heatmap.ts";
 * import { renderPlot } from "./render.ts";
 * const figure = renderPlot(heatmapOptions({ values: [[0.9, 0.2], [0.1, 0.8]], highlight: [[0, 0], [1, 1]] }));
 * assert.ok(figure.width > 0);
 * ```
 * @module
 */

import * as Plot from "@observablehq/plot";
import type { FigureOptions } from "./render.ts";

/** One cell of a heatmap, as given to Plot. */
export interface HeatmapCell {
  row: string;
  col: string;
  i: number;
  j: number;
  value: number;
  label: string;
  highlighted: boolean;
}

/** Options for {@link heatmapOptions}. */
export interface HeatmapOptions {
  /** The matrix: nested arrays, or a row-major typed array with `rows`/`cols`. */
  values: ArrayLike<number>[] | { rows: number; cols: number; data: ArrayLike<number> };
  rowLabels?: string[];
  colLabels?: string[];
  /** Axis titles. */
  rowTitle?: string;
  colTitle?: string;
  /** Text per cell; default: the value to 2 decimals. Return "" for none. */
  annotate?: (value: number, i: number, j: number) => string;
  /** Cells to outline, as `[i, j]`. */
  highlight?: [number, number][];
  /** Colour scheme (Plot scheme name) and domain. */
  scheme?: Plot.ColorScheme;
  domain?: [number, number];
  /** Colour legend label. */
  label?: string;
  title?: string;
  subtitle?: string;
  caption?: string;
  /** Pixel size of one cell (default 48). */
  cellSize?: number;
}

/** Flatten the heatmap input into cells. Non-finite values are kept out of the colour scale. */
export function heatmapCells(options: HeatmapOptions): HeatmapCell[] {
  const { values } = options;
  const isDense = !Array.isArray(values) && "data" in values;
  const rows = isDense ? values.rows : (values as ArrayLike<number>[]).length;
  const cols = isDense ? values.cols : rows > 0 ? (values as ArrayLike<number>[])[0].length : 0;
  const at = (i: number, j: number) =>
    isDense
      ? (values as { data: ArrayLike<number> }).data[i * cols + j]
      : (values as ArrayLike<number>[])[i][j];
  const rowLabels = options.rowLabels ?? Array.from({ length: rows }, (_, i) => String(i));
  const colLabels = options.colLabels ?? Array.from({ length: cols }, (_, j) => String(j));
  if (rowLabels.length !== rows) {
    throw new RangeError(`rowLabels has ${rowLabels.length} labels for ${rows} rows`);
  }
  if (colLabels.length !== cols) {
    throw new RangeError(`colLabels has ${colLabels.length} labels for ${cols} columns`);
  }
  const highlighted = new Set((options.highlight ?? []).map(([i, j]) => `${i},${j}`));
  const annotate = options.annotate ?? ((v: number) => (Number.isFinite(v) ? v.toFixed(2) : ""));
  const cells: HeatmapCell[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const value = at(i, j);
      cells.push({
        row: rowLabels[i],
        col: colLabels[j],
        i,
        j,
        value,
        label: annotate(value, i, j),
        highlighted: highlighted.has(`${i},${j}`),
      });
    }
  }
  return cells;
}

/** Where a cell mark draws: `x: "col"`, `y: "row"`, and optionally a facet channel (e.g. `"panel"`). */
export interface CellMarkOptions {
  /** Field of the data to facet on horizontally. */
  fx?: string;
}

/** The facet and position channels of a cell mark, facet first. */
function cellChannels(options: CellMarkOptions): { fx?: string; x: string; y: string } {
  return { ...(options.fx === undefined ? {} : { fx: options.fx }), x: "col", y: "row" };
}

/** Cells filled by their `value` (the colour scale). */
export function cellFillMark(data: Plot.Data, options: CellMarkOptions = {}): Plot.Cell {
  return Plot.cell(data, { ...cellChannels(options), fill: "value", inset: 0.5 });
}

/** Options of {@link cellOutlineMark}. */
export interface CellOutlineOptions extends CellMarkOptions {
  stroke: string;
  strokeWidth: number;
  /** SVG dash pattern, e.g. `"3,3"`; default solid. */
  strokeDasharray?: string;
  /** Pixels between the outline and the cell's edge. */
  inset: number;
}

/** Unfilled outlines around cells (highlighted pairs, matches, unused images). */
export function cellOutlineMark(data: Plot.Data, options: CellOutlineOptions): Plot.Cell {
  const { stroke, strokeWidth, strokeDasharray, inset } = options;
  return Plot.cell(data, {
    ...cellChannels(options),
    stroke,
    strokeWidth,
    ...(strokeDasharray === undefined ? {} : { strokeDasharray }),
    fill: "none",
    inset,
  });
}

/** Options of {@link cellTextMark}. */
export interface CellTextOptions extends CellMarkOptions {
  fontSize: number;
}

/** Each cell's `label`, white with a black halo so it reads on any colour of the scale. */
export function cellTextMark(data: Plot.Data, options: CellTextOptions): Plot.Text {
  return Plot.text(data, {
    ...cellChannels(options),
    text: "label",
    fill: "white",
    stroke: "black",
    strokeWidth: 2,
    paintOrder: "stroke",
    fontSize: options.fontSize,
  });
}

/** Build {@link FigureOptions} for a heatmap (render with `renderPlot`). */
export function heatmapOptions(options: HeatmapOptions): FigureOptions {
  const cells = heatmapCells(options);
  const rowDomain = [...new Set(cells.map((c) => c.row))];
  const colDomain = [...new Set(cells.map((c) => c.col))];
  const size = options.cellSize ?? 48;
  const maxRowLabel = Math.max(0, ...rowDomain.map((r) => r.length));
  const marginLeft = Math.max(40, 7 * maxRowLabel + 16);
  const finite = cells.filter((c) => Number.isFinite(c.value));
  return {
    title: options.title,
    subtitle: options.subtitle,
    caption: options.caption,
    width: marginLeft + 20 + size * colDomain.length,
    height: 60 + size * rowDomain.length,
    marginLeft,
    marginBottom: 40,
    padding: 0.04,
    x: { domain: colDomain, label: options.colTitle ?? null, axis: "bottom" },
    y: { domain: rowDomain, label: options.rowTitle ?? null },
    color: {
      scheme: options.scheme ?? "viridis",
      domain: options.domain,
      legend: true,
      label: options.label,
    },
    marks: [
      cellFillMark(finite),
      cellOutlineMark(cells.filter((c) => c.highlighted), { stroke: "#e4002b", strokeWidth: 3, inset: 1.5 }),
      cellTextMark(cells.filter((c) => c.label !== ""), { fontSize: Math.max(9, Math.min(14, size / 4)) }),
    ],
  };
}

/**
 * The colour domain of the shown values: their range, or the range made symmetric around `pivot`
 * (so the pivot gets the scheme's middle colour). A single value gets a small span around it.
 */
export function fittedDomain(values: readonly number[], pivot?: number): [number, number] {
  if (values.length === 0) throw new RangeError("fittedDomain: no finite values");
  let lo = Math.min(...values), hi = Math.max(...values);
  if (pivot !== undefined) {
    if (!Number.isFinite(pivot)) throw new RangeError(`pivot must be a finite number, got ${pivot}`);
    const reach = Math.max(Math.abs(hi - pivot), Math.abs(pivot - lo));
    [lo, hi] = [pivot - reach, pivot + reach];
  }
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.005, hi + 0.005];
  return [lo, hi];
}

/**
 * Decimals (2 to 4) for the labels of `values`: the fewest at which the two largest distinct values
 * (the best cell, the first match) print differently — 0.998 and 0.996 need 3 — and the spread
 * covers at least ten steps of the last digit (a grid between 0.95 and 0.99 needs 3).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { digitsToSeparate } from "./heatmap.ts";
 * assert.equal(digitsToSeparate([0.2, 0.5, 0.998, 0.996]), 3);
 * assert.equal(digitsToSeparate([0.2, 0.5, 0.91, 0.87]), 2);
 * assert.equal(digitsToSeparate([0.951, 0.97, 0.99]), 3);
 * assert.equal(digitsToSeparate([0.99991, 0.99993]), 4); // capped
 * ```
 */
export function digitsToSeparate(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return 2;
  const distinct = [...new Set(finite)].sort((a, b) => b - a);
  const spread = distinct[0] - distinct[distinct.length - 1];
  for (let digits = 2; digits < 4; digits++) {
    const topApart = distinct.length < 2 || distinct[0].toFixed(digits) !== distinct[1].toFixed(digits);
    const spreadShown = spread === 0 || spread >= 10 * 10 ** -digits;
    if (topApart && spreadShown) return digits;
  }
  return 4;
}
