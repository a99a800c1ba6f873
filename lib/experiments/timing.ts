/**
 * Wall-clock timing of a step, for the cost columns of the notebooks.
 *
 * @example
 * ```ts
 * import { timed } from "./timing.ts";
 * const { value, seconds } = await timed(() => 6 * 7);
 * console.log(value, seconds >= 0);
 * ```
 * @module
 */

/** Run `fn` (sync or async) and return its value with the elapsed seconds. */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - start) / 1000 };
}
