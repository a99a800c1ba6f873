/**
 * Work spread over machines with BullMQ on Redis: `--queue redis://HOST:PORT/N` on `index`
 * (embedding batches) and `neighbours` (chunks of items), taken by `deno task worker` processes
 * on any machine that sees the index folder and the photos (docs/distributed.md).
 *
 * - `url.ts`: the queue address (a password is never printed) and connection options (commands
 *   wait through a Redis restart); `defaults.ts`: attempts, concurrency, lock time;
 * - `jobs.ts`: the coordinator: stable job ids, results handed over once, failures reported with
 *   their input after `attempts` tries, jobs lost by Redis re-added;
 * - `serve.ts`: the worker loop (locks, stalled-job recovery after a SIGKILL);
 * - `embed.ts`: an `ImageEmbedder` over the queue and the embedding job handler.
 * @module
 */

export {
  connectionOptions,
  parseQueueUrl,
  QUEUE_NAMES,
  type QueueUrl,
  queueUrlProblem,
  redactQueueUrl,
} from "./url.ts";
export { DEFAULT_ATTEMPTS, DEFAULT_CONCURRENCY, DEFAULT_LOCK_MS } from "./defaults.ts";
export {
  type FailedJob,
  JobsFailedError,
  type JobSpec,
  runJobs,
  type RunJobsOptions,
  type RunJobsReport,
} from "./jobs.ts";
export { type JobHandler, type JobServer, serveJobs, type ServeJobsOptions } from "./serve.ts";
export {
  checkReadableFolder,
  type EmbedJob,
  embedJobHandler,
  type EmbedJobResult,
  type EmbedWorkerOptions,
  type QueueEmbedderOptions,
  queueImageEmbedder,
} from "./embed.ts";
