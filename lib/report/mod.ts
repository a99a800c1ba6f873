/**
 * Self-contained HTML reports (thumbnails inline, matched pairs highlighted, scores) for the
 * search, compare and dedup commands.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { htmlPage, pairsTable } from "./mod.ts";
 * const html = htmlPage("demo", pairsTable([{ a: 0, b: 1, similarity: 0.9, counted: true }]));
 * assert.ok(html.startsWith("<!DOCTYPE html>") && html.includes("<title>demo</title>"));
 * // Images are numbered from 1 for people: pair (a 0, b 1) is "1 → 2".
 * assert.ok(html.includes('<td>1</td><td>1</td><td>2</td><td class="score">0.9000</td><td>yes</td>'));
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
