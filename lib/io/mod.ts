/**
 * Files that must never be left half-written, and the formats they hold (CSV, JSON lines, npy).
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
export { csvField, type CsvRecord, parseCsv, parseCsvLines, parseCsvRecords, toCsv } from "./csv.ts";
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

export { type HashPart, sha256File, sha256Hex, sha256Parts, sha256PartsSync } from "./hash.ts";
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
