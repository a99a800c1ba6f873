import assert from "node:assert/strict";
import { sweepSummary, sweepTableRows } from "../../lib/sweep/document.ts";
import { sweepFindings } from "../../notebooks/lib/sweep_findings.ts";

const cell = (s: number | null, m: number | null, map: number, bootstrap: number) => ({
  hash: `${s}-${m}`,
  setting: {
    dataset: "d",
    protocol: "p",
    method: "greedy",
    s,
    m,
    seed: 0,
    model: "x",
    bootstrap,
    options: {},
  },
  metrics: bootstrap > 0
    ? { map: { value: map, lo: map - 0.1, hi: map + 0.1 }, recall_at_1: { value: map, lo: map, hi: map } }
    : { map: { value: map }, recall_at_1: { value: map } },
});

Deno.test("sweepSummary: a sweep without resamples has no interval, never NaN ends", () => {
  const rows = [cell(null, null, 0.5, 0), cell(0.8, 1, 0.7, 0)];
  const [summary] = sweepSummary(rows, "map");
  assert.deepEqual(summary, {
    dataset: "d",
    protocol: "p",
    method: "greedy",
    metric: "map",
    best_s: 0.8,
    best_m: 1,
    best: 0.7,
    default: 0.5,
    gain: 0.7 - 0.5,
  });
  // Every number present is finite: no column is filled with NaN.
  for (const value of Object.values(summary)) {
    if (typeof value === "number") assert.ok(Number.isFinite(value));
  }
  // The findings compare intervals, so they refuse such a sweep by name instead of reading NaN.
  assert.throws(() => sweepFindings(rows), /d\/greedy: the default cell has no map interval \(bootstrap 0\)/);
});

Deno.test("sweepSummary: with resamples both ends of both cells", () => {
  const [summary] = sweepSummary([cell(null, null, 0.5, 10), cell(0.8, 1, 0.7, 10)], "map");
  assert.deepEqual(
    [summary.best_lo, summary.best_hi, summary.default_lo, summary.default_hi].map((x) => x!.toFixed(2)),
    ["0.60", "0.80", "0.40", "0.60"],
  );
});

Deno.test("sweepSummary: best cell vs the default with intervals; sweepTableRows flattens", () => {
  const rows = [cell(null, null, 0.5, 10), cell(0.8, 1, 0.7, 10), cell(0.9, null, 0.6, 10)];
  const [summary] = sweepSummary(rows, "map");
  assert.equal(summary.best_s, 0.8);
  assert.equal(summary.best_m, 1);
  assert.equal(summary.default, 0.5);
  assert.ok(Math.abs(summary.gain! - 0.2) < 1e-12);
  assert.ok(Math.abs(summary.best_lo! - 0.6) < 1e-12);
  const flat = sweepTableRows(rows);
  assert.equal(flat[0].s, "none");
  assert.equal(flat[0].m, "all");
  assert.ok(Math.abs((flat[1].map_hi as number) - 0.8) < 1e-12);
});

Deno.test("sweepSummary: a grid without the default cell (s = none, m = all) has no default and no gain, never NaN", () => {
  const rows = [cell(0.8, 1, 0.7, 10), cell(0.9, null, 0.6, 10)];
  const [summary] = sweepSummary(rows, "map");
  assert.equal(summary.best, 0.7);
  assert.equal("default" in summary, false);
  assert.equal("gain" in summary, false);
  for (const value of Object.values(summary)) {
    if (typeof value === "number") assert.ok(Number.isFinite(value));
  }
  assert.throws(() => sweepFindings(rows), /d\/greedy: the grid has no default cell \(s = none, m = all\)/);
});
