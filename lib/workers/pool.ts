/**
 * A fixed pool of Deno Workers for CPU-bound work on several cores: each worker runs one task at
 * a time, tasks wait in arrival order for the first free worker, and a message can be sent to every
 * worker (state they keep between tasks). The worker module answers through
 * {@link serveTasks} (`./serve.ts`), which defines the other half of the protocol below.
 *
 * Typed arrays over a `SharedArrayBuffer` in a task or a broadcast are shared, not copied: put a
 * large similarity matrix there once and let every task read it.
 *
 * Errors: a task that throws rejects its own promise with the worker's message (and stack); a
 * worker that dies (an uncaught error, a failed `init`) rejects every pending and later task with
 * `<name> worker failed: <message>`, since its task can no longer be told apart from the others.
 * {@link WorkerPool.close} terminates the workers and rejects what is still pending.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createWorkerPool } from "./pool.ts";
 * // The worker module: one serveTasks call (see ./serve.ts).
 * const url = `${await Deno.makeTempDir()}/sum_worker.ts`;
 * const serve = new URL("./serve.ts", import.meta.url).href;
 * await Deno.writeTextFile(url, `import { serveTasks } from "${serve}";
 * serveTasks<{ rows: number[] }, number>({
 *   task: ({ rows }) => {
 *     if (rows.length === 0) throw new Error("no rows");
 *     return rows.reduce((a, b) => a + b, 0);
 *   },
 * });`);
 * const pool = await createWorkerPool<{ rows: number[] }, number>({ url: `file://${url}`, size: 2, name: "sum" });
 * try {
 *   assert.deepEqual(await Promise.all([pool.run({ rows: [1, 2] }), pool.run({ rows: [3] })]), [3, 3]);
 *   await assert.rejects(pool.run({ rows: [] }), /no rows/); // a throwing task rejects its own promise
 *   assert.equal(await pool.run({ rows: [4, 5] }), 9); // and the pool goes on
 * } finally {
 *   pool.close();
 * }
 * ```
 * @module
 */

/** Messages the pool posts to a worker. */
export type PoolRequest =
  | { type: "init"; payload: unknown }
  | { type: "broadcast"; payload: unknown }
  | { type: "task"; id: number; payload: unknown };

/** Messages a worker posts back. */
export type PoolReply =
  | { type: "ready" }
  | { type: "done"; id: number; result: unknown }
  | { type: "failed"; id: number; message: string; stack?: string };

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** The worker module; it calls `serveTasks`. */
  url: URL | string;
  /** Number of workers, an integer ≥ 1. */
  size: number;
  /** What the pool is for, in errors: `<name> worker failed: …`. */
  name: string;
  /** Handed to every worker's `init` handler before any task; the pool is ready once all answered. */
  init?: unknown;
  /** The error a failed task rejects with (default: an `Error` with the worker's message and stack). */
  taskError?: (message: string, stack: string | undefined) => Error;
}

/** A running pool (see the module documentation). */
export interface WorkerPool<Task, Result, Note = never> {
  /** Number of workers, i.e. of tasks running at once. */
  readonly size: number;
  /** Run `task` on the first free worker; `transfer` moves buffers instead of copying them. */
  run(task: Task, transfer?: Transferable[]): Promise<Result>;
  /** Send `note` to every worker; each handles it before any task posted after it. */
  broadcast(note: Note): void;
  /** Terminate the workers; pending and later tasks reject with `reason`. Idempotent. */
  close(reason?: Error): void;
}

interface Pending {
  id: number;
  payload: unknown;
  transfer: Transferable[];
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

function defaultTaskError(message: string, stack: string | undefined): Error {
  const error = new Error(message);
  if (stack) error.stack = stack;
  return error;
}

/** Start `options.size` workers and wait until each has handled `init`. */
export async function createWorkerPool<Task, Result, Note = never>(
  options: WorkerPoolOptions,
): Promise<WorkerPool<Task, Result, Note>> {
  const { size, name } = options;
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`${name} worker pool size must be an integer ≥ 1, got ${size}`);
  }
  const taskError = options.taskError ?? defaultTaskError;
  const workers: Worker[] = [];
  const running: (Pending | undefined)[] = [];
  const waiting: Pending[] = [];
  let nextId = 0;
  // Set once: by a dead worker or by close(); every later task rejects with it.
  let stopped: Error | undefined;

  const stop = (error: Error) => {
    stopped ??= error;
    for (const task of [...running, ...waiting]) task?.reject(error);
    waiting.length = 0;
    running.fill(undefined);
  };

  const dispatch = () => {
    for (let w = 0; w < workers.length && waiting.length > 0; w++) {
      if (running[w]) continue;
      const task = waiting.shift()!;
      running[w] = task;
      const message: PoolRequest = { type: "task", id: task.id, payload: task.payload };
      workers[w].postMessage(message, task.transfer);
    }
  };

  const ready: Promise<void>[] = [];
  for (let w = 0; w < size; w++) {
    const worker = new Worker(options.url, { type: "module" });
    workers.push(worker);
    running.push(undefined);
    ready.push(
      new Promise<void>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<PoolReply>) => {
          const reply = event.data;
          if (reply.type === "ready") return resolve();
          const task = running[w];
          running[w] = undefined;
          if (task && task.id === reply.id) {
            if (reply.type === "done") task.resolve(reply.result);
            else task.reject(taskError(reply.message, reply.stack));
          }
          dispatch();
        };
        worker.onerror = (event: ErrorEvent) => {
          // Handled here: without this the error would also propagate to (and kill) the caller.
          event.preventDefault();
          const error = new Error(`${name} worker failed: ${event.message}`);
          reject(error);
          stop(error);
        };
      }),
    );
    const init: PoolRequest = { type: "init", payload: options.init };
    worker.postMessage(init);
  }
  try {
    await Promise.all(ready);
  } catch (error) {
    for (const worker of workers) worker.terminate();
    throw error;
  }

  return {
    size,
    run(task, transfer = []) {
      if (stopped) return Promise.reject(stopped);
      return new Promise<Result>((resolve, reject) => {
        waiting.push({
          id: nextId++,
          payload: task,
          transfer,
          resolve: resolve as (r: unknown) => void,
          reject,
        });
        dispatch();
      });
    },
    broadcast(note) {
      const message: PoolRequest = { type: "broadcast", payload: note };
      for (const worker of workers) worker.postMessage(message);
    },
    close(reason = new Error(`${name} worker pool is closed`)) {
      if (workers.length === 0) return;
      stop(reason);
      for (const worker of workers.splice(0)) worker.terminate();
    },
  };
}
