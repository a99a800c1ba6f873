/**
 * A small RFC 4180 CSV reader and writer for the datasets' label files.
 *
 * Quoted fields may hold commas, quotes (doubled) and newlines; `\r\n` and `\n` both end a record.
 *
 * @example
 * ```ts
 * import { parseCsv } from "./csv.ts";
 * const rows = parseCsv('path,name\na.jpg,"Shoe, black"\n');
 * console.log(rows[0].name); // "Shoe, black"
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
  const records: CsvRecord[] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = 0;
  // A UTF-8 byte-order mark would otherwise become part of the first header name.
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  const end = () => {
    record.push(field);
    if (!(record.length === 1 && record[0] === "")) records.push({ fields: record, line: start });
    record = [];
    field = "";
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (c === "\n") line++;
        field += c;
      }
    } else if (c === '"' && field === "") {
      quoted = true;
    } else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      end();
      line++;
      start = line;
    } else {
      field += c;
    }
  }
  if (quoted) throw new SyntaxError(`CSV ends inside a quoted field (opened on line ${start} or later)`);
  if (field !== "" || record.length > 0) end();
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
