/**
 * The worker's side of a distributed run (`deno task worker`): take jobs of the named queues and
 * answer them with their handlers, one job at a time per queue by default.
 *
 * A job holds a lock renewed every `lockMs / 2` while it runs; a worker killed with SIGKILL stops
 * renewing, and after `lockMs` any live worker's stalled-job check (every `lockMs`) puts the job
 * back on the wait list. `maxStalledCount` is high on purpose: being on a killed worker is not the
 * job's fault, so it does not use up the job's tries (those count its own errors, `jobs.ts`).
 * @module
 */

import { type Job, Worker } from "bullmq";
import { DEFAULT_CONCURRENCY, DEFAULT_LOCK_MS } from "./defaults.ts";
import { connectionOptions, type QueueUrl } from "./url.ts";

/** A queue's handler: the job's input → its result (plain JSON). A throw is a failed try. */
export type JobHandler = (data: unknown, job: Job) => Promise<unknown>;

/** Options of {@link serveJobs}. */
export interface ServeJobsOptions {
  url: QueueUrl;
  /** Queue name → handler. */
  handlers: Record<string, JobHandler>;
  /** Jobs run at once per queue (default 1). */
  concurrency?: number;
  /** Lock duration, ms (default 30000): how long a killed worker's job waits before it runs elsewhere. */
  lockMs?: number;
  /** Messages (errors of jobs, connection trouble). */
  log?: (line: string) => void;
}

/** Running workers: `close()` lets running jobs finish, then disconnects. */
export interface JobServer {
  close(): Promise<void>;
}

/** Start taking jobs (see the module documentation). */
export function serveJobs(options: ServeJobsOptions): JobServer {
  const log = options.log ?? ((line: string) => console.error(line));
  const lockMs = options.lockMs ?? DEFAULT_LOCK_MS;
  const workers = Object.entries(options.handlers).map(([name, handler]) => {
    const worker = new Worker(name, (job) => handler(job.data, job), {
      connection: connectionOptions(options.url),
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: 1000,
    });
    let lastError = "";
    worker.on("error", (error) => {
      if (error.message !== lastError) log(`worker ${name}: ${error.message}`);
      lastError = error.message;
    });
    worker.on("failed", (job, error) => {
      log(`worker ${name}: job ${job?.id} failed (try ${job?.attemptsMade}): ${error.message}`);
    });
    return worker;
  });
  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
