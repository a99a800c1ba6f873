/**
 * Write figures and tables to disk atomically (temp file + rename), so an interrupted run
 * never leaves a half-written result behind.
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

import { csvField, toCsv, writeFileAtomic } from "../io/mod.ts";
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
  const written: string[] = [];
  if (meta) {
    const json = JSON.stringify(meta).replace(/]]>/g, "]]]]><![CDATA[>");
    svg = svg.replace(/^(<svg[^>]*>)/, `$1<metadata><![CDATA[${json}]]></metadata>`);
    await writeFileAtomic(`${basePath}.json`, JSON.stringify(meta, null, 2) + "\n");
    written.push(`${basePath}.json`);
  }
  await writeFileAtomic(`${basePath}.svg`, svg);
  await writeFileAtomic(`${basePath}.png`, await figure.png(scale));
  written.unshift(`${basePath}.svg`, `${basePath}.png`);
  return written;
}

/**
 * Save a table as `<basePath>.csv` and `<basePath>.json` (`{ meta, rows }`). Returns the paths.
 */
export async function saveTable(
  rows: Record<string, unknown>[],
  basePath: string,
  options: { meta?: Record<string, unknown>; columns?: string[] } = {},
): Promise<string[]> {
  await writeFileAtomic(`${basePath}.csv`, toCsv(rows, options.columns));
  await writeFileAtomic(
    `${basePath}.json`,
    JSON.stringify({ meta: options.meta ?? {}, rows }, null, 2) + "\n",
  );
  return [`${basePath}.csv`, `${basePath}.json`];
}
