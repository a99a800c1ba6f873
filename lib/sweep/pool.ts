/**
 * Runs cells on several cores: a pool of Deno Workers (`lib/workers`), each holding the same shared states
 * (posted once per group and method; `SharedArrayBuffer`-backed arrays are shared, not copied)
 * and evaluating one cell at a time. With one thread the cells run in the calling thread instead,
 * through the same interface, so results do not depend on the thread count.
 *
 * @example (not run by the doc tests: a fragment of the engine's calls (`shared`, `cell` from its plan); `engine.ts`'s example runs cells)
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
import { createWorkerPool } from "../workers/pool.ts";
import type { CellTask, StateNote } from "./worker.ts";

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

async function workerRunner(backendUrl: string, threads: number): Promise<CellRunner> {
  const pool = await createWorkerPool<CellTask, CellMetrics, StateNote>({
    url: new URL("./worker.ts", import.meta.url),
    size: threads,
    name: "sweep",
    init: backendUrl,
  });
  let closed = false;
  return {
    threads,
    setState: (key, value) => pool.broadcast({ type: "state", key, value }),
    dropState: (key) => pool.broadcast({ type: "drop", key }),
    run(sharedKey, methodKey, cell) {
      if (closed) return Promise.reject(new Error("cell runner is closed"));
      return pool.run({ sharedKey, methodKey, cell });
    },
    close() {
      if (closed) return;
      closed = true;
      pool.close(new Error("cell runner closed"));
    },
  };
}
