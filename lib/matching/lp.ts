/**
 * The assignment problem as a linear program, solved with `javascript-lp-solver` — the formulation
 * the original "linear optimization" article used. Kept for fidelity and as an independent check on
 * the fast solver in `assignment.ts`; it is far slower, so never use it on a hot path.
 *
 * For n_A ≤ n_B (otherwise the roles swap):
 *
 *   minimise   Σ_ij (1 − S_ij) x_ij
 *   subject to Σ_j x_ij = 1  for every i ∈ A   (each row of the smaller set is matched once)
 *              Σ_i x_ij ≤ 1  for every j ∈ B   (each column at most once)
 *              x_ij ≥ 0
 *
 * The constraint matrix is totally unimodular, so the simplex method's vertex optimum is integral;
 * the solution is still checked, and solved again with binary variables if it is not.
 *
 * Reference: H. W. Kuhn (1955). The Hungarian method for the assignment problem. Naval Research
 * Logistics Quarterly 2, 83–97 (the LP and its integrality); J. Wolcott et al., jsLPSolver.
 * @module
 */

import lpSolver from "javascript-lp-solver";

// The package's types describe its ESM build; under Deno's CommonJS interop the default export is the
// solver object itself.
const solver = lpSolver as unknown as { Solve(model: unknown): unknown };

/** One-to-one pairs `(a, b)` of the optimal LP assignment, in row order of A. */
export interface LpPairs {
  /** Matched rows, ascending. */
  a: number[];
  /** `b[k]` is the column matched to `a[k]`. */
  b: number[];
  /** The LP objective: Σ (1 − S_ab) over the pairs. */
  totalDistance: number;
}

/**
 * The largest matrix (r · c entries) the LP is solved for. javascript-lp-solver keeps a dense simplex
 * tableau of about (r + c) × r·c values, so time and memory grow like (r·c)^1.5 or faster; measured
 * here (2 shared cores, random square matrices): 100 × 100 1.4 s and 120 MB, 150 × 150 2.2 s and
 * 230 MB, 200 × 200 5.9 s and 440 MB, 300 × 300 19 s and 1.3 GB — while `optimal` solves 300 × 300
 * in 0.16 s with the same optimum. Beyond the limit the LP is refused, not attempted.
 */
export const LP_MAX_ENTRIES = 10_000;

/** Throw unless an `r × c` assignment LP is within {@link LP_MAX_ENTRIES}. */
export function assertLpSize(r: number, c: number): void {
  if (r * c <= LP_MAX_ENTRIES) return;
  const fmt = (n: number) => n.toLocaleString("en-US");
  throw new RangeError(
    `lp is limited to ${fmt(LP_MAX_ENTRIES)} entries (e.g. 100 × 100); this matrix is ${r} × ${c} = ` +
      `${fmt(r * c)}, and the LP's dense simplex tableau grows faster than its size (300 × 300 takes ` +
      `~19 s and 1.3 GB). Use --method optimal (method: "optimal"): ` +
      `the same optimal assignment, exactly, in milliseconds`,
  );
}

/** Solve the assignment LP for an `r × c` row-major similarity block (at most {@link LP_MAX_ENTRIES}). */
export function solveAssignmentLp(S: ArrayLike<number>, r: number, c: number): LpPairs {
  assertLpSize(r, c);
  const rowsAreSmall = r <= c;
  const constraints: Record<string, { equal?: number; max?: number }> = {};
  const variables: Record<string, Record<string, number>> = {};
  for (let i = 0; i < r; i++) constraints[`a${i}`] = rowsAreSmall ? { equal: 1 } : { max: 1 };
  for (let j = 0; j < c; j++) constraints[`b${j}`] = rowsAreSmall ? { max: 1 } : { equal: 1 };
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      variables[`x${i}_${j}`] = { distance: 1 - S[i * c + j], [`a${i}`]: 1, [`b${j}`]: 1 };
    }
  }
  const model = { optimize: "distance", opType: "min" as const, constraints, variables };
  let solution = solver.Solve(model) as Record<string, unknown>;
  const isIntegral = () =>
    Object.entries(solution).every(([k, v]) =>
      !k.startsWith("x") || typeof v !== "number" || Math.abs(v - Math.round(v)) < 1e-6
    );
  if (solution.feasible && !isIntegral()) {
    const binaries = Object.fromEntries(Object.keys(variables).map((k) => [k, 1]));
    solution = solver.Solve({ ...model, binaries }) as Record<string, unknown>;
  }
  if (!solution.feasible) {
    throw new Error(`the assignment LP for a ${r} × ${c} matrix was reported infeasible`);
  }
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const x = solution[`x${i}_${j}`];
      if (typeof x === "number" && x > 0.5) {
        a.push(i);
        b.push(j);
      }
    }
  }
  const n = Math.min(r, c);
  if (a.length !== n) {
    throw new Error(`the assignment LP returned ${a.length} pairs for a ${r} × ${c} matrix, expected ${n}`);
  }
  let totalDistance = 0;
  for (let k = 0; k < n; k++) totalDistance += 1 - S[a[k] * c + b[k]];
  return { a, b, totalDistance };
}
