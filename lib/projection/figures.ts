/**
 * Scatter plots of 2-D maps (t-SNE, UMAP, PCA) coloured by a label, as Plot options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mapScatterOptions } from "./figures.ts";
 * import { renderPlot } from "../figures/mod.ts";
 * const figure = renderPlot(mapScatterOptions({ coords: [0, 0, 1, 1], labels: ["a", "b"], title: "map" }));
 * assert.equal(figure.svg.match(/<circle/g)?.length, 2); // one dot per point
 * assert.throws(() => mapScatterOptions({ coords: [0, 0, 1], labels: ["a", "b"] }), /need 2 per point/);
 * ```
 * @module
 */

import * as Plot from "@observablehq/plot";
import type { FigureOptions } from "../figures/render.ts";

/** Options of {@link mapScatterOptions}. */
export interface MapScatterOptions {
  /** Flat x, y pairs. */
  coords: ArrayLike<number>;
  /** Colour label of each point. */
  labels: readonly string[];
  /** Optional symbol label of each point (e.g. a sub-cluster). */
  symbols?: readonly string[];
  /** Order of the colour legend (default sorted). */
  labelOrder?: readonly string[];
  title?: string;
  subtitle?: string;
  caption?: string;
  /** Legend title. */
  legendLabel?: string;
  width?: number;
  height?: number;
}

/** Plot options for a map scatter plot (no axes: map coordinates have no units). */
export function mapScatterOptions(options: MapScatterOptions): FigureOptions {
  const n = options.labels.length;
  if (options.coords.length !== 2 * n) {
    throw new RangeError(`coords has ${options.coords.length} values for ${n} labels (need 2 per point)`);
  }
  if (options.symbols && options.symbols.length !== n) {
    throw new RangeError(`symbols has ${options.symbols.length} entries for ${n} points`);
  }
  const points = Array.from({ length: n }, (_, i) => ({
    x: options.coords[2 * i],
    y: options.coords[2 * i + 1],
    label: options.labels[i],
    symbol: options.symbols?.[i] ?? "",
  }));
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      throw new RangeError(`a map coordinate is ${p.x}, ${p.y}`);
    }
  }
  return {
    title: options.title,
    subtitle: options.subtitle,
    caption: options.caption,
    width: options.width ?? 560,
    height: options.height ?? 480,
    // Inset so dots on the extremes are not cut by the frame.
    x: { axis: null, inset: 8 },
    y: { axis: null, inset: 8 },
    color: {
      legend: true,
      domain: options.labelOrder ? [...options.labelOrder] : [...new Set(options.labels)].sort(),
      scheme: "tableau10",
      label: options.legendLabel,
    },
    ...(options.symbols ? { symbol: { domain: [...new Set(options.symbols)].sort() } } : {}),
    marks: [
      Plot.frame({ stroke: "#ddd" }),
      Plot.dot(points, {
        x: "x",
        y: "y",
        fill: "label",
        ...(options.symbols ? { symbol: "symbol" } : {}),
        r: 3.5,
        fillOpacity: 0.8,
        stroke: "white",
        strokeWidth: 0.5,
      }),
    ],
  };
}
