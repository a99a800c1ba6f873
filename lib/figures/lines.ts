/**
 * A metric against a numeric parameter, one line per series (e.g. Recall@1 against the view shift δ
 * per method), with the 95% interval as a band when the rows carry `<y>_lo` / `<y>_hi`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricLinesOptions } from "./lines.ts";
 * import { renderPlot } from "./render.ts";
 * const options = metricLinesOptions([
 *   { delta: 5, method: "ordered", recall_at_1: 0.9, recall_at_1_lo: 0.8, recall_at_1_hi: 1 },
 *   { delta: 10, method: "ordered", recall_at_1: 0.8, recall_at_1_lo: 0.7, recall_at_1_hi: 0.9 },
 * ], { x: "delta", y: "recall_at_1", series: "method" });
 * assert.equal(options.marks?.length, 3); // the interval band (rows carry _lo/_hi), the line, the dots
 * assert.equal(renderPlot(options).svg.match(/<circle/g)?.length, 2); // one dot per row
 * ```
 * @module
 */

import * as Plot from "@observablehq/plot";
import type { FigureOptions } from "./render.ts";

/** Options of {@link metricLinesOptions}. */
export interface MetricLinesOptions {
  /** Numeric column on the x axis. */
  x: string;
  /** Metric column on the y axis. */
  y: string;
  /** Column naming the series (one line and colour each). */
  series: string;
  /** Label of the x axis. */
  xLabel?: string;
  /** Label of the y axis. */
  yLabel?: string;
  /** y domain (default [0, 1]). */
  domain?: [number, number];
  /** Figure title. */
  title?: string;
  /** Subtitle under the title. */
  subtitle?: string;
  /** Caption under the figure. */
  caption?: string;
}

/** Plot options: lines with dots per series, and interval bands when `<y>_lo`/`<y>_hi` exist. */
export function metricLinesOptions(
  rows: readonly Record<string, unknown>[],
  options: MetricLinesOptions,
): FigureOptions {
  if (rows.length === 0) throw new RangeError("metricLinesOptions: no rows");
  const { x, y, series } = options;
  rows.forEach((row, k) => {
    for (const key of [x, y]) {
      if (typeof row[key] !== "number") throw new RangeError(`rows[${k}] has no numeric "${key}"`);
    }
  });
  const bands = rows.every((r) => typeof r[`${y}_lo`] === "number" && typeof r[`${y}_hi`] === "number");
  const seriesOf = (r: Record<string, unknown>) => String(r[series]);
  return {
    title: options.title,
    subtitle: options.subtitle,
    caption: options.caption,
    width: 640,
    height: 380,
    marginRight: 20,
    x: { label: options.xLabel ?? x, grid: true },
    y: { label: options.yLabel ?? y, domain: options.domain ?? [0, 1], grid: true },
    color: { legend: true, label: series },
    marks: [
      ...(bands
        ? [Plot.areaY(rows, { x, y1: `${y}_lo`, y2: `${y}_hi`, fill: seriesOf, fillOpacity: 0.12 })]
        : []),
      Plot.line(rows, { x, y, stroke: seriesOf, strokeWidth: 2 }),
      Plot.dot(rows, { x, y, fill: seriesOf, r: 3 }),
    ],
  };
}
