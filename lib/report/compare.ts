/**
 * The compare command's figure (the explained match matrix of `lib/figures`, framed by the two
 * sets' thumbnails) and its report page.
 * @module
 */

import { basename } from "node:path";
import { matchHeatmapOptions, Plot, renderPlot } from "../figures/mod.ts";
import type { SetMatchResult, SimilarityMatrix } from "../matching/mod.ts";
import type { Comparison } from "../search/compare.ts";
import { escapeHtml, htmlPage, imageStrip, pairMarks, pairsTable, thumbnails } from "./html.ts";

/**
 * The match matrix of one method with thumbnails: A's images down the left (A1, A2, …, the
 * matrix's row labels), B's across the top (B1, B2, …, its column labels), the heatmap with the
 * matches numbered and outlined (red counted, amber not counted, grey dashed unused).
 */
export function matchFigureSvg(
  S: SimilarityMatrix,
  result: SetMatchResult,
  thumbs: { a: string[]; b: string[] },
  title?: string,
): string {
  const figure = matchHeatmapOptions(S, result, { title });
  // Thumbnails are Plot image marks on the same band scales as the cells, shifted into margins
  // widened for them: B's above the first row, A's left of the row labels.
  const t = 56, pad = 6;
  const rows = figure.y!.domain as string[];
  const cols = figure.x!.domain as string[];
  const cell = ((figure.width as number) - (figure.marginLeft as number) - 20) / cols.length;
  const labelMargin = figure.marginLeft as number;
  figure.marginTop = (figure.marginTop ?? 20) + t + pad;
  figure.height = (figure.height as number) + t + pad;
  figure.marginLeft = labelMargin + t + pad;
  figure.width = (figure.width as number) + t + pad;
  (figure.marks as Plot.Markish[]).push(
    Plot.image(thumbs.b.map((src, j) => ({ src, x: cols[j], y: rows[0] })), {
      x: "x",
      y: "y",
      src: "src",
      width: t,
      height: t,
      dy: -(cell / 2 + t / 2 + pad / 2),
    }),
    Plot.image(thumbs.a.map((src, i) => ({ src, x: cols[0], y: rows[i] })), {
      x: "x",
      y: "y",
      src: "src",
      width: t,
      height: t,
      dx: -(cell / 2 + labelMargin + t / 2),
    }),
  );
  return renderPlot(figure).svg;
}

/** A label short enough for a figure title: the last path component of each listed path. */
function shortLabel(label: string): string {
  const parts = label.split(",").map((p) => basename(p.trim()));
  return parts.length > 2 ? `${parts.slice(0, 2).join(", ")} +${parts.length - 2}` : parts.join(", ");
}

/** Figures of every method that produced a result, keyed by method. */
export async function comparisonFigures(comparison: Comparison): Promise<Map<string, string>> {
  const thumbs = await thumbnails([...comparison.a.images, ...comparison.b.images], 64);
  const a = comparison.a.images.map((p) => thumbs.get(p)!);
  const b = comparison.b.images.map((p) => thumbs.get(p)!);
  const out = new Map<string, string>();
  for (const m of comparison.methods) {
    if (m.result === undefined) continue;
    out.set(
      m.method,
      matchFigureSvg(
        comparison.similarity,
        m.result,
        { a, b },
        `${m.method}: ${shortLabel(comparison.a.label)} vs ${shortLabel(comparison.b.label)}`,
      ),
    );
  }
  return out;
}

/** The compare report: both sets, then one section per method with score, pairs and its figure. */
export async function renderCompareReport(comparison: Comparison): Promise<string> {
  const thumbs = await thumbnails([...comparison.a.images, ...comparison.b.images]);
  const figures = await comparisonFigures(comparison);
  const { a, b } = comparison;
  const parts = [
    `<p class="meta"><span class="count">${comparison.methods.length}</span> method(s)</p>`,
    `<section class="query"><div class="head"><b>A</b> ${escapeHtml(a.label)}</div>${
      imageStrip(a.images, thumbs)
    }` +
    `<div class="head"><b>B</b> ${escapeHtml(b.label)}</div>${imageStrip(b.images, thumbs)}</section>`,
  ];
  for (const m of comparison.methods) {
    const marks = pairMarks(m.pairs, a.images.length, b.images.length);
    parts.push(
      `<section class="result" data-method="${escapeHtml(m.method)}"><div class="head"><span class="rank">${
        escapeHtml(m.method)
      }</span>` +
        `<span class="score">score ${m.score === null ? "none" : m.score.toFixed(4)}</span>` +
        (m.reason ? `<span class="meta">${escapeHtml(m.reason)}</span>` : "") +
        `</div><div>A</div>${imageStrip(a.images, thumbs, marks.a)}<div>B</div>${
          imageStrip(b.images, thumbs, marks.b)
        }` +
        `${pairsTable(m.pairs, "A image", "B image")}${figures.get(m.method) ?? ""}</section>`,
    );
  }
  return htmlPage(`setsim compare: ${a.label} vs ${b.label}`, parts.join("\n"));
}
