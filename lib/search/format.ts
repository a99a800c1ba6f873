/**
 * Plain-text output of the search, compare and dedup commands. Text meant for people escapes
 * control characters of ids, titles and paths ({@link displayText}: an ESC or OSC sequence in a
 * catalog's title must not recolour or retitle the terminal); machine output (`--json`, a CSV
 * written to a file) keeps the exact bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDedupCsv } from "./format.ts";
 * const result = {
 *   threshold: 0.9,
 *   method: "chamfer" as const,
 *   items: 2,
 *   groups: [{ group: 1, size: 2, items: ["a\x1b[31m", "b"], pairs: [{ a: "a\x1b[31m", b: "b", score: 0.95 }] }],
 * };
 * assert.match(formatDedupCsv(result, { display: true }), /a\\x1b\[31m/); // shown escaped
 * assert.match(formatDedupCsv(result, { display: false }), /a\x1b\[31m/); // exact for files
 * ```
 * @module
 */

import { toCsv } from "../io/csv.ts";
import { displayText } from "../io/display.ts";
import { dedupCsvRows, type DedupResult } from "./dedup.ts";
import type { SearchResult } from "./search.ts";

/** Format a score (null → "none"). */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? "none" : score.toFixed(4);
}

/** A readable table of a search result. */
export function formatSearchTable(result: SearchResult): string {
  const q = result.query.item_id !== undefined
    ? displayText(result.query.item_id)
    : `${result.query.images.length} image(s)`;
  const lines = [
    `query ${q}${
      result.query.text ? ` + "${displayText(result.query.text)}"` : ""
    }: ${result.method}, top ${result.k} of ` +
    `${result.shortlist.candidates} ${
      result.shortlist.exact ? "items (exact)" : `candidates (${result.shortlist.strategy} shortlist)`
    }`,
  ];
  const rows = result.results.map((r) => [
    String(r.rank),
    displayText(r.item_id),
    formatScore(r.score),
    r.text_score !== undefined ? r.text_score.toFixed(4) : "",
    `${r.pairs.filter((p) => p.counted).length}/${r.pairs.length}`,
    displayText(r.title ?? ""),
  ]);
  const header = ["rank", "item", "score", "text", "pairs", "title"];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
  lines.push(line(header));
  for (const r of rows) lines.push(line(r));
  if (result.results.length === 0) lines.push("(no results)");
  return lines.join("\n");
}

/** The CSV columns of `deno task dedup`. */
export const DEDUP_CSV_COLUMNS = ["group", "size", "item_id", "best_match", "score"];

/**
 * The dedup CSV (one row per item of a group, largest groups first). `display: true` escapes
 * control characters in ids, for a terminal; files get the exact ids (`display: false`).
 */
export function formatDedupCsv(result: DedupResult, options: { display: boolean }): string {
  const rows = dedupCsvRows(result);
  if (!options.display) return toCsv(rows, DEDUP_CSV_COLUMNS);
  return toCsv(
    rows.map((row) => ({
      ...row,
      item_id: displayText(String(row.item_id)),
      best_match: displayText(String(row.best_match)),
    })),
    DEDUP_CSV_COLUMNS,
  );
}

/**
 * Where `compare --figure FILE` saves each method's figure: FILE itself for one method; with
 * several, one file per method, the method's name inserted before the extension
 * (`match.png` → `match-greedy.png`, `match-optimal.png`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { figurePaths } from "./format.ts";
 * assert.deepEqual(figurePaths("out/match.png", ["greedy"]), new Map([["greedy", "out/match.png"]]));
 * assert.deepEqual(
 *   [...figurePaths("out/match.svg", ["greedy", "chamfer"]).values()],
 *   ["out/match-greedy.svg", "out/match-chamfer.svg"],
 * );
 * ```
 */
export function figurePaths(path: string, methods: readonly string[]): Map<string, string> {
  if (methods.length === 1) return new Map([[methods[0], path]]);
  const dot = path.lastIndexOf(".");
  const slash = path.lastIndexOf("/");
  const [stem, extension] = dot > slash + 1 ? [path.slice(0, dot), path.slice(dot)] : [path, ""];
  return new Map(methods.map((method) => [method, `${stem}-${method}${extension}`]));
}
