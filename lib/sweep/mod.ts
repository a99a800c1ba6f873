/**
 * Hyperparameter sweeps over the threshold `s` and the match cap `m` (issue #6): the engine behind
 * `deno task sweep` (the command itself is `scripts/sweep.ts`) embeds once, builds each
 * similarity matrix once, matches each set pair once per method, then evaluates every (s, m) cell
 * on all cores — resumably.
 *
 * - {@link parseThresholdGrid}, {@link parseMatchCapGrid}: grid flags (`0.5:0.95:0.05`, `none`,
 *   `1:5`, `all`), validated before any work.
 * - {@link expandCells}, {@link cellHash}: the cells, in a fixed order, keyed by a stable hash of
 *   everything that can change a result.
 * - {@link runSweep}: prepare → match → evaluate cells (Deno Workers, shared memory) → journal each
 *   cell (fsync) → write `sweep.csv`, `sweep.json` and s × m heatmaps atomically.
 * - {@link SweepBackend}: what the engine needs from the rest of setsim; `setsim_backend.ts` is the
 *   real one.
 * - {@link thresholdCapGrid}: a small grid evaluated in process on an already prepared protocol
 *   (notebooks).
 * - {@link readSweepJson}, {@link sweepSummary}, {@link sweepTableRows}: a finished sweep read back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandCells, parseMatchCapGrid, parseThresholdGrid } from "./mod.ts";
 * const cells = expandCells({
 *   datasets: ["coil100"], protocols: { coil100: ["unordered"] }, methods: ["greedy", "optimal"],
 *   s: parseThresholdGrid("none,0.5:0.95:0.05"), m: parseMatchCapGrid("1:5,all"),
 *   seed: 0, model: "mobilenet-v2", bootstrap: 1000, options: {},
 * });
 * assert.equal(cells.length, 132); // 2 methods × 11 thresholds × 6 caps
 * ```
 * @module
 */

export type { CellMetrics, PrepareContext, SweepBackend } from "./backend.ts";
export {
  canonicalJson,
  cellHash,
  expandCells,
  groupKey,
  type GroupSpec,
  type JsonValue,
  type SweepCell,
  type SweepPlan,
} from "./cell.ts";
export {
  expandRange,
  formatMatchCap,
  formatThreshold,
  type MatchCap,
  parseMatchCapGrid,
  parseNameList,
  parseThresholdGrid,
  SWEEP_DEFAULTS,
  type Threshold,
} from "./grid.ts";
export { CellJournal, type CellRecord } from "./journal.ts";
export { type CellRunner, createCellRunner } from "./pool.ts";
export {
  type FigureWriter,
  runSweep,
  type RunSweepOptions,
  SWEEP_FILES,
  type SweepOutcome,
} from "./engine.ts";
export {
  type BestCell,
  bestCells,
  cellEstimates,
  type CellResult,
  describeBest,
  groupByMethod,
  hasIntervals,
  metricNames,
  rowCi95,
  SWEEP_FORMAT,
  toCsv,
  toJson,
  writeFileAtomic,
} from "./output.ts";
export { sweepHeatmapFiles, sweepHeatmapOptions, writeSweepHeatmaps } from "./heatmap.ts";
export { cellScores, evaluateCellScores, preparedShared } from "./setsim_backend.ts";
export {
  gridDifference,
  type GridOptions,
  type GridRow,
  gridTable,
  type NamedMatrix,
  NO_MATCH_STATS,
  type NoMatchStats,
  noMatchStats,
  pairThresholdGrid,
  thresholdCapGrid,
} from "./local.ts";
export {
  parseSweepJson,
  readSweepJson,
  type SweepDocument,
  sweepSummary,
  type SweepSummaryRow,
  sweepTableRows,
} from "./document.ts";
