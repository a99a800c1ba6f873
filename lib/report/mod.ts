/**
 * Self-contained HTML reports (thumbnails inline, matched pairs highlighted, scores) for the
 * search, compare and dedup commands.
 *
 * @example
 * ```ts
 * import { htmlPage, pairsTable } from "./mod.ts";
 * const html = htmlPage("demo", pairsTable([{ a: 0, b: 1, similarity: 0.9, counted: true }]));
 * console.log(html.includes("<table"));
 * ```
 * @module
 */

export {
  escapeHtml,
  htmlPage,
  type ImageMark,
  imageStrip,
  pairMarks,
  pairsTable,
  thumbnailDataUri,
  thumbnails,
  writeReport,
} from "./html.ts";
export { renderSearchReport, writeSearchReport } from "./search.ts";
export { comparisonFigures, matchFigureSvg, renderCompareReport } from "./compare.ts";
export { renderDedupReport } from "./dedup.ts";
