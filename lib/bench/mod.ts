/**
 * What every benchmark in `bench/` reports, so `deno task bench` can put them on one screen.
 *
 * A benchmark run with `--json` prints one {@link BenchReport} on stdout (progress goes to
 * stderr): its own fields plus `figures`, the headline numbers, each a ratio against a baseline
 * measured in the same run and, where an issue sets one, its target. Timings on a shared machine
 * are noisy, so a comparison interleaves its two sides ({@link interleave}: A, B, A, B, …) and
 * reports the median of the per-round ratios.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { figure, median, percentile } from "./mod.ts";
 * const f = figure("end-to-end ÷ raw, batch 8", median([0.91, 0.95, 0.93]), { target: 0.9, atLeast: true });
 * assert.deepEqual(f, { name: "end-to-end ÷ raw, batch 8", value: 0.93, unit: "×", target: 0.9, atLeast: true, met: true });
 * assert.equal(median([1, 2, 3, 4]), 2.5);
 * assert.equal(percentile([40, 10, 30, 20], 0.95), 38.5); // between 30 and 40, as numpy's
 * assert.ok(Number.isNaN(percentile([], 0.5)));
 * ```
 * @module
 */

import { quantile } from "d3-array";

/** One headline number of a benchmark. */
export interface BenchFigure {
  name: string;
  value: number;
  /** "×" for ratios, "img/s", "GFLOP/s", … */
  unit?: string;
  /** The target, if an issue sets one. */
  target?: number;
  /** Whether the target is a lower bound (`value ≥ target`) or an upper bound. */
  atLeast?: boolean;
  /** `value` meets `target` (absent without a target). */
  met?: boolean;
  /** What the value is a ratio against, or how it was measured. */
  note?: string;
}

/** What a benchmark prints with `--json`. */
export interface BenchReport {
  benchmark: string;
  /** Whether the quick mode (the no-argument `deno task bench`) produced it. */
  quick: boolean;
  figures: BenchFigure[];
  [field: string]: unknown;
}

/** A figure, with `met` computed from its target. */
export function figure(
  name: string,
  value: number,
  options: { unit?: string; target?: number; atLeast?: boolean; note?: string } = {},
): BenchFigure {
  const out: BenchFigure = { name, value, unit: options.unit ?? "×" };
  if (options.note !== undefined) out.note = options.note;
  if (options.target !== undefined) {
    const atLeast = options.atLeast ?? true;
    Object.assign(out, {
      target: options.target,
      atLeast,
      met: atLeast ? value >= options.target : value <= options.target,
    });
  }
  return out;
}

/** Linear-interpolation quantile q of `values` (type 7, numpy's default; d3-array's), NaN when empty. */
export function percentile(values: readonly number[], q: number): number {
  return quantile(values, q) ?? NaN;
}

/** Peak resident memory of this process (VmHWM of /proc/self/status), MB; NaN where there is none. */
export function peakRssMb(): number {
  try {
    const kb = Number(Deno.readTextFileSync("/proc/self/status").match(/VmHWM:\s+(\d+)/)?.[1] ?? NaN);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Time `a` and `b` alternately, `rounds` times each (a, b, a, b, …), after one untimed warm-up
 * of each. Returns the milliseconds of every round.
 */
export async function interleave(
  rounds: number,
  a: () => Promise<unknown> | unknown,
  b: () => Promise<unknown> | unknown,
): Promise<{ a: number[]; b: number[] }> {
  const time = async (fn: () => Promise<unknown> | unknown) => {
    const started = performance.now();
    await fn();
    return performance.now() - started;
  };
  await a();
  await b();
  const out = { a: [] as number[], b: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    out.a.push(await time(a));
    out.b.push(await time(b));
  }
  return out;
}

/** Format a figure for a terminal line: `name  value unit  (target ≥ t: met)`. */
export function formatFigure(f: BenchFigure, nameWidth = 56): string {
  const a = Math.abs(f.value);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 0.1 || a === 0 ? 2 : 4;
  const value = Number.isFinite(f.value) ? f.value.toFixed(digits) : String(f.value);
  const target = f.target === undefined
    ? ""
    : `  target ${f.atLeast ? "≥" : "≤"} ${f.target}${f.unit === "×" ? "×" : ""}: ${
      f.met ? "met" : "NOT MET"
    }`;
  const note = f.note ? `  (${f.note})` : "";
  return `${f.name.padEnd(nameWidth)} ${
    `${value}${f.unit === "×" ? "×" : ` ${f.unit ?? ""}`}`.padStart(12)
  }${target}${note}`;
}
