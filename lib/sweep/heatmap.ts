/**
 * s × m heatmaps of a sweep: one figure per (dataset, protocol, method), rows = thresholds
 * (`none` first), columns = caps (`all` last), colour and label = the selection metric, the best
 * cell outlined and its 95% interval in the caption.
 *
 * @example
 * ```ts ignore
 * import { writeSweepHeatmaps } from "./heatmap.ts";
 * const files = await writeSweepHeatmaps(outcome.rows, "results/sweep", "map");
 * ```
 * @module
 */

import { join } from "node:path";
import { figureFiles, type FigureOptions, heatmapOptions, renderPlot } from "../figures/mod.ts";
import { commitFiles, type FileEntry } from "../io/mod.ts";
import { formatMatchCap, formatThreshold } from "./grid.ts";
import { bestCells, type CellResult } from "./output.ts";

/** Labels of metrics in figure text. */
const METRIC_LABELS: Record<string, string> = {
  recall_at_1: "Recall@1",
  recall_at_5: "Recall@5",
  recall_at_10: "Recall@10",
  map: "mAP",
};

/** Human label of a metric name (`map` → `mAP`). */
export function metricLabel(metric: string): string {
  return METRIC_LABELS[metric] ?? metric;
}

/** Rows of one (dataset, protocol, method), keyed by `dataset\0protocol\0method`, in grid order. */
export function groupByMethod(rows: readonly CellResult[]): Map<string, CellResult[]> {
  const groups = new Map<string, CellResult[]>();
  for (const row of rows) {
    const key = [row.cell.dataset, row.cell.protocol, row.cell.method].join("\u0000");
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/**
 * Plot options of the s × m heatmap of one method's rows (all sharing dataset, protocol, method).
 *
 * @param rows the method's cells, in grid order.
 * @param metric the metric shown and maximised.
 */
export function sweepHeatmapOptions(rows: readonly CellResult[], metric: string): FigureOptions {
  if (rows.length === 0) throw new RangeError("sweepHeatmapOptions: no rows");
  const { dataset, protocol, method, seed, model, bootstrap } = rows[0].cell;
  const sLabels = [...new Set(rows.map((r) => formatThreshold(r.cell.s)))];
  const mLabels = [...new Set(rows.map((r) => formatMatchCap(r.cell.m)))];
  const values = sLabels.map(() => new Array<number>(mLabels.length).fill(NaN));
  for (const row of rows) {
    const i = sLabels.indexOf(formatThreshold(row.cell.s));
    const j = mLabels.indexOf(formatMatchCap(row.cell.m));
    values[i][j] = row.metrics[metric] ?? NaN;
  }
  const [best] = bestCells(rows, metric);
  const highlight: [number, number][] = best
    ? [[sLabels.indexOf(formatThreshold(best.row.cell.s)), mLabels.indexOf(formatMatchCap(best.row.cell.m))]]
    : [];
  const label = metricLabel(metric);
  let caption = "";
  if (best) {
    const ci = best.row.ci95[metric];
    const value = best.row.metrics[metric].toFixed(3);
    caption = `best: s = ${formatThreshold(best.row.cell.s)}, m = ${
      formatMatchCap(best.row.cell.m)
    }, ${label} ${value}${ci ? ` [${ci[0].toFixed(3)}, ${ci[1].toFixed(3)}]` : ""}`;
  }
  return heatmapOptions({
    values,
    rowLabels: sLabels,
    colLabels: mLabels,
    rowTitle: "s (threshold)",
    colTitle: "m (matches averaged)",
    annotate: (v) => (Number.isFinite(v) ? v.toFixed(3) : ""),
    highlight,
    label,
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
    const { dataset, protocol, method } = group[0].cell;
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
