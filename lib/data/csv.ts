/**
 * A small RFC 4180 CSV reader and writer for the datasets' label files.
 *
 * Quoted fields may hold commas, quotes (doubled) and newlines; `\r\n` and `\n` both end a record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCsv } from "./csv.ts";
 * const rows = parseCsv('path,name\na.jpg,"Shoe, black"\nb.jpg,"say ""hi"""\n');
 * assert.deepEqual(rows, [{ path: "a.jpg", name: "Shoe, black" }, { path: "b.jpg", name: 'say "hi"' }]);
 * ```
 * @module
 */

/** One CSV record with the 1-based line it starts on (quoted newlines make lines ≠ records). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** Split CSV text into records of raw fields with their starting line; blank lines are skipped. */
export function parseCsvLines(text: string): CsvRecord[] {
  const QUOTE = 34, COMMA = 44, LF = 10, CR = 13;
  const records: CsvRecord[] = [];
  const n = text.length;
  // A UTF-8 byte-order mark would otherwise become part of the first header name.
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let record: string[] = [];
  let start = line;
  // Fields are sliced, not built a character at a time (a 100,000-row manifest parses in a blink).
  while (i <= n) {
    let field: string;
    if (text.charCodeAt(i) === QUOTE) {
      const opened = line;
      let j = i + 1;
      const parts: string[] = [];
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new SyntaxError(`CSV ends inside a quoted field (opened on line ${opened})`);
        const piece = text.slice(j, q);
        for (let k = piece.indexOf("\n"); k >= 0; k = piece.indexOf("\n", k + 1)) line++;
        parts.push(piece);
        if (text.charCodeAt(q + 1) === QUOTE) {
          parts.push('"');
          j = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      field = parts.join("");
      // Characters after the closing quote up to the delimiter belong to the field (lenient, as before).
      let j2 = i;
      while (j2 < n) {
        const c = text.charCodeAt(j2);
        if (c === COMMA || c === LF || c === CR) break;
        j2++;
      }
      field += text.slice(i, j2);
      i = j2;
    } else {
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === COMMA || c === LF || c === CR) break;
        j++;
      }
      field = text.slice(i, j);
      i = j;
    }
    record.push(field);
    const c = i < n ? text.charCodeAt(i) : -1;
    if (c === COMMA) {
      i++;
      continue;
    }
    // End of record (newline or end of text).
    if (!(record.length === 1 && record[0] === "")) records.push({ fields: record, line: start });
    record = [];
    if (c === CR && text.charCodeAt(i + 1) === LF) i++;
    i++;
    line++;
    start = line;
  }
  return records;
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
 * @throws SyntaxError naming the source and line when a record has the wrong number of fields.
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

function quote(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Format rows as CSV with the given column order (header first, `\n` line ends). */
export function formatCsv(columns: string[], rows: Record<string, string | number>[]): string {
  const lines = [columns.map(quote).join(",")];
  for (const row of rows) lines.push(columns.map((c) => quote(row[c] ?? "")).join(","));
  return lines.join("\n") + "\n";
}
