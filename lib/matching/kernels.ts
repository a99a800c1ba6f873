/**
 * Allocation-free inner loops shared by the per-pair methods and the batch path, so both compute
 * exactly the same matches. Each kernel reads an `r × c` row-major similarity block and writes the
 * matches into `out` in the method's order (greedy: order taken; others: best first, ties by row
 * then column), returning how many it wrote.
 * @module
 */

import { AssignmentWorkspace, solveAssignmentInPlace } from "./assignment.ts";
import { solveAssignmentLp } from "./lp.ts";

/** Output buffers for a kernel: matched rows, columns and similarities. */
export class MatchBuffer {
  a: Int32Array;
  b: Int32Array;
  similarity: Float64Array;
  /** Scratch for the kernels (flags, costs); grown on demand. */
  rowUsed = new Uint8Array(0);
  colUsed = new Uint8Array(0);
  cost = new Float64Array(0);
  order = new Int32Array(0);
  assignment = new AssignmentWorkspace();

  constructor(capacity = 16) {
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
    this.similarity = new Float64Array(capacity);
  }

  /** Grow to hold `pairs` matches of an `r × c` block. */
  reserve(pairs: number, r: number, c: number): void {
    if (this.a.length < pairs) {
      this.a = new Int32Array(pairs);
      this.b = new Int32Array(pairs);
      this.similarity = new Float64Array(pairs);
    }
    if (this.rowUsed.length < r) this.rowUsed = new Uint8Array(r);
    if (this.colUsed.length < c) this.colUsed = new Uint8Array(c);
    if (this.cost.length < r * c) this.cost = new Float64Array(r * c);
  }
}

/** Sort the first `n` matches of `out` best first, ties by row then column (insertion sort: n is small). */
export function sortBufferBestFirst(out: MatchBuffer, n: number): void {
  const { a, b, similarity } = out;
  for (let k = 1; k < n; k++) {
    const sa = a[k], sb = b[k], ss = similarity[k];
    let p = k - 1;
    while (
      p >= 0 &&
      (similarity[p] < ss || (similarity[p] === ss && (a[p] > sa || (a[p] === sa && b[p] > sb))))
    ) {
      a[p + 1] = a[p];
      b[p + 1] = b[p];
      similarity[p + 1] = similarity[p];
      p--;
    }
    a[p + 1] = sa;
    b[p + 1] = sb;
    similarity[p + 1] = ss;
  }
}

/**
 * Greedy ("recursive") matching: repeatedly take the largest remaining entry (ties: lowest row, then
 * lowest column), record it, delete its row and column, until one side is exhausted.
 */
export function greedyKernel(S: ArrayLike<number>, r: number, c: number, out: MatchBuffer): number {
  const n = Math.min(r, c);
  out.reserve(n, r, c);
  if (r * c > 1024) return greedyBySorting(S, r, c, out);
  const { rowUsed, colUsed } = out;
  for (let i = 0; i < r; i++) rowUsed[i] = 0;
  for (let j = 0; j < c; j++) colUsed[j] = 0;
  for (let k = 0; k < n; k++) {
    let best = -Infinity, bi = -1, bj = -1;
    for (let i = 0; i < r; i++) {
      if (rowUsed[i]) continue;
      const base = i * c;
      for (let j = 0; j < c; j++) {
        // Strict ">" in row-major order keeps the lowest row, then the lowest column, on ties.
        if (!colUsed[j] && S[base + j] > best) {
          best = S[base + j];
          bi = i;
          bj = j;
        }
      }
    }
    rowUsed[bi] = 1;
    colUsed[bj] = 1;
    out.a[k] = bi;
    out.b[k] = bj;
    out.similarity[k] = best;
  }
  return n;
}

/** Same result as the scan, in O(rc log rc) for large blocks: one sort, then one sweep. */
function greedyBySorting(S: ArrayLike<number>, r: number, c: number, out: MatchBuffer): number {
  const total = r * c;
  if (out.order.length < total) out.order = new Int32Array(total);
  const order = out.order.subarray(0, total);
  for (let k = 0; k < total; k++) order[k] = k;
  // Descending value; equal values by flat index = lowest row, then lowest column.
  order.sort((x, y) => (S[y] - S[x]) || (x - y));
  const { rowUsed, colUsed } = out;
  rowUsed.fill(0, 0, r);
  colUsed.fill(0, 0, c);
  const n = Math.min(r, c);
  let k = 0;
  for (let t = 0; t < total && k < n; t++) {
    const flat = order[t];
    const i = Math.floor(flat / c), j = flat - i * c;
    if (rowUsed[i] || colUsed[j]) continue;
    rowUsed[i] = 1;
    colUsed[j] = 1;
    out.a[k] = i;
    out.b[k] = j;
    out.similarity[k] = S[flat];
    k++;
  }
  return k;
}

/**
 * Optimal assignment: the min(r, c) one-to-one pairs maximising Σ S (equivalently minimising
 * Σ (1 − S)), solved exactly by shortest augmenting paths; written best first. Where several assignments are optimal, which one is returned is unspecified.
 */
export function optimalKernel(S: ArrayLike<number>, r: number, c: number, out: MatchBuffer): number {
  const n = Math.min(r, c);
  out.reserve(n, r, c);
  const cost = out.cost;
  const transpose = r > c;
  const nr = transpose ? c : r, nc = transpose ? r : c;
  if (transpose) {
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) cost[j * nc + i] = -S[i * c + j];
  } else {
    for (let k = 0; k < r * c; k++) cost[k] = -S[k];
  }
  const col4row = solveAssignmentInPlace(cost, nr, nc, out.assignment);
  for (let k = 0; k < nr; k++) {
    const i = transpose ? col4row[k] : k;
    const j = transpose ? k : col4row[k];
    out.a[k] = i;
    out.b[k] = j;
    out.similarity[k] = S[i * c + j];
  }
  sortBufferBestFirst(out, n);
  return n;
}

/**
 * The optimal assignment solved as a linear program (javascript-lp-solver, see `lp.ts`); written
 * best first. Slow: for fidelity checks against {@link optimalKernel}, which finds the same optimum.
 */
export function lpKernel(S: ArrayLike<number>, r: number, c: number, out: MatchBuffer): number {
  const lp = solveAssignmentLp(S, r, c);
  const n = lp.a.length;
  out.reserve(n, r, c);
  for (let k = 0; k < n; k++) {
    out.a[k] = lp.a[k];
    out.b[k] = lp.b[k];
    out.similarity[k] = S[lp.a[k] * c + lp.b[k]];
  }
  sortBufferBestFirst(out, n);
  return n;
}

/** Ordered: pair position i of A with position i of B (r must equal c); written best first. */
export function orderedKernel(S: ArrayLike<number>, r: number, c: number, out: MatchBuffer): number {
  if (r !== c) throw new RangeError(`ordered matching needs sets of equal size; got |A| = ${r}, |B| = ${c}`);
  out.reserve(r, r, c);
  for (let i = 0; i < r; i++) {
    out.a[i] = i;
    out.b[i] = i;
    out.similarity[i] = S[i * c + i];
  }
  sortBufferBestFirst(out, r);
  return r;
}

/** Nearest neighbour in B of each row of A (ties: lowest column); written best first. */
export function chamferKernel(S: ArrayLike<number>, r: number, c: number, out: MatchBuffer): number {
  out.reserve(r, r, c);
  for (let i = 0; i < r; i++) {
    const base = i * c;
    let best = S[base], bj = 0;
    for (let j = 1; j < c; j++) {
      if (S[base + j] > best) {
        best = S[base + j];
        bj = j;
      }
    }
    out.a[i] = i;
    out.b[i] = bj;
    out.similarity[i] = best;
  }
  sortBufferBestFirst(out, r);
  return r;
}

/** Nearest neighbour in A of each column of B (ties: lowest row); written best first. */
export function chamferReverseKernel(S: ArrayLike<number>, r: number, c: number, out: MatchBuffer): number {
  out.reserve(c, r, c);
  for (let j = 0; j < c; j++) {
    let best = S[j], bi = 0;
    for (let i = 1; i < r; i++) {
      if (S[i * c + j] > best) {
        best = S[i * c + j];
        bi = i;
      }
    }
    out.a[j] = bi;
    out.b[j] = j;
    out.similarity[j] = best;
  }
  sortBufferBestFirst(out, c);
  return c;
}

/** Hausdorff similarity: min over both directions of the nearest-neighbour similarities. */
export function hausdorffKernel(S: ArrayLike<number>, r: number, c: number, symmetric: boolean): number {
  let h = Infinity;
  for (let i = 0; i < r; i++) {
    let best = -Infinity;
    for (let j = 0; j < c; j++) if (S[i * c + j] > best) best = S[i * c + j];
    if (best < h) h = best;
  }
  if (symmetric) {
    for (let j = 0; j < c; j++) {
      let best = -Infinity;
      for (let i = 0; i < r; i++) if (S[i * c + j] > best) best = S[i * c + j];
      if (best < h) h = best;
    }
  }
  return h;
}

/** Result of {@link sinkhornPlan}. */
export interface SinkhornPlan {
  /** Row-major transport plan, rows summing to 1/r, columns to 1/c (up to `tolerance`). */
  plan: Float64Array;
  /** Σ P ⊙ S: the expected similarity under the plan. */
  score: number;
  iterations: number;
  /** L1 error of the column marginals at exit. */
  marginalError: number;
}

/**
 * Entropic optimal transport between uniform measures on A and B with cost C = 1 − S:
 * P = argmin ⟨P, C⟩ − ε H(P) subject to P 1 = 1/r, Pᵀ 1 = 1/c, solved by Sinkhorn–Knopp scaling
 * (in the log domain when (max S − min S)/ε > 300, where exp(−C/ε) could underflow; `domain` forces
 * one or the other).
 */
export function sinkhornPlan(
  S: ArrayLike<number>,
  r: number,
  c: number,
  epsilon: number,
  maxIterations: number,
  tolerance: number,
  domain: "auto" | "scaling" | "log" = "auto",
): SinkhornPlan {
  const a = 1 / r, b = 1 / c;
  const plan = new Float64Array(r * c);
  let iterations = 0, marginalError = Infinity;
  let lo = Infinity, hi = -Infinity;
  for (let k = 0; k < r * c; k++) {
    if (S[k] < lo) lo = S[k];
    if (S[k] > hi) hi = S[k];
  }
  // Plain scaling is fastest, but K = exp((S − max S)/ε) spans exp(−(range)/ε): beyond ~e^−300 the
  // scalings u, v could overflow, so wide ranges or small ε switch to the log domain.
  const scaling = domain === "scaling" || (domain === "auto" && (hi - lo) / epsilon <= 300);
  if (scaling) {
    const K = new Float64Array(r * c);
    for (let k = 0; k < r * c; k++) K[k] = Math.exp((S[k] - hi) / epsilon);
    const u = new Float64Array(r), v = new Float64Array(c).fill(1);
    const colSums = new Float64Array(c);
    while (iterations < maxIterations) {
      iterations++;
      for (let i = 0; i < r; i++) {
        let sum = 0;
        for (let j = 0; j < c; j++) sum += K[i * c + j] * v[j];
        u[i] = a / sum;
      }
      colSums.fill(0);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) colSums[j] += K[i * c + j] * u[i];
      marginalError = 0;
      for (let j = 0; j < c; j++) marginalError += Math.abs(v[j] * colSums[j] - b);
      // Stop right after a u-update so the row marginals are exact even without convergence.
      if (marginalError < tolerance || iterations === maxIterations) break;
      for (let j = 0; j < c; j++) v[j] = b / colSums[j];
    }
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) plan[i * c + j] = u[i] * K[i * c + j] * v[j];
  } else {
    const f = new Float64Array(r), g = new Float64Array(c);
    const logA = Math.log(a), logB = Math.log(b);
    const C = (i: number, j: number) => 1 - S[i * c + j];
    while (iterations < maxIterations) {
      iterations++;
      for (let i = 0; i < r; i++) {
        let mx = -Infinity;
        for (let j = 0; j < c; j++) mx = Math.max(mx, (g[j] - C(i, j)) / epsilon);
        let sum = 0;
        for (let j = 0; j < c; j++) sum += Math.exp((g[j] - C(i, j)) / epsilon - mx);
        f[i] = epsilon * (logA - mx - Math.log(sum));
      }
      marginalError = 0;
      for (let j = 0; j < c; j++) {
        let mx = -Infinity;
        for (let i = 0; i < r; i++) mx = Math.max(mx, (f[i] - C(i, j)) / epsilon);
        let sum = 0;
        for (let i = 0; i < r; i++) sum += Math.exp((f[i] - C(i, j)) / epsilon - mx);
        const logCol = (g[j] / epsilon) + mx + Math.log(sum);
        marginalError += Math.abs(Math.exp(logCol) - b);
        g[j] = epsilon * (logB - mx - Math.log(sum));
      }
      if (marginalError < tolerance) break;
    }
    // Recompute f so the row marginals are exact, as in the scaling branch.
    for (let i = 0; i < r; i++) {
      let mx = -Infinity;
      for (let j = 0; j < c; j++) mx = Math.max(mx, (g[j] - C(i, j)) / epsilon);
      let sum = 0;
      for (let j = 0; j < c; j++) sum += Math.exp((g[j] - C(i, j)) / epsilon - mx);
      f[i] = epsilon * (logA - mx - Math.log(sum));
    }
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < c; j++) plan[i * c + j] = Math.exp((f[i] + g[j] - C(i, j)) / epsilon);
    }
  }
  let score = 0;
  for (let k = 0; k < r * c; k++) score += plan[k] * S[k];
  return { plan, score, iterations, marginalError };
}
