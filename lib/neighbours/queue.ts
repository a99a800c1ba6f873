/**
 * Neighbours over the queue: the executor `deno task neighbours --queue URL` uses (chunks become
 * BullMQ jobs, `lib/queue/jobs.ts`) and the handler `deno task worker` runs for them.
 *
 * A job carries the index version it was planned on (table versions, fingerprint, commit time),
 * the search options and its items. The worker answers from its own index folder (shared or
 * copied) only when that folder holds the same version (it reopens it once if the folder was
 * rebuilt since it started); otherwise the try fails with a message saying which versions differ.
 * Job ids are the run's key + the chunk number, so each chunk is written once by the run
 * (`partial.ts`), however often it was computed.
 * @module
 */

import { createHash } from "node:crypto";
import { readManifest } from "../index/mod.ts";
import { QUEUE_NAMES, type QueueUrl, runJobs, type RunJobsReport } from "../queue/mod.ts";
import { SearchSession } from "../search/mod.ts";
import type { ChunkExecutor } from "./executor.ts";
import type { NeighbourRow } from "./rows.ts";
import { type NeighbourSearch, neighboursOfItems } from "./search.ts";

/** Which committed index a job was planned on. */
export interface IndexVersion {
  versions: { images: number; items: number };
  fingerprint: string;
  committedAt: string;
}

/** The input of one neighbours job. */
export interface NeighboursJob {
  index: IndexVersion;
  search: NeighbourSearch;
  chunk: number;
  items: string[];
}

function versionOf(manifest: IndexVersion): IndexVersion {
  return {
    versions: manifest.versions,
    fingerprint: manifest.fingerprint,
    committedAt: manifest.committedAt,
  };
}

/** Chunks as BullMQ jobs on `url`, taken by `deno task worker --queue URL --index DIR`. */
export function queueExecutor(
  url: QueueUrl,
  index: string,
  options: { attempts?: number; log?: (line: string) => void } = {},
): ChunkExecutor & { stats: RunJobsReport } {
  const stats: RunJobsReport = { completed: 0, duplicate_results: 0, readded: 0, busy_ms: 0 };
  return {
    description: `queue ${url.url}`,
    stats,
    async runAll(tasks, search, onRows) {
      const manifest = await readManifest(index);
      if (manifest === undefined) throw new RangeError(`${index}: not a setsim index`);
      const version = versionOf(manifest);
      const jobs = tasks.map((task) => {
        const data: NeighboursJob = { index: version, search, chunk: task.chunk, items: task.items };
        const key = createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 24);
        return { id: `neighbours-${key}-${task.chunk}`, data, task };
      });
      const byId = new Map(jobs.map((job) => [job.id, job.task]));
      const report = await runJobs<NeighboursJob, NeighbourRow[]>({
        url,
        queue: QUEUE_NAMES.neighbours,
        jobs: jobs.map(({ id, data }) => ({ id, data })),
        attempts: options.attempts,
        log: options.log,
        onResult: (id, rows) => onRows(byId.get(id)!, rows),
      });
      stats.completed += report.completed;
      stats.duplicate_results += report.duplicate_results;
      stats.readded += report.readded;
      stats.busy_ms += report.busy_ms;
    },
    close: () => Promise.resolve(),
  };
}

/** A worker's handler of neighbours jobs over its own copy of the index at `index`. */
export function neighboursJobHandler(
  index: string,
): { handle(data: unknown): Promise<NeighbourRow[]>; close(): Promise<void> } {
  let session: Promise<SearchSession> | undefined;
  const same = (a: IndexVersion, b: IndexVersion) =>
    JSON.stringify(versionOf(a)) === JSON.stringify(versionOf(b));
  return {
    async handle(input) {
      const job = input as NeighboursJob;
      session ??= SearchSession.open(index);
      let open = await session;
      if (!same(open.manifest, job.index)) {
        // The folder may have been rebuilt since this worker opened it: look once more.
        const now = await readManifest(index);
        if (now !== undefined && same(now, job.index)) {
          await open.close();
          session = SearchSession.open(index);
          open = await session;
        } else {
          throw new Error(
            `this worker's index ${index} holds version ${
              JSON.stringify(versionOf(now ?? open.manifest))
            }, ` +
              `the job was planned on ${
                JSON.stringify(job.index)
              }: point --index at the same (shared or freshly copied) index folder`,
          );
        }
      }
      return await neighboursOfItems(open, job.items, job.search);
    },
    async close() {
      if (session !== undefined) await (await session).close();
    },
  };
}
