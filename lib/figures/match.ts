/**
 * Figures that explain one set match: the |A| × |B| similarity matrix with the method's matches
 * numbered in the order taken (greedy) or best first (other methods), matches that did not count
 * (below the threshold s, or after the cap m) told apart from those that did, and the images no
 * match used marked; and two or more methods side by side on the same matrix.
 *
 * Builders return Plot options ({@link FigureOptions}); render them with `renderPlot`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchHeatmapOptions } from "./match.ts";
 * import { greedyMatch } from "../matching/mod.ts";
 * import { renderPlot } from "./render.ts";
 * const S = { rows: 2, cols: 3, data: new Float64Array([0.9, 0.2, 0.4, 0.3, 0.8, 0.1]) };
 * const figure = renderPlot(matchHeatmapOptions(S, greedyMatch(S)));
 * assert.match(figure.svg, /unused/);
 * ```
 * @module
 */

import type * as Plot from "@observablehq/plot";
import type { FigureOptions } from "./render.ts";
import {
  cellFillMark,
  cellOutlineMark,
  type CellOutlineOptions,
  cellTextMark,
  digitsToSeparate,
  heatmapOptions,
} from "./heatmap.ts";
import { compareWord } from "../evaluation/format.ts";
import type { SetMatchResult, SimilarityMatrix } from "../matching/mod.ts";
import { validateMatrix } from "../matching/mod.ts";

/** Outline of counted matches (red, solid). */
const COUNTED_OUTLINE: CellOutlineOptions = { stroke: "#e4002b", strokeWidth: 3, inset: 1.5 };
/** Outline of matches that were taken but did not count (s or m): amber, dashed. */
const EXCLUDED_OUTLINE: CellOutlineOptions = {
  stroke: "#f5a300",
  strokeWidth: 3,
  strokeDasharray: "6,3",
  inset: 1.5,
};
/** Inner outline of the cells of images no match used: grey, finely dashed. */
const UNUSED_OUTLINE: CellOutlineOptions = {
  stroke: "#777777",
  strokeWidth: 1.5,
  strokeDasharray: "3,3",
  inset: 4,
};

/** Options shared by the match figures. */
export interface MatchFigureOptions {
  /** Labels of A's images (rows); default A1, A2, … */
  rowLabels?: string[];
  /** Labels of B's images (columns); default B1, B2, … */
  colLabels?: string[];
  /** Title of the row axis. */
  rowTitle?: string;
  /** Title of the column axis. */
  colTitle?: string;
  /** Figure title. */
  title?: string;
  /** Subtitle under the title. */
  subtitle?: string;
  /** Caption; default: a sentence with the score and the unused images. */
  caption?: string;
  /** Colour domain (default: the matrix's range). */
  domain?: [number, number];
  /** Pixel size of one cell (default 56). */
  cellSize?: number;
  /** Decimals of the values shown in the cells (default: enough to tell the matrix's values apart, 2–4). */
  digits?: number;
}

/** One annotated cell of a match figure. */
export interface MatchCell {
  /** Row index. */
  i: number;
  /** Column index. */
  j: number;
  /** Row label. */
  row: string;
  /** Column label. */
  col: string;
  /** The similarity in the cell. */
  value: number;
  /** 1-based position of the match in the method's list, or 0 when the cell is not a match. */
  order: number;
  /** Whether the match counted towards the score (false for non-matches). */
  counted: boolean;
  /** Text shown in the cell: `#k` over the value for matches, the value otherwise. */
  label: string;
  /** Name of the panel (side-by-side figures). */
  panel: string;
}

function defaultLabels(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, k) => `${prefix}${k + 1}`);
}

function checkLabels(labels: string[], n: number, name: string): string[] {
  if (labels.length !== n) throw new RangeError(`${name} has ${labels.length} labels for ${n} images`);
  return labels;
}

function checkResult(S: SimilarityMatrix, result: SetMatchResult, name = "result"): void {
  for (const p of result.pairs) {
    if (!(p.a >= 0 && p.a < S.rows && p.b >= 0 && p.b < S.cols)) {
      throw new RangeError(`${name} has pair (${p.a}, ${p.b}) outside the ${S.rows} × ${S.cols} matrix`);
    }
  }
}

/**
 * The cells of one match figure: every entry of S, with the match order (1-based, in
 * `result.pairs` order) and whether it counted. Unused rows/columns are marked in the labels by
 * the figure builders, not here.
 */
export function matchCells(
  S: SimilarityMatrix,
  result: SetMatchResult,
  options: Pick<MatchFigureOptions, "rowLabels" | "colLabels" | "digits"> & { panel?: string } = {},
): MatchCell[] {
  validateMatrix(S, "S");
  checkResult(S, result);
  const rowLabels = checkLabels(options.rowLabels ?? defaultLabels("A", S.rows), S.rows, "rowLabels");
  const colLabels = checkLabels(options.colLabels ?? defaultLabels("B", S.cols), S.cols, "colLabels");
  // Close similarities (0.998 and 0.996) must not print alike: the default digits separate them.
  const digits = options.digits ?? digitsToSeparate(Array.from(S.data).filter(Number.isFinite));
  if (!Number.isInteger(digits) || digits < 0 || digits > 6) {
    throw new RangeError(`digits must be an integer in 0..6, got ${digits}`);
  }
  const order = new Map<number, { k: number; counted: boolean }>();
  result.pairs.forEach((p, k) => order.set(p.a * S.cols + p.b, { k: k + 1, counted: p.counted }));
  const cells: MatchCell[] = [];
  for (let i = 0; i < S.rows; i++) {
    for (let j = 0; j < S.cols; j++) {
      const value = S.data[i * S.cols + j];
      const match = order.get(i * S.cols + j);
      cells.push({
        i,
        j,
        row: rowLabels[i],
        col: colLabels[j],
        value,
        order: match?.k ?? 0,
        counted: match?.counted ?? false,
        label: match ? `#${match.k}\n${value.toFixed(digits)}` : value.toFixed(digits),
        panel: options.panel ?? result.method,
      });
    }
  }
  return cells;
}

/**
 * Labels with "(unused)" appended to the images no match used, after `separator` (a space for
 * row labels, a line break for column labels so the columns stay narrow).
 */
export function markUnused(labels: string[], unused: readonly number[], separator = " "): string[] {
  const set = new Set(unused);
  return labels.map((label, k) => (set.has(k) ? `${label}${separator}(unused)` : label));
}

function scoreText(result: SetMatchResult): string {
  return result.score === null ? "no score (no match passed s)" : `score ${result.score.toFixed(3)}`;
}

/** A one-sentence summary of a match result: score, matches counted, unused images. */
export function describeMatch(result: SetMatchResult, rowLabels?: string[], colLabels?: string[]): string {
  const name = (labels: string[] | undefined, prefix: string, k: number) =>
    labels?.[k] ?? `${prefix}${k + 1}`;
  const unused = [
    ...result.unmatchedA.map((k) => name(rowLabels, "A", k)),
    ...result.unmatchedB.map((k) => name(colLabels, "B", k)),
  ];
  const limits = [
    result.s !== undefined ? `s = ${result.s}` : "",
    result.m !== undefined ? `m = ${result.m}` : "",
  ].filter(Boolean).join(", ");
  return `${result.method}${limits ? ` (${limits})` : ""}: ${scoreText(result)}, ` +
    `${result.countedCount} of ${result.pairs.length} matches counted` +
    (unused.length ? `; unused: ${unused.join(", ")}` : "");
}

/** A caption short enough for a small heatmap: score, matches counted, unused images. */
function shortCaption(result: SetMatchResult, rowLabels?: string[], colLabels?: string[]): string {
  const unused = [
    ...result.unmatchedA.map((k) => rowLabels?.[k] ?? `A${k + 1}`),
    ...result.unmatchedB.map((k) => colLabels?.[k] ?? `B${k + 1}`),
  ];
  const score = result.score === null ? "no score" : `score ${result.score.toFixed(3)}`;
  return `${score} · ${result.countedCount}/${result.pairs.length} counted` +
    (unused.length ? ` · unused ${unused.join(", ")}` : "");
}

/**
 * Heatmap of S with the matches of `result` numbered in the order the method took them
 * (`#1` = first). Counted matches are outlined in red, matches excluded by s or m in amber
 * (dashed), and the images no match used carry "(unused)" in their axis label and a grey dashed
 * outline along their row or column.
 */
export function matchHeatmapOptions(
  S: SimilarityMatrix,
  result: SetMatchResult,
  options: MatchFigureOptions = {},
): FigureOptions {
  const rowLabels = markUnused(
    checkLabels(options.rowLabels ?? defaultLabels("A", S.rows), S.rows, "rowLabels"),
    result.unmatchedA,
  );
  const colLabels = markUnused(
    checkLabels(options.colLabels ?? defaultLabels("B", S.cols), S.cols, "colLabels"),
    result.unmatchedB,
    "\n",
  );
  const cells = matchCells(S, result, { rowLabels, colLabels, digits: options.digits });
  const counted = cells.filter((c) => c.order > 0 && c.counted).map((c) => [c.i, c.j] as [number, number]);
  const byCell = new Map(cells.map((c) => [`${c.i},${c.j}`, c]));
  // Cells at least as wide as the longest column label (DejaVu Sans ≈ 6.2 px per character at 10 px).
  const longestCol = Math.max(...colLabels.flatMap((l) => l.split("\n").map((part) => part.length)));
  const size = Math.max(options.cellSize ?? 64, Math.ceil(6.2 * longestCol + 8));
  const figure = heatmapOptions({
    values: { rows: S.rows, cols: S.cols, data: S.data },
    rowLabels,
    colLabels,
    rowTitle: options.rowTitle,
    colTitle: options.colTitle,
    annotate: (_v, i, j) => byCell.get(`${i},${j}`)!.label,
    highlight: counted,
    domain: options.domain,
    label: "cosine similarity",
    title: options.title,
    subtitle: options.subtitle,
    caption: options.caption ?? shortCaption(result, options.rowLabels, options.colLabels),
    cellSize: size,
  });
  const unusedCells = cells.filter((c) => result.unmatchedA.includes(c.i) || result.unmatchedB.includes(c.j));
  const excluded = cells.filter((c) => c.order > 0 && !c.counted);
  (figure.marks as Plot.Markish[]).push(
    cellOutlineMark(unusedCells, UNUSED_OUTLINE),
    cellOutlineMark(excluded, EXCLUDED_OUTLINE),
  );
  // Wider margins for the "(unused)" labels.
  const longest = Math.max(...rowLabels.map((l) => l.length));
  figure.marginLeft = Math.max(figure.marginLeft ?? 40, 7 * longest + 16);
  figure.width = (figure.marginLeft as number) + 20 + size * S.cols;
  if (colLabels.some((l) => l.includes("\n"))) {
    figure.marginBottom = 52;
    figure.height = (figure.height as number) + 12;
  }
  return figure;
}

/** One panel of {@link compareMatchesOptions}. */
export interface MatchPanel {
  /** Panel title, e.g. "greedy". */
  name: string;
  /** The match drawn in the panel. */
  result: SetMatchResult;
}

/**
 * Several methods' matches on the same matrix, side by side (one facet per panel). In each panel
 * the cells the method chose are outlined (red: counted; amber dashed: excluded by s or m) and
 * numbered in the method's order; rows and columns of images the method left unused get a grey
 * dashed inner outline. The caption summarises each panel (score, total distance
 * Σ(1 − S) over the chosen pairs, worst chosen similarity).
 */
export function compareMatchesOptions(
  S: SimilarityMatrix,
  panels: MatchPanel[],
  options: MatchFigureOptions = {},
): FigureOptions {
  if (panels.length === 0) throw new RangeError("compareMatchesOptions needs at least one panel");
  const names = panels.map((p) => p.name);
  if (new Set(names).size !== names.length) {
    throw new RangeError(`panel names must differ: ${names.join(", ")}`);
  }
  validateMatrix(S, "S");
  panels.forEach((p) => checkResult(S, p.result, `panel "${p.name}"`));
  const rowLabels = checkLabels(options.rowLabels ?? defaultLabels("A", S.rows), S.rows, "rowLabels");
  const colLabels = checkLabels(options.colLabels ?? defaultLabels("B", S.cols), S.cols, "colLabels");
  const cells = panels.flatMap((p) =>
    matchCells(S, p.result, { rowLabels, colLabels, panel: p.name, digits: options.digits }).map((c) => ({
      ...c,
      unused: p.result.unmatchedA.includes(c.i) || p.result.unmatchedB.includes(c.j),
    }))
  );
  const longestCol = Math.max(...colLabels.map((l) => l.length));
  const size = Math.max(options.cellSize ?? 52, Math.ceil(6.2 * longestCol + 8));
  const longest = Math.max(...rowLabels.map((l) => l.length));
  const marginLeft = Math.max(40, 7 * longest + 16);
  const panelWidth = size * S.cols;
  const gap = 24;
  let [lo, hi] = options.domain ?? [Infinity, -Infinity];
  if (!options.domain) {
    for (const v of S.data) {
      if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    }
  }
  const facet = { fx: "panel" };
  const caption = options.caption ?? panels.map((p) => {
    const summary = summarizeMatch(p.result);
    return `${p.name}: ${scoreText(p.result)}, total distance ${summary.total_distance.toFixed(3)}, ` +
      `worst ${summary.worst_similarity.toFixed(3)}`;
  }).join(" · ");
  return {
    title: options.title,
    subtitle: options.subtitle,
    caption,
    width: marginLeft + 20 + panels.length * (panelWidth + gap),
    height: 90 + size * S.rows,
    marginLeft,
    marginTop: 30,
    marginBottom: 40,
    padding: 0.04,
    fx: { domain: names, label: null, padding: gap / (panelWidth + gap), axis: "top" },
    x: { domain: colLabels, label: options.colTitle ?? null, axis: "bottom" },
    y: { domain: rowLabels, label: options.rowTitle ?? null },
    color: { scheme: "viridis", domain: [lo, hi], legend: true, label: "cosine similarity" },
    marks: [
      cellFillMark(cells, facet),
      cellOutlineMark(cells.filter((c) => c.unused), { ...facet, ...UNUSED_OUTLINE }),
      cellOutlineMark(cells.filter((c) => c.order > 0 && c.counted), { ...facet, ...COUNTED_OUTLINE }),
      cellOutlineMark(cells.filter((c) => c.order > 0 && !c.counted), { ...facet, ...EXCLUDED_OUTLINE }),
      cellTextMark(cells, { ...facet, fontSize: Math.max(9, Math.min(13, size / 4.5)) }),
    ],
  };
}

/** Numbers that describe one match result (a table row). */
export interface MatchSummary {
  /** The set-matching method. */
  method: string;
  /** The set score (null: no match passed s). */
  score: number | null;
  /** Matches taken / counted towards the score. */
  matches: number;
  /** Matches counted towards the score (within s and m). */
  counted: number;
  /** Σ (1 − S) over every taken match (before s and m). */
  total_distance: number;
  /** Mean similarity of every taken match (before s and m). */
  mean_similarity: number;
  /** Lowest and highest similarity among the taken matches. */
  worst_similarity: number;
  /** Highest similarity among the taken matches. */
  best_similarity: number;
  /** Images of set A in no match. */
  unused_a: number;
  /** Images of set B in no match. */
  unused_b: number;
}

/** Summarise a result: score, totals and extremes over its matches (NaN extremes when it has none). */
export function summarizeMatch(result: SetMatchResult): MatchSummary {
  const sims = result.pairs.map((p) => p.similarity);
  const total = sims.reduce((t, v) => t + (1 - v), 0);
  return {
    method: result.method,
    score: result.score,
    matches: sims.length,
    counted: result.countedCount,
    total_distance: total,
    mean_similarity: sims.length ? sims.reduce((t, v) => t + v, 0) / sims.length : NaN,
    worst_similarity: sims.length ? Math.min(...sims) : NaN,
    best_similarity: sims.length ? Math.max(...sims) : NaN,
    unused_a: result.unmatchedA.length,
    unused_b: result.unmatchedB.length,
  };
}

/**
 * The article's contrast on one pair, from the two summaries: does the optimal assignment lower the
 * total distance, improve the worst match, give up greedy's best pair? One sentence, from the numbers.
 */
export function describeGreedyVsOptimal(
  greedy: MatchSummary,
  optimal: MatchSummary,
  name = "this pair",
): string {
  const g = greedy, o = optimal;
  if (!(o.total_distance < g.total_distance - 1e-9)) {
    return `On ${name} greedy already finds an optimal matching (total distance ${
      g.total_distance.toFixed(3)
    } both), so the article's contrast does not show there.`;
  }
  const worseBest = o.best_similarity < g.best_similarity - 1e-9;
  const score = (s: number | null) => (s === null ? "none" : s.toFixed(3));
  return `On ${name} the optimum's total distance is ${o.total_distance.toFixed(3)} against greedy's ${
    g.total_distance.toFixed(3)
  }, its worst match ${o.worst_similarity.toFixed(3)} ${
    compareWord(o.worst_similarity, g.worst_similarity, ["is better than", "equals", "is worse than"], 1e-9)
  } greedy's ${g.worst_similarity.toFixed(3)}, and it ${
    worseBest
      ? `gives up greedy's best pair (${g.best_similarity.toFixed(3)}; its best is ${
        o.best_similarity.toFixed(3)
      })`
      : `keeps the best pair (${g.best_similarity.toFixed(3)})`
  }; score ${score(g.score)} → ${score(o.score)}.`;
}
