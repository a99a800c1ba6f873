/**
 * Similar-products lists: for every item of an index (or a subset), its k most similar items with
 * the set score, the matched-pair count and the method, as Parquet, JSON Lines or CSV
 * (`deno task neighbours`). Resumable (`partial.ts`), on local cores or a BullMQ queue
 * (`executor.ts`, `lib/queue`), incremental after an index update (`incremental.ts`).
 * @module
 */

export {
  assembleOutput,
  chunkTasks,
  type NeighboursOptions,
  type NeighboursReport,
  planWork,
  resolveItems,
  runNeighbours,
} from "./run.ts";
export { type ChunkExecutor, type ChunkTask, inProcessExecutor, poolExecutor } from "./executor.ts";
export {
  ENTER_MARGIN,
  type IncrementalCounts,
  type IncrementalPlan,
  planIncremental,
} from "./incremental.ts";
export { openJournal, partialDir } from "./partial.ts";
export {
  compareRows,
  decodeRows,
  encodeRows,
  formatOfPath,
  NEIGHBOUR_COLUMNS,
  NEIGHBOUR_FORMATS,
  type NeighbourFormat,
  type NeighbourRow,
} from "./rows.ts";
export { type NeighbourSearch, neighboursOfItems, searchOptions } from "./search.ts";
export { itemDigests, readSidecar, type Sidecar, sidecarPath } from "./sidecar.ts";
