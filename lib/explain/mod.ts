/**
 * Figures and tables that explain a set match: the similarity matrix with the matches numbered in
 * the order taken and the unused images marked, methods side by side with their chosen cells,
 * summaries of a match, and per-view tables for ordered views.
 *
 * @example
 * ```ts
 * import { compareMatchesOptions, summarizeMatch } from "./mod.ts";
 * import { greedyMatch, optimalAssignment } from "../matching/mod.ts";
 * import { renderPlot } from "../figures/mod.ts";
 * const S = { rows: 2, cols: 2, data: new Float64Array([0.9, 0.8, 0.8, 0.1]) };
 * const panels = [{ name: "greedy", result: greedyMatch(S) }, { name: "optimal", result: optimalAssignment(S) }];
 * const figure = renderPlot(compareMatchesOptions(S, panels));
 * console.log(panels.map((p) => summarizeMatch(p.result).total_distance));
 * ```
 * @module
 */

export * from "./heatmap.ts";
export * from "./views.ts";
export * from "./grid.ts";
export * from "./methods.ts";
export * from "./lines.ts";
export * from "./findings.ts";
