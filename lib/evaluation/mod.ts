/**
 * Set-level evaluation on real data: seeded protocols (query sets vs gallery sets), one
 * similarity matrix per protocol, any matching method, tie-aware retrieval metrics with
 * bootstrap confidence intervals, and greedy-vs-optimal agreement.
 *
 * - {@link prepareProtocol}: load, draw, embed (cached), build the similarity matrix once.
 * - {@link evaluateScores}: metrics of any `nQuery × nGallery` score matrix on a prepared protocol.
 * - {@link runEvaluation}: prepare → score → metrics → append to `results/eval/runs.jsonl`.
 *
 * @example
 * ```ts
 * import { evaluateScores, prepareProtocol } from "./mod.ts";
 * import { scoreSetPairs } from "../matching/mod.ts";
 * const prepared = await prepareProtocol({ dataset: "coil100", protocol: "unordered", seed: 0 });
 * const scores = scoreSetPairs(prepared, { method: "greedy", s: 0.5 });
 * const metrics = evaluateScores(scores, prepared, { bootstrap: 1000 });
 * console.log(metrics.recall_at_1, metrics.ci95.recall_at_1);
 * ```
 * @module
 */

export * from "./augment.ts";
export * from "./format.ts";
export * from "./metrics.ts";
export * from "./prepare.ts";
export * from "./protocols.ts";
export * from "./random.ts";
export * from "./run.ts";
export * from "./summary.ts";
