/**
 * Similar-products lists: for every item of an index (or a subset), its k most similar items with
 * the set score, the matched-pair count and the method, as Parquet, JSON Lines or CSV
 * (`deno task neighbours`). Resumable (`partial.ts`), on local cores or a BullMQ queue
 * (`executor.ts`, `lib/queue`), incremental after an index update (`incremental.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildIndex, projectRows } from "../index/mod.ts";
 * import { syntheticCatalog, syntheticIndexInput } from "../../bench/support/synthetic.ts";
 * import { decodeRows, runNeighbours } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * // A small synthetic index (no model): 40 images in items of 1–8.
 * const data = projectRows(Float32Array.from({ length: 32 }, (_, i) => Math.sin(i + 1)), 4, 4, 1);
 * const synthetic = syntheticCatalog({ vectors: { data, count: 8, dim: 4 }, groups: Array(8).fill("g") }, {
 *   images: 40,
 *   seed: 1,
 * });
 * const { catalog, embedder, files } = syntheticIndexInput(synthetic);
 * await buildIndex(catalog, `${dir}/shop.index`, { embedder, files, progress: false });
 * const out = `${dir}/similar.jsonl`;
 * const search = { k: 3, method: "chamfer" as const };
 * const report = await runNeighbours({ index: `${dir}/shop.index`, out, search, workers: 0, progress: false });
 * const rows = decodeRows(await Deno.readFile(out), "jsonl");
 * assert.equal(rows.length, report.items * 3);
 * assert.ok(rows.every((r) => r.item_id !== r.neighbour_id && r.rank >= 1 && r.rank <= 3));
 * ```
 * @module
 */

export {
  assembleOutput,
  chunkTasks,
  DEFAULT_CHUNK_SIZE,
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
