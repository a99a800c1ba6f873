/**
 * Reading similarity matrices from files (CSV or JSON), as the `match` CLI does.
 *
 * - CSV: one row of A per line, one column of B per comma-separated cell. An optional header row
 *   (no numeric cell at all, or an empty first cell) gives column labels; an optional first column of labels is detected when
 *   a row's first cell is not a number (so labels must not themselves be numbers). Blank lines are
 *   ignored; cells may be double-quoted.
 * - JSON: a 2-D array of numbers, `[[S00, S01, ...], [S10, ...], ...]`.
 *
 * Every problem is a {@link MatrixFileError} naming the file, row and column (exit code 2 in CLIs).
 * @module
 */

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

const isNumber = (cell: string) => cell !== "" && Number.isFinite(Number(cell));

/** Parse CSV text (see the module doc for the format). `source` names the input in errors. */
export function parseMatrixCsv(text: string, source = "CSV"): LabelledMatrix {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/).map((line, k) => ({ line, number: k + 1 }))
    .filter(({ line }) => line.trim() !== "");
  if (lines.length === 0) throw new MatrixFileError(`${source} is empty: expected a matrix of similarities`);
  let rows = lines.map(({ line, number }) => ({ cells: splitCsvLine(line), number }));
  let colLabels: string[] | undefined;
  const first = rows[0].cells;
  // A header has an empty corner cell (",0,1,2"), or no numbers after its first cell and no number
  // in its first cell either ("item,front,back", "x,y"); "0.1,abc" is a bad data row, not a header.
  const isHeader = (first.length > 1 && first[0] === "") || first.every((cell) => !isNumber(cell));
  if (isHeader) {
    colLabels = first;
    rows = rows.slice(1);
  }
  if (rows.length === 0) throw new MatrixFileError(`${source} has a header row but no data rows`);
  const hasRowLabels = rows.some(({ cells }) => !isNumber(cells[0]));
  const rowLabels = hasRowLabels ? rows.map(({ cells }) => cells[0]) : undefined;
  if (colLabels && hasRowLabels) colLabels = colLabels.slice(1);
  const width = rows[0].cells.length - (hasRowLabels ? 1 : 0);
  if (width === 0) throw new MatrixFileError(`${source} line ${rows[0].number} has labels but no values`);
  if (colLabels && colLabels.length !== width) {
    throw new MatrixFileError(
      `${source} header has ${colLabels.length} column labels but the data rows have ${width} values`,
    );
  }
  const data = new Float64Array(rows.length * width);
  rows.forEach(({ cells, number }, i) => {
    const values = hasRowLabels ? cells.slice(1) : cells;
    if (values.length !== width) {
      throw new MatrixFileError(`${source} line ${number} has ${values.length} values, expected ${width}`);
    }
    values.forEach((cell, j) => {
      if (!isNumber(cell)) {
        throw new MatrixFileError(
          `${source} line ${number}, column ${j + 1}: "${cell}" is not a finite number`,
        );
      }
      data[i * width + j] = Number(cell);
    });
  });
  return { matrix: { rows: rows.length, cols: width, data }, rowLabels, colLabels };
}

/** Parse JSON text holding a 2-D array of numbers. */
export function parseMatrixJson(text: string, source = "JSON"): LabelledMatrix {
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
  const data = new Float64Array(value.length * width);
  value.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== width) {
      throw new MatrixFileError(
        `${source} row ${i} must be an array of ${width} numbers; got ${
          Array.isArray(row) ? row.length : typeof row
        }`,
      );
    }
    row.forEach((x, j) => {
      if (typeof x !== "number" || !Number.isFinite(x)) {
        throw new MatrixFileError(
          `${source} entry [${i}][${j}] is ${JSON.stringify(x)}, not a finite number`,
        );
      }
      data[i * width + j] = x;
    });
  });
  return { matrix: { rows: value.length, cols: width, data } };
}

/** Read a matrix file: JSON when the name ends in `.json` or the text starts with `[`, CSV otherwise. */
export async function readMatrixFile(path: string): Promise<LabelledMatrix> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new MatrixFileError(`cannot read matrix file ${path}: ${(error as Error).message}`);
  }
  const json = path.toLowerCase().endsWith(".json") || text.trimStart().startsWith("[");
  return json ? parseMatrixJson(text, path) : parseMatrixCsv(text, path);
}
