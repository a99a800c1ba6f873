/**
 * Figure builders for large similarity matrices and for "query → nearest neighbours" galleries.
 *
 * A 315 × 315 matrix is 99,225 cells: as Plot `cell` marks that is megabytes of SVG, and
 * `Plot.raster` needs a canvas that the headless renderer does not have. So the matrix is
 * painted pixel by pixel with sharp into a PNG, which a single `Plot.image` mark places on the
 * frame; Plot still draws the axes, the group separators and the colour legend (the scale is
 * declared with an empty mark so `renderPlot` draws its legend in SVG).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { similarityRasterOptions } from "./figures.ts";
 * import { renderPlot } from "../figures/mod.ts";
 * const matrix = { rows: 2, cols: 2, data: Float32Array.from([1, 0.2, 0.2, 1]) };
 * const options = await similarityRasterOptions({ matrix, order: [0, 1], groups: ["a", "b"] });
 * assert.match(renderPlot(options).svg, /data:image\/png;base64,/);
 * ```
 * @module
 */

import sharp from "sharp";
import * as Plot from "@observablehq/plot";
import type { FigureOptions } from "../figures/render.ts";
import type { GalleryRow } from "../figures/gallery.ts";
import { encodeBase64 } from "../figures/base64.ts";
import type { SimilarityMatrix } from "../matching/types.ts";
import type { TopK } from "./neighbours.ts";

/** Options of {@link similarityRasterOptions}. */
export interface SimilarityRasterOptions {
  /** Square matrix (rows = cols = items). */
  matrix: SimilarityMatrix;
  /** Display order: a permutation of the items (default identity). */
  order?: readonly number[];
  /** Group of each item (in item order); contiguous groups in `order` get separators and axis labels. */
  groups?: readonly string[];
  /** Transform each value before colouring, e.g. `(s) => 1 - s` for cosine distance. */
  transform?: (value: number) => number;
  /** Colour domain (default: 2nd–98th percentile of the off-diagonal values). */
  domain?: [number, number];
  scheme?: Plot.ColorScheme;
  /** Legend label. */
  label?: string;
  /** Side of the matrix in pixels (default 480). */
  size?: number;
  title?: string;
  subtitle?: string;
  caption?: string;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))];
}

/** Plot options drawing a large square matrix as one raster image with group separators. */
export async function similarityRasterOptions(options: SimilarityRasterOptions): Promise<FigureOptions> {
  const { matrix } = options;
  const n = matrix.rows;
  if (matrix.cols !== n) throw new RangeError(`matrix must be square, got ${matrix.rows} × ${matrix.cols}`);
  if (matrix.data.length !== n * n) {
    throw new RangeError(`matrix data has ${matrix.data.length} values, expected ${n * n}`);
  }
  const order = options.order ?? Array.from({ length: n }, (_, i) => i);
  if (order.length !== n || new Set(order).size !== n || order.some((i) => !(i >= 0 && i < n))) {
    throw new RangeError(`order must be a permutation of 0..${n - 1}`);
  }
  if (options.groups && options.groups.length !== n) {
    throw new RangeError(`groups has ${options.groups.length} entries for ${n} items`);
  }
  const transform = options.transform ?? ((v: number) => v);
  const values = new Float64Array(n * n);
  const offDiagonal: number[] = [];
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const v = transform(matrix.data[order[a] * n + order[b]]);
      if (!Number.isFinite(v)) throw new RangeError(`value at (${order[a]}, ${order[b]}) is ${v}`);
      values[a * n + b] = v;
      if (a !== b) offDiagonal.push(v);
    }
  }
  const sorted = Float64Array.from(offDiagonal.length > 0 ? offDiagonal : [0, 1]).sort();
  const domain = options.domain ?? [percentile(sorted, 0.02), percentile(sorted, 0.98)];
  const scheme = options.scheme ?? "viridis";
  const colour = Plot.scale({ color: { type: "linear", scheme, domain, clamp: true } });
  const pixels = new Uint8Array(n * n * 3);
  for (let k = 0; k < n * n; k++) {
    const css = String(colour.apply(values[k]));
    const rgb = parseColour(css);
    pixels.set(rgb, 3 * k);
  }
  const png = await sharp(pixels, { raw: { width: n, height: n, channels: 3 } }).png().toBuffer();
  const href = `data:image/png;base64,${
    encodeBase64(new Uint8Array(png.buffer, png.byteOffset, png.byteLength))
  }`;

  const size = options.size ?? 480;
  const marginLeft = 110;
  const marginTop = 10;
  const marginBottom = 40;
  const marginRight = 10;
  const ticks: { at: number; label: string }[] = [];
  const separators: number[] = [];
  if (options.groups) {
    let start = 0;
    for (let a = 1; a <= n; a++) {
      if (a === n || options.groups[order[a]] !== options.groups[order[start]]) {
        ticks.push({ at: (start + a) / 2, label: `${options.groups[order[start]]} (${a - start})` });
        if (a < n) separators.push(a);
        start = a;
      }
    }
  }
  return {
    title: options.title,
    subtitle: options.subtitle,
    caption: options.caption,
    width: marginLeft + size + marginRight,
    height: marginTop + size + marginBottom,
    marginLeft,
    marginTop,
    marginBottom,
    marginRight,
    x: {
      domain: [0, n],
      axis: "bottom",
      ticks: ticks.map((t) => t.at),
      tickFormat: (v: number) => ticks.find((t) => t.at === v)?.label ?? "",
      label: null,
    },
    y: {
      domain: [0, n],
      reverse: true,
      ticks: ticks.map((t) => t.at),
      tickFormat: (v: number) => ticks.find((t) => t.at === v)?.label ?? "",
      label: null,
    },
    color: { type: "linear", scheme, domain, legend: true, label: options.label },
    marks: [
      Plot.image([{ x: n / 2, y: n / 2 }], {
        x: "x",
        y: "y",
        src: () => href,
        width: size,
        height: size,
        preserveAspectRatio: "none",
        imageRendering: "pixelated",
      }),
      Plot.ruleX(separators, { stroke: "white", strokeWidth: 1.5 }),
      Plot.ruleY(separators, { stroke: "white", strokeWidth: 1.5 }),
      // Declares the colour scale (no visible dots) so the legend is drawn.
      Plot.dot([] as number[], { x: 0, y: 0, fill: (d: number) => d }),
    ],
  };
}

/** Parse `#rrggbb` or `rgb(r, g, b)` (what Plot's colour scales return). */
export function parseColour(css: string): [number, number, number] {
  let m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css);
  if (m) return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
  m = /^rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)$/i.exec(css);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  throw new RangeError(`cannot parse colour "${css}"`);
}

/** One query of a neighbour gallery. */
export interface NeighbourGalleryItem {
  /** Image path of the query. */
  image: string;
  label: string;
  caption?: string;
}

/**
 * Gallery rows "query | its k nearest" (for `composeGallery`): each neighbour is captioned with
 * its score and label and outlined green when its label equals the query's, red otherwise.
 */
export function neighbourGalleryRows(
  queries: readonly number[],
  top: TopK,
  items: readonly NeighbourGalleryItem[],
  options: {
    rowLabel?: (q: number) => string;
    scoreName?: string;
    candidates?: readonly NeighbourGalleryItem[];
  } = {},
): GalleryRow[] {
  const candidates = options.candidates ?? items;
  return queries.map((q) => {
    if (q < 0 || q >= top.rows) {
      throw new RangeError(`query ${q} is not a row of the neighbour table (${top.rows} rows)`);
    }
    const query = items[q];
    const row: GalleryRow = {
      label: options.rowLabel ? options.rowLabel(q) : query.label,
      images: [{ input: query.image, caption: query.caption ?? `query: ${query.label}`, border: "#333333" }],
    };
    for (let r = 0; r < top.k; r++) {
      const g = top.indices[q * top.k + r];
      if (g < 0) continue;
      const candidate = candidates[g];
      row.images.push({
        input: candidate.image,
        caption: `${top.scores[q * top.k + r].toFixed(3)} ${candidate.caption ?? candidate.label}`,
        border: candidate.label === query.label ? "#1a9850" : "#d73027",
      });
    }
    return row;
  });
}
