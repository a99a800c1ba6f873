/**
 * Write figures and tables to disk as file groups (`commitFiles` from lib/io: temp files,
 * fsync, journal, rename), so an interrupted run or a full disk never leaves a half-written
 * result, or an SVG that disagrees with its PNG, behind.
 *
 * @example
 * ```ts
 * import { saveTable } from "./save.ts";
 * const dir = await Deno.makeTempDir();
 * const files = await saveTable([{ method: "greedy", recall_at_1: 0.9 }], `${dir}/table`, { meta: { seed: 1 } });
 * console.log(files);
 * ```
 * @module
 */

import { commitFiles, csvField, type FileEntry, toCsv, writeFileAtomic } from "../io/mod.ts";
import type { Figure } from "./render.ts";

export { csvField, toCsv, writeFileAtomic };

/** Options for {@link saveFigure}. */
export interface SaveFigureOptions {
  /** PNG scale relative to the SVG's pixel size (default 2). */
  scale?: number;
  /** Provenance (model, seed, dataset...) written into the SVG as `<metadata>` and beside it as JSON. */
  meta?: Record<string, unknown>;
}

/**
 * Save a figure as `<basePath>.svg` and `<basePath>.png` (and `<basePath>.json` with the
 * metadata when `meta` is given). Returns the paths written.
 */
export async function saveFigure(
  figure: Figure,
  basePath: string,
  options: SaveFigureOptions = {},
): Promise<string[]> {
  const { scale = 2, meta } = options;
  let svg = figure.svg;
  const files: FileEntry[] = [];
  if (meta) {
    const json = JSON.stringify(meta).replace(/]]>/g, "]]]]><![CDATA[>");
    svg = svg.replace(/^(<svg[^>]*>)/, `$1<metadata><![CDATA[${json}]]></metadata>`);
  }
  files.push({ path: `${basePath}.svg`, content: svg }, {
    path: `${basePath}.png`,
    content: await figure.png(scale),
  });
  if (meta) files.push({ path: `${basePath}.json`, content: JSON.stringify(meta, null, 2) + "\n" });
  await commitFiles(files); // the SVG, PNG and metadata of one figure: together or not at all
  return files.map((f) => f.path);
}

/**
 * Save a table as `<basePath>.csv` and `<basePath>.json` (`{ meta, rows }`). Returns the paths.
 */
export async function saveTable(
  rows: Record<string, unknown>[],
  basePath: string,
  options: { meta?: Record<string, unknown>; columns?: string[] } = {},
): Promise<string[]> {
  await commitFiles([
    { path: `${basePath}.csv`, content: toCsv(rows, options.columns) },
    { path: `${basePath}.json`, content: JSON.stringify({ meta: options.meta ?? {}, rows }, null, 2) + "\n" },
  ]);
  return [`${basePath}.csv`, `${basePath}.json`];
}
