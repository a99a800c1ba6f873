/**
 * A similar-products run: for every item of an index (or a subset), its k most similar items,
 * written to one `.parquet`, `.jsonl` or `.csv` file plus its sidecar (`sidecar.ts`).
 *
 * Steps, each a function below: {@link resolveItems} (which lists, which candidates, their vector
 * digests) → {@link planWork} (all lists, or with `incremental` only those that can have changed:
 * `incremental.ts`) → chunks through the journal (`partial.ts`) on an executor (`executor.ts`:
 * this process, local workers, or a BullMQ queue) → {@link assembleOutput} (kept rows + chunk
 * rows in output order) → the output and its sidecar committed together (lib/io `commitFiles`),
 * then the journal removed. A killed run resumes from the journal and writes the same bytes.
 * (An example that runs: `mod.ts`.)
 * @module
 */

import { basename, resolve } from "node:path";
import { commitFiles } from "../io/mod.ts";
import { createProgress } from "../progress/mod.ts";
import { SearchSession } from "../search/mod.ts";
import { type ChunkExecutor, type ChunkTask, inProcessExecutor, poolExecutor } from "./executor.ts";
import { type IncrementalCounts, planIncremental } from "./incremental.ts";
import { openJournal } from "./partial.ts";
import {
  compareRows,
  decodeRows,
  encodeRows,
  formatOfPath,
  type NeighbourFormat,
  type NeighbourRow,
} from "./rows.ts";
import type { NeighbourSearch } from "./search.ts";
import { CANDIDATE, itemDigests, QUERY, readSidecar, type Sidecar, sidecarPath } from "./sidecar.ts";
import { createHash } from "node:crypto";

/** Items per chunk when not told otherwise (`--chunk`). */
export const DEFAULT_CHUNK_SIZE = 50;

/** Options of {@link runNeighbours}. */
export interface NeighboursOptions {
  /** The index folder. */
  index: string;
  /** The output file; its extension picks the format. */
  out: string;
  search: NeighbourSearch;
  /** Compute the lists of these items only (default: every item). */
  items?: string[];
  /** Recompute only lists that can have changed since the previous output `out` (and its sidecar). */
  incremental?: boolean;
  /** Local workers (default: the machine's cores; 0 = this process). Ignored with `executor`. */
  workers?: number;
  /** Where chunks run (default: local workers); the run closes it. */
  executor?: ChunkExecutor;
  /** Items per chunk: the unit of resuming and of queue jobs (default {@link DEFAULT_CHUNK_SIZE}). */
  chunkSize?: number;
  /** Show a progress bar on stderr (default true). */
  progress?: boolean;
  /** Messages (default: stderr). */
  log?: (line: string) => void;
}

/** What a run did. */
export interface NeighboursReport {
  out: string;
  format: NeighbourFormat;
  /** Items whose lists the output holds, and its rows. */
  items: number;
  rows: number;
  /** Lists computed by this run (all of them, or the incremental plan's). */
  computed: number;
  chunks: number;
  /** Chunks found finished in the journal of an interrupted run. */
  resumed_chunks: number;
  incremental?: IncrementalCounts;
  executor: string;
  seconds: number;
}

/** The items of a run and their digests. */
export interface ResolvedItems {
  /** Items whose lists are computed, sorted. */
  queries: string[];
  /** Items that may appear in lists (`where`), as a set. */
  candidates: Set<string>;
  digests: Map<string, string>;
}

/** Step 1: the items whose lists are computed, the candidates, and the digests of both. */
export async function resolveItems(
  session: SearchSession,
  search: NeighbourSearch,
  items?: readonly string[],
): Promise<ResolvedItems> {
  const all = await session.itemIds();
  let queries: string[];
  if (items !== undefined) {
    const known = new Set(all);
    const unknown = items.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new RangeError(
        `--items: ${unknown.length} id(s) not in the index: ${
          unknown.slice(0, 5).map((id) => `"${id}"`).join(", ")
        }${unknown.length > 5 ? ", …" : ""}`,
      );
    }
    queries = [...new Set(items)];
  } else queries = [...all];
  queries.sort(byCodeUnits);
  let candidateIds: string[];
  try {
    candidateIds = search.where ? await session.itemIds(search.where) : all;
  } catch (error) {
    throw new RangeError(`--where "${search.where}": ${(error as Error).message}`);
  }
  const candidates = new Set(candidateIds);
  const digests = await itemDigests(session, [...new Set([...queries, ...candidateIds])].sort(byCodeUnits));
  return { queries, candidates, digests };
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What step 2 decides: the lists to compute and the rows kept from a previous output. */
export interface WorkPlan {
  compute: string[];
  kept: NeighbourRow[];
  incremental?: IncrementalCounts;
}

/** Step 2: every list, or (incremental) the lists that can have changed since the previous output. */
export async function planWork(
  session: SearchSession,
  options: Pick<NeighboursOptions, "out" | "search" | "items" | "incremental">,
  resolved: ResolvedItems,
): Promise<WorkPlan> {
  if (!options.incremental) return { compute: resolved.queries, kept: [] };
  const sidecar = await readSidecar(sidecarPath(options.out)).catch((error) => {
    throw new RangeError(
      `--incremental needs the previous output and its sidecar: ${
        (error as Error).message
      }; run once without --incremental first`,
    );
  });
  const same =
    JSON.stringify(normalSearch(sidecar.search)) === JSON.stringify(normalSearch(options.search)) &&
    sidecar.subset === (options.items !== undefined);
  if (!same) {
    throw new RangeError(
      `--incremental: ${options.out} was computed with other options (${JSON.stringify(sidecar.search)}${
        sidecar.subset ? ", --items" : ""
      }); run without --incremental to recompute every list`,
    );
  }
  const format = formatOfPath(options.out);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(options.out);
  } catch (error) {
    throw new RangeError(
      `--incremental: cannot read the previous output ${options.out} (${(error as Error).message})`,
    );
  }
  const rows = decodeRows(bytes, format, options.out);
  const plan = await planIncremental(session, options.search, resolved, { sidecar, rows });
  return { compute: plan.recompute, kept: plan.kept, incremental: plan.counts };
}

/** The search options with absent fields dropped and keys sorted (for comparing and keying). */
function normalSearch(search: NeighbourSearch): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(search).filter(([, v]) => v !== undefined && v !== false).sort(([a], [b]) =>
      byCodeUnits(a, b)
    ),
  );
}

/** Split the lists to compute into chunks of `size` items. */
export function chunkTasks(ids: readonly string[], size: number): ChunkTask[] {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`chunk size must be an integer ≥ 1, got ${size}`);
  }
  const tasks: ChunkTask[] = [];
  for (let start = 0; start < ids.length; start += size) {
    tasks.push({ chunk: tasks.length, items: ids.slice(start, start + size) });
  }
  return tasks;
}

/** Step 4: kept rows and every chunk's rows, in output order. */
export function assembleOutput(
  kept: readonly NeighbourRow[],
  chunks: readonly NeighbourRow[][],
): NeighbourRow[] {
  return [...kept, ...chunks.flat()].sort(compareRows);
}

/** Run a neighbours job (see the module documentation). */
export async function runNeighbours(options: NeighboursOptions): Promise<NeighboursReport> {
  const start = performance.now();
  const log = options.log ?? ((line: string) => console.error(line));
  const format = formatOfPath(options.out);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const session = await SearchSession.open(options.index);
  let executor = options.executor;
  try {
    const resolved = await resolveItems(session, options.search, options.items);
    const plan = await planWork(session, options, resolved);
    if (plan.incremental !== undefined) {
      const c = plan.incremental;
      log(
        `neighbours: incremental: recomputing ${c.recomputed} of ${c.items} lists (${c.changed_candidates} candidates new or changed, ${c.removed_candidates} removed; because the item changed ${c.because_item_changed}, a neighbour changed ${c.because_neighbour_changed}, a changed item may enter ${c.because_may_enter}); keeping ${c.kept}`,
      );
    }
    const tasks = chunkTasks(plan.compute, chunkSize);
    const manifest = session.manifest;
    const key = createHash("sha256").update(JSON.stringify({
      versions: manifest.versions,
      fingerprint: manifest.fingerprint,
      committedAt: manifest.committedAt,
      search: normalSearch(options.search),
      chunkSize,
      compute: plan.compute,
    })).digest("hex");
    const journal = await openJournal(options.out, key, tasks.length, log);
    const todo = tasks.filter((t) => !journal.resumed.has(t.chunk));
    if (journal.resumed.size > 0) {
      log(
        `neighbours: resuming: ${journal.resumed.size} of ${tasks.length} chunks already done in ${journal.dir}`,
      );
    }
    if (todo.length > 0) {
      executor ??= options.workers === 0 ? await inProcessExecutor(options.index) : await poolExecutor(
        options.index,
        Math.max(1, Math.min(options.workers ?? navigator.hardwareConcurrency, todo.length)),
      );
      const progress = createProgress({
        label: "neighbours",
        total: plan.compute.length,
        silent: options.progress === false,
      });
      progress.update(
        tasks.filter((t) => journal.resumed.has(t.chunk)).reduce((n, t) => n + t.items.length, 0),
      );
      await executor.runAll(todo, options.search, async (task, rows) => {
        await journal.write(task.chunk, rows);
        progress.tick(task.items.length);
      });
      progress.done();
    }
    const chunkRows: NeighbourRow[][] = [];
    for (const task of tasks) chunkRows.push(await journal.read(task.chunk));
    const rows = assembleOutput(plan.kept, chunkRows);
    const querySet = new Set(resolved.queries);
    const sidecar: Sidecar = {
      format: "setsim-neighbours/1",
      output: { file: basename(options.out), rows: rows.length },
      index: {
        dir: resolve(options.index),
        versions: manifest.versions,
        fingerprint: manifest.fingerprint,
        committedAt: manifest.committedAt,
      },
      search: options.search,
      subset: options.items !== undefined,
      items: [...resolved.digests].map(([id, digest]) => [
        id,
        digest,
        (resolved.candidates.has(id) ? CANDIDATE : 0) | (querySet.has(id) ? QUERY : 0),
      ]),
    };
    await commitFiles([
      { path: options.out, content: encodeRows(rows, format) },
      { path: sidecarPath(options.out), content: JSON.stringify(sidecar) + "\n" },
    ]);
    await journal.remove();
    return {
      out: options.out,
      format,
      items: resolved.queries.length,
      rows: rows.length,
      computed: plan.compute.length,
      chunks: tasks.length,
      resumed_chunks: tasks.length - todo.length,
      ...(plan.incremental !== undefined ? { incremental: plan.incremental } : {}),
      executor: executor?.description ?? "none (nothing to compute)",
      seconds: (performance.now() - start) / 1000,
    };
  } finally {
    await executor?.close();
    await session.close();
  }
}
