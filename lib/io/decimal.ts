/**
 * What counts as a number in text that users type or files they hand us: a plain decimal
 * (`0.8`, `-3`, `.5`, `1e-3`). `Number()` is too lenient for that — it reads `0x1` as 1, `" 1 "` as
 * 1, `""` as 0 and `1e400` as Infinity — so a typo would silently become a value. One rule for flags
 * (`lib/cli`) and matrix files (`lib/matching/matrix_file.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDecimal } from "./decimal.ts";
 * assert.equal(parseDecimal("0.85"), 0.85);
 * assert.equal(parseDecimal("1e-3"), 0.001);
 * assert.equal(parseDecimal("0x1"), undefined);
 * assert.equal(parseDecimal("1e400"), undefined);
 * ```
 * @module
 */

/** A decimal number: optional sign, digits with an optional point, optional exponent. */
export const DECIMAL_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The value of `text` when it is a finite decimal number, else `undefined`. */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL_PATTERN.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
