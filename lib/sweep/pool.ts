/**
 * Runs cells on several cores: a pool of Deno Workers, each holding the same shared states
 * (posted once per group and method; `SharedArrayBuffer`-backed arrays are shared, not copied)
 * and evaluating one cell at a time. With one thread the cells run in the calling thread instead,
 * through the same interface, so results do not depend on the thread count.
 *
 * @example
 * ```ts ignore
 * import { createCellRunner } from "./pool.ts";
 * const runner = await createCellRunner({ backendUrl: new URL("./setsim_backend.ts", import.meta.url).href, threads: 2 });
 * runner.setState("group", shared);
 * const metrics = await runner.run("group", "method", cell);
 * runner.close();
 * ```
 * @module
 */

import type { CellMetrics, SweepBackend } from "./backend.ts";
import type { SweepCell } from "./cell.ts";
import type { PoolRequest, PoolResponse } from "./worker.ts";

/** Evaluates cells against shared states, in this thread or in workers. */
export interface CellRunner {
  /** Number of cells evaluated at once. */
  readonly threads: number;
  /** Install a state under `key` (in every worker). */
  setState(key: string, value: unknown): void;
  /** Forget a state. */
  dropState(key: string): void;
  /** Evaluate a cell with the states stored under `sharedKey` and `methodKey`. */
  run(sharedKey: string, methodKey: string, cell: SweepCell): Promise<CellMetrics>;
  /** Stop all workers (pending cells are rejected). */
  close(): void;
}

/** Options for {@link createCellRunner}. */
export interface CellRunnerOptions {
  /** URL of the module exporting the backend as `backend`. */
  backendUrl: string;
  /** Evaluation threads; 1 runs cells in the calling thread. */
  threads: number;
}

/** Create a runner (see the module documentation). */
export async function createCellRunner(options: CellRunnerOptions): Promise<CellRunner> {
  if (!Number.isInteger(options.threads) || options.threads < 1) {
    throw new RangeError(`threads must be an integer ≥ 1, got ${options.threads}`);
  }
  const module = await import(options.backendUrl);
  const backend = module.backend as SweepBackend | undefined;
  if (!backend || typeof backend.evaluate !== "function") {
    throw new Error(`${options.backendUrl} does not export a sweep backend named "backend"`);
  }
  return options.threads === 1
    ? localRunner(backend)
    : await workerRunner(options.backendUrl, options.threads);
}

function localRunner(backend: SweepBackend): CellRunner {
  const states = new Map<string, unknown>();
  return {
    threads: 1,
    setState: (key, value) => void states.set(key, value),
    dropState: (key) => void states.delete(key),
    run: async (sharedKey, methodKey, cell) =>
      await backend.evaluate(states.get(sharedKey), states.get(methodKey), cell),
    close: () => states.clear(),
  };
}

interface Task {
  id: number;
  sharedKey: string;
  methodKey: string;
  cell: SweepCell;
  resolve: (metrics: CellMetrics) => void;
  reject: (error: Error) => void;
}

async function workerRunner(backendUrl: string, threads: number): Promise<CellRunner> {
  const workerUrl = new URL("./worker.ts", import.meta.url).href;
  const workers: Worker[] = [];
  const busy: (Task | undefined)[] = [];
  const waiting: Task[] = [];
  let nextId = 0;
  let closed = false;
  let fatal: Error | undefined;

  const failAll = (error: Error) => {
    fatal = error;
    for (const task of [...busy, ...waiting]) task?.reject(error);
    waiting.length = 0;
    busy.fill(undefined);
  };

  const dispatch = () => {
    for (let w = 0; w < workers.length && waiting.length > 0; w++) {
      if (busy[w]) continue;
      const task = waiting.shift()!;
      busy[w] = task;
      const message: PoolRequest = {
        type: "cell",
        id: task.id,
        sharedKey: task.sharedKey,
        methodKey: task.methodKey,
        cell: task.cell,
      };
      workers[w].postMessage(message);
    }
  };

  const ready: Promise<void>[] = [];
  for (let w = 0; w < threads; w++) {
    const worker = new Worker(workerUrl, { type: "module" });
    workers.push(worker);
    busy.push(undefined);
    ready.push(
      new Promise<void>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<PoolResponse>) => {
          const message = event.data;
          if (message.type === "ready") return resolve();
          const task = busy[w];
          busy[w] = undefined;
          if (task && task.id === message.id) {
            if (message.type === "done") task.resolve(message.result as CellMetrics);
            else {
              const error = new Error(message.message);
              if (message.stack) error.stack = message.stack;
              task.reject(error);
            }
          }
          dispatch();
        };
        worker.onerror = (event: ErrorEvent) => {
          event.preventDefault();
          const error = new Error(`sweep worker failed: ${event.message}`);
          reject(error);
          failAll(error);
        };
      }),
    );
    const init: PoolRequest = { type: "init", backendUrl };
    worker.postMessage(init);
  }
  await Promise.all(ready);

  const broadcast = (message: PoolRequest) => {
    for (const worker of workers) worker.postMessage(message);
  };

  return {
    threads,
    setState: (key, value) => broadcast({ type: "state", key, value }),
    dropState: (key) => broadcast({ type: "drop", key }),
    run(sharedKey, methodKey, cell) {
      if (closed) return Promise.reject(new Error("cell runner is closed"));
      if (fatal) return Promise.reject(fatal);
      return new Promise<CellMetrics>((resolve, reject) => {
        waiting.push({ id: nextId++, sharedKey, methodKey, cell, resolve, reject });
        dispatch();
      });
    },
    close() {
      if (closed) return;
      closed = true;
      failAll(new Error("cell runner closed"));
      for (const worker of workers) worker.terminate();
    },
  };
}
