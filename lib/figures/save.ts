/**
 * Write figures and tables to disk as file groups (`commitFiles` from lib/io: temp files,
 * fsync, journal, rename), so an interrupted run or a full disk never leaves a half-written
 * result, or an SVG that disagrees with its PNG, behind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { saveTable } from "./save.ts";
 * const dir = await Deno.makeTempDir();
 * const rows = [{ method: "greedy", recall_at_1: 0.9 }];
 * const [csv, json] = await saveTable(rows, `${dir}/table`, { meta: { seed: 1 } });
 * assert.equal(await Deno.readTextFile(csv), "method,recall_at_1\ngreedy,0.9\n");
 * assert.deepEqual(JSON.parse(await Deno.readTextFile(json)), { meta: { seed: 1 }, rows });
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
 * The files of a figure: `<basePath>.svg` and `<basePath>.png` (and `<basePath>.json` with the
 * metadata when `meta` is given), for callers that commit them in a larger group.
 */
export async function figureFiles(
  figure: Figure,
  basePath: string,
  options: SaveFigureOptions = {},
): Promise<FileEntry[]> {
  const { scale = 2, meta } = options;
  let svg = figure.svg;
  if (meta) {
    const json = JSON.stringify(meta).replace(/]]>/g, "]]]]><![CDATA[>");
    svg = svg.replace(/^(<svg[^>]*>)/, `$1<metadata><![CDATA[${json}]]></metadata>`);
  }
  const files: FileEntry[] = [
    { path: `${basePath}.svg`, content: svg },
    { path: `${basePath}.png`, content: await figure.png(scale) },
  ];
  if (meta) files.push({ path: `${basePath}.json`, content: JSON.stringify(meta, null, 2) + "\n" });
  return files;
}

/**
 * Save a figure ({@link figureFiles}) as one group: its files are replaced together or not at
 * all. Returns the paths written.
 */
export async function saveFigure(
  figure: Figure,
  basePath: string,
  options: SaveFigureOptions = {},
): Promise<string[]> {
  const files = await figureFiles(figure, basePath, options);
  await commitFiles(files);
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
