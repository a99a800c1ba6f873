/**
 * Dot-and-interval plot of a metric per method (one row per method, one panel per dataset): the
 * point estimate with its 95% bootstrap interval, from rows such as those of `compareMethods`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { methodIntervalsOptions } from "./methods.ts";
 * import { renderPlot } from "./render.ts";
 * const options = methodIntervalsOptions([
 *   { dataset: "coil100", method: "greedy", recall_at_1: 0.96, recall_at_1_lo: 0.92, recall_at_1_hi: 0.99 },
 *   { dataset: "coil100", method: "optimal", recall_at_1: 0.97, recall_at_1_lo: 0.93, recall_at_1_hi: 1 },
 * ], { metric: "recall_at_1" });
 * assert.equal(renderPlot(options).svg.match(/<circle/g)?.length, 2); // one dot per method
 * ```
 * @module
 */

import * as Plot from "@observablehq/plot";
import type { FigureOptions } from "./render.ts";

/** Options of {@link methodIntervalsOptions}. */
export interface MethodIntervalsOptions {
  /** Metric column; its interval is read from `<metric>_lo` and `<metric>_hi`. */
  metric: string;
  /** Column that names the row (default "method"). */
  by?: string;
  /** Column of the panels (default "dataset"). */
  facet?: string;
  /** Label of the value axis. */
  label?: string;
  /** Figure title. */
  title?: string;
  /** Subtitle under the title. */
  subtitle?: string;
  /** Caption under the figure. */
  caption?: string;
  /** x domain (default [0, 1]). */
  domain?: [number, number];
}

/** Plot options: per panel, one dot per method with a horizontal 95% interval. */
export function methodIntervalsOptions(
  rows: readonly Record<string, unknown>[],
  options: MethodIntervalsOptions,
): FigureOptions {
  if (rows.length === 0) throw new RangeError("methodIntervalsOptions: no rows");
  const { metric } = options;
  const by = options.by ?? "method", facet = options.facet ?? "dataset";
  for (const [k, row] of rows.entries()) {
    for (const key of [metric, `${metric}_lo`, `${metric}_hi`]) {
      if (typeof row[key] !== "number") throw new RangeError(`rows[${k}] has no numeric "${key}"`);
    }
  }
  const methods = [...new Set(rows.map((r) => String(r[by])))];
  const panels = [...new Set(rows.map((r) => String(r[facet] ?? "")))];
  const label = options.label ?? metric;
  // Every row mark sits on its method's line and, with several panels, in its panel.
  const channels = {
    y: (r: Record<string, unknown>) => String(r[by]),
    fy: panels.length > 1 ? (r: Record<string, unknown>) => String(r[facet]) : undefined,
  };
  return {
    title: options.title,
    subtitle: options.subtitle,
    caption: options.caption,
    width: 640,
    height: 60 + panels.length * (26 * methods.length + 40),
    marginLeft: Math.max(80, 7 * Math.max(...methods.map((m) => m.length)) + 16),
    marginRight: 90,
    x: { domain: options.domain ?? [0, 1], label, grid: true },
    y: { domain: methods, label: null },
    marginTop: 34,
    // Panel names are drawn as text above each panel (an fy axis would collide with the value labels).
    fy: panels.length > 1 ? { domain: panels, label: null, axis: null, padding: 0.25 } : undefined,
    marks: [
      ...(panels.length > 1
        ? [
          Plot.text(panels, {
            fy: (d) => d,
            text: (d) => d,
            frameAnchor: "top-left",
            dy: -20,
            fontWeight: "bold",
            fontSize: 12,
          }),
        ]
        : []),
      Plot.ruleY(rows, {
        ...channels,
        x1: `${metric}_lo`,
        x2: `${metric}_hi`,
        stroke: "#4269d0",
        strokeWidth: 2,
      }),
      Plot.dot(rows, {
        ...channels,
        x: metric,
        fill: "#4269d0",
        r: 4,
      }),
      Plot.text(rows, {
        ...channels,
        x: `${metric}_hi`,
        text: (r) => (r[metric] as number).toFixed(3),
        dx: 6,
        textAnchor: "start",
      }),
    ],
  };
}
