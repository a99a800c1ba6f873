/**
 * Figures: Observable Plot rendered headless to SVG/PNG, heatmaps, image galleries, and rich
 * Jupyter output; and the figures that explain results: a set match (the similarity matrix with
 * the matches numbered in the order taken and unused images marked, methods side by side), an
 * s × m grid, methods' intervals, metric lines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { heatmapOptions, renderPlot, saveFigure } from "./mod.ts";
 * const figure = renderPlot(heatmapOptions({ values: [[1, 0.5], [0.5, 1]] }));
 * const dir = await Deno.makeTempDir();
 * const files = await saveFigure(figure, `${dir}/heatmap`); // SVG and PNG, replaced together
 * assert.deepEqual(files, [`${dir}/heatmap.svg`, `${dir}/heatmap.png`]);
 * assert.ok((await Deno.readTextFile(files[0])).startsWith("<svg"));
 * assert.deepEqual((await Deno.readFile(files[1])).subarray(1, 4), new TextEncoder().encode("PNG"));
 * ```
 * @module
 */

export { Figure, type FigureOptions, renderPlot, svgToPng } from "./render.ts";
export {
  cellFillMark,
  type CellMarkOptions,
  cellOutlineMark,
  type CellOutlineOptions,
  cellTextMark,
  type CellTextOptions,
  digitsToSeparate,
  fittedDomain,
  type HeatmapCell,
  heatmapCells,
  type HeatmapOptions,
  heatmapOptions,
} from "./heatmap.ts";
export { composeGallery, type GalleryImage, type GalleryOptions, type GalleryRow } from "./gallery.ts";
export { type Displayable, markdown, mimeBundle, png, show, table } from "./display.ts";
export {
  csvField,
  figureFiles,
  saveFigure,
  type SaveFigureOptions,
  saveTable,
  toCsv,
  writeFileAtomic,
} from "./save.ts";
export { encodeBase64 } from "./base64.ts";
export * from "./match.ts";
export * from "./grid.ts";
export * from "./methods.ts";
export * from "./lines.ts";
/** Observable Plot itself (marks, scales, `Plot.plot`), for figures beyond the helpers above. */
export * as Plot from "@observablehq/plot";
