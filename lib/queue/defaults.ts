/**
 * The queue's defaults, in a module of their own (no bullmq import) so that the command table
 * (scripts/tasks.ts) shows the values `jobs.ts` and `serve.ts` use.
 * @module
 */

/** Tries of a job that throws before it is reported as failed (`--attempts`). */
export const DEFAULT_ATTEMPTS = 3;

/** Jobs a worker runs at once per queue (`--concurrency`). */
export const DEFAULT_CONCURRENCY = 1;

/** A job's lock, ms (`--lock-ms`): how long a killed worker's job waits before it runs elsewhere. */
export const DEFAULT_LOCK_MS = 30_000;
