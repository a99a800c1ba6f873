/**
 * The rows of a similar-products list and the three files they are written to.
 *
 * One row per (item, rank): `item_id, rank, neighbour_id, score, pairs, method`, ordered by
 * `item_id` (UTF-16 code units, as `Array.prototype.sort`) then `rank`. `score` is the set score
 * of the item (as the query) against the neighbour, null when no pair passed the method's
 * threshold; `pairs` is the number of matched pairs that count towards the score.
 *
 * - `.jsonl`: one JSON object per row, keys in the column order;
 * - `.csv`: a header and one line per row (an empty cell for a null score);
 * - `.parquet`: columns utf8, int32, utf8, float64 (nullable), int32, utf8, through the project's
 *   Parquet writer (`lib/index/export.ts`, parquet-wasm), which DuckDB and pyarrow read.
 *
 * Numbers are written as JavaScript's shortest round-trip form, so a row read back from JSON or
 * CSV is the same float64 and encoding it again gives the same bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeRows, encodeRows } from "./rows.ts";
 * const rows = [
 *   { item_id: "a", rank: 1, neighbour_id: "b", score: 0.75, pairs: 2, method: "greedy" },
 *   { item_id: "a", rank: 2, neighbour_id: "c", score: null, pairs: 0, method: "greedy" }, // no pair passed s
 * ];
 * const csv = encodeRows(rows, "csv");
 * assert.equal(
 *   new TextDecoder().decode(csv),
 *   "item_id,rank,neighbour_id,score,pairs,method\na,1,b,0.75,2,greedy\na,2,c,,0,greedy\n",
 * );
 * for (const format of ["csv", "jsonl", "parquet"] as const) {
 *   assert.deepEqual(decodeRows(encodeRows(rows, format), format), rows);
 * }
 * ```
 * @module
 */

import { extname } from "node:path";
import { parseCsv, toCsv } from "../io/mod.ts";
import { arrow } from "../index/arrow.ts";
import { parquetBytes, parquetTable } from "../index/export.ts";

/** One neighbour of one item. */
export interface NeighbourRow {
  item_id: string;
  /** 1 = most similar. */
  rank: number;
  neighbour_id: string;
  /** The set score (item as the query), null when no pair passed the threshold. */
  score: number | null;
  /** Matched pairs that count towards the score. */
  pairs: number;
  method: string;
}

/** The output columns, in order (a contract). */
export const NEIGHBOUR_COLUMNS = ["item_id", "rank", "neighbour_id", "score", "pairs", "method"] as const;

/** The formats a list is written in, by file extension. */
export const NEIGHBOUR_FORMATS = ["parquet", "jsonl", "csv"] as const;
export type NeighbourFormat = typeof NEIGHBOUR_FORMATS[number];

/** The format of an output path, from its extension; a clear error for any other extension. */
export function formatOfPath(path: string): NeighbourFormat {
  const ext = extname(path).slice(1).toLowerCase();
  if ((NEIGHBOUR_FORMATS as readonly string[]).includes(ext)) return ext as NeighbourFormat;
  throw new RangeError(
    `output "${path}": the file name must end in ${NEIGHBOUR_FORMATS.map((f) => `.${f}`).join(", ")}`,
  );
}

/** Rows in output order: by item id, then rank. */
export function compareRows(a: NeighbourRow, b: NeighbourRow): number {
  if (a.item_id !== b.item_id) return a.item_id < b.item_id ? -1 : 1;
  return a.rank - b.rank;
}

/** One row as a JSON line (keys in column order, no trailing newline). */
export function rowJson(row: NeighbourRow): string {
  return JSON.stringify({
    item_id: row.item_id,
    rank: row.rank,
    neighbour_id: row.neighbour_id,
    score: row.score,
    pairs: row.pairs,
    method: row.method,
  });
}

/** The bytes of a file holding `rows` (already in output order) in `format`. */
export function encodeRows(rows: readonly NeighbourRow[], format: NeighbourFormat): Uint8Array {
  if (format === "jsonl") {
    return new TextEncoder().encode(rows.map((r) => rowJson(r) + "\n").join(""));
  }
  if (format === "csv") {
    return new TextEncoder().encode(toCsv(rows as unknown as Record<string, unknown>[], NEIGHBOUR_COLUMNS));
  }
  const table = new arrow.Table({
    item_id: arrow.vectorFromArray(rows.map((r) => r.item_id), new arrow.Utf8()),
    rank: arrow.makeVector(Int32Array.from(rows, (r) => r.rank)),
    neighbour_id: arrow.vectorFromArray(rows.map((r) => r.neighbour_id), new arrow.Utf8()),
    score: arrow.vectorFromArray(rows.map((r) => r.score), new arrow.Float64()),
    pairs: arrow.makeVector(Int32Array.from(rows, (r) => r.pairs)),
    method: arrow.vectorFromArray(rows.map((r) => r.method), new arrow.Utf8()),
  });
  return parquetBytes(table);
}

/** Parse rows back from the bytes of a file in `format` (`source` names it in errors). */
export function decodeRows(
  bytes: Uint8Array,
  format: NeighbourFormat,
  source: string = format,
): NeighbourRow[] {
  if (format === "parquet") {
    const table = parquetTable(bytes);
    const column = (name: string) => {
      const vector = table.getChild(name);
      if (vector === null) throw new RangeError(`${source}: no column "${name}"`);
      // Iterating respects the validity bitmap (`toArray` would give a null score's slot value).
      return Array.from(vector) as unknown[];
    };
    const [ids, ranks, neighbours, scores, pairs, methods] = NEIGHBOUR_COLUMNS.map(column);
    return ids.map((id, r) => ({
      item_id: String(id),
      rank: Number(ranks[r]),
      neighbour_id: String(neighbours[r]),
      score: scores[r] === null ? null : Number(scores[r]),
      pairs: Number(pairs[r]),
      method: String(methods[r]),
    }));
  }
  const text = new TextDecoder().decode(bytes);
  const records: Record<string, unknown>[] = format === "csv"
    ? parseCsv(text, source)
    : text.split("\n").filter((line) => line !== "").map((line, k) => {
      try {
        return JSON.parse(line);
      } catch (error) {
        throw new RangeError(`${source}: line ${k + 1} is not JSON (${(error as Error).message})`);
      }
    });
  return records.map((record, k) => {
    const number = (name: string, value: unknown) => {
      const n = typeof value === "number" ? value : Number(value);
      if (value === "" || value === null || !Number.isFinite(n)) {
        throw new RangeError(`${source}: row ${k + 1}: ${name} is not a number (${JSON.stringify(value)})`);
      }
      return n;
    };
    const score = record.score === null || record.score === "" ? null : number("score", record.score);
    return {
      item_id: String(record.item_id),
      rank: number("rank", record.rank),
      neighbour_id: String(record.neighbour_id),
      score,
      pairs: number("pairs", record.pairs),
      method: String(record.method),
    };
  });
}
