/**
 * The sweep grid: parsing and validating the `--s` and `--m` values, and expanding every
 * combination of datasets, protocols, methods, thresholds and caps into cells in one fixed order.
 *
 * Grid semantics:
 * - `s` (similarity threshold) is a list of items, each a number in [−1, 1], an inclusive range
 *   `start:end:step`, or `none` (no threshold: every match counts). `0.5:0.95:0.05` is
 *   0.50, 0.55, …, 0.95 — ten values; the end is reached even when `(end − start) / step` is not
 *   exactly an integer in binary floating point, and values are rounded to the decimals written.
 * - `m` (number of best matches averaged) is a list of integers ≥ 1, ranges `1:5` or `1:9:2`,
 *   and `all` (no cap).
 *
 * Values are de-duplicated and sorted (`none` first, then ascending; `all` last) so the same grid
 * written two ways yields the same cells in the same order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMatchCapGrid, parseThresholdGrid } from "./grid.ts";
 * assert.deepEqual(Array.from(parseThresholdGrid("0.5:0.6:0.05,none")), [null, 0.5, 0.55, 0.6]);
 * assert.deepEqual(Array.from(parseMatchCapGrid("1,2,all")), [1, 2, null]);
 * ```
 * @module
 */

import { UsageError } from "../cli/mod.ts";

/** A similarity threshold; `null` means no threshold ("none"). */
export type Threshold = number | null;
/** A cap on the number of matches averaged; `null` means all matches ("all"). */
export type MatchCap = number | null;

/** Largest number of values one range item may expand to (guards against `0:1:1e-9`). */
export const MAX_RANGE_VALUES = 10_000;

function decimalsOf(text: string): number {
  const t = text.trim().toLowerCase();
  const exp = t.indexOf("e");
  const mantissa = exp >= 0 ? t.slice(0, exp) : t;
  const power = exp >= 0 ? Number(t.slice(exp + 1)) : 0;
  const dot = mantissa.indexOf(".");
  const fraction = dot >= 0 ? mantissa.length - dot - 1 : 0;
  return Math.max(0, fraction - power);
}

function parseNumber(flag: string, item: string, text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n)) {
    throw new UsageError(`--${flag}: "${text}" in "${item}" is not a finite number`);
  }
  return n;
}

/**
 * Expand an inclusive range `start:end[:step]` (step defaults to 1) into its values.
 *
 * The count is `floor((end − start) / step + ε) + 1` with a relative ε of 1e-9, so floating-point
 * error in the division never drops the end point; each value is `start + i·step` rounded to the
 * largest number of decimals written in `start` or `step` (so 0.5 + 9·0.05 is exactly 0.95).
 *
 * @param flag the flag name, for error messages.
 * @param item the range text.
 */
export function expandRange(flag: string, item: string): number[] {
  const parts = item.split(":");
  if (parts.length < 2 || parts.length > 3) {
    throw new UsageError(`--${flag}: range "${item}" must be start:end or start:end:step`);
  }
  const [startText, endText, stepText = "1"] = parts;
  const start = parseNumber(flag, item, startText);
  const end = parseNumber(flag, item, endText);
  const step = parseNumber(flag, item, stepText);
  if (step <= 0) throw new UsageError(`--${flag}: range "${item}" needs a step > 0, got ${step}`);
  if (end < start) {
    throw new UsageError(`--${flag}: range "${item}" is empty (end ${end} is below start ${start})`);
  }
  const span = (end - start) / step;
  const count = Math.floor(span + 1e-9 * Math.max(1, Math.abs(span))) + 1;
  if (count > MAX_RANGE_VALUES) {
    throw new UsageError(`--${flag}: range "${item}" has ${count} values (at most ${MAX_RANGE_VALUES})`);
  }
  const decimals = Math.min(15, Math.max(decimalsOf(startText), decimalsOf(stepText)));
  const scale = 10 ** decimals;
  const values: number[] = [];
  for (let i = 0; i < count; i++) values.push(Math.round((start + i * step) * scale) / scale);
  return values;
}

function splitItems(flag: string, value: string): string[] {
  const items = value.split(",").map((item) => item.trim());
  if (value.trim() === "" || items.some((item) => item === "")) {
    throw new UsageError(`--${flag}: "${value}" has an empty item (expected a comma-separated list)`);
  }
  return items;
}

/**
 * Parse the `--s` grid: numbers in [−1, 1], ranges and `none`, de-duplicated, `none` first.
 *
 * @param value the flag text, e.g. `"0.5:0.95:0.05,none"`.
 * @param flag the flag name used in error messages.
 * @throws {UsageError} on malformed items, values outside [−1, 1], or an empty grid.
 */
export function parseThresholdGrid(value: string, flag = "s"): Threshold[] {
  const { keyword: none, sorted } = parseGridItems(flag, value, "none", (v, item) => {
    if (v < -1 || v > 1) {
      throw new UsageError(
        `--${flag}: threshold ${v} (from "${item}") is outside [-1, 1], the range of cosine similarity`,
      );
    }
    return v === 0 ? 0 : v; // fold −0 into 0
  });
  return none ? [null, ...sorted] : sorted;
}

/**
 * Parse the `--m` grid: integers ≥ 1, integer ranges and `all`, de-duplicated, `all` last.
 *
 * @param value the flag text, e.g. `"1,2,3,4,5,all"` or `"1:5,all"`.
 * @param flag the flag name used in error messages.
 * @throws {UsageError} on malformed items, non-integers, values below 1, or an empty grid.
 */
export function parseMatchCapGrid(value: string, flag = "m"): MatchCap[] {
  const { keyword: all, sorted } = parseGridItems(flag, value, "all", (v, item) => {
    if (!Number.isInteger(v) || v < 1) {
      throw new UsageError(`--${flag}: ${v} (from "${item}") must be an integer ≥ 1 or "all"`);
    }
    return v;
  });
  return all ? [...sorted, null] : sorted;
}

/**
 * The items of a grid flag: whether the keyword (`none`, `all`; any case) was given, and the
 * numbers of the other items (single values and `lo:hi:step` ranges), each passed through
 * `check` (which throws on a bad value and may normalise it), de-duplicated and ascending.
 */
function parseGridItems(
  flag: string,
  value: string,
  keyword: string,
  check: (v: number, item: string) => number,
): { keyword: boolean; sorted: number[] } {
  let seen = false;
  const numbers = new Set<number>();
  for (const item of splitItems(flag, value)) {
    if (item.toLowerCase() === keyword) {
      seen = true;
      continue;
    }
    const values = item.includes(":") ? expandRange(flag, item) : [parseNumber(flag, item, item)];
    for (const v of values) numbers.add(check(v, item));
  }
  return { keyword: seen, sorted: [...numbers].sort((a, b) => a - b) };
}

/** Text form of a threshold, as written in flags, CSV and figures. */
export function formatThreshold(s: Threshold): string {
  return s === null ? "none" : String(s);
}

/** Text form of a match cap, as written in flags, CSV and figures. */
export function formatMatchCap(m: MatchCap): string {
  return m === null ? "all" : String(m);
}

/** Validate a list flag of names against the allowed ones (when known), de-duplicating in order. */
export function parseNameList(flag: string, value: string, allowed?: readonly string[]): string[] {
  const names = [...new Set(splitItems(flag, value))];
  if (allowed) {
    const unknown = names.filter((name) => !allowed.includes(name));
    if (unknown.length > 0) {
      throw new UsageError(
        `--${flag}: unknown ${unknown.map((n) => `"${n}"`).join(", ")} (choose from ${allowed.join(", ")})`,
      );
    }
  }
  return names;
}

/** Defaults of the grid flags (the sweep the README describes). */
export const SWEEP_DEFAULTS = {
  dataset: "coil100,grocery",
  method: "greedy,optimal",
  s: "none,0.5:0.95:0.05",
  m: "1:5,all",
  seed: 0,
  bootstrap: 1000,
  metric: "map",
} as const;
