/**
 * Render Observable Plot figures headless (no browser) into standalone SVG, and from there PNG.
 *
 * Plot needs a DOM; linkedom provides one. Plot's own legends and titles come back as HTML
 * (`<figure>`, `<div>` swatches, a `<canvas>` colour ramp), which neither an `.svg` file nor
 * librsvg (inside sharp) can show. So this module asks Plot for the bare chart and draws the
 * title, subtitle, caption and colour legend itself, in SVG, around it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as Plot from "@observablehq/plot";
 * import { renderPlot } from "./render.ts";
 * const figure = renderPlot({
 *   title: "Two points",
 *   color: { legend: true },
 *   marks: [Plot.dot([{ x: 1, y: 2, k: "a" }, { x: 2, y: 3, k: "b" }], { x: "x", y: "y", fill: "k" })],
 * });
 * assert.ok(figure.svg.startsWith("<svg"));
 * ```
 * @module
 */

import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import sharp from "sharp";

const SVG_NS = "http://www.w3.org/2000/svg";
/** Fonts librsvg finds on Debian (fonts-dejavu-core) first, then the browser defaults. */
const FONT_FAMILY = "DejaVu Sans, system-ui, sans-serif";

/** Plot options plus the parts that this module draws itself. */
export type FigureOptions = Plot.PlotOptions & {
  /** Shown above the chart, bold. */
  title?: string;
  /** Shown under the title. */
  subtitle?: string;
  /** Shown under the chart, small. */
  caption?: string;
};

/** A rendered figure: standalone SVG text that also displays itself in Jupyter. */
export class Figure {
  constructor(
    /** Standalone SVG document text. */
    readonly svg: string,
    readonly width: number,
    readonly height: number,
  ) {}

  /** Rasterise to PNG at `scale` × the SVG's pixel size (2 gives crisp figures on screens). */
  png(scale = 2): Promise<Uint8Array> {
    return svgToPng(this.svg, scale);
  }

  /** Deno's Jupyter kernel shows the SVG inline. */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    return { "image/svg+xml": this.svg };
  }
}

/** Rasterise SVG text to PNG bytes with sharp (librsvg). */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new RangeError(`scale must be a positive number, got ${scale}`);
  }
  const buffer = await sharp(new TextEncoder().encode(svg), { density: 72 * scale }).png().toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Escape text for use inside SVG/XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
  );
}

/** 32-bit FNV-1a hash as hex: a short deterministic id. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/** Approximate text width for layout (DejaVu Sans averages ~0.6 em per character). */
function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}

type ColorScale = ReturnType<ReturnType<typeof Plot.plot>["scale"]>;

/** Draw a colour legend (swatches or a gradient ramp) as an SVG fragment; returns it with its height. */
function colorLegendSvg(
  scale: NonNullable<ColorScale>,
  width: number,
  label?: string,
): { svg: string; height: number } {
  const parts: string[] = [];
  let y = 0;
  if (label) {
    parts.push(`<text x="0" y="10" font-size="10" font-weight="bold">${escapeXml(label)}</text>`);
    y = 16;
  }
  const domain = (scale.domain ?? []) as unknown[];
  const isOrdinal = scale.type === "ordinal" || scale.type === "categorical";
  if (isOrdinal) {
    const range = (scale.range ?? []) as string[];
    let x = 0;
    let row = 0;
    domain.forEach((value, i) => {
      const text = String(value);
      const w = 15 + 5 + textWidth(text, 10) + 14;
      if (x > 0 && x + w > width) {
        x = 0;
        row++;
      }
      const top = y + row * 20;
      parts.push(
        `<rect x="${x}" y="${top}" width="15" height="15" fill="${
          escapeXml(range[i % range.length] ?? "#999")
        }"/>`,
        `<text x="${x + 20}" y="${top + 11.5}" font-size="10">${escapeXml(text)}</text>`,
      );
      x += w;
    });
    return { svg: parts.join(""), height: y + (row + 1) * 20 };
  }
  // Continuous (or diverging) scales: sample the interpolator into a gradient.
  const apply = scale.apply as (v: unknown) => string;
  const [lo, hi] = [Number(domain[0]), Number(domain[domain.length - 1])];
  const rampWidth = Math.min(240, width);
  const stops: string[] = [];
  for (let k = 0; k <= 16; k++) {
    const t = k / 16;
    stops.push(`<stop offset="${t}" stop-color="${escapeXml(apply(lo + t * (hi - lo)))}"/>`);
  }
  // A content-derived id keeps the same figure byte-identical across runs.
  const id = `ramp${fnv1a(stops.join(""))}`;
  const fmt = (v: number) => (Math.abs(v) >= 100 || Number.isInteger(v) ? String(v) : v.toPrecision(3));
  parts.push(
    `<defs><linearGradient id="${id}" x1="0" x2="1" y1="0" y2="0">${stops.join("")}</linearGradient></defs>`,
    `<rect x="0" y="${y}" width="${rampWidth}" height="10" fill="url(#${id})"/>`,
    `<text x="0" y="${y + 22}" font-size="10">${escapeXml(fmt(lo))}</text>`,
    `<text x="${rampWidth}" y="${y + 22}" font-size="10" text-anchor="end">${escapeXml(fmt(hi))}</text>`,
  );
  return { svg: parts.join(""), height: y + 28 };
}

/**
 * Render Plot options to a standalone {@link Figure}.
 *
 * `title`, `subtitle`, `caption` and `color.legend` are drawn in SVG by this module; everything
 * else goes to `Plot.plot` unchanged.
 */
export function renderPlot(options: FigureOptions): Figure {
  const { document } = parseHTML("<!DOCTYPE html><html><body></body></html>");
  const { title, subtitle, caption, ...plotOptions } = options;
  const wantsLegend = Boolean(
    plotOptions.color && typeof plotOptions.color === "object" && plotOptions.color.legend,
  );
  const colorOptions = plotOptions.color && typeof plotOptions.color === "object"
    ? { ...plotOptions.color, legend: false }
    : plotOptions.color;
  const chart = Plot.plot({ ...plotOptions, color: colorOptions, document } as Plot.PlotOptions);
  const svgElement = chart.tagName.toLowerCase() === "svg" ? chart : chart.querySelector("svg");
  if (!svgElement) throw new Error("Plot produced no <svg> element");
  const chartWidth = Number(svgElement.getAttribute("width") ?? plotOptions.width ?? 640);
  const chartHeight = Number(svgElement.getAttribute("height") ?? plotOptions.height ?? 400);
  svgElement.setAttribute("font-family", FONT_FAMILY);
  svgElement.removeAttribute("class");
  const inner = svgElement.outerHTML;

  const margin = 8;
  const width = chartWidth + 2 * margin;
  const parts: string[] = [];
  let y = margin;
  if (title) {
    parts.push(
      `<text x="${margin}" y="${y + 14}" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    );
    y += 22;
  }
  if (subtitle) {
    parts.push(`<text x="${margin}" y="${y + 12}" font-size="12" fill="#555">${escapeXml(subtitle)}</text>`);
    y += 20;
  }
  if (wantsLegend) {
    const scale = chart.scale("color");
    if (scale) {
      const label = typeof plotOptions.color === "object" ? plotOptions.color?.label : undefined;
      const legend = colorLegendSvg(scale, chartWidth, label ?? scale.label ?? undefined);
      parts.push(`<g transform="translate(${margin},${y + 2})">${legend.svg}</g>`);
      y += legend.height + 6;
    }
  }
  parts.push(`<g transform="translate(${margin},${y})">${inner}</g>`);
  y += chartHeight;
  if (caption) {
    parts.push(`<text x="${margin}" y="${y + 14}" font-size="11" fill="#555">${escapeXml(caption)}</text>`);
    y += 20;
  }
  const height = Math.ceil(y + margin);
  const svg = `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="${FONT_FAMILY}" font-size="10" fill="currentColor">` +
    `<rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>`;
  return new Figure(svg, width, height);
}
