/**
 * Top-k selection: the shortlists' and the scan's "best k of n" (n up to millions, k up to
 * thousands). A binary min-heap of the k best seen so far makes one pass, O(n log k), instead of
 * sorting all n.
 *
 * @example
 * ```ts
 * import { topIndices } from "./top.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(topIndices(new Float32Array([0.2, 0.9, 0.5, 0.9]), 3), [1, 3, 2]);
 * ```
 * @module
 */

/** Indices of the `k` largest values (ties: lower index first), best first. NaN never counts as large. */
export function topIndices(scores: ArrayLike<number>, k: number): number[] {
  const n = scores.length;
  k = Math.min(Math.max(0, Math.floor(k)), n);
  if (k === 0) return [];
  // heap[0] is the worst kept: lowest score, and among equal scores the highest index.
  const heap = new Int32Array(k);
  let size = 0;
  const worse = (a: number, b: number) => {
    const sa = scores[a], sb = scores[b];
    return sa < sb || (sa === sb && a > b);
  };
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < size && worse(heap[l], heap[m])) m = l;
      if (r < size && worse(heap[r], heap[m])) m = r;
      if (m === i) return;
      const t = heap[i];
      heap[i] = heap[m];
      heap[m] = t;
      i = m;
    }
  };
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (s !== s) continue; // NaN
    if (size < k) {
      let c = size++;
      heap[c] = i;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(heap[c], heap[p])) break;
        const t = heap[c];
        heap[c] = heap[p];
        heap[p] = t;
        c = p;
      }
    } else if (s > scores[heap[0]]) {
      // Equal scores never replace: the kept one has the lower index.
      heap[0] = i;
      siftDown(0);
    }
  }
  const out = Array.from(heap.subarray(0, size));
  out.sort((a, b) => scores[b] - scores[a] || a - b);
  return out;
}
