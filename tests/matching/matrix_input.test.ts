/**
 * Issue 10, cases 1 and 12: a bad cell never changes a matrix's shape, values outside [−1, 1] need
 * an explicit opt-in, and only decimal numbers are numbers.
 */
import assert from "node:assert/strict";
import { parseMatrixCsv, parseMatrixJson } from "../../lib/matching/mod.ts";

Deno.test("CSV: a number-like first-column cell is a bad value with its line and column, not a label", () => {
  const cases: [string, RegExp][] = [
    ["NaN,0.2\n0.3,0.4\n", /line 1, column 1: "NaN" is not a finite number/],
    ["0.1,0.2\nnan,0.4\n0.5,0.6\n", /line 2, column 1: "nan" is not a finite number/],
    ["0.1,0.2\n0.3,0.4\ninf,0.6\n", /line 3, column 1: "inf" is not a finite number/],
    ["0.1,0.2\n-Infinity,0.4\n", /line 2, column 1: "-Infinity" is not a finite number/],
    ["0.1,0.2\nabc,0.4\n0.5,0.6\n", /line 2, column 1: "abc" is not a finite number/],
    ["1e400,0.2\n0.3,0.4\n", /line 1, column 1: "1e400" is not a finite number/],
    ["0.1,0.2\nINF,0.4\n", /line 2, column 1: "INF" is not a finite number/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseMatrixCsv(text, "m.csv"), message, text);
});

Deno.test("CSV: a first row with a number-like cell is data, not a header", () => {
  assert.throws(
    () => parseMatrixCsv("nan,nan\n0.1,0.2\n", "m.csv"),
    /line 1, column 1: "nan" is not a finite/,
  );
  assert.throws(
    () => parseMatrixCsv("x,inf\n0.1,0.2\n", "m.csv"),
    /line 1, column 1: "x" is not a finite number/,
  );
  // Real headers and labels still work.
  assert.deepEqual(parseMatrixCsv("x,y\n0.1,0.2\n").colLabels, ["x", "y"]);
  const labelled = parseMatrixCsv("id,front,back\nshoe,0.1,0.2\nboot,0.3,0.4\n");
  assert.deepEqual(labelled.rowLabels, ["shoe", "boot"]);
  assert.deepEqual(labelled.colLabels, ["front", "back"]);
  assert.deepEqual(parseMatrixCsv(",0,1\na,0.1,0.2\n").colLabels, ["0", "1"]);
  // Labels may look like anything but a number, hex included (0x1 is not a finite number here).
  assert.deepEqual(parseMatrixCsv("0x1,0.1\n0x2,0.2\n").rowLabels, ["0x1", "0x2"]);
});

Deno.test("CSV and JSON: only decimal numbers are numbers", () => {
  for (const cell of ["0x1", "0b1", "0o7", "1_000", "1,5", " ", "+-1", "1e", ".", "1.2.3"]) {
    const text = `0.1,"${cell}"\n0.3,0.4\n`;
    assert.throws(() => parseMatrixCsv(text, "m.csv"), /line 1, column 2: .* is not a finite number/, cell);
  }
  for (const cell of ["1", "-1", "+0.5", ".5", "5.", "-1e-3", "1E0"]) {
    assert.doesNotThrow(() => parseMatrixCsv(`${cell},0\n`, "m.csv", { anyRange: true }), cell);
  }
});

Deno.test("values outside [−1, 1] are an error unless anyRange is set", () => {
  assert.throws(
    () => parseMatrixCsv("0.9,1.5\n-3,0.2\n", "m.csv"),
    /m\.csv line 1, column 2: 1\.5 is outside \[-1, 1\].*--any-range/,
  );
  assert.throws(() => parseMatrixCsv("a,0.9\nb,-3\n", "m.csv"), /line 2, column 2: -3 is outside/);
  assert.throws(
    () => parseMatrixJson("[[0.9, 1.5]]", "m.json"),
    /m\.json entry \[0\]\[1\]: 1\.5 is outside \[-1, 1\]/,
  );
  const wide = parseMatrixCsv("0.9,1.5\n-3,0.2\n", "m.csv", { anyRange: true });
  assert.deepEqual(Array.from(wide.matrix.data), [0.9, 1.5, -3, 0.2]);
  assert.deepEqual(Array.from(parseMatrixJson("[[2]]", "m.json", { anyRange: true }).matrix.data), [2]);
  // float32 cosines can overshoot 1 by rounding; that is not a range error.
  assert.doesNotThrow(() => parseMatrixCsv("1.0000001,-1.0000001\n"));
});

Deno.test("JSON: ragged rows, empty rows and non-numbers are named", () => {
  assert.throws(
    () => parseMatrixJson("[[0.1], [0.2, 0.3]]", "m.json"),
    /row 1 must be an array of 1 numbers; got 2/,
  );
  assert.throws(() => parseMatrixJson("[[0.1], []]", "m.json"), /row 1 must be an array of 1 numbers; got 0/);
  assert.throws(() => parseMatrixJson("[[]]", "m.json"), /row 0 must be a non-empty array/);
  assert.throws(() => parseMatrixJson("[0.1, 0.2]", "m.json"), /row 0 must be a non-empty array/);
  assert.throws(
    () => parseMatrixJson('[["0.1"]]', "m.json"),
    /entry \[0\]\[0\] is "0.1", not a finite number/,
  );
  assert.throws(
    () => parseMatrixJson("[[1e400]]", "m.json"),
    /entry \[0\]\[0\] is null, not a finite number|not a finite/,
  );
  assert.throws(() => parseMatrixJson('{"a": 1}', "m.json"), /non-empty 2-D array/);
});

Deno.test("CSV errors explain the label rule and other separators", () => {
  // A numeric product id among the labels makes the column data, so the text label is the bad cell.
  assert.throws(
    () => parseMatrixCsv("123,0.5,0.2\nboot,0.1,0.3\n", "m.csv"),
    /line 2, column 1: "boot" is not a finite number \(a first column is read as labels only when none of its cells is a number\)/,
  );
  assert.throws(
    () => parseMatrixCsv("front,0.5\n0.1,0.3\n", "m.csv"),
    /line 1, column 1: "front" is not a finite number \(a first row is read as a header only when none of its cells is a number\)/,
  );
  for (const text of ["0.1;0.2\n0.3;0.4\n", "0.1\t0.2\n0.3\t0.4\n"]) {
    assert.throws(() => parseMatrixCsv(text, "m.csv"), /only commas separate cells/, JSON.stringify(text));
  }
});

Deno.test("a value that is not a number is reported before one out of range", () => {
  assert.throws(() => parseMatrixJson('[[5, "x"]]', "m.json"), /entry \[0\]\[1\] is "x"/);
  assert.throws(() => parseMatrixCsv("5,zz\n", "m.csv"), /"zz" is not a finite number/);
});
