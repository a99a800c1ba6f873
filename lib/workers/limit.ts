/**
 * The one async limiter: run an async task over inputs with at most `limit` in flight (file
 * reads, hashes, downloads, thumbnails), results in input order. Threads are `pool.ts`; this is
 * for I/O-bound promises on the main thread.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mapLimited } from "./limit.ts";
 * let running = 0, peak = 0;
 * const out = await mapLimited([30, 10, 20], 2, async (ms, i) => {
 *   peak = Math.max(peak, ++running);
 *   await new Promise((r) => setTimeout(r, ms));
 *   running--;
 *   return `${i}:${ms}`;
 * });
 * assert.deepEqual(out, ["0:30", "1:10", "2:20"]); // input order, whatever finished first
 * assert.equal(peak, 2);
 * ```
 * @module
 */

/** Run `task` over `inputs` with at most `limit` (≥ 1) in flight; results keep input order. */
export async function mapLimited<T, R>(
  inputs: readonly T[],
  limit: number,
  task: (input: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!(Number.isInteger(limit) && limit >= 1)) {
    throw new RangeError(`mapLimited: limit must be an integer ≥ 1, got ${limit}`);
  }
  const results = new Array<R>(inputs.length);
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) {
      const i = next++;
      results[i] = await task(inputs[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
  return results;
}
