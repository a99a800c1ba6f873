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
  /** Matched rows (query images), one per match. */
  a: Int32Array;
  /** Matched columns (gallery images), one per match. */
  b: Int32Array;
  /** Similarity of each match. */
  similarity: Float64Array;
  /** Scratch for the kernels (flags, costs); grown on demand. */
  rowUsed = new Uint8Array(0);
  /** Scratch: columns taken. */
  colUsed = new Uint8Array(0);
  /** Scratch: assignment costs. */
  cost = new Float64Array(0);
  /** Scratch: an ordering of candidate pairs. */
  order = new Int32Array(0);
  /** Scratch of the assignment solver. */
  assignment = new AssignmentWorkspace();
  /** Set by iterative block scores (sinkhorn): whether the last block converged. */
  converged: boolean | undefined;

  /** Buffers for `capacity` matches (grown on demand). */
  constructor(capacity = 16) {
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
    this.similarity = new Float64Array(capacity);
  }

  /** Write match `k`: row `a`, column `b` and their similarity. */
  set(k: number, a: number, b: number, similarity: number): void {
    this.a[k] = a;
    this.b[k] = b;
    this.similarity[k] = similarity;
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

/**
 * Sort the first `n` matches of `out` best first, ties by row then column (insertion sort: n is
 * small); returns `n`, so a kernel can end with `return sortBufferBestFirst(out, n)`.
 */
export function sortBufferBestFirst(out: MatchBuffer, n: number): number {
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
  return n;
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
    out.set(k, bi, bj, best);
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
    out.set(k++, i, j, S[flat]);
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
    out.set(k, i, j, S[i * c + j]);
  }
  return sortBufferBestFirst(out, n);
}

/**
 * The optimal assignment solved as a linear program (javascript-lp-solver, see `lp.ts`); written
 * best first. Slow: for fidelity checks against {@link optimalKernel}, which finds the same optimum.
 */
export function lpKernel(S: ArrayLike<number>, r: number, c: number, out: MatchBuffer): number {
  const lp = solveAssignmentLp(S, r, c);
  const n = lp.a.length;
  out.reserve(n, r, c);
  for (let k = 0; k < n; k++) out.set(k, lp.a[k], lp.b[k], S[lp.a[k] * c + lp.b[k]]);
  return sortBufferBestFirst(out, n);
}

/** Ordered: pair position i of A with position i of B (r must equal c); written best first. */
export function orderedKernel(S: ArrayLike<number>, r: number, c: number, out: MatchBuffer): number {
  if (r !== c) throw new RangeError(`ordered matching needs sets of equal size; got |A| = ${r}, |B| = ${c}`);
  out.reserve(r, r, c);
  for (let i = 0; i < r; i++) out.set(i, i, i, S[i * c + i]);
  return sortBufferBestFirst(out, r);
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
    out.set(i, i, bj, best);
  }
  return sortBufferBestFirst(out, r);
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
    out.set(j, bi, j, best);
  }
  return sortBufferBestFirst(out, c);
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
  /** Row-major transport plan; rows sum to 1/r exactly, columns to 1/c up to `marginalError`. */
  plan: Float64Array;
  /** Σ P ⊙ S: the expected similarity under the plan. */
  score: number;
  /** Iterations run (over all ε stages in the log domain). */
  iterations: number;
  /** L1 error of the column marginals of `plan`. */
  marginalError: number;
  /** Whether `marginalError` fell below the tolerance; false means the iteration limit was hit. */
  converged: boolean;
}

/** Beyond this (max S − min S)/ε the plain kernel exp(−C/ε) can underflow: use the log domain. */
const SCALING_LIMIT = 50;
/** `auto`: plain scaling iterations before a slow (nearly degenerate) problem moves to the log solver. */
const SCALING_PATIENCE = 300;
/** ε-scaling: each stage divides ε by this, from the similarity range down to the target ε. */
const EPSILON_STEP = 4;
/** Column error at which an intermediate ε stage hands its potentials to the next one. */
const STAGE_TOLERANCE = 1e-3;
/** Sinkhorn iterations at the target ε before Newton steps take over. */
const NEWTON_AFTER = 30;

/**
 * Entropic optimal transport between uniform measures on A and B with cost C = 1 − S:
 * P = argmin ⟨P, C⟩ − ε H(P) subject to P 1 = 1/r, Pᵀ 1 = 1/c.
 *
 * - `"scaling"`: Sinkhorn–Knopp on K = exp((S − max S)/ε) (Cuturi 2013). Fast per iteration, but K
 *   spans exp(−range/ε), so only for moderate ε.
 * - `"log"`: the same alternating projections on the dual potentials f, g with log-sum-exp (never
 *   underflows), with ε-scaling — solve for ε₀ = range, then ε₀/4, …, down to ε, each stage
 *   warm-started from the last (Schmitzer 2019, SIAM J. Sci. Comput. 41(3), A1443–A1481; Peyré &
 *   Cuturi 2019, Computational Optimal Transport, §4.4) — and, at the target ε, Newton steps on the
 *   semi-dual once plain iterations are slow. Sinkhorn converges linearly at a rate that tends to 1
 *   as the plan nears a permutation (small ε, or nearly tied matches): ε = 1e-6 stalls at marginal
 *   error ~0.3 after 10,000 plain iterations. Newton's step solves the c × c system
 *   J Δg = b − Pᵀ1 with J = (diag(Pᵀ1) − Pᵀ diag(1/a) P)/ε, the semi-dual's negative Hessian
 *   (Brauer, Clason, Lorenz, Wirth 2017, Quasi-Newton methods for regularized optimal transport;
 *   Tang et al. 2024, Accelerating Sinkhorn by sparse Newton iterations), with backtracking on the
 *   marginal error; quadratic convergence near the solution.
 * - `"auto"` (default): scaling when range/ε ≤ 50 and it converges within 300 iterations; log
 *   otherwise (the iterations of both count).
 *
 * Every iteration ends right after the row update, so rows are exact and `marginalError` is the
 * column error of the returned plan, converged or not.
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
  let lo = Infinity, hi = -Infinity;
  for (let k = 0; k < r * c; k++) {
    if (S[k] < lo) lo = S[k];
    if (S[k] > hi) hi = S[k];
  }
  let solved: Solved;
  if (domain === "scaling") solved = sinkhornScaling(S, r, c, hi, epsilon, maxIterations, tolerance);
  else if (domain === "log") solved = sinkhornLog(S, r, c, hi - lo, epsilon, maxIterations, tolerance);
  else {
    const budget = Math.min(maxIterations, SCALING_PATIENCE);
    solved = (hi - lo) / epsilon <= SCALING_LIMIT
      ? sinkhornScaling(S, r, c, hi, epsilon, budget, tolerance)
      : { plan: new Float64Array(0), iterations: 0, marginalError: Infinity };
    if (!(solved.marginalError < tolerance) && solved.iterations < maxIterations) {
      const spent = solved.iterations;
      solved = sinkhornLog(S, r, c, hi - lo, epsilon, maxIterations - spent, tolerance);
      solved.iterations += spent;
    }
  }
  let score = 0;
  for (let k = 0; k < r * c; k++) score += solved.plan[k] * S[k];
  return { ...solved, score, converged: solved.marginalError < tolerance };
}

type Solved = { plan: Float64Array; iterations: number; marginalError: number };

function sinkhornScaling(
  S: ArrayLike<number>,
  r: number,
  c: number,
  hi: number,
  epsilon: number,
  maxIterations: number,
  tolerance: number,
): Solved {
  const a = 1 / r, b = 1 / c;
  const K = new Float64Array(r * c);
  for (let k = 0; k < r * c; k++) K[k] = Math.exp((S[k] - hi) / epsilon);
  const u = new Float64Array(r), v = new Float64Array(c).fill(1);
  const colSums = new Float64Array(c);
  let iterations = 0, marginalError = Infinity;
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
    if (marginalError < tolerance || iterations === maxIterations) break;
    for (let j = 0; j < c; j++) v[j] = b / colSums[j];
  }
  const plan = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) plan[i * c + j] = u[i] * K[i * c + j] * v[j];
  return { plan, iterations, marginalError };
}

/** The dual potentials of the log-domain solver and the plan they define at one ε. */
class LogDomainState {
  readonly f: Float64Array;
  readonly g: Float64Array;
  /** The plan exp((f_i + g_j − C_ij)/ε) after the last {@link evaluate}. */
  readonly plan: Float64Array;
  /** Its column sums. */
  readonly columns: Float64Array;
  private readonly logA: number;

  constructor(readonly C: Float64Array, readonly r: number, readonly c: number) {
    this.f = new Float64Array(r);
    this.g = new Float64Array(c);
    this.plan = new Float64Array(r * c);
    this.columns = new Float64Array(c);
    this.logA = -Math.log(r);
  }

  /**
   * Row update f_i = ε log a_i − ε LSE_j((g_j − C_ij)/ε) (rows exact), then the plan, its column
   * sums and their L1 error against 1/c.
   */
  evaluate(eps: number): number {
    const { C, r, c, f, g, plan, columns } = this;
    columns.fill(0);
    for (let i = 0; i < r; i++) {
      let mx = -Infinity;
      for (let j = 0; j < c; j++) mx = Math.max(mx, (g[j] - C[i * c + j]) / eps);
      let sum = 0;
      for (let j = 0; j < c; j++) sum += Math.exp((g[j] - C[i * c + j]) / eps - mx);
      f[i] = eps * (this.logA - mx - Math.log(sum));
      for (let j = 0; j < c; j++) {
        const p = Math.exp((f[i] + g[j] - C[i * c + j]) / eps);
        plan[i * c + j] = p;
        columns[j] += p;
      }
    }
    let error = 0;
    for (let j = 0; j < c; j++) error += Math.abs(columns[j] - 1 / c);
    return error;
  }

  /** Column update g_j ← g_j + ε (log b_j − log column_j), after {@link evaluate}. */
  sinkhornStep(eps: number): void {
    for (let j = 0; j < this.c; j++) this.g[j] += eps * (-Math.log(this.c) - Math.log(this.columns[j]));
  }

  /**
   * One damped Newton step on g (after {@link evaluate} gave `error`); returns the new error, or
   * undefined (g unchanged) when no step along the Newton direction lowers it.
   */
  newtonStep(eps: number, error: number): number | undefined {
    const { r, c, g, plan, columns } = this;
    // J = (diag(β) − Pᵀ diag(1/a) P)/ε is symmetric PSD with null vector 1 (a common shift of g
    // changes nothing); adding 11ᵀ·scale pins that gauge without changing the step's other components.
    const J = new Float64Array(c * c);
    let scale = 0;
    for (let j = 0; j < c; j++) {
      for (let k = 0; k < c; k++) {
        let sum = 0;
        for (let i = 0; i < r; i++) sum += plan[i * c + j] * plan[i * c + k];
        J[j * c + k] = -sum * r / eps;
      }
      J[j * c + j] += columns[j] / eps;
      scale = Math.max(scale, J[j * c + j]);
    }
    for (let k = 0; k < c * c; k++) J[k] += scale / c;
    const rhs = Float64Array.from(columns, (beta) => 1 / c - beta);
    const step = solveDense(J, rhs, c);
    if (!step) return undefined;
    const start = Float64Array.from(g);
    for (let t = 1; t > 1e-6; t /= 2) {
      for (let j = 0; j < c; j++) g[j] = start[j] + t * step[j];
      const next = this.evaluate(eps);
      if (next < error) return next;
    }
    g.set(start);
    this.evaluate(eps);
    return undefined;
  }
}

/** Solve A x = b (n × n, row-major; A is overwritten) by Gaussian elimination with partial pivoting. */
function solveDense(A: Float64Array, b: Float64Array, n: number): Float64Array | undefined {
  const x = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) {
      if (Math.abs(A[row * n + col]) > Math.abs(A[pivot * n + col])) pivot = row;
    }
    if (!(Math.abs(A[pivot * n + col]) > 0)) return undefined;
    if (pivot !== col) {
      for (let k = 0; k < n; k++) [A[col * n + k], A[pivot * n + k]] = [A[pivot * n + k], A[col * n + k]];
      [x[col], x[pivot]] = [x[pivot], x[col]];
    }
    for (let row = col + 1; row < n; row++) {
      const factor = A[row * n + col] / A[col * n + col];
      if (factor === 0) continue;
      for (let k = col; k < n; k++) A[row * n + k] -= factor * A[col * n + k];
      x[row] -= factor * x[col];
    }
  }
  for (let row = n - 1; row >= 0; row--) {
    let sum = x[row];
    for (let k = row + 1; k < n; k++) sum -= A[row * n + k] * x[k];
    x[row] = sum / A[row * n + row];
  }
  return x.every(Number.isFinite) ? x : undefined;
}

function sinkhornLog(
  S: ArrayLike<number>,
  r: number,
  c: number,
  range: number,
  epsilon: number,
  maxIterations: number,
  tolerance: number,
): Solved {
  const C = new Float64Array(r * c);
  for (let k = 0; k < r * c; k++) C[k] = 1 - S[k];
  const state = new LogDomainState(C, r, c);
  let iterations = 0, error = Infinity;
  // One ε stage: plain iterations, then Newton steps once plain ones are slow, to `stageTolerance`.
  const solveStage = (eps: number, stageTolerance: number) => {
    error = state.evaluate(eps);
    let plain = 0, newton = true;
    while (!(error < stageTolerance) && iterations < maxIterations) {
      iterations++;
      if (newton && plain >= NEWTON_AFTER) {
        const next = state.newtonStep(eps, error);
        if (next !== undefined) {
          error = next;
          continue;
        }
        newton = false; // Newton cannot improve (e.g. a singular system): plain iterations only.
      }
      state.sinkhornStep(eps);
      error = state.evaluate(eps);
      plain++;
    }
  };
  // ε-scaling: each stage warm-starts the next; intermediate ones only to a loose tolerance.
  for (let eps = Math.max(epsilon, range); eps > epsilon && iterations < maxIterations; eps /= EPSILON_STEP) {
    solveStage(eps, Math.max(tolerance, STAGE_TOLERANCE));
  }
  solveStage(epsilon, tolerance);
  return { plan: Float64Array.from(state.plan), iterations, marginalError: error };
}
