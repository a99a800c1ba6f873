import type { FigureOptions } from "../../lib/figures/mod.ts";
export { gridHeatmapOptions } from "../../lib/figures/mod.ts";

/** The (row, col) of the cells drawn by the highlight mark (the second mark of heatmapOptions). */
export function heatmapCellsOf(options: FigureOptions): [string, string][] {
  // deno-lint-ignore no-explicit-any
  const mark = (options.marks as any[])[1];
  // deno-lint-ignore no-explicit-any
  return (mark.data as any[]).map((c) => [c.row, c.col]);
}
