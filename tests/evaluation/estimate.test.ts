/**
 * The result vocabulary (`lib/evaluation/estimate.ts`): an estimate without resamples has no
 * interval — not `lo = hi = value` — and every edge (formatter, flat columns, `ci95`) says so.
 */
import assert from "node:assert/strict";
import {
  bestCell,
  ci95Of,
  estimate,
  estimateColumns,
  estimateFromColumns,
  estimatesOf,
  estimatesOverlap,
  formatEstimate,
  hasInterval,
} from "../../lib/evaluation/estimate.ts";
import { formatInterval, formatMetricInterval } from "../../lib/evaluation/format.ts";
import { cellEstimates } from "../../lib/sweep/output.ts";

Deno.test("an estimate without an interval is the value alone, everywhere", () => {
  const point = estimate(0.5);
  assert.deepEqual(point, { value: 0.5 });
  assert.equal(hasInterval(point), false);
  assert.equal(formatEstimate(point), "0.500");
  assert.equal(formatEstimate({ value: 0.25 }, 2), "0.25");
  assert.deepEqual(estimateColumns("map", point), { map: 0.5 });
  assert.deepEqual(ci95Of({ map: point, recall_at_1: estimate(0.9, 0.8, 1) }), { recall_at_1: [0.8, 1] });
  assert.deepEqual(estimatesOf({ map: 0.5, ci95: {} }, ["map"]), { map: { value: 0.5 } });
  assert.deepEqual(cellEstimates({ map: 0.5 }), { map: { value: 0.5 } });
  assert.deepEqual(cellEstimates({ map: 0.5 }, { map: [0.4, 0.6] }), {
    map: { value: 0.5, lo: 0.4, hi: 0.6 },
  });
  assert.deepEqual(estimateFromColumns({ map: 0.5 }, "map"), { value: 0.5 });
  assert.deepEqual(estimateFromColumns({ map: 0.5, map_lo: "", map_hi: "" }, "map"), { value: 0.5 });
  assert.equal(formatMetricInterval({ map: 0.5 }, "map"), "0.500");
});

Deno.test("an estimate with an interval keeps its ends and its spelling", () => {
  const e = estimate(0.6403, 0.6011, 0.6764);
  assert.equal(hasInterval(e), true);
  assert.equal(formatEstimate(e), "0.640 [0.601, 0.676]");
  assert.equal(formatInterval(0.6403, 0.6011, 0.6764), "0.640 [0.601, 0.676]");
  assert.deepEqual(estimateColumns("map", e), { map: 0.6403, map_lo: 0.6011, map_hi: 0.6764 });
  assert.deepEqual(estimateFromColumns({ map: 0.5, map_lo: 0.4, map_hi: 0.6 }, "map"), {
    value: 0.5,
    lo: 0.4,
    hi: 0.6,
  });
  // A zero-width interval from real resamples is still an interval (every resample agreed).
  assert.equal(formatEstimate(estimate(1, 1, 1)), "1.000 [1.000, 1.000]");
});

Deno.test("half an interval, reversed or non-finite ends are errors that name the problem", () => {
  assert.throws(() => estimate(0.5, 0.4), /both ends or neither/);
  assert.throws(() => formatEstimate({ value: 0.5, hi: 0.6 }), /both ends or neither/);
  assert.throws(() => estimate(0.5, 0.6, 0.4), /reversed/);
  assert.throws(() => estimate(NaN), /value must be a finite number/);
  assert.throws(() => estimateFromColumns({ map: 0.5, map_lo: 0.4 }, "map"), /row\.map_hi/);
});

Deno.test("overlap and best cell treat a point as its value", () => {
  assert.equal(estimatesOverlap({ value: 0.5 }, estimate(0.6, 0.45, 0.7)), true);
  assert.equal(estimatesOverlap({ value: 0.5 }, { value: 0.6 }), false);
  assert.equal(estimatesOverlap({ value: 0.5 }, { value: 0.5 }), true);
  const cells = [{ metrics: { map: { value: 0.4 } } }, { metrics: { map: { value: 0.7 } } }];
  assert.equal(bestCell(cells, "map"), cells[1]);
});
