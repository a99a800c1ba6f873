/**
 * The coordinator's side of a distributed run: turn work into BullMQ jobs, wait for their
 * results, and hand each result over exactly once.
 *
 * Why each piece:
 * - Job ids are given by the caller and stable (a run key + the chunk or batch): adding a job
 *   that already exists is a no-op in BullMQ, so a restarted coordinator re-attaches to the jobs
 *   of its earlier self instead of queueing them twice.
 * - A worker killed mid-job (SIGKILL) stops renewing its lock; another worker's stalled-job
 *   check moves the job back to the wait list and it runs again (`serve.ts`). A job that throws
 *   is retried with a fixed back-off up to `attempts` times, then lands in the failed set, where
 *   this side reports it with its input ({@link JobsFailedError}) instead of retrying forever.
 * - Results are read from the completed set by polling (not from events, which are not replayed
 *   after a Redis restart), handed to `onResult` once per id, then the job is removed. A result
 *   for an id already handed over is counted as a duplicate and dropped.
 * - Redis restarting mid-run: every connection waits and reconnects (`url.ts`); with Redis's
 *   append-only file the queue survives, and a job the restart lost anyway (not yet fsynced) is
 *   found missing by the periodic sweep and added again.
 * @module
 */

import { Queue } from "bullmq";
import { DEFAULT_ATTEMPTS } from "./defaults.ts";
import { connectionOptions, type QueueUrl } from "./url.ts";

/** One job: a stable id and its input (plain JSON). */
export interface JobSpec<D> {
  id: string;
  data: D;
}

/** A job that failed on its last attempt. */
export interface FailedJob<D> {
  id: string;
  data: D;
  reason: string;
  attempts: number;
}

/** Options of {@link runJobs}. */
export interface RunJobsOptions<D, R> {
  url: QueueUrl;
  queue: string;
  jobs: readonly JobSpec<D>[];
  /** Called once per job with its result (awaited before the job is removed from Redis). */
  onResult(id: string, result: R): Promise<void>;
  /** Tries per job before it is reported as failed (default 3). */
  attempts?: number;
  /** Delay between tries of a failing job, ms (default 500). */
  backoffMs?: number;
  /** Poll interval, ms (default 100). */
  pollMs?: number;
  /** Interval of the sweep that re-adds jobs Redis lost, ms (default 2000). */
  sweepMs?: number;
  /** How long Redis may take to answer at the start, ms (default 10000). */
  connectMs?: number;
  /** Messages (connection trouble, re-added jobs). */
  log?: (line: string) => void;
}

/** What {@link runJobs} saw. */
export interface RunJobsReport {
  completed: number;
  /** Results for ids already handed over (dropped). */
  duplicate_results: number;
  /** Jobs added again because Redis had lost them. */
  readded: number;
  /** Sum over the handed-over jobs of their last try's time on a worker (finished − started), ms. */
  busy_ms: number;
}

/** Jobs that failed on every attempt; the message names each with its input. */
export class JobsFailedError<D = unknown> extends Error {
  override name = "JobsFailedError";
  constructor(readonly failures: FailedJob<D>[], readonly report: RunJobsReport) {
    super(
      `${failures.length} job(s) failed after every attempt (not retried further):\n` +
        failures.slice(0, 20).map((f) =>
          `  ${f.id} (${f.attempts} attempts): ${f.reason}\n    input: ${
            abbreviate(JSON.stringify(f.data), 300)
          }`
        ).join("\n"),
    );
  }
}

function abbreviate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Queue `jobs` and wait until each has completed (its result handed to `onResult`) or failed for good. */
export async function runJobs<D, R>(options: RunJobsOptions<D, R>): Promise<RunJobsReport> {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  const log = options.log ?? ((line: string) => console.error(line));
  const pollMs = options.pollMs ?? 100;
  const sweepMs = options.sweepMs ?? 2000;
  const report: RunJobsReport = { completed: 0, duplicate_results: 0, readded: 0, busy_ms: 0 };
  const byId = new Map(options.jobs.map((job) => [job.id, job]));
  if (byId.size !== options.jobs.length) throw new RangeError(`runJobs: two jobs share an id`);
  const pending = new Set(byId.keys());
  // Ids handed over → the finish time of the result handed over (another finish time is a duplicate).
  const done = new Map<string, number | undefined>();
  const failures: FailedJob<D>[] = [];
  let lastError = "";
  const queue = new Queue(options.queue, { connection: connectionOptions(options.url) });
  queue.on("error", (error) => {
    // Redis is down or restarting: commands wait for the reconnection; say so once per message.
    if (error.message !== lastError) log(`queue ${options.url.url}: ${error.message} (waiting for Redis)`);
    lastError = error.message;
  });
  const jobOptions = {
    attempts,
    backoff: { type: "fixed", delay: options.backoffMs ?? 500 },
    removeOnComplete: false,
    removeOnFail: false,
  };
  const add = async (ids: string[]) => {
    for (let start = 0; start < ids.length; start += 500) {
      await queue.addBulk(
        ids.slice(start, start + 500).map((id) => ({
          name: "job",
          data: byId.get(id)!.data,
          opts: { ...jobOptions, jobId: id },
        })),
      );
    }
  };
  try {
    // Redis must answer at the start (later outages are waited out): a wrong address fails fast.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      queue.waitUntilReady(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `queue ${options.url.url}: Redis does not answer (${
                  lastError || "no connection"
                }); start redis-server there or fix --queue (docs/distributed.md)`,
              ),
            ),
          options.connectMs ?? 10_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    // A failed job left by an earlier run of the same work gets its tries again.
    for (const job of await queue.getJobs(["failed"])) {
      if (job?.id !== undefined && pending.has(job.id)) await job.retry("failed");
    }
    await add([...pending]);
    // Every job of a state, page by page (other runs' jobs may share the queue).
    const listAll = async (state: "completed" | "failed") => {
      const jobs = [];
      for (let start = 0;; start += 1000) {
        const page = await queue.getJobs([state], start, start + 999, true);
        jobs.push(...page);
        if (page.length < 1000) return jobs;
      }
    };
    let lastSweep = performance.now(), sweepCost = 0;
    while (pending.size > 0) {
      for (const job of await listAll("completed")) {
        if (job?.id === undefined || !byId.has(job.id)) continue; // another run's job
        if (pending.has(job.id)) {
          await options.onResult(job.id, job.returnvalue as R);
          pending.delete(job.id);
          done.set(job.id, job.finishedOn);
          report.completed++;
          if (job.finishedOn !== undefined && job.processedOn !== undefined) {
            report.busy_ms += job.finishedOn - job.processedOn;
          }
        } else if (done.has(job.id) && done.get(job.id) !== job.finishedOn) {
          report.duplicate_results++;
          done.set(job.id, job.finishedOn);
        }
        // If removing fails (Redis going down), the next poll sees the job again and removes it then.
        await job.remove().catch(() => {});
      }
      for (const job of await listAll("failed")) {
        if (job?.id === undefined || !pending.has(job.id)) continue;
        failures.push({
          id: job.id,
          data: job.data as D,
          reason: job.failedReason,
          attempts: job.attemptsMade,
        });
        pending.delete(job.id);
      }
      // The sweep asks for each pending job: at most a tenth of the time goes to it.
      if (performance.now() - lastSweep >= Math.max(sweepMs, 10 * sweepCost) && pending.size > 0) {
        const started = performance.now();
        const lost: string[] = [];
        for (const id of pending) if ((await queue.getJobState(id)) === "unknown") lost.push(id);
        if (lost.length > 0) {
          log(`queue ${options.url.url}: ${lost.length} job(s) lost by Redis; adding them again`);
          await add(lost);
          report.readded += lost.length;
        }
        lastSweep = performance.now();
        sweepCost = lastSweep - started;
      }
      if (pending.size > 0) await sleep(pollMs);
    }
  } finally {
    await queue.close().catch(() => {});
  }
  if (failures.length > 0) throw new JobsFailedError(failures, report);
  return report;
}
