/**
 * Files that must never be left half-written, and CSV text.
 *
 * Results, journals' snapshots, converted models and figures are all written through
 * {@link writeFileAtomic}: a reader (or a rerun after Ctrl-C or a crash) sees either the old
 * file or the complete new one.
 *
 * @example
 * ```ts
 * import { toCsv, writeFileAtomic } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/table.csv`, toCsv([{ method: "greedy", score: 0.9 }]));
 * console.log(await Deno.readTextFile(`${dir}/table.csv`));
 * ```
 * @module
 */

import { dirname } from "node:path";

export { sha256File, sha256Hex } from "./hash.ts";

/**
 * Write `content` to `path` atomically: a uniquely named temporary sibling is written, flushed
 * to disk, then renamed over `path` (rename is atomic within a file system). Parent folders are
 * created; the temporary file is removed if anything fails.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  try {
    const file = await Deno.open(temp, { write: true, create: true, truncate: true });
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/** Quote a CSV field when it needs it (RFC 4180); objects become JSON, null/undefined empty. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Format records as CSV; columns default to the union of the keys in first-seen order. */
export function toCsv(rows: Record<string, unknown>[], columns?: string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const lines = [cols.map(csvField).join(",")];
  for (const row of rows) lines.push(cols.map((c) => csvField(row[c])).join(","));
  return lines.join("\n") + "\n";
}
