/**
 * Text + image fusion for product search: weighted averages of image and text similarity,
 * category restriction, weight sweeps with bootstrap intervals, and the queries text fixes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fuseSimilarities } from "./mod.ts";
 * const image = { rows: 1, cols: 2, data: Float64Array.from([0.9, 0.8]) };
 * const text = { rows: 1, cols: 2, data: Float64Array.from([0.1, 0.7]) };
 * assert.deepEqual(Array.from(fuseSimilarities(image, text, 0.25).data, (v) => Number(v.toFixed(6))), [0.7, 0.775]);
 * ```
 * @module
 */

export { fuseSimilarities, restrictByCategory, type ScoreMatrix } from "./fuse.ts";
export { textSimilarity, type TextSimilarityOptions } from "./text.ts";
export {
  type CrossValidatedWeight,
  crossValidatedWeight,
  DEFAULT_WEIGHTS,
  type FusionCell,
  fusionSweep,
  fusionSweepCells,
  type FusionSweepInput,
  type FusionSweepRow,
  fusionSweepTable,
  type RestrictionRow,
  restrictionRows,
  type RestrictionSetting,
  type TextFix,
  textFixes,
} from "./sweep.ts";
export { sweepLineOptions } from "./figures.ts";
