/**
 * Set-level evaluation on real data: seeded protocols (query sets vs gallery sets), one
 * similarity matrix per protocol, any matching method, tie-aware retrieval metrics with
 * bootstrap confidence intervals, and greedy-vs-optimal agreement.
 *
 * - {@link prepareProtocol}: load, draw, embed (cached), build the similarity matrix once.
 * - {@link evaluateScores}: metrics of any `nQuery × nGallery` score matrix on a prepared protocol.
 * - {@link runEvaluation}: prepare → score → metrics → append to `results/eval/runs.jsonl`.
 * - Analysis on a prepared protocol: {@link compareMethods} (one row per method),
 *   {@link strictFailureScan} and {@link greedyOptimalContrast} (where a setting or a method
 *   fails), {@link relevantRanks}, reproducible example choices ({@link nearestSets},
 *   {@link hardestNegatives}, {@link setPairBlock}), within-set shuffles
 *   ({@link permuteWithinSets}) and {@link timed}.
 * - The result vocabulary: {@link Estimate} (a metric with its interval), {@link GridCell},
 *   {@link bestCell}, {@link formatEstimate}, {@link metricLabel}.
 * - Wording of findings: {@link formatInterval}, {@link compareWord}, {@link intervalsOverlap}.
 * - {@link describeMethodComparison} (notebook 05). The notebooks' own findings live beside them,
 *   in `notebooks/lib/`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateScores, prepareProtocol } from "./mod.ts";
 * import { scoreSetPairs } from "../matching/mod.ts";
 * const prepared = await prepareProtocol({ dataset: "coil100", protocol: "unordered", seed: 0 });
 * const scores = scoreSetPairs(prepared, { method: "greedy", s: 0.5 });
 * const metrics = evaluateScores(scores.data, prepared, { bootstrap: 1000 });
 * // 99 of the 100 query sets rank their own object's gallery set first (default model).
 * assert.equal(metrics.recall_at_1, 0.99);
 * assert.deepEqual(metrics.ci95.recall_at_1, [0.97, 1]);
 * ```
 * @module
 */

export * from "./augment.ts";
export * from "./compare.ts";
export * from "./estimate.ts";
export * from "./failures.ts";
export * from "./format.ts";
export * from "./metrics.ts";
export * from "./permute.ts";
export * from "./prepare.ts";
export * from "./protocols.ts";
export * from "./ranks.ts";
export * from "./run.ts";
export * from "./selection.ts";
export * from "./summary.ts";
export * from "./timing.ts";
export * from "./views.ts";
export * from "./worked_example.ts";
