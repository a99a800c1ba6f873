/**
 * Files that must never be left half-written, and CSV text.
 *
 * Results, journals' snapshots, converted models and figures are all written through
 * {@link writeFileAtomic} (one file) or {@link commitFiles} (a group of files that belong
 * together): a reader (or a rerun after Ctrl-C, a crash or a full disk) sees either the old
 * version or the complete new one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toCsv, writeFileAtomic } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/table.csv`, toCsv([{ method: "greedy", score: 0.9 }]));
 * assert.equal(await Deno.readTextFile(`${dir}/table.csv`), "method,score\ngreedy,0.9\n");
 * ```
 * @module
 */

import { commitFiles } from "./commit.ts";
export { DECIMAL_PATTERN, parseDecimal } from "./decimal.ts";
export { displayText } from "./display.ts";
export {
  appendJsonLine,
  type AppendOptions,
  type JsonLineProblem,
  parseJsonLines,
  readJsonLines,
} from "./jsonl.ts";
export { decodeNpy, encodeNpy, type NpyMatrix } from "./npy.ts";
export { type CollectedFiles, collectFiles, type CollectOptions, type SkippedPath } from "./walk.ts";

export { sha256File, sha256Hex } from "./hash.ts";
export {
  commitFiles,
  type FileEntry,
  readFileGroup,
  recoverDir,
  type RecoveryReport,
  withDirLocks,
} from "./commit.ts";

/**
 * Write `content` to `path` atomically: a uniquely named temporary sibling is written, flushed
 * to disk, then renamed over `path` (rename is atomic within a file system) and the folder is
 * fsynced. Parent folders are created; the temporary file is removed if anything fails (a full
 * disk leaves the old file intact). Files that belong together go through {@link commitFiles}.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  await commitFiles([{ path, content }]);
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
