/**
 * The one vocabulary for a result: an {@link Estimate} is a metric's value with the ends of its 95%
 * interval when it has one (none without bootstrap resamples), a {@link GridCell} is one setting of a grid with its estimates (the in-process s × m
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
 * // No resamples, no interval: the value alone, and no `_lo`/`_hi` columns.
 * assert.equal(formatEstimate({ value: 0.5 }), "0.500");
 * assert.deepEqual(estimateColumns("map", { value: 0.5 }), { map: 0.5 });
 * const cells: GridCell<{ s: number | null }>[] = [
 *   { setting: { s: null }, metrics: { map: { value: 0.5, lo: 0.4, hi: 0.6 } } },
 *   { setting: { s: 0.8 }, metrics: { map: { value: 0.7, lo: 0.6, hi: 0.8 } } },
 * ];
 * assert.equal(bestCell(cells, "map")?.setting.s, 0.8);
 * ```
 * @module
 */

/**
 * A metric's value with the ends of its 95% interval: both ends or neither. Without resampling
 * (bootstrap 0) there is no interval — `lo` and `hi` are absent, as `evaluateRanking` reports no
 * `ci95` then — never `lo = hi = value`, which would read as an interval of width 0.
 */
export interface Estimate {
  /** The point estimate. */
  value: number;
  /** Lower end of its 95% interval (absent without bootstrap resamples). */
  lo?: number;
  /** Upper end of its 95% interval (absent without bootstrap resamples). */
  hi?: number;
}

/** An {@link Estimate} that has its interval. */
export type IntervalEstimate = Required<Estimate>;

/** Whether `e` has an interval (both ends); throws on half an interval. */
export function hasInterval(e: Estimate): e is IntervalEstimate {
  const ends = (e.lo === undefined ? 0 : 1) + (e.hi === undefined ? 0 : 1);
  if (ends === 1) {
    throw new RangeError(`an estimate has both ends or neither, got lo ${e.lo} and hi ${e.hi}`);
  }
  return ends === 2;
}

/** One setting of a grid (s × m cell, fusion weight, method, …) with its estimates by metric name. */
export interface GridCell<Setting = Record<string, unknown>> {
  /** The parameters of the cell (e.g. `{ s, m }`). */
  setting: Setting;
  /** Each metric's estimate at that setting. */
  metrics: Record<string, Estimate>;
}

function finite(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number, got ${String(value)}`);
  }
  return value;
}

/**
 * A checked {@link Estimate}: a finite value, and either no interval (`lo` and `hi` omitted) or
 * finite ends with `lo ≤ hi` (`lo ≤ value ≤ hi` is not required: a percentile interval need not
 * contain the point up to rounding).
 */
export function estimate(value: number, lo?: number, hi?: number): Estimate {
  finite(value, "value");
  if (!hasInterval({ value, lo, hi })) return { value };
  finite(lo, "lo");
  finite(hi, "hi");
  if (lo! > hi!) throw new RangeError(`interval ends are reversed: lo ${lo} > hi ${hi}`);
  return { value, lo, hi };
}

/**
 * The estimates of `names` from a result in the contract spelling: point values as fields and
 * `ci95: { name: [lo, hi] }` (what `evaluateRanking` and `deno task eval --json` give). A name with
 * no `ci95` entry has no interval.
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

/** The `ci95` spelling of estimates: `{ name: [lo, hi] }`, leaving out those without an interval. */
export function ci95Of(metrics: Record<string, Estimate>): Record<string, [number, number]> {
  return Object.fromEntries(
    Object.entries(metrics).flatMap(([name, e]) => hasInterval(e) ? [[name, [e.lo, e.hi]]] : []),
  );
}

/** The point values of estimates: `{ name: value }`. */
export function valuesOf(metrics: Record<string, Estimate>): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics).map(([name, e]) => [name, e.value]));
}

/**
 * Flat table columns of one estimate: `{ name, name_lo, name_hi }`, or `{ name }` without an
 * interval (as `metricIntervalColumns` and the sweep's files leave the ends out then).
 */
export function estimateColumns(name: string, e: Estimate): Record<string, number> {
  return hasInterval(e)
    ? { [name]: e.value, [`${name}_lo`]: e.lo, [`${name}_hi`]: e.hi }
    : { [name]: e.value };
}

const blank = (v: unknown) => v === undefined || v === null || v === "";

/**
 * The estimate stored in a row's flat `name`, `name_lo`, `name_hi` columns; no interval when both
 * ends are absent or blank (a run without resamples).
 */
export function estimateFromColumns(row: Record<string, unknown>, name: string): Estimate {
  const value = finite(row[name], `row.${name}`);
  const [lo, hi] = [row[`${name}_lo`], row[`${name}_hi`]];
  if (blank(lo) && blank(hi)) return { value };
  return estimate(value, finite(lo, `row.${name}_lo`), finite(hi, `row.${name}_hi`));
}

/**
 * "value [lo, hi]" with `digits` decimals (default 3): the one way an interval is written; the
 * value alone for an estimate without an interval.
 */
export function formatEstimate(e: Estimate, digits = 3): string {
  const checked = estimate(e.value, e.lo, e.hi);
  const value = checked.value.toFixed(digits);
  return hasInterval(checked)
    ? `${value} [${checked.lo.toFixed(digits)}, ${checked.hi.toFixed(digits)}]`
    : value;
}

/** The ends of `e`'s interval; the value twice for an estimate without one. */
function ends(e: Estimate): [number, number] {
  return hasInterval(e) ? [e.lo, e.hi] : [e.value, e.value];
}

/**
 * Whether two intervals overlap (touching counts as overlap); an estimate without an interval
 * counts as its value.
 */
export function estimatesOverlap(a: Estimate, b: Estimate): boolean {
  const [[aLo, aHi], [bLo, bHi]] = [ends(a), ends(b)];
  return aLo <= bHi && bLo <= aHi;
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
