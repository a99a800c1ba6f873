/** Test helpers: a seeded generator, random matrices and brute-force references. */

import type { SimilarityMatrix } from "../../lib/matching/mod.ts";

/** Mulberry32 from the raw seed (the library's generator): property tests are reproducible. */
export { mulberry32 as seededRandom } from "../../lib/random/mod.ts";

/** A random `rows × cols` matrix in [−1, 1]; with `levels`, values are quantised to force ties. */
export function randomMatrix(
  rand: () => number,
  rows: number,
  cols: number,
  levels?: number,
): SimilarityMatrix {
  const data = new Float64Array(rows * cols);
  for (let k = 0; k < data.length; k++) {
    const u = rand();
    data[k] = levels ? Math.round(u * levels) / levels * 2 - 1 : u * 2 - 1;
  }
  return { rows, cols, data };
}

/** The best total similarity over all one-to-one assignments of min(rows, cols) pairs, by enumeration. */
export function bruteForceBestTotal(S: SimilarityMatrix): number {
  const { rows, cols, data } = S;
  const small = Math.min(rows, cols), large = Math.max(rows, cols);
  const at = (i: number, j: number) => rows <= cols ? data[i * cols + j] : data[j * cols + i];
  const used = new Uint8Array(large);
  let best = -Infinity;
  const visit = (i: number, total: number) => {
    if (i === small) {
      best = Math.max(best, total);
      return;
    }
    for (let j = 0; j < large; j++) {
      if (used[j]) continue;
      used[j] = 1;
      visit(i + 1, total + at(i, j));
      used[j] = 0;
    }
  };
  visit(0, 0);
  return best;
}

/** Greedy matching by its definition: all entries sorted by (−value, row, column), swept once. */
export function referenceGreedy(S: SimilarityMatrix): { a: number; b: number; similarity: number }[] {
  const entries: { a: number; b: number; similarity: number }[] = [];
  for (let a = 0; a < S.rows; a++) {
    for (let b = 0; b < S.cols; b++) entries.push({ a, b, similarity: S.data[a * S.cols + b] });
  }
  entries.sort((x, y) => y.similarity - x.similarity || x.a - y.a || x.b - y.b);
  const rowsUsed = new Set<number>(), colsUsed = new Set<number>();
  const taken = [];
  for (const e of entries) {
    if (rowsUsed.has(e.a) || colsUsed.has(e.b)) continue;
    rowsUsed.add(e.a);
    colsUsed.add(e.b);
    taken.push(e);
  }
  return taken;
}

/** A matrix from nested rows. */
export function matrix(rows: number[][]): SimilarityMatrix {
  return { rows: rows.length, cols: rows[0].length, data: Float64Array.from(rows.flat()) };
}

/** Assert |x − y| ≤ tol with a readable message. */
export function assertClose(actual: number, expected: number, tol = 1e-9, what = "value"): void {
  if (actual !== expected && !(Math.abs(actual - expected) <= tol)) {
    throw new Error(`${what}: expected ${expected}, got ${actual} (tolerance ${tol})`);
  }
}
