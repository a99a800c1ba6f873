/**
 * Reading similarity matrices from files (CSV or JSON), as the `match` CLI does.
 *
 * - CSV: one row of A per line, one column of B per comma-separated cell. Blank lines are ignored;
 *   cells may be double-quoted. A cell "reads as a number" when it is a decimal number (`0.5`,
 *   `-1e-3`, `.5`) or a number-like token `nan`, `inf`, `infinity` (any case, optional sign). Only
 *   decimal numbers are values: `0x1`, `1_000` or `NaN` are errors, never silently read.
 *   - The first row is a header (column labels) only when none of its cells reads as a number, or
 *     when its first cell is empty and the first column below it is a label column (numeric
 *     column names over labelled rows: `,0,1` / `a,0.1,0.2`).
 *   - The first column holds row labels only when none of its cells (below a header) reads as a
 *     number. So one bad cell (`nan`, `inf`, `1e400`) is reported with its line and column; it
 *     never turns a column into labels or a row into a header, changing the matrix's shape.
 * - JSON: a 2-D array of numbers, `[[S00, S01, ...], [S10, ...], ...]`.
 *
 * Values must lie in [−1, 1] (cosine similarities; 1e-6 of float32 rounding is tolerated) unless
 * `anyRange` is set: a value of 1.5 in a cosine matrix is a bug upstream, not a strong match.
 *
 * Every problem is a {@link MatrixFileError} naming the file, line (or entry) and column (exit code 2
 * in CLIs).
 * @module
 */

import { DECIMAL_PATTERN, parseDecimal } from "../io/decimal.ts";
import type { SimilarityMatrix } from "./types.ts";

/** A malformed matrix file; `exitCode` 2 marks it as bad input for `runCli`. */
export class MatrixFileError extends Error {
  /** The error's name. */
  override name = "MatrixFileError";
  /** Exit code for `runCli`: 2, bad input. */
  readonly exitCode = 2;
}

/** A parsed matrix with its optional labels. */
export interface LabelledMatrix {
  /** The values, row-major (Float64). */
  matrix: SimilarityMatrix;
  /** The first column's labels, if the file had them. */
  rowLabels?: string[];
  /** The header row's labels (without the corner cell), if the file had one. */
  colLabels?: string[];
}

/** Options of the matrix readers. */
export interface MatrixReadOptions {
  /** Accept values outside [−1, 1] (similarities that are not cosines). Default false. */
  anyRange?: boolean;
}

/** Cosines computed in float32 can exceed 1 by a few ulps; beyond this it is not rounding. */
const RANGE_SLACK = 1e-6;

const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/** Whether a cell reads as a number: a decimal number or a nan/inf token (see the module doc). */
export function readsAsNumber(cell: string): boolean {
  return DECIMAL_PATTERN.test(cell) || NON_FINITE.test(cell);
}

/** The value of a decimal cell, or undefined when it is not a finite decimal number. */
const decimalValue = parseDecimal;

function rangeError(where: string, value: number): MatrixFileError {
  return new MatrixFileError(
    `${where}: ${value} is outside [-1, 1], the range of a cosine similarity ` +
      `(use --any-range, or anyRange: true, to score other similarities)`,
  );
}

const inRange = (value: number) => Math.abs(value) <= 1 + RANGE_SLACK;

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = "", quoted = false;
  for (let k = 0; k < line.length; k++) {
    const ch = line[k];
    if (quoted) {
      if (ch === '"' && line[k + 1] === '"') {
        cell += '"';
        k++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      cells.push(cell.trim());
      cell = "";
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

/** Parse CSV text (see the module doc for the format). `source` names the input in errors. */
export function parseMatrixCsv(
  text: string,
  source = "CSV",
  options: MatrixReadOptions = {},
): LabelledMatrix {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/).map((line, k) => ({ line, number: k + 1 }))
    .filter(({ line }) => line.trim() !== "");
  if (lines.length === 0) throw new MatrixFileError(`${source} is empty: expected a matrix of similarities`);
  let rows = lines.map(({ line, number }) => ({ cells: splitCsvLine(line), number }));
  const other = rows.every(({ cells }) => cells.length === 1) && rows[0].cells[0].match(/[;\t|]/)?.[0];
  if (other) {
    throw new MatrixFileError(
      `${source} has one cell per line, and line ${rows[0].number} contains ${JSON.stringify(other)}: ` +
        `only commas separate cells; is this file separated by ;, tabs or |?`,
    );
  }
  const first = rows[0].cells;
  const labelColumnBelow = rows.length > 1 && rows.slice(1).every(({ cells }) => !readsAsNumber(cells[0]));
  const isHeader = first.every((cell) => !readsAsNumber(cell)) ||
    (first.length > 1 && first[0] === "" && labelColumnBelow);
  let colLabels: string[] | undefined;
  if (isHeader) {
    colLabels = first;
    rows = rows.slice(1);
  }
  if (rows.length === 0) throw new MatrixFileError(`${source} has a header row but no data rows`);
  const hasRowLabels = rows.every(({ cells }) => !readsAsNumber(cells[0]));
  const rowLabels = hasRowLabels ? rows.map(({ cells }) => cells[0]) : undefined;
  if (colLabels && hasRowLabels) colLabels = colLabels.slice(1);
  const skip = hasRowLabels ? 1 : 0;
  const width = rows[0].cells.length - skip;
  if (width === 0) throw new MatrixFileError(`${source} line ${rows[0].number} has labels but no values`);
  if (colLabels && colLabels.length !== width) {
    throw new MatrixFileError(
      `${source} header has ${colLabels.length} column labels but the data rows have ${width} values`,
    );
  }
  // Why a cell that is not a number was not taken for a label or a header (the rules of the module doc).
  const why = (cell: string, i: number, j: number) => {
    if (/[;\t|]/.test(cell) && /\d/.test(cell)) {
      return " (only commas separate cells; is this file separated by ;, tabs or |?)";
    }
    if (j === 0 && !hasRowLabels && !readsAsNumber(cell)) {
      return i === 0 && !isHeader
        ? " (a first row is read as a header only when none of its cells is a number)"
        : " (a first column is read as labels only when none of its cells is a number)";
    }
    if (i === 0 && !isHeader && !readsAsNumber(cell)) {
      return " (a first row is read as a header only when none of its cells is a number)";
    }
    return "";
  };
  // Shape first, then values: a ragged file is reported as ragged whatever its values are.
  for (const { cells, number } of rows) {
    if (cells.length - skip !== width) {
      throw new MatrixFileError(
        `${source} line ${number} has ${cells.length - skip} values, expected ${width}`,
      );
    }
  }
  // Then every cell must be a number (the first bad one is reported), then in range.
  const data = new Float64Array(rows.length * width);
  const where = (k: number) =>
    `${source} line ${rows[Math.floor(k / width)].number}, column ${(k % width) + skip + 1}`;
  rows.forEach(({ cells }, i) => {
    for (let j = 0; j < width; j++) {
      const cell = cells[j + skip];
      const value = decimalValue(cell);
      if (value === undefined) {
        throw new MatrixFileError(
          `${where(i * width + j)}: "${cell}" is not a finite number${why(cell, i, j)}`,
        );
      }
      data[i * width + j] = value;
    }
  });
  if (!options.anyRange) {
    const k = data.findIndex((value) => !inRange(value));
    if (k >= 0) throw rangeError(where(k), data[k]);
  }
  return { matrix: { rows: rows.length, cols: width, data }, rowLabels, colLabels };
}

/** Parse JSON text holding a 2-D array of numbers. */
export function parseMatrixJson(
  text: string,
  source = "JSON",
  options: MatrixReadOptions = {},
): LabelledMatrix {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new MatrixFileError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new MatrixFileError(`${source} must hold a non-empty 2-D array of numbers (rows = A, columns = B)`);
  }
  const width = Array.isArray(value[0]) ? value[0].length : -1;
  if (width <= 0) throw new MatrixFileError(`${source} row 0 must be a non-empty array of numbers`);
  // Shape first, then values: a ragged file is reported as ragged whatever its values are.
  value.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== width) {
      throw new MatrixFileError(
        `${source} row ${i} must be an array of ${width} numbers; got ${
          Array.isArray(row) ? row.length : typeof row
        }`,
      );
    }
  });
  const data = new Float64Array(value.length * width);
  (value as unknown[][]).forEach((row, i) => {
    row.forEach((x, j) => {
      if (typeof x !== "number" || !Number.isFinite(x)) {
        throw new MatrixFileError(
          `${source} entry [${i}][${j}] is ${JSON.stringify(x)}, not a finite number`,
        );
      }
      data[i * width + j] = x;
    });
  });
  if (!options.anyRange) {
    const k = data.findIndex((x) => !inRange(x));
    if (k >= 0) throw rangeError(`${source} entry [${Math.floor(k / width)}][${k % width}]`, data[k]);
  }
  return { matrix: { rows: value.length, cols: width, data } };
}

/** Read a matrix file: JSON when the name ends in `.json` or the text starts with `[`, CSV otherwise. */
export async function readMatrixFile(path: string, options: MatrixReadOptions = {}): Promise<LabelledMatrix> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new MatrixFileError(`cannot read matrix file ${path}: ${(error as Error).message}`);
  }
  const json = path.toLowerCase().endsWith(".json") || text.trimStart().startsWith("[");
  return json ? parseMatrixJson(text, path, options) : parseMatrixCsv(text, path, options);
}
