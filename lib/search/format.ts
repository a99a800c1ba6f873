/**
 * Plain-text output of the search, compare and dedup commands, and a flag helper they share.
 * @module
 */

import type { SearchResult } from "./search.ts";

/** Format a score (null → "none"). */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? "none" : score.toFixed(4);
}

/** A readable table of a search result. */
export function formatSearchTable(result: SearchResult): string {
  const q = result.query.item_id ?? `${result.query.images.length} image(s)`;
  const lines = [
    `query ${q}${
      result.query.text ? ` + "${result.query.text}"` : ""
    }: ${result.method}, top ${result.k} of ` +
    `${result.shortlist.candidates} ${
      result.shortlist.exact ? "items (exact)" : `candidates (${result.shortlist.strategy} shortlist)`
    }`,
  ];
  const rows = result.results.map((r) => [
    String(r.rank),
    r.item_id,
    formatScore(r.score),
    r.text_score !== undefined ? r.text_score.toFixed(4) : "",
    `${r.pairs.filter((p) => p.counted).length}/${r.pairs.length}`,
    r.title ?? "",
  ]);
  const header = ["rank", "item", "score", "text", "pairs", "title"];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
  lines.push(line(header));
  for (const r of rows) lines.push(line(r));
  if (result.results.length === 0) lines.push("(no results)");
  return lines.join("\n");
}
