/**
 * Input checks shared by the matching functions: every error names the argument and what is wrong.
 * @module
 */

import type { Embeddings } from "../types.ts";
import type { SimilarityMatrix } from "./types.ts";

/** Throw unless `s` is undefined or a finite number in [−1, 1]. */
export function assertThreshold(s: unknown, name = "s"): void {
  if (s === undefined) return;
  if (typeof s !== "number" || !Number.isFinite(s) || s < -1 || s > 1) {
    throw new RangeError(`${name} (similarity threshold) must be a number in [-1, 1]; got ${String(s)}`);
  }
}

/** Throw unless `m` is undefined or an integer ≥ 1. */
export function assertCap(m: unknown, name = "m"): void {
  if (m === undefined) return;
  if (typeof m !== "number" || !Number.isInteger(m) || m < 1) {
    throw new RangeError(`${name} (match cap) must be an integer ≥ 1; got ${String(m)}`);
  }
}

/** Check a {@link SimilarityMatrix}: positive sizes, matching data length, finite values. */
export function validateMatrix(S: SimilarityMatrix, name = "similarity matrix"): void {
  if (S === null || typeof S !== "object") throw new TypeError(`${name} must be an object; got ${String(S)}`);
  const { rows, cols, data } = S;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`${name} must have integer rows and cols; got ${rows} × ${cols}`);
  }
  if (rows === 0) throw new RangeError(`${name} has no rows: set A is empty`);
  if (cols === 0) throw new RangeError(`${name} has no columns: set B is empty`);
  if (!data || data.length !== rows * cols) {
    throw new RangeError(`${name} data has length ${data?.length}, expected rows × cols = ${rows * cols}`);
  }
  for (let k = 0; k < data.length; k++) {
    if (!Number.isFinite(data[k])) {
      throw new RangeError(
        `${name} entry (${Math.floor(k / cols)}, ${k % cols}) is ${data[k]}; all values must be finite`,
      );
    }
  }
}

/** Check an {@link Embeddings} value: non-empty, consistent length, finite values. */
export function validateEmbeddings(e: Embeddings, name: string): void {
  if (e === null || typeof e !== "object" || !(e.data instanceof Float32Array)) {
    throw new TypeError(`${name} must be Embeddings {data: Float32Array, count, dim}`);
  }
  if (!Number.isInteger(e.count) || e.count < 1) {
    throw new RangeError(`${name} is empty (count = ${e.count})`);
  }
  if (!Number.isInteger(e.dim) || e.dim < 1) throw new RangeError(`${name} has dimension ${e.dim}; need ≥ 1`);
  if (e.data.length !== e.count * e.dim) {
    throw new RangeError(
      `${name}.data has length ${e.data.length}, expected count × dim = ${e.count * e.dim}`,
    );
  }
  for (let k = 0; k < e.data.length; k++) {
    if (!Number.isFinite(e.data[k])) {
      throw new RangeError(
        `${name} row ${Math.floor(k / e.dim)} has a non-finite value (${e.data[k]}) at position ${k % e.dim}`,
      );
    }
  }
}
