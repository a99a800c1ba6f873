/**
 * Where the chunks of a neighbours run are computed: in this process, on a pool of local Deno
 * Workers (`lib/workers`, each with its own {@link SearchSession}), or as BullMQ jobs taken by
 * `deno task worker` processes on any number of machines (`lib/queue`, see `queue.ts`). Every
 * executor gives the same rows for a chunk; the run writes them.
 * @module
 */

import { createWorkerPool } from "../workers/pool.ts";
import { SearchSession } from "../search/mod.ts";
import type { NeighbourRow } from "./rows.ts";
import { type NeighbourSearch, neighboursOfItems } from "./search.ts";

/** One chunk: its number in the run's plan and its items (in output order). */
export interface ChunkTask {
  chunk: number;
  items: string[];
}

/** Computes chunks; `onRows` is awaited once per finished chunk, in completion order. */
export interface ChunkExecutor {
  /** How the work is spread, for messages ("2 local workers", "queue redis://…"). */
  readonly description: string;
  runAll(
    tasks: readonly ChunkTask[],
    search: NeighbourSearch,
    onRows: (task: ChunkTask, rows: NeighbourRow[]) => Promise<void>,
  ): Promise<void>;
  close(): Promise<void>;
}

/** Chunks computed one after another in this process (`workers: 0`; tests and tiny runs). */
export async function inProcessExecutor(index: string): Promise<ChunkExecutor> {
  const session = await SearchSession.open(index);
  return {
    description: "this process",
    async runAll(tasks, search, onRows) {
      for (const task of tasks) await onRows(task, await neighboursOfItems(session, task.items, search));
    },
    close: () => session.close(),
  };
}

/** Chunks computed on `size` local Deno Workers, each holding its own open index. */
export async function poolExecutor(index: string, size: number): Promise<ChunkExecutor> {
  const pool = await createWorkerPool<{ items: string[]; search: NeighbourSearch }, NeighbourRow[]>({
    url: new URL("./pool_worker.ts", import.meta.url),
    size,
    name: "neighbours",
    init: { index },
  });
  return {
    description: `${size} local worker${size === 1 ? "" : "s"}`,
    async runAll(tasks, search, onRows) {
      await Promise.all(
        tasks.map(async (task) => await onRows(task, await pool.run({ items: task.items, search }))),
      );
    },
    close() {
      pool.close();
      return Promise.resolve();
    },
  };
}
