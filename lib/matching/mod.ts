/**
 * Set matching: how similar are two unordered sets of embeddings (e.g. a product's photos)?
 *
 * Build the |A| × |B| cosine-similarity matrix S ({@link cosineSimilarityMatrix}, or
 * {@link cosineSimilarityMatrixOnnx} for large ones), then score it with one of the
 * {@link MATCH_METHODS} through one interface, {@link scoreSimilarityMatrix} (or {@link matchSets}
 * from embeddings). Every dispatcher reads the method registry ({@link METHOD_REGISTRY},
 * {@link methodSpec}, {@link validateOptions}, {@link resolveOptions}). Every method is also a
 * function of its own with its formula and references:
 *
 * | method    | function              | score |
 * |-----------|-----------------------|-------|
 * | ordered   | {@link orderedMatch}      | mean of S_ii (same view order) |
 * | greedy    | {@link greedyMatch}       | mean of greedily taken best entries ("recursive matching") |
 * | optimal   | {@link optimalAssignment} | mean over the min-distance one-to-one assignment (fast exact solver) |
 * | lp        | {@link lpAssignment}      | the same, solved as an LP with javascript-lp-solver |
 * | centroid  | {@link centroidScore}     | cosine of the mean unit vectors |
 * | chamfer   | {@link chamferScore}      | mean best match A → B (or symmetric) |
 * | hausdorff | {@link hausdorffScore}    | 1 − Hausdorff distance |
 * | sinkhorn  | {@link sinkhornScore}     | expected similarity under entropic OT |
 *
 * Threshold `s` and cap `m` (ordered, greedy, optimal, lp, chamfer): only matches with S ≥ s among
 * the first m (in the order taken / best first) count. When none counts the score is `null` with a
 * `reason`; batch scores use {@link NO_MATCH_SCORE} (−Infinity), which ranks last.
 *
 * For evaluation and sweeps, {@link scoreSetPairs}, {@link matchSequences} and
 * {@link scoreSequences} score thousands of set pairs from one precomputed matrix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchSets } from "./mod.ts";
 * import { embeddingsFromRows } from "../types.ts";
 * const A = embeddingsFromRows([[1, 0], [0.8, 0.6]]);
 * const B = embeddingsFromRows([[0.6, 0.8], [1, 0], [0, 1]]);
 * const result = matchSets(A, B, { method: "greedy", s: 0.5 });
 * // S = [[0.6, 1, 0], [0.96, 0.8, 0.6]]: greedy takes 1 (a0, b1), then 0.96 (a1, b0); b2 is left.
 * assert.deepEqual(result.pairs.map((p) => [p.a, p.b]), [[0, 1], [1, 0]]);
 * assert.equal(result.score?.toFixed(2), "0.98");
 * assert.deepEqual(result.unmatchedB, [2]);
 * ```
 * @module
 */

export * from "./types.ts";
export type { Embeddings } from "../types.ts";
export type { Progress } from "../progress/mod.ts";
export { applyThresholdAndCap, type CountedScore, scoreSequence } from "./counting.ts";
export {
  type AssignmentSolution,
  AssignmentWorkspace,
  linearSumAssignment,
  type LinearSumAssignmentOptions,
} from "./assignment.ts";
export { centroid, unitCentroid } from "./centroid.ts";
export { assertLpSize, LP_MAX_ENTRIES, type LpPairs, solveAssignmentLp } from "./lp.ts";
export {
  centroidScore,
  type ChamferOptions,
  chamferScore,
  greedyMatch,
  type HausdorffOptions,
  hausdorffScore,
  lpAssignment,
  meanVectorCosine,
  optimalAssignment,
  orderedMatch,
  type SinkhornOptions,
  sinkhornScore,
  type ThresholdOptions,
} from "./methods.ts";
export { matchSets, scoreSimilarityMatrix } from "./match.ts";
export {
  assertNoZeroRows,
  type CosineOptions,
  cosineSimilarityMatrix,
  dotProductMatrix,
  mirrorUpperTriangle,
  normalizeRows,
} from "./similarity.ts";
export {
  cosineSimilarityMatrixOnnx,
  gemmTransposeBModel,
  type OnnxCosineOptions,
  OnnxSimilarityCache,
  type Ort,
} from "./similarity_onnx.ts";
export {
  type MatchSequences,
  matchSequences,
  matchSequencesParallel,
  type ParallelOptions,
  scoreSequences,
  scoreSetPairs,
  scoreSetPairsParallel,
  type SetPairsInput,
} from "./batch.ts";
export {
  type LabelledMatrix,
  MatrixFileError,
  type MatrixReadOptions,
  parseMatrixCsv,
  parseMatrixJson,
  readMatrixFile,
} from "./matrix_file.ts";
export {
  convergenceWarning,
  formatResultTable,
  type Labels,
  type MatchJson,
  resultToJson,
} from "./format.ts";
export { validateMatrix } from "./validate.ts";
export { MatchBuffer } from "./kernels.ts";
export {
  type ListKernel,
  listMethods,
  matrixMethods,
  METHOD_REGISTRY,
  type MethodOptionName,
  type MethodSpec,
  methodSpec,
  methodsWithOption,
  optionsFor,
  type ResolvedOptions,
  resolveOptions,
  sequenceMethods,
  thresholdableMethods,
  unusedOptions,
  validateOptions,
} from "./registry.ts";
