/**
 * The one vocabulary for a result: an {@link Estimate} is a metric's value with the ends of its 95%
 * interval, a {@link GridCell} is one setting of a grid with its estimates (the in-process s × m
 * grid, the sweep and the fusion-weight sweep all produce them), and {@link bestCell} picks the best
 * cell of a grid the same way everywhere.
 *
 * Contracts keep their own spelling and are converted here, at the edge: the `ci95: { m: [lo, hi] }`
 * field of `deno task eval --json` and the sweep's JSON ({@link estimatesOf}), and the flat
 * `m, m_lo, m_hi` columns of committed tables ({@link estimateColumns}, {@link estimateFromColumns}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bestCell, estimateColumns, formatEstimate, type GridCell } from "./estimate.ts";
 * const map = { value: 0.6403, lo: 0.6011, hi: 0.6764 };
 * assert.equal(formatEstimate(map), "0.640 [0.601, 0.676]");
 * assert.deepEqual(estimateColumns("map", map), { map: 0.6403, map_lo: 0.6011, map_hi: 0.6764 });
 * const cells: GridCell<{ s: number | null }>[] = [
 *   { setting: { s: null }, metrics: { map: { value: 0.5, lo: 0.4, hi: 0.6 } } },
 *   { setting: { s: 0.8 }, metrics: { map: { value: 0.7, lo: 0.6, hi: 0.8 } } },
 * ];
 * assert.equal(bestCell(cells, "map")?.setting.s, 0.8);
 * ```
 * @module
 */

/**
 * A metric's value with the ends of its 95% interval. Without resampling (bootstrap 0) the interval
 * is the point itself, `lo = hi = value`, as `evaluateRanking` reports it.
 */
export interface Estimate {
  value: number;
  lo: number;
  hi: number;
}

/** One setting of a grid (s × m cell, fusion weight, method, …) with its estimates by metric name. */
export interface GridCell<Setting = Record<string, unknown>> {
  setting: Setting;
  metrics: Record<string, Estimate>;
}

function finite(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number, got ${String(value)}`);
  }
  return value;
}

/** A checked {@link Estimate}: finite ends, `lo ≤ value ≤ hi` up to rounding is not required, `lo ≤ hi` is. */
export function estimate(value: number, lo: number = value, hi: number = value): Estimate {
  finite(value, "value");
  finite(lo, "lo");
  finite(hi, "hi");
  if (lo > hi) throw new RangeError(`interval ends are reversed: lo ${lo} > hi ${hi}`);
  return { value, lo, hi };
}

/**
 * The estimates of `names` from a result in the contract spelling: point values as fields and
 * `ci95: { name: [lo, hi] }` (what `evaluateRanking` and `deno task eval --json` give). A name with
 * no `ci95` entry gets the point as its interval.
 */
export function estimatesOf<N extends string>(
  result: { [K in N]?: number } & { ci95?: Partial<Record<N, readonly [number, number]>> },
  names: readonly N[],
): Record<N, Estimate> {
  const out = {} as Record<N, Estimate>;
  for (const name of names) {
    const value = finite(result[name], name);
    const bounds = result.ci95?.[name];
    out[name] = bounds ? estimate(value, bounds[0], bounds[1]) : estimate(value);
  }
  return out;
}

/** The `ci95` spelling of estimates: `{ name: [lo, hi] }`. */
export function ci95Of(metrics: Record<string, Estimate>): Record<string, [number, number]> {
  return Object.fromEntries(Object.entries(metrics).map(([name, e]) => [name, [e.lo, e.hi]]));
}

/** The point values of estimates: `{ name: value }`. */
export function valuesOf(metrics: Record<string, Estimate>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).map(([name, e]) => [name, e.value]));
}

/** Flat table columns of one estimate: `{ name, name_lo, name_hi }`. */
export function estimateColumns(name: string, e: Estimate): Record<string, number> {
  return { [name]: e.value, [`${name}_lo`]: e.lo, [`${name}_hi`]: e.hi };
}

/** The estimate stored in a row's flat `name`, `name_lo`, `name_hi` columns. */
export function estimateFromColumns(row: Record<string, unknown>, name: string): Estimate {
  return estimate(
    finite(row[name], `row.${name}`),
    finite(row[`${name}_lo`], `row.${name}_lo`),
    finite(row[`${name}_hi`], `row.${name}_hi`),
  );
}

/** "value [lo, hi]" with `digits` decimals (default 3): the one way an interval is written. */
export function formatEstimate(e: Estimate, digits = 3): string {
  const { value, lo, hi } = estimate(e.value, e.lo, e.hi);
  return `${value.toFixed(digits)} [${lo.toFixed(digits)}, ${hi.toFixed(digits)}]`;
}

/** Whether two intervals overlap (touching counts as overlap). */
export function estimatesOverlap(a: Estimate, b: Estimate): boolean {
  return a.lo <= b.hi && b.lo <= a.hi;
}

/**
 * The cell of `cells` with the highest `metric`; ties go to the higher `tieBreak` metric (default:
 * `recall_at_1` when ranking by `map`, else `map`), then to the earlier cell. Cells without a
 * finite `metric` are skipped; `undefined` when none has one.
 */
export function bestCell<C extends { metrics: Record<string, Estimate> }>(
  cells: readonly C[],
  metric: string,
  tieBreak: string = metric === "map" ? "recall_at_1" : "map",
): C | undefined {
  let best: C | undefined;
  for (const cell of cells) {
    const value = cell.metrics[metric]?.value;
    if (value === undefined || !Number.isFinite(value)) continue;
    if (!best) {
      best = cell;
      continue;
    }
    const current = best.metrics[metric].value;
    const second = (c: C) => c.metrics[tieBreak]?.value ?? -Infinity;
    if (value > current || (value === current && second(cell) > second(best))) best = cell;
  }
  return best;
}
