/**
 * Wall-clock timing of a step, for the cost columns of the notebooks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timed } from "./timing.ts";
 * const { value, seconds } = await timed(() => 6 * 7);
 * assert.ok(seconds >= 0);
 * console.log(value);
 * ```
 * @module
 */

/** Run `fn` (sync or async) and return its value with the elapsed seconds. */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - start) / 1000 };
}

/**
 * The rows without the named (timing) columns. Wall-clock seconds depend on the machine and its
 * load, so committed tables leave them out and notebooks print them instead; that keeps re-runs
 * byte-comparable.
 */
export function withoutColumns<T extends Record<string, unknown>, K extends keyof T>(
  rows: readonly T[],
  columns: readonly K[],
): Omit<T, K>[] {
  return rows.map((row) => {
    const copy = { ...row };
    for (const c of columns) delete copy[c];
    return copy;
  });
}
