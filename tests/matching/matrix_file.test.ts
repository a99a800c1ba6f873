import assert from "node:assert/strict";
import { MatrixFileError, parseMatrixCsv, parseMatrixJson } from "../../lib/matching/mod.ts";

Deno.test("CSV: plain numbers", () => {
  const { matrix, rowLabels, colLabels } = parseMatrixCsv("0.9,0.1\n0.2,0.8\n\n");
  assert.deepEqual([matrix.rows, matrix.cols, Array.from(matrix.data)], [2, 2, [0.9, 0.1, 0.2, 0.8]]);
  assert.equal(rowLabels, undefined);
  assert.equal(colLabels, undefined);
});

Deno.test("CSV: header row and label column, CRLF, quotes", () => {
  const text = 'item,"front, left",back\r\nshoe-1,0.5,-0.25\r\nshoe-2,1,0\r\n';
  const { matrix, rowLabels, colLabels } = parseMatrixCsv(text);
  assert.deepEqual([matrix.rows, matrix.cols, Array.from(matrix.data)], [2, 2, [0.5, -0.25, 1, 0]]);
  assert.deepEqual(rowLabels, ["shoe-1", "shoe-2"]);
  assert.deepEqual(colLabels, ["front, left", "back"]);
  // Header with an empty corner cell and numeric column names.
  const numeric = parseMatrixCsv(",0,1\na,0.1,0.2\n");
  assert.deepEqual(numeric.colLabels, ["0", "1"]);
  // Header only over the values, no label column.
  assert.deepEqual(parseMatrixCsv("x,y\n0.1,0.2\n").colLabels, ["x", "y"]);
  // Label column without header.
  assert.deepEqual(parseMatrixCsv("a,0.1\nb,0.2\n").rowLabels, ["a", "b"]);
});

Deno.test("CSV: errors name the line and column", () => {
  assert.throws(() => parseMatrixCsv("", "m.csv"), /m.csv is empty/);
  assert.throws(() => parseMatrixCsv("0.1,0.2\n0.3\n", "m.csv"), /m.csv line 2 has 1 values, expected 2/);
  assert.throws(
    () => parseMatrixCsv("0.1,0.2\n0.3,NaN\n", "m.csv"),
    /line 2, column 2: "NaN" is not a finite number/,
  );
  assert.throws(() => parseMatrixCsv("a,b\n", "m.csv"), /header row but no data rows/);
  assert.throws(
    () => parseMatrixCsv("x,y,z\n0.1,0.2\n"),
    /header has 3 column labels but the data rows have 2/,
  );
  assert.throws(() => parseMatrixCsv("0.1,zz\n0.3,0.4\n"), MatrixFileError);
});

Deno.test("JSON: a 2-D array of finite numbers", () => {
  const { matrix } = parseMatrixJson("[[0.5, 1], [0, -1], [0.25, 0.75]]");
  assert.deepEqual([matrix.rows, matrix.cols, Array.from(matrix.data)], [3, 2, [0.5, 1, 0, -1, 0.25, 0.75]]);
  assert.throws(
    () => parseMatrixJson("[[1, 2], [3]]", "m.json"),
    /m.json row 1 must be an array of 2 numbers; got 1/,
  );
  assert.throws(() => parseMatrixJson("[]"), /non-empty 2-D array/);
  assert.throws(() => parseMatrixJson("[[]]"), /row 0 must be a non-empty array/);
  assert.throws(() => parseMatrixJson("[[1, null]]"), /entry \[0\]\[1\] is null/);
  assert.throws(() => parseMatrixJson("{"), /not valid JSON/);
  assert.equal(new MatrixFileError("x").exitCode, 2);
});
