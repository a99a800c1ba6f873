/**
 * Experiment helpers for the notebooks that are not evaluation itself: reproducible example
 * choices (nearest sets, hardest negatives, a pair's similarity block), within-set shuffles, small
 * s × m grids with no-match statistics, per-method comparison rows, reading a finished sweep, and
 * timing.
 *
 * @example
 * ```ts
 * import { permuteWithinSets, subMatrix } from "./mod.ts";
 * console.log(permuteWithinSets([[0, 1, 2]], { seed: 1, derangement: true }));
 * console.log(subMatrix({ rows: 1, cols: 2, data: new Float32Array([0.5, 0.7]) }, [0], [1]).data);
 * ```
 * @module
 */

export * from "./cost.ts";
export * from "./failures.ts";
export * from "./grid.ts";
export * from "./methods.ts";
export * from "./permute.ts";
export * from "./ranks.ts";
export * from "./selection.ts";
export * from "./sweep.ts";
export * from "./timing.ts";
