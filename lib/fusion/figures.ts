/**
 * Plot options for a fusion-weight sweep: metric vs text weight with 95% bootstrap bands.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweepLineOptions } from "./figures.ts";
 * const rows = [{ weight: 0, map: 0.5, map_lo: 0.4, map_hi: 0.6, series: "use" }, { weight: 1, map: 0.7, map_lo: 0.6, map_hi: 0.8, series: "use" }];
 * assert.equal(sweepLineOptions(rows, { metrics: ["map"] }).marks?.length, 3); // band, line, dots
 * ```
 * @module
 */

import * as Plot from "@observablehq/plot";
import { metricLabel } from "../evaluation/metrics.ts";
import type { FigureOptions } from "../figures/render.ts";

/**
 * One line per (series, metric) over `weight`, with a band from `<metric>_lo` to `<metric>_hi`
 * where the rows have them (rows without bootstrap resamples have no interval, hence no band).
 * Rows carry a `series` field (e.g. the text model, or "restricted").
 */
export function sweepLineOptions(
  rows: readonly Record<string, unknown>[],
  options: {
    metrics: readonly string[];
    title?: string;
    subtitle?: string;
    caption?: string;
    width?: number;
    height?: number;
  },
): FigureOptions {
  const long = rows.flatMap((r) =>
    options.metrics.map((m) => {
      // The band needs both ends; a row without them (no bootstrap resamples) has no band.
      const banded = r[`${m}_lo`] !== undefined || r[`${m}_hi`] !== undefined;
      for (const key of banded ? [m, `${m}_lo`, `${m}_hi`] : [m]) {
        if (typeof r[key] !== "number") throw new RangeError(`sweep row lacks a numeric "${key}"`);
      }
      return {
        weight: r.weight as number,
        value: r[m] as number,
        lo: banded ? r[`${m}_lo`] as number : undefined,
        hi: banded ? r[`${m}_hi`] as number : undefined,
        line: `${r.series ?? ""}${r.series ? " · " : ""}${metricLabel(m)}`,
      };
    })
  );
  const banded = long.filter((d) => d.lo !== undefined);
  return {
    title: options.title,
    subtitle: options.subtitle,
    caption: options.caption,
    width: options.width ?? 640,
    height: options.height ?? 380,
    x: { label: "text weight w (0 = image only, 1 = text only)", domain: [0, 1] },
    y: { label: "value", grid: true },
    color: { legend: true, scheme: "tableau10" },
    marks: [
      Plot.areaY(banded, { x: "weight", y1: "lo", y2: "hi", fill: "line", fillOpacity: 0.15 }),
      Plot.line(long, { x: "weight", y: "value", stroke: "line", strokeWidth: 2 }),
      Plot.dot(long, { x: "weight", y: "value", fill: "line", r: 2 }),
    ],
  };
}
