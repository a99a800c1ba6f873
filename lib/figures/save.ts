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

import { dirname } from "node:path";
import type { Figure } from "./render.ts";

/** Write bytes or text to `path` atomically, creating parent folders. */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    if (typeof content === "string") await Deno.writeTextFile(temp, content);
    else await Deno.writeFile(temp, content);
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

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

/** Quote a CSV field when it needs it (RFC 4180). */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Format rows as CSV; columns are the union of the rows' keys in first-seen order. */
export function toCsv(rows: Record<string, unknown>[], columns?: string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const lines = [cols.map(csvField).join(",")];
  for (const row of rows) lines.push(cols.map((c) => csvField(row[c])).join(","));
  return lines.join("\n") + "\n";
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
