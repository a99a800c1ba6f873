/**
 * s × m heatmaps of a sweep: one figure per (dataset, protocol, method) — the one s × m heatmap
 * (`gridHeatmapOptions`) with the sweep's title, colour domain from the values, labels to three
 * decimals and the best cell's 95% interval in the caption.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeSweepHeatmaps } from "./heatmap.ts";
 * import { cellHash, expandCells } from "./cell.ts";
 * const cells = expandCells({
 *   datasets: ["coil100"], protocols: { coil100: ["unordered"] }, methods: ["greedy"],
 *   s: [null, 0.8], m: [1, null], seed: 0, model: "mobilenet-v2", bootstrap: 0, options: {},
 * });
 * const rows = cells.map((cell, k) => ({ hash: cellHash(cell), setting: cell, metrics: { map: { value: [0.9, 0.92, 0.95, 0.93][k] } } }));
 * const dir = await Deno.makeTempDir();
 * // One s × m heatmap per (dataset, protocol, method), SVG and PNG written together.
 * assert.deepEqual(await writeSweepHeatmaps(rows, dir, "map"), [
 *   `${dir}/heatmap-coil100-unordered-greedy.svg`,
 *   `${dir}/heatmap-coil100-unordered-greedy.png`,
 * ]);
 * ```
 * @module
 */

import { join } from "node:path";
import { bestCell, formatEstimate } from "../evaluation/estimate.ts";
import { metricLabel } from "../evaluation/metrics.ts";
import { figureFiles, type FigureOptions, gridHeatmapOptions, renderPlot } from "../figures/mod.ts";
import { commitFiles, type FileEntry } from "../io/mod.ts";
import { formatMatchCap, formatThreshold } from "./grid.ts";
import { type CellResult, groupByMethod } from "./output.ts";

export { groupByMethod, metricLabel };

/**
 * Plot options of the s × m heatmap of one method's rows (all sharing dataset, protocol, method).
 *
 * @param rows the method's cells, in grid order.
 * @param metric the metric shown and maximised.
 */
export function sweepHeatmapOptions(rows: readonly CellResult[], metric: string): FigureOptions {
  if (rows.length === 0) throw new RangeError("sweepHeatmapOptions: no rows");
  const { dataset, protocol, method, seed, model, bootstrap } = rows[0].setting;
  const present = rows.filter((r) => r.metrics[metric] !== undefined);
  const best = bestCell(present, metric);
  const label = metricLabel(metric);
  const caption = best
    ? `best: s = ${formatThreshold(best.setting.s)}, m = ${formatMatchCap(best.setting.m)}, ${label} ${
      formatEstimate(best.metrics[metric])
    }`
    : "";
  return gridHeatmapOptions(present, {
    metric,
    label,
    digits: 3,
    title: `${dataset} · ${protocol} · ${method}: ${label}`,
    subtitle: `seed ${seed} · ${model} · B = ${bootstrap}`,
    caption,
    cellSize: 56,
  });
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_");
}

/** The SVG and PNG files of one heatmap per (dataset, protocol, method), for committing with the tables. */
export async function sweepHeatmapFiles(
  rows: readonly CellResult[],
  outDir: string,
  metric: string,
): Promise<FileEntry[]> {
  const files: FileEntry[] = [];
  for (const group of groupByMethod(rows).values()) {
    const { dataset, protocol, method } = group[0].setting;
    // renderPlot is deterministic, so a resumed sweep writes the same bytes as an uninterrupted one.
    const figure = renderPlot(sweepHeatmapOptions(group, metric));
    const base = join(outDir, `heatmap-${safeName(dataset)}-${safeName(protocol)}-${safeName(method)}`);
    files.push(...await figureFiles(figure, base));
  }
  return files;
}

/**
 * Write one heatmap per (dataset, protocol, method) as `heatmap-<dataset>-<protocol>-<method>`
 * `.svg` and `.png` in `outDir`; returns the paths written.
 */
export async function writeSweepHeatmaps(
  rows: readonly CellResult[],
  outDir: string,
  metric: string,
): Promise<string[]> {
  const files = await sweepHeatmapFiles(rows, outDir, metric);
  await commitFiles(files);
  return files.map((f) => f.path);
}
