/**
 * CSV text (RFC 4180) read and written through `d3-dsv`: every table setsim reads (datasets'
 * label files, catalog manifests) or writes (results, figures' data, downloads' labels) goes
 * through this module.
 *
 * What this layer adds to d3-dsv: objects become JSON cells and every file ends with a newline
 * (the committed results depend on both); a UTF-8 byte-order mark is dropped; blank lines are
 * skipped; each record keeps the line it starts on, so a catalog can say which line is bad; and a
 * file that ends inside a quoted field is an error instead of a silently swallowed tail.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCsv, parseCsvLines, toCsv } from "./csv.ts";
 * const text = toCsv([{ path: "a.jpg", name: "Shoe, black" }, { path: "b.jpg", name: "two\nlines" }]);
 * assert.equal(text, 'path,name\na.jpg,"Shoe, black"\nb.jpg,"two\nlines"\n');
 * assert.deepEqual(parseCsv(text)[0], { path: "a.jpg", name: "Shoe, black" });
 * assert.deepEqual(parseCsvLines(text + "c.jpg,x\n").map((r) => r.line), [1, 2, 3, 5]);
 * ```
 * @module
 */

import { csvFormatRows, csvParseRows } from "d3-dsv";

/** One CSV record with the 1-based line it starts on (quoted newlines make lines ≠ records). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

// Appended as a last record of its own: if it comes back alone, the text did not end inside a
// quoted field (d3-dsv would otherwise hand back the rest of the file as that field, quietly).
// U+FFFF is a Unicode noncharacter, so no real table holds it.
const END = "\uffff";

/**
 * Split CSV text into records of raw fields with their starting line; blank lines are skipped.
 *
 * @throws SyntaxError when the text ends inside a quoted field, naming the line it opened on.
 */
export function parseCsvLines(text: string): CsvRecord[] {
  // A UTF-8 byte-order mark would otherwise become part of the first header name.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: string[][] = csvParseRows(body + "\n" + END);
  const last = rows.pop();
  const records: CsvRecord[] = [];
  let line = 1;
  for (const fields of rows) {
    if (!(fields.length === 1 && fields[0] === "")) records.push({ fields, line });
    line += 1 + newlines(fields);
  }
  if (!last || last.length !== 1 || last[0] !== END) {
    const opened = line + newlines((last ?? []).slice(0, -1));
    throw new SyntaxError(`CSV ends inside a quoted field (opened on line ${opened})`);
  }
  return records;
}

/** Line breaks inside (quoted) fields: `\n` and `\r\n` count once, as a text editor numbers lines. */
function newlines(fields: readonly string[]): number {
  let count = 0;
  for (const field of fields) {
    for (let k = field.indexOf("\n"); k >= 0; k = field.indexOf("\n", k + 1)) count++;
  }
  return count;
}

/** Split CSV text into records of raw fields (no header handling). */
export function parseCsvRecords(text: string): string[][] {
  return parseCsvLines(text).map((r) => r.fields);
}

/**
 * Parse CSV text with a header row into objects keyed by column name.
 *
 * @param text the file contents.
 * @param source name used in error messages (usually the file path).
 * @throws SyntaxError naming the source and record when a record has the wrong number of fields.
 */
export function parseCsv(text: string, source = "CSV"): Record<string, string>[] {
  const [header, ...records] = parseCsvRecords(text);
  if (!header) return [];
  return records.map((fields, r) => {
    if (fields.length !== header.length) {
      throw new SyntaxError(
        `${source}: record ${r + 2} has ${fields.length} fields, the header has ${header.length}`,
      );
    }
    const row: Record<string, string> = {};
    header.forEach((name, k) => (row[name] = fields[k]));
    return row;
  });
}

/** The text of one cell: objects (arrays, dates) become JSON, null/undefined empty, the rest `String`. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** One CSV field, quoted when it holds a quote, comma or line break (RFC 4180); see {@link toCsv}. */
export function csvField(value: unknown): string {
  return csvFormatRows([[cellText(value)]]);
}

/**
 * Format records as CSV: a header, then one line per record, `\n` line ends and a final newline.
 *
 * @param rows the records; a missing, null or undefined value is an empty cell.
 * @param columns the column order; defaults to the union of the records' keys in first-seen order.
 */
export function toCsv(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const table = [cols.map(cellText), ...rows.map((row) => cols.map((c) => cellText(row[c])))];
  return csvFormatRows(table) + "\n";
}
